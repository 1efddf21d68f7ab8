"""ResNet (He et al., 2016) in torchvision's layout and parameter names, so its state dicts load.

A stem (7x7/2 conv, batch norm, ReLU, 3x3/2 max pool), four stages of residual blocks
(64, 128, 256, 512 channels; stages 2-4 halve the resolution), global average pooling
and a linear classifier. BasicBlock (two 3x3 convs) builds ResNet-18/34; Bottleneck
(1x1, 3x3, 1x1 with 4x expansion) builds ResNet-50/101/152. Each conv + batch norm
(+ shortcut, + ReLU) runs through ``conv_bn``, which in eval mode without a graph to
record folds the batch norm into the conv (``minigrad.nn.utils.fusion``) and is
``relu(bn(conv(x)) + identity)`` otherwise.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Sequence

from .. import nn
from ..nn.utils.fusion import conv_bn
from ._weights import load_weights

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnet18_cifar",
]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding 1 and no bias (batch norm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution with no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


def _downsample(downsample: nn.Module, x: Tensor) -> Tensor:
    """The shortcut's 1x1 conv + batch norm (a Sequential of the two) through conv_bn, or
    any other downsample module as it is."""
    hooked = downsample._forward_hooks or downsample._forward_pre_hooks
    if type(downsample) is nn.Sequential and len(downsample) == 2 and not hooked:
        return conv_bn(downsample[0], downsample[1], x)
    return downsample(x)


class BasicBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), two 3x3 convs."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else _downsample(self.downsample, x)
        out = conv_bn(self.conv1, self.bn1, x, self.relu)
        return conv_bn(self.conv2, self.bn2, out, self.relu, residual=identity)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (strided, as torchvision's v1.5), 1x1 expand by 4, plus the shortcut."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else _downsample(self.downsample, x)
        out = conv_bn(self.conv1, self.bn1, x, self.relu)
        out = conv_bn(self.conv2, self.bn2, out, self.relu)
        return conv_bn(self.conv3, self.bn3, out, self.relu, residual=identity)


class ResNet(nn.Module):
    """ResNet with ``layers[i]`` blocks in stage i.

    Initialized as torchvision does: convs kaiming_normal_ (fan_out, relu), batch norm (1, 0),
    the classifier with Linear's default; ``zero_init_residual`` zeroes each block's last
    batch-norm weight.
    """

    def __init__(
        self,
        block: type[BasicBlock | Bottleneck],
        layers: Sequence[int],
        num_classes: int = 1000,
        in_channels: int = 3,
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.zeros_(m.bn3.weight)
                elif isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def _make_layer(
        self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int, stride: int = 1
    ) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion)
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """x (N, in_channels, H, W) -> logits (N, num_classes)."""
        x = self.maxpool(conv_bn(self.conv1, self.bn1, x, self.relu))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> ResNet:
    """ResNet-18: 11,689,512 parameters at 1000 classes."""
    model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, **kwargs)
    return load_weights(model, "resnet18", weights, pretrained)


def resnet34(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> ResNet:
    """ResNet-34: 21,797,672 parameters at 1000 classes."""
    model = ResNet(BasicBlock, [3, 4, 6, 3], num_classes, in_channels, **kwargs)
    return load_weights(model, "resnet34", weights, pretrained)


def resnet50(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> ResNet:
    """ResNet-50: 25,557,032 parameters at 1000 classes."""
    model = ResNet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels, **kwargs)
    return load_weights(model, "resnet50", weights, pretrained)


def resnet101(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> ResNet:
    """ResNet-101: 44,549,160 parameters at 1000 classes."""
    model = ResNet(Bottleneck, [3, 4, 23, 3], num_classes, in_channels, **kwargs)
    return load_weights(model, "resnet101", weights, pretrained)


def resnet152(
    num_classes: int = 1000,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> ResNet:
    """ResNet-152: 60,192,808 parameters at 1000 classes."""
    model = ResNet(Bottleneck, [3, 8, 36, 3], num_classes, in_channels, **kwargs)
    return load_weights(model, "resnet152", weights, pretrained)


def resnet18_cifar(
    num_classes: int = 10,
    in_channels: int = 3,
    *,
    weights: str | os.PathLike | None = None,
    progress: bool = True,
    pretrained: bool | None = None,
    **kwargs: Any,
) -> ResNet:
    """ResNet-18 for 32x32 images: a 3x3 stride-1 stem and no max pool (11,173,962 parameters at 10 classes)."""
    model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, **kwargs)
    model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    model.maxpool = nn.Identity()
    return load_weights(model, "resnet18_cifar", weights, pretrained)
