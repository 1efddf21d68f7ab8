"""
Convolution: from the notes' formula to im2col and the Cython kernel
====================================================================

The notes define a convolution layer as an indexed sum. This tutorial writes that sum
as loops, checks :func:`minigrad.nn.functional.conv2d` against it, reproduces the notes'
output-size and parameter-count examples, and then follows the computation down: first
to *im2col*, which turns the sum into one matrix product, then to the Cython kernel in
``minigrad_core.conv`` that does the same thing in C.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad import datasets, nn

# %%
# The indexed sum
# ---------------
# In the notes (TTIC 31230), layer :math:`\ell + 1` of a CNN is
#
# .. math::
#
#    L_{\ell+1}[b, x, y, j] = \sum_{\Delta x, \Delta y, i}
#        W[\Delta x, \Delta y, i, j]\; L_\ell[b,\; s x + \Delta x,\; s y + \Delta y,\; i] + B[j]
#
# with stride :math:`s` (before the nonlinearity). minigrad, like PyTorch, stores images
# as NCHW and weights as (O, C, KH, KW), so the same sum reads
# ``out[n, o, y, x] = bias[o] + sum over c, a, b of w[o, c, a, b] * x[n, c, s*y + a, s*x + b]``
# on the zero-padded input. Written as plain loops:


def conv2d_loops(x, w, b, stride=1, padding=0):
    """The notes' sum, one output element at a time (numpy arrays, NCHW)."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, H, W = x.shape
    O, _, KH, KW = w.shape
    OH, OW = (H - KH) // stride + 1, (W - KW) // stride + 1
    out = np.zeros((N, O, OH, OW), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            for y in range(OH):
                for xx in range(OW):
                    patch = x[n, :, stride * y : stride * y + KH, stride * xx : stride * xx + KW]
                    out[n, o, y, xx] = (w[o] * patch).sum() + b[o]
    return out


minigrad.manual_seed(0)
x = minigrad.randn(2, 3, 7, 7, dtype=minigrad.float64)
w = minigrad.randn(4, 3, 3, 3, dtype=minigrad.float64)
b = minigrad.randn(4, dtype=minigrad.float64)
for stride, padding in [(1, 0), (2, 0), (1, 1), (2, 1)]:
    expected = conv2d_loops(x.numpy(), w.numpy(), b.numpy(), stride, padding)
    got = F.conv2d(x, w, b, stride=stride, padding=padding).numpy()
    print(
        f"stride {stride} padding {padding}: output {got.shape[2]}x{got.shape[3]}, "
        f"max |loops - conv2d| = {np.abs(expected - got).max():.1e}"
    )

# %%
# Output sizes and parameter counts
# ---------------------------------
# The spatial size of the output is :math:`(N - F + 2P)/S + 1` for an
# :math:`N \times N` input, :math:`F \times F` kernel, padding :math:`P` and stride
# :math:`S` (CS231n). Sizes that "don't fit" are rounded down: the last columns are never
# reached. The notes' examples, computed by running the convolution:


def out_size(n, f, p=0, s=1, c=1, k=1):
    y = F.conv2d(minigrad.zeros(1, c, n, n), minigrad.zeros(k, c, f, f), stride=s, padding=p)
    return y.shape[2]


print("7x7 input, 3x3 filter, stride 1:", out_size(7, 3, s=1), "  (7 - 3)/1 + 1 = 5")
print("7x7 input, 3x3 filter, stride 2:", out_size(7, 3, s=2), "  (7 - 3)/2 + 1 = 3")
print("7x7 input, 3x3 filter, stride 3:", out_size(7, 3, s=3), "  (7 - 3)/3 + 1 = 2.33: doesn't fit, rounds down")
print("7x7 input, 3x3 filter, pad 1   :", out_size(7, 3, p=1), "  the size is kept")
print("AlexNet conv1, 227, 11x11, s 4 :", out_size(227, 11, s=4, c=3), " (227 - 11)/4 + 1 = 55")

# %%
# The parameters of a layer are :math:`F \cdot F \cdot D_1` weights per filter plus one
# bias, times the number of filters :math:`K`. For the notes' 32x32x3 input with ten
# 5x5 filters, stride 1, pad 2, that is :math:`(5 \cdot 5 \cdot 3 + 1) \cdot 10 = 760`,
# and the output is 32x32x10:
layer = nn.Conv2d(3, 10, kernel_size=5, stride=1, padding=2)
print(
    layer, "->", tuple(layer(minigrad.zeros(1, 3, 32, 32)).shape), "params:", sum(p.numel() for p in layer.parameters())
)

# %%
# A 1x1 "bottleneck" (Lecture 10 of the notes) replaces one 3x3 convolution with 256
# channels in and out by 1x1 down to 64, 3x3 at 64, and 1x1 back up:
# 16,384 + 36,864 + 16,384 = 69,632 weights. (The notes print 524,288 weights for the
# plain 3x3 layer; the product :math:`256 \cdot 3 \cdot 3 \cdot 256` is 589,824, as
# counted below.) Grouped convolutions divide the weights by
# the number of groups; depthwise ones (``groups = channels``) keep one filter per channel.


def weights(*layers):
    return sum(layer.weight.numel() for layer in layers)


print("3x3, 256 -> 256             :", f"{weights(nn.Conv2d(256, 256, 3, padding=1, bias=False)):,}")
bottleneck = [
    nn.Conv2d(256, 64, 1, bias=False),
    nn.Conv2d(64, 64, 3, padding=1, bias=False),
    nn.Conv2d(64, 256, 1, bias=False),
]
print("1x1 -> 3x3 -> 1x1 bottleneck:", f"{weights(*bottleneck):,}")
print("3x3, 256 -> 256, 8 groups   :", f"{weights(nn.Conv2d(256, 256, 3, padding=1, groups=8, bias=False)):,}")
print("3x3 depthwise, 256 channels :", f"{weights(nn.Conv2d(256, 256, 3, padding=1, groups=256, bias=False)):,}")

# %%
# Convolution or cross-correlation?
# ---------------------------------
# What deep-learning libraries call convolution is, strictly, *cross-correlation*: the
# kernel is slid over the image without being flipped. A true convolution rotates the
# kernel by 180 degrees first (CS 4803 notes: "flip kernel, then stride along image").
# Since the kernel is learned, the difference does not matter for a layer, but it
# matters for the backward pass (tutorial 5). The notes' example: the patch below dotted
# with the flipped Sobel-like kernel :math:`K'` gives 65.
patch = minigrad.tensor([[200.0, 150.0, 150.0], [100.0, 50.0, 100.0], [25.0, 25.0, 10.0]])
k = minigrad.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
k_flipped = k.numpy()[::-1, ::-1].copy()
print("K' =\n", k_flipped)
print(
    "cross-correlation of the patch with K':",
    F.conv2d(patch.reshape(1, 1, 3, 3), minigrad.tensor(k_flipped).reshape(1, 1, 3, 3)).item(),
)
print(
    "true convolution of the patch with K   :",
    sum(patch.numpy()[r, c] * k.numpy()[2 - r, 2 - c] for r in range(3) for c in range(3)),
)

# %%
# On a whole image, the same kernel is an edge detector. Here it runs over a digit from
# :class:`minigrad.datasets.Digits`: cross-correlating with :math:`K` (what ``conv2d``
# computes) is positive where the values rise from left to right. Cross-correlating with
# the flipped :math:`K'`, i.e. the true convolution with :math:`K`, gives the same map
# with the sign reversed, because this kernel is antisymmetric: :math:`K' = -K`. The
# magnitude, combined with the transposed kernel for vertical steps, is the same either way.
digit = datasets.Digits(train=True, size=32)[3][0].reshape(1, 1, 32, 32)
kx = k.reshape(1, 1, 3, 3)
kx_flipped = minigrad.tensor(k_flipped).reshape(1, 1, 3, 3)
ky = k.t().reshape(1, 1, 3, 3)
with_k = F.conv2d(digit, kx, padding=1)
with_k_flipped = F.conv2d(digit, kx_flipped, padding=1)
magnitude = (with_k**2 + F.conv2d(digit, ky, padding=1) ** 2).sqrt()
print(
    "K' = -K:",
    bool((kx_flipped == -kx).all()),
    "  max |map(K') + map(K)| =",
    (with_k + with_k_flipped).abs().max().item(),
)

panels = [
    (digit, "digit", "gray_r"),
    (with_k, "cross-correlation with K", "RdBu_r"),
    (with_k_flipped, "with K' (convolution with K)", "RdBu_r"),
    (magnitude, "edge magnitude", "magma"),
]
fig, axes = plt.subplots(1, 4, figsize=(9, 2.6))
for ax, (image, title, cmap) in zip(axes, panels):
    values = image.numpy()[0, 0]
    limit = np.abs(values).max()
    ax.imshow(values, cmap=cmap, vmin=-limit if cmap == "RdBu_r" else None, vmax=limit if cmap == "RdBu_r" else None)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %%
# im2col: the sum as one matrix product
# -------------------------------------
# The notes' second step: build a bigger tensor
# :math:`\tilde L[b, x, y, \Delta x, \Delta y, i] = L[b, x + \Delta x, y + \Delta y, i]`,
# group the indices :math:`(b, x, y)` and :math:`(\Delta x, \Delta y, i)`, and the sum
# becomes a matrix product with the weights :math:`W[(\Delta x, \Delta y, i), j]`.
# :func:`~minigrad.nn.functional.unfold` builds exactly this matrix, one column per
# output position: (N, C*KH*KW, OH*OW).
#
# On a 4x4 image numbered 0 to 15 and a 2x2 kernel, each of the nine columns is one
# 2x2 window, read row by row; each row is one kernel position :math:`(\Delta x, \Delta y)`:
tiny = minigrad.arange(16.0).reshape(1, 1, 4, 4)
print(tiny.numpy()[0, 0])
print(F.unfold(tiny, kernel_size=2).numpy()[0])

# %%
# The same matrix for a real image, drawn: an 8x8 digit and a 3x3 kernel give 9 rows
# (the kernel positions) and 6 x 6 = 36 columns (the windows). Row 4, the kernel's
# centre, is the digit's inner 6x6 read row by row; the other rows are the same pixels
# shifted by one window position, which is why every pixel appears up to 9 times.
small = datasets.Digits(train=True, size=8)[3][0].reshape(1, 1, 8, 8)
small_cols = F.unfold(small, kernel_size=3).numpy()[0]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 2.4), gridspec_kw={"width_ratios": [1, 4]})
ax1.imshow(small.numpy()[0, 0], cmap="gray_r")
ax1.set_title("8x8 digit", fontsize=9)
ax1.axis("off")
ax2.imshow(small_cols, cmap="gray_r", aspect="auto")
ax2.set_title("F.unfold(digit, 3): one column per window", fontsize=9)
ax2.set_xlabel("window (output position y * 6 + x)")
ax2.set_ylabel("kernel position")
ax2.set_yticks(range(9), [f"({a},{b})" for a in range(3) for b in range(3)], fontsize=7)
plt.tight_layout()
plt.show()

# %%
# For the 7x7, 3-channel batch above with a 3x3 kernel and padding 1, the matrix has
# 3*3*3 = 27 rows and 49 columns, and the convolution is one product with the weights
# reshaped to (4, 27):
cols = F.unfold(x, kernel_size=3, padding=1)  # (2, 27, 49)
print("im2col matrix:", cols.shape, f"({cols.shape[1]} = 3 channels x 3 x 3, {cols.shape[2]} = 7 x 7 positions)")
out = (w.reshape(4, -1) @ cols).reshape(2, 4, 7, 7) + b.reshape(1, 4, 1, 1)
print("max |im2col @ W - conv2d| =", np.abs(out.numpy() - F.conv2d(x, w, b, padding=1).numpy()).max())

# %%
# The price is memory: every input pixel is copied once per kernel position that
# covers it, KH*KW times for stride 1. For one 224x224 image with 64 channels and a
# 3x3 kernel:
C, H, K = 64, 224, 3
print(f"input {C * H * H * 4 / 2**20:.1f} MiB, im2col matrix {C * K * K * H * H * 4 / 2**20:.1f} MiB (float32)")

# %%
# The Cython kernel
# -----------------
# ``F.conv2d`` validates its arguments with PyTorch's error messages, then calls
# ``Conv2dFunction.apply``, whose forward allocates the output and calls
# ``minigrad_core.conv.conv2d_forward``. That kernel runs the same im2col + GEMM, but
# in C without the GIL: it unfolds a block of output rows at a time (sized to stay in
# the L2 cache) and multiplies with BLAS (``sgemm``/``dgemm`` from SciPy). It can be
# called directly; the caller owns the output buffer:
from minigrad_core import conv as kernels  # noqa: E402

xd, wd, bd = x.numpy(), w.numpy(), b.numpy()
buffer = np.empty((2, 4, 7, 7))
kernels.conv2d_forward(xd, wd, bd, buffer, (1, 1), (1, 1), (1, 1), 1)
print("max |kernel - loops| =", np.abs(buffer - conv2d_loops(xd, wd, bd, 1, 1)).max())

# %%
# :doc:`/kernels` describes the kernel's design: the blocking, the threads, and the
# special paths for 1x1 and depthwise convolutions.
#
# The three versions, timed on a LeNet-sized layer (a batch of 16 images, 6 -> 16
# channels, 14x14, 5x5 kernel):
xs = np.random.default_rng(0).standard_normal((16, 6, 14, 14)).astype(np.float32)
ws = np.random.default_rng(1).standard_normal((16, 6, 5, 5)).astype(np.float32)
bs = np.zeros(16, dtype=np.float32)


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


t_loops = best_of(lambda: conv2d_loops(xs, ws, bs), repeat=1)
t_im2col = best_of(lambda: ws.reshape(16, -1) @ F.unfold(minigrad.from_numpy(xs), 5).numpy())
t_kernel = best_of(lambda: F.conv2d(minigrad.from_numpy(xs), minigrad.from_numpy(ws)))
print(f"python loops {t_loops * 1e3:8.1f} ms")
print(f"im2col + @   {t_im2col * 1e3:8.2f} ms")
print(f"F.conv2d     {t_kernel * 1e3:8.2f} ms")

# %%
# Exercises
# ---------
# 1. Add a ``dilation`` argument to ``conv2d_loops``: kernel element :math:`(a, b)`
#    reads input pixel :math:`(s y + d a, s x + d b)`. Work out the output size and check
#    both against ``F.conv2d(..., dilation=d)``. (``t04_dilated_conv_loops.py``)
# 2. Write im2col in numpy (no ``F.unfold``) for any stride and padding, with the rows in
#    ``F.unfold``'s order; compute a convolution as ``W.reshape(O, -1) @ im2col(x)`` and
#    check both. Hint: loop over the :math:`k^2` kernel positions, not over the output
#    positions. (``t04_im2col_numpy.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
