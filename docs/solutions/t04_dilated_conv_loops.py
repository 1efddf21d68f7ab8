"""Tutorial 4, exercise 1: dilation in the loop convolution.

A dilated (atrous) convolution spreads the kernel's taps ``d`` pixels apart: kernel
element (a, b) reads input pixel (s*y + d*a, s*x + d*b). Add a ``dilation`` argument to
the tutorial's ``conv2d_loops``, work out the output size, and check both against
``F.conv2d(..., dilation=d)``.

Solution. A dilated KxK kernel spans d*(K - 1) + 1 pixels, so the output size is
floor((H + 2P - d*(K - 1) - 1) / S) + 1; the patch is the strided slice
``x[..., s*y : s*y + d*(K-1) + 1 : d, ...]``.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F


def output_size(h, k, stride=1, padding=0, dilation=1):
    return (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def conv2d_loops(x, w, b, stride=1, padding=0, dilation=1):
    """The notes' sum with the kernel's taps ``dilation`` apart (numpy arrays, NCHW)."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, H, W = x.shape
    O, _, KH, KW = w.shape
    span_h, span_w = dilation * (KH - 1) + 1, dilation * (KW - 1) + 1
    OH, OW = (H - span_h) // stride + 1, (W - span_w) // stride + 1
    out = np.zeros((N, O, OH, OW), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            for y in range(OH):
                for xx in range(OW):
                    top, left = stride * y, stride * xx
                    patch = x[n, :, top : top + span_h : dilation, left : left + span_w : dilation]
                    out[n, o, y, xx] = (w[o] * patch).sum() + b[o]
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 11, 11)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    for stride, padding, dilation in [(1, 0, 2), (2, 1, 2), (1, 2, 3)]:
        got = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), minigrad.tensor(b), stride, padding, dilation).numpy()
        loops = conv2d_loops(x, w, b, stride, padding, dilation)
        print(
            f"stride {stride} padding {padding} dilation {dilation}: size {got.shape[2]} "
            f"(formula {output_size(11, 3, stride, padding, dilation)}), max |loops - conv2d| = "
            f"{np.abs(loops - got).max():.1e}"
        )
