"""
Pooling, forward and backward
=============================

A pooling layer shrinks each feature map on its own, with no parameters: the notes'
max pooling takes the largest value of each window,

.. math::

   L_{\\ell+1}[b, x, y, i] = \\max_{\\Delta x, \\Delta y} L_\\ell[b,\\; s x + \\Delta x,\\; s y + \\Delta y,\\; i],

and average pooling its mean. This tutorial computes both, forward and backward, and
shows where the gradient goes.
"""

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck
from minigrad.viz import make_dot

# %%
# Forward: the notes' window
# --------------------------
# The CS 4803 notes take the 3x3 window below: its max is 200 and its average 90.
window = minigrad.tensor([[200.0, 150.0, 150.0], [100.0, 50.0, 100.0], [25.0, 25.0, 10.0]]).reshape(1, 1, 3, 3)
print("max pool:", F.max_pool2d(window, 3).item(), "   average pool:", F.avg_pool2d(window, 3).item())

# %%
# On a feature map, with the common settings F = 2, S = 2 and F = 3, S = 2. The output
# size is :math:`(W_1 - F)/S + 1` (CS231n), and the layer has no parameters:
x = minigrad.tensor(
    [
        [1.0, 3.0, 2.0, 1.0, 0.0],
        [4.0, 2.0, 0.0, 1.0, 2.0],
        [1.0, 0.0, 5.0, 3.0, 1.0],
        [2.0, 6.0, 1.0, 0.0, 2.0],
        [0.0, 1.0, 2.0, 4.0, 3.0],
    ]
).reshape(1, 1, 5, 5)
print("2x2, stride 2:\n", F.max_pool2d(x, 2, stride=2).numpy()[0, 0])
print("3x3, stride 2:\n", F.max_pool2d(x, 3, stride=2).numpy()[0, 0])
print("parameters of nn.MaxPool2d(2):", len(list(nn.MaxPool2d(2).parameters())))

# %%
# Max pooling backward: the gradient goes to the winners
# ------------------------------------------------------
# :math:`\max` is locally the identity on its largest input and constant in the others,
# so each output's upstream gradient flows back to the one position that held the
# maximum, and every other input gets zero. The forward pass records where each maximum
# was (``return_indices=True`` shows these offsets in the flattened H*W plane), and the
# backward scatters the gradient through them.
x.requires_grad_(True)
out, indices = F.max_pool2d(x, 2, stride=2, return_indices=True)
print("indices of the maxima:\n", indices.numpy()[0, 0])
out.backward(minigrad.tensor([[10.0, 20.0], [30.0, 40.0]]).reshape(1, 1, 2, 2))
print("x.grad (upstream 10, 20, 30, 40 at the winners, 0 elsewhere):\n", x.grad.numpy()[0, 0])

# %%
# When windows overlap (3x3 with stride 2), one input can win in several windows; its
# gradients add up. Here the 5 at the centre wins three of the four windows and
# collects their three gradients; the 6 wins the fourth:
x.grad = None
out = F.max_pool2d(x, 3, stride=2)
out.backward(minigrad.ones_like(out))
print("3x3 windows, stride 2; x.grad:\n", x.grad.numpy()[0, 0])

# %%
# Average pooling backward: the gradient is shared
# ------------------------------------------------
# Each output is :math:`\frac{1}{F^2}` times a sum, so every input of a window gets
# :math:`\frac{1}{F^2}` of that window's upstream gradient (added up where windows
# overlap).
x.grad = None
out = F.avg_pool2d(x, 2, stride=2)
out.backward(minigrad.tensor([[4.0, 8.0], [12.0, 16.0]]).reshape(1, 1, 2, 2))
print("x.grad (each window's gradient / 4; the last row and column are in no window):\n", x.grad.numpy()[0, 0])

# %%
# Checked against finite differences, in float64 and on inputs without ties (a tie
# makes max pooling non-differentiable there):
xr = minigrad.randn(2, 3, 6, 6, dtype=minigrad.float64, requires_grad=True)
print("gradcheck max_pool2d 3x3/2:", gradcheck(lambda t: F.max_pool2d(t, 3, stride=2), (xr,)))
print("gradcheck avg_pool2d 2x2/2, padded:", gradcheck(lambda t: F.avg_pool2d(t, 2, padding=1), (xr,)))
print("gradcheck adaptive_avg_pool2d to 4x4:", gradcheck(lambda t: F.adaptive_avg_pool2d(t, 4), (xr,)))

# %%
# Adaptive pooling
# ----------------
# AlexNet ends its features with ``AdaptiveAvgPool2d((6, 6))``: whatever the input
# size, the output is 6x6, each window spanning
# :math:`[\lfloor i H / 6 \rfloor, \lceil (i + 1) H / 6 \rceil)`.
for size in (6, 13, 20):
    print(f"{size}x{size} -> {F.adaptive_avg_pool2d(minigrad.zeros(1, 256, size, size), (6, 6)).shape}")

# %%
# The backward graph
# ------------------
# Max pooling's backward is itself a Function (a scatter-add through the saved indices),
# whose own backward is a gather, so gradients of gradients work here too.
x = minigrad.randn(1, 2, 4, 4, requires_grad=True)
loss = (F.max_pool2d(x, 2) ** 2).sum()
pool_backward_graph = make_dot(loss, params={"x": x}, view="backward")

# %%
# Exercises
# ---------
# 1. Write the backward of ``F.avg_pool2d(x, k, stride, padding)`` as loops, for both
#    ``count_include_pad=True`` (every window divided by :math:`k^2`) and ``False``
#    (divided by the number of real pixels in the window), and check both against the
#    gradient minigrad computes on a 5x5 input with ``k = 3``, stride 2, padding 1,
#    where the two differ. (``t06_avg_pool_backward_padding.py``)
# 2. Write max pooling's forward (with the index of each maximum) and backward as loops,
#    for overlapping windows too. When a window holds its maximum twice, which input gets
#    the gradient? Find PyTorch's rule, and check your loops against ``F.max_pool2d`` on
#    an integer-valued input full of ties. (``t06_max_pool_backward_ties.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
