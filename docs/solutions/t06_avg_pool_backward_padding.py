"""Tutorial 6, exercise 1: average-pooling backward with padding.

With ``padding=P``, average pooling pads the input with zeros before taking each
window's mean. Write its backward as loops for both divisors PyTorch offers:
``count_include_pad=True`` (the default: every window is divided by k*k, padding
included) and ``count_include_pad=False`` (divided by the number of real pixels in the
window). Check both against the gradient ``F.avg_pool2d`` computes, on a case where the
two differ.

Solution. Output (y, x) is (1/D) times the sum of its window's real pixels, the window
spanning padded rows S*y .. S*y + k - 1, i.e. input rows S*y - P .. S*y - P + k - 1. Its
upstream gradient, divided by the same D, goes to each real pixel of the window
(padding pixels are constants: their share is dropped). D is k*k, or the count of
window rows inside 0..H-1 times the count of columns inside 0..W-1.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F


def avg_pool2d_backward_loops(grad_output, input_shape, k, stride, padding, count_include_pad=True):
    """dL/dx of avg_pool2d(x, k, stride, padding): grad_output (N, C, OH, OW) -> (N, C, H, W)."""
    N, C, H, W = input_shape
    OH, OW = grad_output.shape[2:]
    grad = np.zeros(input_shape)
    for y in range(OH):
        for x in range(OW):
            top, left = stride * y - padding, stride * x - padding
            rows = range(max(top, 0), min(top + k, H))
            cols = range(max(left, 0), min(left + k, W))
            divisor = k * k if count_include_pad else len(rows) * len(cols)
            for i in rows:
                for j in cols:
                    grad[:, :, i, j] += grad_output[:, :, y, x] / divisor
    return grad


def avg_pool2d_backward_minigrad(grad_output, x, k, stride, padding, count_include_pad=True):
    x = minigrad.tensor(x, requires_grad=True)
    F.avg_pool2d(x, k, stride, padding, count_include_pad=count_include_pad).backward(minigrad.tensor(grad_output))
    return x.grad.numpy()


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, 5, 5))
    g = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    for include in (True, False):
        loops = avg_pool2d_backward_loops(g, x.shape, 3, 2, 1, include)
        print(f"count_include_pad={include}:\n", np.round(loops[0, 0], 3))
        print("max |loops - minigrad| =", np.abs(loops - avg_pool2d_backward_minigrad(g, x, 3, 2, 1, include)).max())
