"""Tutorial 5, exercise 1: the stride-2 input gradient by hand.

Take a 5x5 input, the kernel K = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], stride 2 and no
padding, so the output is 2x2, and the upstream gradient G = [[1, 2], [3, 4]]. Write
down dL/dx, all 25 entries, by hand. Then check it two ways: against ``x.grad`` from
minigrad's backward, and against the recipe of tutorial 5 (zeros between G's pixels,
full padding, the flipped kernel).

Solution. Output (r, c) reads the window of rows 2r..2r+2 and columns 2c..2c+2, with
weight K[i - 2r, j - 2c] on input (i, j). So input (i, j) collects
G[r, c] * K[i - 2r, j - 2c] from every output whose window covers it. Rows 0, 1, 3, 4
and columns 0, 1, 3, 4 are covered by one window; row 2 and column 2 are where two
windows overlap, so their entries are sums of two or four terms. Row 2, column 2 sits
in all four windows: 9*1 + 7*2 + 3*3 + 1*4 = 36.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F

K = np.arange(1.0, 10.0).reshape(3, 3)
G = np.array([[1.0, 2.0], [3.0, 4.0]])

# row by row: G[0, 0] = 1 and G[0, 1] = 2 weight kernel rows 0 and 1 in input rows 0 and 1;
# input row 2 gets kernel row 2 under G's first row plus kernel row 0 under its second;
# input rows 3 and 4 get kernel rows 1 and 2 under G[1, 0] = 3 and G[1, 1] = 4.
BY_HAND = np.array(
    [
        [1 * 1, 2 * 1, 3 * 1 + 1 * 2, 2 * 2, 3 * 2],
        [4 * 1, 5 * 1, 6 * 1 + 4 * 2, 5 * 2, 6 * 2],
        [7 * 1 + 1 * 3, 8 * 1 + 2 * 3, 9 * 1 + 7 * 2 + 3 * 3 + 1 * 4, 8 * 2 + 2 * 4, 9 * 2 + 3 * 4],
        [4 * 3, 5 * 3, 6 * 3 + 4 * 4, 5 * 4, 6 * 4],
        [7 * 3, 8 * 3, 9 * 3 + 7 * 4, 8 * 4, 9 * 4],
    ]
)


def input_gradient_by_backward(kernel=K, upstream=G, size=5, stride=2):
    x = minigrad.zeros(1, 1, size, size, dtype=minigrad.float64, requires_grad=True)
    y = F.conv2d(x, minigrad.tensor(kernel).reshape(1, 1, *kernel.shape), stride=stride)
    y.backward(minigrad.tensor(upstream).reshape(y.shape))
    return x.grad.numpy()[0, 0]


def input_gradient_by_flipped_kernel(kernel=K, upstream=G, size=5, stride=2):
    """Tutorial 5's recipe: dilate G by the stride, pad by k - 1, correlate with the flipped kernel."""
    k = kernel.shape[0]
    dilated = np.zeros((stride * (upstream.shape[0] - 1) + 1,) * 2)
    dilated[::stride, ::stride] = upstream
    full = np.pad(dilated, k - 1)
    flipped = kernel[::-1, ::-1].copy()
    out = F.conv2d(minigrad.tensor(full).reshape(1, 1, *full.shape), minigrad.tensor(flipped).reshape(1, 1, k, k))
    grad = np.zeros((size, size))  # rows and columns no window reaches get no gradient
    n = out.shape[2]
    grad[:n, :n] = out.numpy()[0, 0]
    return grad


if __name__ == "__main__":
    print("by hand:\n", BY_HAND)
    print("backward equals the hand result:", np.array_equal(input_gradient_by_backward(), BY_HAND))
    print("flipped kernel equals the hand result:", np.array_equal(input_gradient_by_flipped_kernel(), BY_HAND))
