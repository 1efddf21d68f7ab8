"""Tutorial 3, exercise 1: Newton's method with Hessian-vector products only.

Write ``hvp(f, x, v)``, the product of the Hessian of a scalar function ``f`` at ``x``
with a vector ``v``, from two calls of ``minigrad.autograd.grad`` (never forming the
Hessian). Then use it for one Newton step, ``x - H^-1 grad f(x)``, solving ``H d = grad
f(x)`` by conjugate gradients, which needs nothing but products ``H p``. On the quadratic
``f(x) = x.A x / 2 - b.x`` with A symmetric positive definite, one Newton step from any
point lands on the minimum ``A^-1 b``.

Solution. ``grad(f(x), x, create_graph=True)`` gives g(x) with a graph; the gradient of
``(g * v).sum()`` with respect to x is ``H v`` (H is symmetric). Conjugate gradients
solve ``H d = g`` in at most n products for an n x n positive definite H.
"""

import numpy as np

import minigrad
from minigrad.autograd import grad


def hvp(f, x, v):
    """H(x) v for a scalar function f: x (n,), v (n,) -> (n,), by two backward passes."""
    x = x.detach().requires_grad_(True)
    (g,) = grad(f(x), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    return hv


def newton_step(f, x, iterations=None, tol=1e-12):
    """x - H^-1 grad f(x), with H^-1 g found by conjugate gradients on products H p."""
    x = x.detach().requires_grad_(True)
    (g,) = grad(f(x), x)
    d = minigrad.zeros_like(g)
    r = g.clone()  # residual g - H d, with d = 0
    p = r.clone()
    rr = (r * r).sum().item()
    for _ in range(iterations or x.numel()):
        if rr <= tol:
            break
        hp = hvp(f, x, p)
        alpha = rr / (p * hp).sum().item()
        d = d + alpha * p
        r = r - alpha * hp
        rr, rr_old = (r * r).sum().item(), rr
        p = r + (rr / rr_old) * p
    return (x - d).detach()


def quadratic(a, b):
    """f(x) = x.A x / 2 - b.x, for a symmetric (n, n) A and an (n,) b."""
    return lambda x: (x * (a @ x)).sum() / 2 - (b * x).sum()


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    m = rng.standard_normal((6, 6))
    a = minigrad.tensor(m @ m.T + 6 * np.eye(6))
    b = minigrad.tensor(rng.standard_normal(6))
    x0 = minigrad.tensor(rng.standard_normal(6))
    v = minigrad.tensor(rng.standard_normal(6))
    print("H v = A v:", np.allclose(hvp(quadratic(a, b), x0, v).numpy(), (a @ v).numpy()))
    print("one Newton step:", np.round(newton_step(quadratic(a, b), x0).numpy(), 6))
    print("A^-1 b        :", np.round(np.linalg.solve(a.numpy(), b.numpy()), 6))
