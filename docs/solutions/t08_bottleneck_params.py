"""Tutorial 8, exercise 3: what the 1x1 bottleneck saves.

A ResNet-50 block at 256 channels goes 1x1 to 64, 3x3 at 64, 1x1 back to 256. Count its
convolution weights and its multiply-adds on a 56x56 map by hand, compare with a block
of two 3x3 convolutions at 256 channels, and check your counts against
``models.resnet50().layer1[1]``.

Solution. The convolutions have no biases (batch norm follows each):

    weights    = 256*64 + 9*64*64 + 64*256 = 16,384 + 36,864 + 16,384 = 69,632
    mult-adds  = weights * 56 * 56 = 218,365,952   (every weight is used once per pixel)

Two 3x3 convolutions at 256 channels, as a ResNet-34-style block would have at that
width, take 2 * 9 * 256 * 256 = 1,179,648 weights and 3,699,376,128 mult-adds, 17 times
more. (Batch norm adds 2 parameters per channel: 2 * (64 + 64 + 256) = 768 more in the
bottleneck block.)
"""

import minigrad
from minigrad import models, nn


def bottleneck_by_hand(channels=256, width=64, size=56):
    """(conv weights, mult-adds) of a 1x1 -> 3x3 -> 1x1 bottleneck block at ``size`` x ``size``."""
    weights = channels * width + 9 * width * width + width * channels
    return weights, weights * size * size


def basic_by_hand(channels=256, size=56):
    """(conv weights, mult-adds) of two 3x3 convolutions at ``channels`` channels."""
    weights = 2 * 9 * channels * channels
    return weights, weights * size * size


def measured(block, channels=256, size=56):
    """(conv weights, mult-adds) of ``block``, counted by minigrad on a size x size input."""
    weights = sum(m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d))
    return weights, minigrad.summary(block, (1, channels, size, size), verbose=0).total_mult_adds


if __name__ == "__main__":
    block = models.resnet50().layer1[1]
    print("bottleneck by hand", bottleneck_by_hand(), " measured", measured(block))
    print("two 3x3 at 256:   ", basic_by_hand(), f" ({basic_by_hand()[0] / bottleneck_by_hand()[0]:.1f}x)")
