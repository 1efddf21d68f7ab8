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
    """Two conv/avg-pool/sigmoid stages and three linear layers, for 32x32 inputs.

    With 1 input channel and 10 classes: 61,706 parameters.
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
        """x (N, in_channels, 32, 32) -> logits (N, num_classes)."""
        return self.classifier(self.features_detector(x).flatten(1))


def lenet5(
    in_channels: int = 1,
    num_classes: int = 10,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
) -> LeNet5:
    """LeNet-5 for (N, in_channels, 32, 32) input."""
    return load_weights(LeNet5(in_channels, num_classes), "lenet5", weights, pretrained)
