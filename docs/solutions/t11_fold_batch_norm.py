"""Tutorial 11, exercise 4: batch norm in eval mode is an affine map; fold it into the conv.

Write the per-channel scale and shift that an eval-mode ``BatchNorm2d`` applies, from
its four tensors, and fold them into the preceding ``Conv2d``'s weight and bias so that
conv + BN in eval mode becomes a single conv.

Solution. In eval mode, BatchNorm2d computes, per channel c,

    y = (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c] + bias[c]
      = scale[c] * x + shift[c],
    scale = weight / sqrt(running_var + eps),   shift = bias - running_mean * scale.

If x = conv(input, W) + b, then y = conv(input, W * scale[c]) + (b * scale + shift): a
single convolution whose output channel c has its filter multiplied by scale[c].
"""

import minigrad
from minigrad import nn


def batch_norm_affine(bn):
    """Per-channel (scale, shift) of an eval-mode BatchNorm2d, as (C,) tensors."""
    scale = bn.weight.detach() / (bn.running_var + bn.eps).sqrt()
    return scale, bn.bias.detach() - bn.running_mean * scale


def fold(conv, bn):
    """A Conv2d equal to ``bn(conv(x))`` in eval mode."""
    scale, shift = batch_norm_affine(bn)
    folded = nn.Conv2d(
        conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, conv.dilation, conv.groups
    )
    bias = conv.bias.detach() if conv.bias is not None else minigrad.zeros(conv.out_channels)
    with minigrad.no_grad():
        folded.weight.copy_(conv.weight.detach() * scale.reshape(-1, 1, 1, 1))
        folded.bias.copy_(bias * scale + shift)
    return folded


if __name__ == "__main__":
    minigrad.manual_seed(0)
    conv, bn = nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
    for _ in range(10):  # give the running statistics and the affine parameters some values
        bn(conv(minigrad.randn(16, 3, 12, 12) * 2 + 1))
    with minigrad.no_grad():
        bn.weight.copy_(minigrad.rand(8) + 0.5)
        bn.bias.copy_(minigrad.randn(8))
    bn.eval()
    x = minigrad.randn(4, 3, 12, 12)
    with minigrad.no_grad():
        difference = (fold(conv, bn)(x) - bn(conv(x))).abs().max()
    print(f"largest difference between fold(conv, bn)(x) and bn(conv(x)): {float(difference):.1e}")
