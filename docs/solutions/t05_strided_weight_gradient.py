"""Tutorial 5, exercise 2: the kernel gradient of a strided convolution is a dilated one.

Tutorial 5 computes the kernel gradient of a stride-s convolution with loops over the
kernel positions. Show that it is one call of ``F.conv2d``: the cross-correlation of the
(padded) input with the upstream gradient *dilated by s*, with the batch axis in the role
of the channels. Check it against ``w.grad`` for several strides, paddings and channels.

Solution. dL/dw[o, c, a, b] = sum over n, y, x of G[n, o, y, x] * xp[n, c, s*y + a, s*x + b]
(xp the padded input). Read as a convolution over (a, b), this is the input
cross-correlated with G, whose taps are s pixels apart: a convolution with dilation s.
Swap the first two axes, so that the batch n is the summed "channel" axis: input
xp^T of shape (C, N, Hp, Wp), weight G^T of shape (O, N, OH, OW), dilation s. The result
(C, O, ., .) may be larger than the kernel when the stride skipped the last rows; keep
its first KH x KW entries and swap the axes back.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F


def weight_gradient(x, grad_output, kernel_size, stride=1, padding=0):
    """dL/dw of conv2d(x, w, stride, padding) given dL/dy: (N, C, H, W), (N, O, OH, OW) -> (O, C, k, k)."""
    k = kernel_size
    correlation = F.conv2d(x.transpose(0, 1), grad_output.transpose(0, 1), padding=padding, dilation=stride)
    return correlation[:, :, :k, :k].transpose(0, 1)


if __name__ == "__main__":
    for stride, padding in [(1, 0), (2, 1), (3, 0), (2, 2)]:
        x = minigrad.randn(2, 3, 10, 10, dtype=minigrad.float64)
        w = minigrad.randn(4, 3, 3, 3, dtype=minigrad.float64, requires_grad=True)
        y = F.conv2d(x, w, stride=stride, padding=padding)
        g = minigrad.randn(*y.shape, dtype=minigrad.float64)
        y.backward(g)
        ours = weight_gradient(x, g, 3, stride, padding)
        error = np.abs((ours - w.grad).numpy()).max()
        print(f"stride {stride} padding {padding}: max |dilated conv - w.grad| = {error:.1e}")
