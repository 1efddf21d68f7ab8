"""Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d (no parameters).

Output size: floor((H + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)
(ceil with ``ceil_mode``); ``stride`` defaults to ``kernel_size``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ops._args import check_bool, check_int, check_min, ntuple
from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from ...ops._args import _size_2_t
    from ...tensor import Tensor

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"]


def _check_window(name, kernel_size, stride, padding, dilation=1, ceil_mode=False):
    """Types and ranges of a pooling layer's hyper-parameters (TypeError, ValueError); the
    layer keeps them as given, and the functional op checks the input-dependent rest."""
    check_min(name, "kernel_size", ntuple(kernel_size, 2, "kernel_size", name), 1)
    if stride is not None:
        check_min(name, "stride", ntuple(stride, 2, "stride", name), 1)
    check_min(name, "padding", ntuple(padding, 2, "padding", name), 0)
    check_min(name, "dilation", ntuple(dilation, 2, "dilation", name), 1)
    check_bool(name, "ceil_mode", ceil_mode)


def _check_output_size(name, output_size):
    sizes = ntuple(output_size, 2, "output_size", name, none_ok=True)
    check_min(name, "output_size", tuple(s for s in sizes if s is not None), 0)


def _default_stride(stride, kernel_size):
    return kernel_size if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride


class MaxPool2d(Module):
    """Maximum over each ``kernel_size`` window of (N, C, H, W) input, each channel separately.

    The window slides by ``stride``; padding adds -inf (never picked). Max pooling has no
    parameters; its gradient flows only to the arg max of each window (where windows overlap,
    to every window's arg max, summed).

    Args:
        kernel_size: the window, int or (kH, kW).
        stride: the step, int or (sH, sW); default (None) ``kernel_size``, non-overlapping.
        padding: implicit -inf padding on both sides, int or (pH, pW), at most half the
            (dilated) window; default 0.
        dilation: the spacing between window elements, int or (dH, dW); default 1.
        return_indices: also return the flat index of each maximum in its (H, W) plane, as
            :func:`minigrad.nn.functional.max_unpool2d` takes; default False.
        ceil_mode: round the output size up instead of down (a last window may then start
            in the input and run past it); default False.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, OH, OW) or (C, OH, OW) with

            OH = floor((H + 2*pH - dH*(kH - 1) - 1) / sH) + 1, OW alike.

    Example:
        >>> pool = nn.MaxPool2d(2)
        >>> pool(minigrad.arange(16.0).reshape(1, 1, 4, 4))
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
        >>> nn.MaxPool2d(3, stride=2, padding=1)(minigrad.ones(8, 16, 32, 32)).shape
        minigrad.Size([8, 16, 16, 16])
    """

    def __init__(
        self,
        kernel_size: _size_2_t,
        stride: _size_2_t | None = None,
        padding: _size_2_t = 0,
        dilation: _size_2_t = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        stride = _default_stride(stride, kernel_size)
        _check_window(type(self).__name__, kernel_size, stride, padding, dilation, ceil_mode)
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        """Max-pool ``input`` (``F.max_pool2d``); with ``return_indices``, also the indices.

        Args:
            input: (N, C, H, W) or (C, H, W).

        Example:
            >>> out, idx = nn.MaxPool2d(2, return_indices=True)(minigrad.arange(4.0).reshape(1, 2, 2))
            >>> out, idx
            (tensor([[[3.]]]), tensor([[[3]]]))
        """
        return F.max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.MaxPool2d(3, stride=2, padding=1)
            MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
        """
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Mean over each ``kernel_size`` window of (N, C, H, W) input, each channel separately.

    Args:
        kernel_size: the window, int or (kH, kW).
        stride: the step, int or (sH, sW); default (None) ``kernel_size``.
        padding: implicit zero padding on both sides, int or (pH, pW), at most half the
            window; default 0.
        ceil_mode: round the output size up instead of down; default False.
        count_include_pad: count the padded zeros in the divisor; default True.
        divisor_override: divide every window's sum by this instead; default None.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, OH, OW) or (C, OH, OW) with

            OH = floor((H + 2*pH - kH) / sH) + 1, OW alike.

    Example:
        >>> nn.AvgPool2d(2)(minigrad.arange(16.0).reshape(1, 1, 4, 4))
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """

    def __init__(
        self,
        kernel_size: _size_2_t,
        stride: _size_2_t | None = None,
        padding: _size_2_t = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        stride = _default_stride(stride, kernel_size)
        _check_window(name, kernel_size, stride, padding, ceil_mode=ceil_mode)
        check_bool(name, "count_include_pad", count_include_pad)
        if divisor_override is not None and check_int(name, "divisor_override", divisor_override) == 0:
            raise ValueError(f"{name}: divisor_override must be nonzero, but got divisor_override=0")
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """Average-pool ``input`` (``F.avg_pool2d``).

        Args:
            input: (N, C, H, W) or (C, H, W).

        Example:
            >>> nn.AvgPool2d(2)(minigrad.arange(4.0).reshape(1, 2, 2))
            tensor([[[1.5000]]])
        """
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.AvgPool2d(2)
            AvgPool2d(kernel_size=2, stride=2, padding=0)
        """
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Mean pooling to a fixed ``output_size``, whatever the input size.

    Output row i averages input rows floor(i*H/OH) to ceil((i+1)*H/OH) - 1, the columns
    alike; ``AdaptiveAvgPool2d(1)`` is global average pooling (ResNet's head).

    Args:
        output_size: (OH, OW), or an int for a square output; None in a pair keeps that
            input dimension.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, OH, OW) or (C, OH, OW).

    Example:
        >>> nn.AdaptiveAvgPool2d(1)(minigrad.ones(2, 512, 7, 7)).shape
        minigrad.Size([2, 512, 1, 1])
        >>> nn.AdaptiveAvgPool2d((None, 2))(minigrad.ones(1, 3, 5, 6)).shape
        minigrad.Size([1, 3, 5, 2])
    """

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        _check_output_size(type(self).__name__, output_size)
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        """Average-pool ``input`` to ``output_size`` (``F.adaptive_avg_pool2d``).

        Args:
            input: (N, C, H, W) or (C, H, W).

        Example:
            >>> nn.AdaptiveAvgPool2d(1)(minigrad.arange(4.0).reshape(1, 2, 2))
            tensor([[[1.5000]]])
        """
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.AdaptiveAvgPool2d((7, 7))
            AdaptiveAvgPool2d(output_size=(7, 7))
        """
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size``, over the windows of :class:`AdaptiveAvgPool2d`.

    Args:
        output_size: (OH, OW), or an int for a square output; None in a pair keeps that
            input dimension.
        return_indices: also return the flat index of each maximum in its (H, W) plane;
            default False.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, OH, OW) or (C, OH, OW).

    Example:
        >>> nn.AdaptiveMaxPool2d(2)(minigrad.arange(16.0).reshape(1, 1, 4, 4))
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """

    def __init__(self, output_size: int | tuple[int | None, int | None], return_indices: bool = False) -> None:
        super().__init__()
        _check_output_size(type(self).__name__, output_size)
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        """Max-pool ``input`` to ``output_size`` (``F.adaptive_max_pool2d``).

        Args:
            input: (N, C, H, W) or (C, H, W).

        Example:
            >>> nn.AdaptiveMaxPool2d(1)(minigrad.arange(4.0).reshape(1, 2, 2))
            tensor([[[3.]]])
        """
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.AdaptiveMaxPool2d(1)
            AdaptiveMaxPool2d(output_size=1)
        """
        return f"output_size={self.output_size}"
