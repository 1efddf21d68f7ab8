"""
The backward pass of a convolution
==================================

The notes (CS 4803/7643, "Backwards pass for convolution layer") derive two facts:

* the gradient with respect to the **kernel** is the *cross-correlation* of the layer's
  input with the upstream gradient;
* the gradient with respect to the **input** is the *convolution* of the upstream
  gradient with the kernel: flip the kernel by 180 degrees and cross-correlate.

This tutorial follows the derivation, checks both formulas numerically against the
gradients :func:`minigrad.nn.functional.conv2d` computes, extends them to channels,
batches and strides, and draws the graph that backward runs.
"""

import matplotlib.pyplot as plt
import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad.viz import make_dot

# %%
# The derivation
# --------------
# One channel, one kernel :math:`k` of size :math:`k_1 \times k_2`, and the layer as
# deep-learning libraries define it, a cross-correlation:
#
# .. math::
#
#    y(r, c) = \sum_{a=0}^{k_1-1} \sum_{b=0}^{k_2-1} x(r + a, c + b)\, k(a, b).
#
# **Kernel gradient.** Each kernel pixel touches every output pixel, so the chain rule
# sums over all of them, and :math:`\partial y(r, c) / \partial k(a', b') = x(r + a', c + b')`:
#
# .. math::
#
#    \frac{\partial L}{\partial k(a', b')} = \sum_{r} \sum_{c}
#        \frac{\partial L}{\partial y(r, c)}\, x(r + a', c + b'),
#
# the cross-correlation of the input :math:`x` with the upstream gradient
# :math:`\partial L / \partial y`, which has the size of the kernel.
#
# **Input gradient.** An input pixel :math:`x(r', c')` only touches the outputs
# :math:`y(r' - a, c' - b)` whose window covers it, with
# :math:`\partial y(r' - a, c' - b) / \partial x(r', c') = k(a, b)`:
#
# .. math::
#
#    \frac{\partial L}{\partial x(r', c')} = \sum_{a} \sum_{b}
#        \frac{\partial L}{\partial y(r' - a, c' - b)}\, k(a, b),
#
# a true *convolution* of the upstream gradient with the kernel (the indices run in
# opposite directions), computed as a cross-correlation of the zero-padded upstream
# gradient with the kernel rotated by 180 degrees.
#
# Numerically
# -----------
# A 6x6 input and a 3x3 kernel give a 4x4 output. We take any upstream gradient ``G``
# (here a random one: backward with ``y.backward(G)`` is the same as a loss whose
# gradient with respect to ``y`` is ``G``) and compare.
minigrad.manual_seed(0)
x = minigrad.randn(1, 1, 6, 6, dtype=minigrad.float64, requires_grad=True)
k = minigrad.randn(1, 1, 3, 3, dtype=minigrad.float64, requires_grad=True)
y = F.conv2d(x, k)
G = minigrad.randn(*y.shape, dtype=minigrad.float64)
y.backward(G)
print("y:", y.shape, " dL/dy:", G.shape, " dL/dk:", k.grad.shape, " dL/dx:", x.grad.shape)

# %%
# The kernel gradient as a cross-correlation of ``x`` with ``G``: ``conv2d`` is a
# cross-correlation, so we call it with ``G`` in the role of the kernel.
dk = F.conv2d(x.detach(), G)
print("cross-correlation(x, G):\n", np.round(dk.numpy()[0, 0], 4))
print("k.grad from backward:\n", np.round(k.grad.numpy()[0, 0], 4))
print("max difference:", np.abs(dk.numpy() - k.grad.numpy()).max())

# %%
# The input gradient as the upstream gradient convolved with the kernel: pad ``G`` by
# :math:`k - 1 = 2` on every side (a *full* convolution) and cross-correlate with the
# flipped kernel.
k_flipped = minigrad.tensor(k.detach().numpy()[:, :, ::-1, ::-1].copy())
print("kernel:\n", np.round(k.detach().numpy()[0, 0], 3))
print("kernel rotated by 180 degrees:\n", np.round(k_flipped.numpy()[0, 0], 3))
dx = F.conv2d(F.pad(G, (2, 2, 2, 2)), k_flipped)
print("max |conv(G, k) - x.grad| =", np.abs(dx.numpy() - x.grad.numpy()).max())

# %%
# And straight from the two sums of the derivation, as loops (with
# :math:`\partial L / \partial y` taken as zero outside the 4x4 output):
g, xs, ks = G.numpy()[0, 0], x.detach().numpy()[0, 0], k.detach().numpy()[0, 0]
dk_sum = np.array(
    [[sum(g[r, c] * xs[r + a, c + b] for r in range(4) for c in range(4)) for b in range(3)] for a in range(3)]
)
dx_sum = np.array(
    [
        [
            sum(g[r - a, c - b] * ks[a, b] for a in range(3) for b in range(3) if 0 <= r - a < 4 and 0 <= c - b < 4)
            for c in range(6)
        ]
        for r in range(6)
    ]
)
print("kernel gradient, sum vs backward:", np.abs(dk_sum - k.grad.numpy()[0, 0]).max())
print("input gradient,  sum vs backward:", np.abs(dx_sum - x.grad.numpy()[0, 0]).max())

# %%
# Which outputs one input pixel touches
# -------------------------------------
# The input-gradient sum runs over the outputs :math:`y(r' - a, c' - b)` whose window
# covers :math:`x(r', c')`. To see them, push a single 1 through the layer: the output of
# a one-hot input is exactly the set of outputs that pixel touches, and each carries the
# kernel entry :math:`k(a, b)` the pixel is multiplied by there. With
# :math:`k = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]`, the touched outputs show the kernel
# rotated by 180 degrees: the flip of the input gradient, drawn. A pixel near the border
# touches fewer outputs (the full convolution's padding supplies the missing ones as
# zeros), and with stride 2 the windows skip positions, so a pixel touches one, two or
# four outputs, through different kernel entries.
ones_to_nine = minigrad.arange(1.0, 10.0).reshape(1, 1, 3, 3)
cases = [((3, 3), 1), ((0, 1), 1), ((2, 2), 2)]
fig, axes = plt.subplots(1, 4, figsize=(9.5, 2.6), gridspec_kw={"width_ratios": [7, 5, 5, 3]})
axes[0].imshow(np.zeros((7, 7)), cmap="Greys", vmin=0, vmax=1)
for ((r, c), stride), ax, colour in zip(cases, axes[1:], ["tab:red", "tab:blue", "tab:green"]):
    one_hot = minigrad.zeros(1, 1, 7, 7)
    one_hot[0, 0, r, c] = 1.0
    touched = F.conv2d(one_hot, ones_to_nine, stride=stride).numpy()[0, 0]
    axes[0].add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, color=colour))
    ax.imshow(touched > 0, cmap="Greys", vmin=0, vmax=3)
    for (i, j), value in np.ndenumerate(touched):
        if value:
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", color=colour, fontsize=9)
    ax.set_title(f"outputs of x{(r, c)}, stride {stride}", fontsize=8)
axes[0].set_title("7x7 input, three pixels", fontsize=8)
for ax in axes:
    size = ax.get_images()[0].get_array().shape[0]
    ax.set_xticks(np.arange(size + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(size + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="0.8", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
plt.tight_layout()
plt.show()
print("outputs touched by x(3, 3), stride 1, with the weight each uses:")
one_hot = minigrad.zeros(1, 1, 7, 7)
one_hot[0, 0, 3, 3] = 1.0
print(F.conv2d(one_hot, ones_to_nine).numpy()[0, 0, 1:4, 1:4])

# %%
# Channels, batches and strides
# -----------------------------
# With C input channels, O filters and a batch of N, the same two facts hold channel by
# channel. The kernel gradient of filter ``o``, channel ``c`` sums the cross-correlation
# of ``x[n, c]`` with ``G[n, o]`` over the batch. The input gradient of channel ``c``
# sums, over the filters, ``G[n, o]`` convolved with ``w[o, c]``: a convolution whose
# weight is the flipped kernel with its two channel axes swapped. That is what a
# *transposed convolution* is, and minigrad computes the input gradient with
# :func:`~minigrad.nn.functional.conv_transpose2d`.
#
# With stride :math:`s`, the output skips positions; the input gradient first puts the
# upstream gradient back on the input's grid, with :math:`s - 1` zeros between
# neighbours, then convolves as before.
N, C, O, H, K, s, p = 2, 3, 4, 9, 3, 2, 1
x = minigrad.randn(N, C, H, H, dtype=minigrad.float64, requires_grad=True)
w = minigrad.randn(O, C, K, K, dtype=minigrad.float64, requires_grad=True)
y = F.conv2d(x, w, stride=s, padding=p)
G = minigrad.randn(*y.shape, dtype=minigrad.float64)
y.backward(G)
OH = y.shape[2]
print(f"x {x.shape}, w {w.shape}, stride {s}, padding {p} -> y {y.shape}")

# the kernel gradient: cross-correlations of the padded input with the (dilated) gradient
xp = np.pad(x.detach().numpy(), ((0, 0), (0, 0), (p, p), (p, p)))
dw = np.zeros(w.shape)
for a in range(K):
    for b in range(K):
        window = xp[:, :, a : a + s * (OH - 1) + 1 : s, b : b + s * (OH - 1) + 1 : s]  # (N, C, OH, OW)
        dw[:, :, a, b] = np.einsum("nchw,nohw->oc", window, G.numpy())
print("kernel gradient, cross-correlation vs backward:", np.abs(dw - w.grad.numpy()).max())

# the input gradient: zeros between the gradient's pixels, full padding, flipped kernel
# with in and out channels swapped, then the padding of the forward pass cut off
dilated = np.zeros((N, O, s * (OH - 1) + 1, s * (OH - 1) + 1))
dilated[:, :, ::s, ::s] = G.numpy()
full = F.conv2d(
    F.pad(minigrad.tensor(dilated), (K - 1,) * 4),
    minigrad.tensor(w.detach().numpy()[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).copy()),
)
dx = full.numpy()[:, :, p : p + H, p : p + H]
print("input gradient, flipped-kernel convolution vs backward:", np.abs(dx - x.grad.numpy()).max())
print(
    "input gradient, conv_transpose2d vs backward:",
    np.abs(F.conv_transpose2d(G, w.detach(), stride=s, padding=p).numpy() - x.grad.numpy()).max(),
)

# %%
# The size of a strided input gradient can be ambiguous: a 9x9 and a 10x10 input both
# give this 5x5 output. ``conv_transpose2d`` alone returns the smaller size, and its
# ``output_padding`` argument selects a larger one; conv2d's backward passes the input
# size it saved, so the gradient always has the shape of the input.
print(
    "9x9 input ->",
    F.conv2d(minigrad.zeros(1, C, 9, 9), minigrad.zeros(O, C, K, K), stride=s, padding=p).shape,
    "  10x10 input ->",
    F.conv2d(minigrad.zeros(1, C, 10, 10), minigrad.zeros(O, C, K, K), stride=s, padding=p).shape,
)
print(
    "conv_transpose2d of a 5x5 gradient:",
    F.conv_transpose2d(G, w.detach(), stride=s, padding=p).shape[2:],
    "or, with output_padding=1,",
    F.conv_transpose2d(G, w.detach(), stride=s, padding=p, output_padding=1).shape[2:],
)

# %%
# The graph of the backward pass
# ------------------------------
# The backward of ``Conv2dFunction`` is not a black box: it calls two more Functions,
# ``ConvTranspose2dFunction`` (the flipped-kernel convolution, for the input) and
# ``Conv2dWeightFunction`` (the cross-correlation, for the weight), each of which calls a
# Cython kernel. :func:`minigrad.viz.make_dot` with ``view="backward"`` runs backward
# once and draws the operations it executed, grouped by the node whose backward ran them.
minigrad.manual_seed(0)
x = minigrad.randn(1, 1, 6, 6, requires_grad=True)
k = minigrad.randn(1, 1, 3, 3, requires_grad=True)
loss = (F.conv2d(x, k) ** 2).sum()
forward_graph = make_dot(loss, params={"x": x, "k": k}, show_attrs=True)

# %%
# Above: the forward graph, one box per recorded node, with its hyper-parameters.
# Below: what backward executes. The upstream gradient reaches ``ConvolutionBackward0`` and
# forks into the flipped-kernel convolution with ``k`` (giving ``grad x``) and the
# cross-correlation with ``x`` (giving ``grad k``): the two formulas of the notes.
backward_graph = make_dot(loss, params={"x": x, "k": k}, view="backward")
# sphinx_gallery_thumbnail_number = 2

# %%
# Because both are Functions written with differentiable pieces, gradients of these
# gradients work too (tutorial 3): the input gradient of a convolution, made with
# ``create_graph=True``, has a graph of its own, rooted in a transposed convolution.
(grad_x,) = minigrad.autograd.grad(loss, x, create_graph=True)
print("grad x was made by:", grad_x.grad_fn.name())
grad_graph = make_dot(grad_x.sum(), params={"x": x, "k": k})

# %%
# Outside the docs, write any of these graphs to a file with
# ``minigrad.viz.render(backward_graph, "conv_backward.svg")``. How the kernels compute
# these sums (im2col and a matrix product for the weight gradient; for the input
# gradient, the flipped-kernel correlation phase by phase of the stride) is told in
# :doc:`/kernels`. The input gradient is the flipped-kernel convolution everywhere
# except on the shapes where col2im of W^T g, the same terms summed in another order,
# was measured at least 1.2x faster (one group, a kernel larger than 1x1, at most 64
# input channels and at least twice as many outputs: LeNet-5's convs). A conv's node
# says which path its input gradient takes, and ``minigrad.backends.conv`` forces the
# flipped kernel everywhere:
lenet_x = minigrad.randn(1, 1, 32, 32, requires_grad=True)
lenet_w = minigrad.randn(6, 1, 5, 5)
print(F.conv2d(lenet_x, lenet_w).grad_fn.graph_note)
with minigrad.backends.conv.flags(flipped_kernel_only=True):
    print(F.conv2d(lenet_x, lenet_w).grad_fn.graph_note)

# %%
# Exercises
# ---------
# 1. A 5x5 input, the kernel :math:`K = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]`, stride 2,
#    no padding (a 2x2 output) and the upstream gradient :math:`G = [[1, 2], [3, 4]]`:
#    write down all 25 entries of :math:`\partial L / \partial x` by hand, then check
#    them against ``x.grad`` and against the recipe above (zeros between the gradient's
#    pixels, full padding, flipped kernel). (``t05_stride2_input_gradient.py``)
# 2. Show that the kernel gradient of a stride-:math:`s` convolution is one
#    ``F.conv2d`` call: the input cross-correlated with the upstream gradient dilated by
#    :math:`s`, the batch axis in the role of the channels.
#    (``t05_strided_weight_gradient.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
