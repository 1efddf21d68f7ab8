"""AlexNet (Krizhevsky et al., 2012) in torchvision's layout, so its state dicts load."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .. import nn
from ._weights import load_weights

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["AlexNet", "alexnet"]


class AlexNet(nn.Module):
    """Five conv layers (64-192-384-256-256), adaptive 6x6 average pooling, three linear layers.

    ``in_channels=1, num_classes=10``: 57,029,322 parameters; 3 channels and 1000 classes:
    61,100,840. For 224x224 input the feature maps are 55 -> 27 -> 27 -> 13 -> 13 -> 6.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5, in_channels: int = 3) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        """x (N, in_channels, H, W), H and W at least 63 -> logits (N, num_classes)."""
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def alexnet(
    in_channels: int = 3,
    num_classes: int = 1000,
    dropout: float = 0.5,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
) -> AlexNet:
    """AlexNet; ``alexnet(in_channels=1, num_classes=10)`` is the notes' network."""
    model = AlexNet(num_classes=num_classes, dropout=dropout, in_channels=in_channels)
    return load_weights(model, "alexnet", weights, pretrained)
