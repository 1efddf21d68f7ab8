"""LeNet-5 (LeCun et al., 1998) as the notes list it: sigmoid activations and average pooling."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .. import nn
from ._weights import load_weights

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["LeNet5", "lenet5"]


class LeNet5(nn.Module):
    """LeNet-5 as the notes list it, for 32x32 inputs: sigmoid activations and average pooling.

    ``features_detector`` has two stages of 5x5 convolution (6 then 16 filters, no padding),
    2x2 average pooling and a sigmoid, taking 32x32 to 28, 14, 10 and 5; ``classifier`` maps
    the 16*5*5 = 400 features through linear layers of 120 and 84 units (sigmoids between) to
    ``num_classes`` logits. With 1 input channel and 10 classes it has 61,706 parameters and
    0.42 M mult-adds per image. See :doc:`/models`.

    Args:
        in_channels: channels of the input image; default 1.
        num_classes: the number of output logits; default 10.

    Shape:
        input: (N, in_channels, 32, 32); output: (N, num_classes).

    Example:
        >>> model = minigrad.models.LeNet5()
        >>> model(minigrad.randn(2, 1, 32, 32)).shape
        minigrad.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        61706
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        self.features_detector = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Sigmoid(),
            nn.Conv2d(6, 16, kernel_size=5),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Sigmoid(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120),
            nn.Sigmoid(),
            nn.Linear(120, 84),
            nn.Sigmoid(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        """The logits of a batch of images.

        Args:
            x: (N, in_channels, 32, 32).

        Example:
            >>> minigrad.models.LeNet5(num_classes=3)(minigrad.zeros(4, 1, 32, 32)).shape
            minigrad.Size([4, 3])
        """
        return self.classifier(self.features_detector(x).flatten(1))


def lenet5(
    in_channels: int = 1,
    num_classes: int = 10,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
) -> LeNet5:
    """Build :class:`LeNet5` (the notes' network: 61,706 parameters at 1 channel and 10 classes).

    Args:
        in_channels: channels of the input image; default 1.
        num_classes: the number of output logits; default 10.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.

    Example:
        >>> model = minigrad.models.lenet5(in_channels=3, num_classes=2)
        >>> model(minigrad.randn(1, 3, 32, 32)).shape
        minigrad.Size([1, 2])
    """
    return load_weights(LeNet5(in_channels, num_classes), "lenet5", weights, pretrained)
