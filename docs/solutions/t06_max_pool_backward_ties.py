"""Tutorial 6, exercise 2: max-pooling backward with overlapping windows and ties.

Write max pooling's forward (returning where each maximum was) and backward as loops,
for any kernel size and stride, windows overlapping or not. When a window holds its
maximum twice, only one input may receive the gradient: PyTorch takes the first
maximum in the window read row by row. Check your loops against ``F.max_pool2d`` and
its backward on an integer-valued input, full of ties.

Solution. Forward: scan each window row by row and keep a position only when its value
is strictly greater than the best so far, so the first of equal maxima stays. Backward:
add each output's upstream gradient to the input position its maximum came from; where
windows overlap, one input can win several windows and collects all their gradients.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F


def max_pool2d_loops(x, k, stride):
    """(N, C, H, W) -> the pooled (N, C, OH, OW) and the flat H*W index of each maximum."""
    N, C, H, W = x.shape
    OH, OW = (H - k) // stride + 1, (W - k) // stride + 1
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    indices = np.empty((N, C, OH, OW), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for y in range(OH):
                for xx in range(OW):
                    best, where = -np.inf, -1
                    for i in range(stride * y, stride * y + k):
                        for j in range(stride * xx, stride * xx + k):
                            if x[n, c, i, j] > best:  # strictly: the first of equal maxima stays
                                best, where = x[n, c, i, j], i * W + j
                    out[n, c, y, xx], indices[n, c, y, xx] = best, where
    return out, indices


def max_pool2d_backward_loops(grad_output, indices, input_shape):
    """Each output's gradient to the input position of its maximum, summed: (N, C, H, W)."""
    N, C, H, W = input_shape
    grad = np.zeros((N, C, H * W))
    for n in range(N):
        for c in range(C):
            for g, where in zip(grad_output[n, c].ravel(), indices[n, c].ravel()):
                grad[n, c, where] += g
    return grad.reshape(input_shape)


def max_pool2d_backward_minigrad(grad_output, x, k, stride):
    x = minigrad.tensor(x, requires_grad=True)
    F.max_pool2d(x, k, stride).backward(minigrad.tensor(grad_output))
    return x.grad.numpy()


if __name__ == "__main__":
    x = np.array([[1, 3, 3, 0, 2], [3, 1, 0, 3, 2], [0, 2, 3, 1, 0], [1, 3, 0, 3, 3], [2, 0, 1, 2, 3.0]])
    x = x.reshape(1, 1, 5, 5)
    out, indices = max_pool2d_loops(x, 3, 2)
    g = np.array([[1.0, 10.0], [100.0, 1000.0]]).reshape(1, 1, 2, 2)
    print("maxima:\n", out[0, 0], "\nat flat indices:\n", indices[0, 0])
    print("gradient (upstream 1, 10, 100, 1000):\n", max_pool2d_backward_loops(g, indices, x.shape)[0, 0].astype(int))
    print(
        "minigrad agrees:",
        np.array_equal(max_pool2d_backward_loops(g, indices, x.shape), max_pool2d_backward_minigrad(g, x, 3, 2)),
    )
