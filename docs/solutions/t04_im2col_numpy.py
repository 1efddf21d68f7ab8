"""Tutorial 4, exercise 2: im2col in numpy, and the convolution as one product.

Write ``im2col(x, k, stride, padding)`` for a numpy batch x of shape (N, C, H, W): the
matrix of shape (N, C*k*k, OH*OW) whose column p holds the k x k window (all channels)
of output position p, rows ordered (channel, row in window, column in window), as
``F.unfold`` orders them. Check it against ``F.unfold``, then compute a convolution as
``W.reshape(O, -1) @ im2col(x)`` and check it against ``F.conv2d``.

Solution. Loop over the k*k kernel positions (a, b) instead of the OH*OW output
positions: for each, the strided slice ``x[:, :, a : a + S*OH : S, b : b + S*OW : S]`` is
what that kernel tap sees at every output position at once, and it fills the rows
(c, a, b) for all c. k*k slices, each copied once.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F


def im2col(x, k, stride=1, padding=0):
    """(N, C, H, W) -> (N, C*k*k, OH*OW): every k x k window as a column."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    N, C, H, W = x.shape
    OH, OW = (H - k) // stride + 1, (W - k) // stride + 1
    cols = np.empty((N, C, k, k, OH, OW), dtype=x.dtype)
    for a in range(k):
        for b in range(k):
            cols[:, :, a, b] = x[:, :, a : a + stride * OH : stride, b : b + stride * OW : stride]
    return cols.reshape(N, C * k * k, OH * OW)


def conv2d_im2col(x, w, stride=1, padding=0):
    """The convolution (no bias) as one matrix product per image: (N, O, OH, OW)."""
    N, _, H, W = x.shape
    O, _, k, _ = w.shape
    OH, OW = (H + 2 * padding - k) // stride + 1, (W + 2 * padding - k) // stride + 1
    return (w.reshape(O, -1) @ im2col(x, k, stride, padding)).reshape(N, O, OH, OW)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((5, 3, 3, 3))
    cols = im2col(x, 3, stride=2, padding=1)
    unfold = F.unfold(minigrad.tensor(x), 3, padding=1, stride=2).numpy()
    print("im2col", cols.shape, "max |numpy - F.unfold| =", np.abs(cols - unfold).max())
    conv = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), stride=2, padding=1).numpy()
    print("max |W @ im2col - F.conv2d| =", np.abs(conv2d_im2col(x, w, 2, 1) - conv).max())
