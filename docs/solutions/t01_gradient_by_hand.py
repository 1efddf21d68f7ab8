"""Tutorial 1, exercise 1: the gradients of the line fit, by hand.

The last cell of tutorial 1 fits ``y = 3x - 1`` by minimizing
``L = mean((x w + b - y)^2)`` over N points. Derive dL/dw and dL/db with pen and paper,
compute them with numpy, and check them against what ``loss.backward()`` puts in
``.grad``.

Solution. With the residual r_i = x_i w + b - y_i, L = (1/N) sum_i r_i^2, so
dL/dr_i = 2 r_i / N, dr_i/dw = x_i and dr_i/db = 1:

    dL/dw = (2/N) sum_i r_i x_i,        dL/db = (2/N) sum_i r_i.
"""

import numpy as np

import minigrad


def gradients_by_hand(xs, ys, w, b):
    """dL/dw and dL/db of mean((xs * w + b - ys)^2), for numpy vectors xs, ys and numbers w, b."""
    residual = xs * w + b - ys
    return float(2 * np.mean(residual * xs)), float(2 * np.mean(residual))


def gradients_by_backward(xs, ys, w, b):
    """The same two numbers, from minigrad's backward."""
    weight = minigrad.tensor(w, dtype=minigrad.float64, requires_grad=True)
    bias = minigrad.tensor(b, dtype=minigrad.float64, requires_grad=True)
    loss = ((minigrad.tensor(xs) * weight + bias - minigrad.tensor(ys)) ** 2).mean()
    loss.backward()
    return weight.grad.item(), bias.grad.item()


if __name__ == "__main__":
    xs = np.linspace(-1, 1, 32)
    ys = 3 * xs - 1
    print("by hand    :", gradients_by_hand(xs, ys, 0.5, 0.25))
    print("by backward:", gradients_by_backward(xs, ys, 0.5, 0.25))
