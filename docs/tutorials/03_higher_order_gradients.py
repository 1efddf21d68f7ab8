"""
Gradients of gradients
======================

Every backward in minigrad is written with minigrad ops. When backward runs with
``create_graph=True``, those ops are recorded like any others, so the gradient is itself
a tensor with a graph behind it, and can be differentiated again. This gives second
derivatives, Hessian-vector products and gradient penalties, with no extra code per op.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import grad, gradgradcheck

# %%
# Second and third derivatives of a scalar function
# -------------------------------------------------
# :func:`minigrad.autograd.grad` returns gradients instead of accumulating them into
# ``.grad``. For :math:`f(x) = x^3`: :math:`f' = 3x^2`, :math:`f'' = 6x`, :math:`f''' = 6`.
x = minigrad.tensor(2.0, requires_grad=True)
f = x**3
(df,) = grad(f, x, create_graph=True)
(d2f,) = grad(df, x, create_graph=True)
(d3f,) = grad(d2f, x)
print(f"f = {f.item()}, f' = {df.item()}, f'' = {d2f.item()}, f''' = {d3f.item()}")
print("the first derivative has a graph of its own:", df.grad_fn.name())

# %%
# A Hessian-vector product without the Hessian
# --------------------------------------------
# For :math:`f(x) = \sum_i \tanh(x_i)^2 + (\sum_i x_i)^2`, the product :math:`Hv` is the
# gradient of :math:`g(x) \cdot v` where :math:`g = \nabla f`: two backward passes, never
# the :math:`n \times n` matrix. We check it against the Hessian built column by column.
minigrad.manual_seed(0)
n = 5
x = minigrad.randn(n, dtype=minigrad.float64, requires_grad=True)
v = minigrad.randn(n, dtype=minigrad.float64)


def f(x):
    return (x.tanh() ** 2).sum() + x.sum() ** 2


(g,) = grad(f(x), x, create_graph=True)
(hv,) = grad((g * v).sum(), x)

columns = []
for i in range(n):
    e = minigrad.zeros(n, dtype=minigrad.float64)
    e[i] = 1.0
    (g,) = grad(f(x), x, create_graph=True)
    columns.append(grad((g * e).sum(), x)[0].numpy())
hessian = np.stack(columns, axis=1)
print("H v        :", np.round(hv.numpy(), 6))
print("H @ v      :", np.round(hessian @ v.numpy(), 6))
print("symmetric  :", np.allclose(hessian, hessian.T))

# %%
# A gradient penalty through a convolution
# ----------------------------------------
# Regularizers such as the WGAN-GP penalty :math:`(\lVert \nabla_x D(x) \rVert - 1)^2`
# differentiate the *input gradient* with respect to the *weights*. Through a
# convolution this runs the conv's backward (a transposed convolution, see tutorial 5)
# under recording, then differentiates that. Nothing special is needed:
x = minigrad.randn(2, 1, 8, 8, requires_grad=True)
weight = minigrad.randn(4, 1, 3, 3, requires_grad=True)
score = F.conv2d(x, weight, padding=1).tanh().sum()
(gx,) = grad(score, x, create_graph=True)
penalty = ((gx.reshape(2, -1) ** 2).sum(1).sqrt() - 1) ** 2
penalty.mean().backward()
print("penalty:", penalty.mean().item())
print("d penalty / d weight:", weight.grad.shape, "finite:", bool(np.isfinite(weight.grad.numpy()).all()))

# %%
# ``gradgradcheck`` verifies such second derivatives against finite differences of the
# first ones, here for a strided, padded convolution (float64):
x = minigrad.randn(1, 2, 6, 6, dtype=minigrad.float64, requires_grad=True)
w = minigrad.randn(3, 2, 3, 3, dtype=minigrad.float64, requires_grad=True)
print("gradgradcheck conv2d:", gradgradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=1), (x, w)))

# %%
# Exercises
# ---------
# 1. Write ``hvp(f, x, v)`` with two calls of ``grad``, then one Newton step
#    :math:`x - H^{-1} \nabla f(x)` that finds :math:`H^{-1} \nabla f` by conjugate
#    gradients, using Hessian-vector products only. On
#    :math:`f(x) = \tfrac12 x^\top A x - b^\top x` one step must land on
#    :math:`A^{-1} b`. (``t03_hessian_vector_product.py``)
# 2. Derive :math:`\tanh''` and :math:`\tanh'''` by hand (with :math:`t = \tanh x`,
#    :math:`\tanh' = 1 - t^2`) and check them, at many points at once, against
#    ``grad(..., create_graph=True)`` applied three times.
#    (``t03_tanh_derivatives.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
