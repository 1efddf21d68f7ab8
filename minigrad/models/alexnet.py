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
    """AlexNet in torchvision's single-GPU layout (Krizhevsky et al., 2012).

    ``features`` has five ReLU convolutions, 64 (11x11, stride 4, padding 2), 192 (5x5), 384,
    256 and 256 (3x3) filters, with 3x3 stride-2 max pooling after the first, second and
    fifth; ``avgpool`` brings any map of at least 6x6 to 6x6, and ``classifier`` is dropout,
    9216 -> 4096, ReLU, dropout, 4096 -> 4096, ReLU, 4096 -> ``num_classes``. For 224x224
    input the maps are 55 -> 27 -> 13 -> 6. Parameters: 61,100,840 with 3 channels and 1000
    classes, 57,029,322 with 1 channel and 10 classes (the notes' network, 0.66 G mult-adds at
    227x227). See :doc:`/models` for the notes' 96-filter original.

    Args:
        num_classes: the number of output logits; default 1000.
        dropout: the dropout probability of the classifier; default 0.5.
        in_channels: channels of the input image; default 3.

    Shape:
        input: (N, in_channels, H, W) with H, W >= 63 (224 in the paper); output:
        (N, num_classes).

    Example:
        >>> model = minigrad.models.AlexNet(num_classes=10, in_channels=1)
        >>> sum(p.numel() for p in model.parameters())
        57029322
        >>> model(minigrad.randn(1, 1, 63, 63)).shape
        minigrad.Size([1, 10])
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
        """The logits of a batch of images: features, 6x6 average pooling, classifier.

        Args:
            x: (N, in_channels, H, W), H and W at least 63.

        Example:
            >>> model = minigrad.models.AlexNet(num_classes=5).eval()
            >>> model(minigrad.zeros(2, 3, 63, 63)).shape
            minigrad.Size([2, 5])
        """
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
    """Build :class:`AlexNet`; ``alexnet(in_channels=1, num_classes=10)`` is the notes' network.

    Args:
        in_channels: channels of the input image; default 3.
        num_classes: the number of output logits; default 1000.
        dropout: the dropout probability of the classifier; default 0.5.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.

    Example:
        >>> model = minigrad.models.alexnet(num_classes=10)
        >>> model.features[0]
        Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2))
    """
    model = AlexNet(num_classes=num_classes, dropout=dropout, in_channels=in_channels)
    return load_weights(model, "alexnet", weights, pretrained)
