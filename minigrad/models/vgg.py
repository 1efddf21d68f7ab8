"""VGG (Simonyan and Zisserman, 2015), configurations A, B, D, E, in torchvision's layout.

Every conv is 3x3, stride 1, padding 1 (optionally followed by batch norm), then ReLU;
'M' is a 2x2 max pool, stride 2. VGG-16 (D) has 138,357,544 parameters at 1000 classes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Sequence

from .. import nn
from ._weights import load_weights

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]

CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def make_layers(config: Sequence[int | str], batch_norm: bool = False, in_channels: int = 3) -> nn.Sequential:
    """The ``features`` Sequential for a configuration list."""
    layers = []
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """VGG (Simonyan and Zisserman, 2015): ``features``, adaptive 7x7 average pooling and a
    4096-4096-``num_classes`` classifier.

    ``features`` (built by the ``vgg*`` functions) stacks 3x3 convolutions (stride 1, padding
    1, each followed by ReLU, optionally after batch norm) in blocks of 64, 128, 256, 512 and
    512 filters, each block closed by 2x2 max pooling, so 224x224 becomes 7x7x512 = 25,088
    features; the classifier is 25088 -> 4096 -> 4096 -> ``num_classes`` with ReLU and dropout.
    VGG-16 has 138,357,544 parameters at 1000 classes, 124 M of them in the classifier.
    Initialized as torchvision does: convolutions ``kaiming_normal_`` (fan_out, relu) with zero
    bias, batch norm (1, 0), linear layers N(0, 0.01) with zero bias. See :doc:`/models`.

    Args:
        features: the convolutional part, ending with 512 channels.
        num_classes: the number of output logits; default 1000.
        init_weights: apply torchvision's initialization (slow for 130 M parameters: seconds);
            default True.
        dropout: the dropout probability of the classifier; default 0.5.

    Shape:
        input: (N, C, H, W) that ``features`` takes to (N, 512, h, w); output: (N, num_classes).

    Example:
        >>> features = nn.Sequential(nn.Conv2d(3, 512, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        >>> model = minigrad.models.VGG(features, num_classes=10, init_weights=False)
        >>> model(minigrad.randn(1, 3, 32, 32)).shape
        minigrad.Size([1, 10])
    """

    def __init__(
        self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True, dropout: float = 0.5
    ) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        """The logits of a batch of images: features, 7x7 average pooling, classifier.

        Args:
            x: (N, C, H, W) that ``features`` takes to 512 channels; at least 32x32 for the
                zoo's configurations.

        Example:
            >>> model = minigrad.models.VGG(nn.Conv2d(1, 512, 1), num_classes=3, init_weights=False)
            >>> model(minigrad.zeros(2, 1, 7, 7)).shape
            minigrad.Size([2, 3])
        """
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _vgg(config: str, batch_norm: bool, num_classes: int, in_channels: int, **kwargs: Any) -> VGG:
    return VGG(make_layers(CONFIGS[config], batch_norm, in_channels), num_classes=num_classes, **kwargs)


def vgg11(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-11 (configuration A): 132,863,336 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration A; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg11(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (21, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("A", False, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg11", weights, pretrained)


def vgg11_bn(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-11 (configuration A, batch norm after every convolution): 132,868,840 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration A; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg11_bn(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (29, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("A", True, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg11_bn", weights, pretrained)


def vgg13(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-13 (configuration B): 133,047,848 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration B; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg13(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (25, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("B", False, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg13", weights, pretrained)


def vgg13_bn(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-13 (configuration B, batch norm after every convolution): 133,053,736 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration B; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg13_bn(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (35, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("B", True, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg13_bn", weights, pretrained)


def vgg16(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-16 (configuration D): 138,357,544 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration D; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg16(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (31, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("D", False, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg16", weights, pretrained)


def vgg16_bn(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-16 (configuration D, batch norm after every convolution): 138,365,992 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration D; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg16_bn(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (44, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("D", True, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg16_bn", weights, pretrained)


def vgg19(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-19 (configuration E): 143,667,240 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration E; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg19(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (37, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("E", False, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg19", weights, pretrained)


def vgg19_bn(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> VGG:
    """VGG-19 (configuration E, batch norm after every convolution): 143,678,248 parameters at 1000 classes.

    Build :class:`VGG` on the notes' configuration E; 224x224 input.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`VGG` (``init_weights``, ``dropout``).

    Example:
        >>> model = minigrad.models.vgg19_bn(num_classes=10, init_weights=False)  # no init: faster
        >>> len(model.features), model.classifier[-1]
        (53, Linear(in_features=4096, out_features=10, bias=True))
    """
    model = _vgg("E", True, num_classes, in_channels, **kwargs)
    return load_weights(model, "vgg19_bn", weights, pretrained)
