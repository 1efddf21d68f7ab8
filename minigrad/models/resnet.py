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
    """The residual block of ResNet-18 and -34: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

    Both convolutions are 3x3 without bias (batch norm follows); the first one carries the
    stride. The shortcut is the identity, or ``downsample`` (a 1x1 strided convolution and
    batch norm in :class:`ResNet`) where the shape changes. ``expansion`` = 1: the block
    outputs ``planes`` channels.

    Args:
        inplanes: input channels.
        planes: output channels of both convolutions.
        stride: the first convolution's stride; default 1.
        downsample: the shortcut's module, or None (default) for the identity.

    Attributes:
        expansion (int): output channels per ``planes``: 1.

    Shape:
        input: (N, inplanes, H, W); output: (N, planes, H / stride, W / stride) (rounded up).

    Example:
        >>> block = minigrad.models.BasicBlock(64, 64)
        >>> block(minigrad.randn(1, 64, 8, 8)).shape
        minigrad.Size([1, 64, 8, 8])
    """

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
        """``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``.

        Args:
            x: (N, inplanes, H, W).

        Example:
            >>> shortcut = nn.Sequential(nn.Conv2d(16, 32, 1, stride=2, bias=False), nn.BatchNorm2d(32))
            >>> block = minigrad.models.BasicBlock(16, 32, stride=2, downsample=shortcut)
            >>> block(minigrad.randn(2, 16, 8, 8)).shape
            minigrad.Size([2, 32, 4, 4])
        """
        identity = x if self.downsample is None else _downsample(self.downsample, x)
        out = conv_bn(self.conv1, self.bn1, x, self.relu)
        return conv_bn(self.conv2, self.bn2, out, self.relu, residual=identity)


class Bottleneck(nn.Module):
    """The residual block of ResNet-50, -101 and -152: 1x1 reduce, 3x3, 1x1 expand by 4, plus the
    shortcut.

    ``conv1`` (1x1) reduces to ``planes`` channels, ``conv2`` (3x3) carries the stride (as
    torchvision's "v1.5"), ``conv3`` (1x1) expands to ``4 * planes``; batch norm after each, ReLU
    after the first two and after the sum with the shortcut. The 1x1 convolutions keep the 3x3
    one cheap: the notes' "bottleneck".

    Args:
        inplanes: input channels.
        planes: the reduced width; the block outputs ``4 * planes`` channels.
        stride: the 3x3 convolution's stride; default 1.
        downsample: the shortcut's module, or None (default) for the identity (then
            ``inplanes`` must be ``4 * planes``).

    Attributes:
        expansion (int): output channels per ``planes``: 4.

    Shape:
        input: (N, inplanes, H, W); output: (N, 4 * planes, H / stride, W / stride) (rounded up).

    Example:
        >>> block = minigrad.models.Bottleneck(256, 64)
        >>> block(minigrad.randn(1, 256, 8, 8)).shape
        minigrad.Size([1, 256, 8, 8])
        >>> sum(p.numel() for p in block.parameters())  # vs 1,180,672 for two 3x3 convs at 256
        70400
    """

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
        """``relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))``.

        Args:
            x: (N, inplanes, H, W).

        Example:
            >>> block = minigrad.models.Bottleneck(64, 16)  # 64 -> 16 -> 16 -> 64 channels
            >>> block(minigrad.randn(1, 64, 4, 4)).shape
            minigrad.Size([1, 64, 4, 4])
        """
        identity = x if self.downsample is None else _downsample(self.downsample, x)
        out = conv_bn(self.conv1, self.bn1, x, self.relu)
        out = conv_bn(self.conv2, self.bn2, out, self.relu)
        return conv_bn(self.conv3, self.bn3, out, self.relu, residual=identity)


class ResNet(nn.Module):
    """ResNet (He et al., 2016) in torchvision's layout, with ``layers[i]`` blocks in stage i.

    A stem (7x7 stride-2 convolution to 64 channels, batch norm, ReLU, 3x3 stride-2 max pool)
    takes 224x224 to 56x56; four stages of residual blocks of width 64, 128, 256 and 512 (times
    ``block.expansion``), the last three halving the resolution in their first block (with a
    1x1 projection shortcut), end at 7x7; global average pooling and one linear layer give the
    logits. Initialized as torchvision does: convolutions ``kaiming_normal_`` (fan_out, relu),
    batch norm (1, 0), the classifier with Linear's default. Parameter names are
    torchvision's, so its state dicts load. See :doc:`/models`.

    Args:
        block: :class:`BasicBlock` or :class:`Bottleneck`.
        layers: the number of blocks in each of the four stages, e.g. [2, 2, 2, 2].
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        zero_init_residual: zero each block's last batch-norm weight, so every block starts as
            the identity; default False.

    Shape:
        input: (N, in_channels, H, W), 224x224 in the paper (at 32x32 the last stage is 1x1,
        so training needs N > 1 for its batch norm); output: (N, num_classes).

    Example:
        >>> from minigrad.models import ResNet, BasicBlock
        >>> model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)
        >>> model(minigrad.randn(2, 3, 32, 32)).shape
        minigrad.Size([2, 10])
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
        """The logits of a batch of images: stem, four stages, global average pooling, ``fc``.

        Args:
            x: (N, in_channels, H, W).

        Example:
            >>> model = minigrad.models.ResNet(minigrad.models.BasicBlock, [1, 1, 1, 1], num_classes=4, in_channels=1)
            >>> model(minigrad.randn(2, 1, 32, 32)).shape
            minigrad.Size([2, 4])
        """
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
    """ResNet-18: 11,689,512 parameters at 1000 classes, 1.8 G mult-adds at 224x224.

    :class:`ResNet` with :class:`BasicBlock` blocks, [2, 2, 2, 2] per stage.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`ResNet` (``zero_init_residual``).

    Example:
        >>> model = minigrad.models.resnet18(num_classes=10)
        >>> sum(p.numel() for p in model.parameters())
        11181642
    """
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
    """ResNet-34: 21,797,672 parameters at 1000 classes, 3.66 G mult-adds at 224x224.

    :class:`ResNet` with :class:`BasicBlock` blocks, [3, 4, 6, 3] per stage.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`ResNet` (``zero_init_residual``).

    Example:
        >>> model = minigrad.models.resnet34(num_classes=10)
        >>> sum(p.numel() for p in model.parameters())
        21289802
    """
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
    """ResNet-50: 25,557,032 parameters at 1000 classes, 4.1 G mult-adds at 224x224.

    :class:`ResNet` with :class:`Bottleneck` blocks, [3, 4, 6, 3] per stage.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`ResNet` (``zero_init_residual``).

    Example:
        >>> model = minigrad.models.resnet50(num_classes=10)
        >>> sum(p.numel() for p in model.parameters())
        23528522
    """
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
    """ResNet-101: 44,549,160 parameters at 1000 classes, 7.8 G mult-adds at 224x224.

    :class:`ResNet` with :class:`Bottleneck` blocks, [3, 4, 23, 3] per stage.

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`ResNet` (``zero_init_residual``).

    Example:
        >>> model = minigrad.models.resnet101(num_classes=10)
        >>> sum(p.numel() for p in model.parameters())
        42520650
    """
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
    """ResNet-152: 60,192,808 parameters at 1000 classes, 11.5 G mult-adds at 224x224.

    :class:`ResNet` with :class:`Bottleneck` blocks, [3, 8, 36, 3] per stage.
    The notes' 58,161,162 is this network with 2 input channels and 10 classes (see the
    example).

    Args:
        num_classes: the number of output logits; default 1000.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`ResNet` (``zero_init_residual``).

    Example:
        >>> model = minigrad.models.resnet152(num_classes=10, in_channels=2)
        >>> sum(p.numel() for p in model.parameters())  # the notes' count
        58161162
    """
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
    """ResNet-18 for 32x32 images: 11,173,962 parameters at 10 classes.

    :func:`resnet18` with the 7x7 stride-2 stem replaced by a 3x3 stride-1 convolution and no
    max pool, so a 32x32 image keeps a 4x4 map at the last stage (0.56 G mult-adds).

    Args:
        num_classes: the number of output logits; default 10.
        in_channels: channels of the input image; default 3.
        weights: None (default, random initialization) or the path of a local safetensors
            file with a state dict in torchvision's layout; nothing is downloaded.
        progress: accepted for torchvision's signature; nothing to show.
        pretrained: deprecated (a UserWarning); ``True`` raises, saying how to make the local
            file once in PyTorch.
        kwargs: passed to :class:`ResNet` (``zero_init_residual``).

    Example:
        >>> model = minigrad.models.resnet18_cifar()
        >>> model(minigrad.randn(1, 3, 32, 32)).shape
        minigrad.Size([1, 10])
    """
    model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, **kwargs)
    model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    model.maxpool = nn.Identity()
    return load_weights(model, "resnet18_cifar", weights, pretrained)
