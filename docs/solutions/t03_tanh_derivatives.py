"""Tutorial 3, exercise 2: the first three derivatives of tanh.

With t = tanh(x), tanh' = 1 - t^2. Differentiate that by hand twice more, then compute
the three derivatives at many points at once with ``grad(..., create_graph=True)`` and
compare.

Solution. By the chain rule, with dt/dx = 1 - t^2:

    tanh''  = d/dx (1 - t^2)        = -2 t (1 - t^2),
    tanh''' = d/dx (-2 t + 2 t^3)   = (-2 + 6 t^2)(1 - t^2).

Since tanh acts elementwise, the gradient of ``y.sum()`` is the vector of derivatives at
every point: one call of ``grad`` per order.
"""

import numpy as np

import minigrad
from minigrad.autograd import grad


def derivatives_by_autograd(x):
    """tanh', tanh'', tanh''' at every element of x (numpy in, three numpy arrays out)."""
    x = minigrad.tensor(x, requires_grad=True)
    out, y = [], x.tanh()
    for order in range(3):
        (y,) = grad(y.sum(), x, create_graph=order < 2)
        out.append(y.detach().numpy())
    return tuple(out)


def derivatives_by_hand(x):
    t = np.tanh(x)
    return 1 - t**2, -2 * t * (1 - t**2), (6 * t**2 - 2) * (1 - t**2)


if __name__ == "__main__":
    x = np.linspace(-3, 3, 7)
    for order, (auto, hand) in enumerate(zip(derivatives_by_autograd(x), derivatives_by_hand(x)), start=1):
        print(f"order {order}: max |autograd - formula| = {np.abs(auto - hand).max():.1e}")
