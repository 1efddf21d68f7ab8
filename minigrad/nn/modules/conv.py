"""Convolution layers: Conv1d, Conv2d (zeros/reflect/replicate/circular padding), ConvTranspose2d,
and their lazy forms LazyConv1d, LazyConv2d, LazyConvTranspose2d (in_channels from the first input).

The computation is ``F.conv1d`` / ``F.conv2d`` / ``F.conv_transpose2d`` (Cython kernels in
minigrad_core); these modules hold the weight (out, in / groups, *kernel), the bias, and
the hyper-parameters, validated here with PyTorch's messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ...ops._args import check_int, check_min, conv_transpose_output_size, int_sequence, ntuple, same_padding
from .. import functional as F
from .. import init
from ..parameter import UninitializedParameter
from .lazy import LazyModuleMixin
from .linear import init_weight_and_bias
from .module import Module

if TYPE_CHECKING:
    from ... import dtypes
    from ...ops._args import _size_1_t, _size_2_t
    from ...tensor import Tensor

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d", "LazyConv1d", "LazyConv2d", "LazyConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...],
        padding: int | tuple[int, ...] | str,
        dilation: int | tuple[int, ...],
        transposed: bool,
        output_padding: int | tuple[int, ...],
        groups: int,
        bias: bool,
        padding_mode: str,
        dtype: dtypes.dtype | None,
        n: int,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        in_channels = check_int(name, "in_channels", in_channels)
        out_channels = check_int(name, "out_channels", out_channels)
        groups = check_int(name, "groups", groups)
        check_min(name, "in_channels", (in_channels,), 0)
        check_min(name, "out_channels", (out_channels,), 0)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {list(_PADDING_MODES)}, but got padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", name)
        self.stride = ntuple(stride, n, "stride", name)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, n, "padding", name)
        self.dilation = ntuple(dilation, n, "dilation", name)
        self.transposed = transposed
        self.output_padding = ntuple(output_padding, n, "output_padding", name)
        check_min(name, "kernel_size", self.kernel_size, 1)
        check_min(name, "stride", self.stride, 1)
        check_min(name, "padding", () if isinstance(padding, str) else self.padding, 0)
        check_min(name, "dilation", self.dilation, 1)
        check_min(name, "output_padding", self.output_padding, 0)
        if padding == "same":
            same_padding(self.kernel_size, self.stride, self.dilation)  # raises unless stride is 1
        self.groups = groups
        self.padding_mode = padding_mode
        if transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        init_weight_and_bias(self, shape, out_channels, bias, dtype)

    def reset_parameters(self) -> None:
        init.reset_weight_and_bias(self.weight, self.bias)

    def _explicit_padding(self):
        """(left, right) per spatial dim, last dim first, as F.pad takes it."""
        if self.padding == "valid":
            return (0, 0) * len(self.kernel_size)
        if self.padding == "same":
            pairs = same_padding(self.kernel_size, self.stride, self.dilation)
            return tuple(p for pair in reversed(pairs) for p in pair)
        return tuple(p for p in reversed(self.padding) for _ in range(2))

    def _conv_forward(self, input, conv):
        """``conv(input, ...)`` with this layer's arguments; modes other than zeros pad first with F.pad."""
        if self.padding_mode != "zeros":
            input = F.pad(input, self._explicit_padding(), mode=self.padding_mode)
            return conv(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        n = len(self.kernel_size)
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) over (N, C_in, L) input.

    Shape: L_out = floor((L + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _size_1_t,
        stride: _size_1_t = 1,
        padding: _size_1_t | str = 0,
        dilation: _size_1_t = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            False,
            0,
            groups,
            bias,
            padding_mode,
            dtype,
            1,
        )

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, F.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over (N, C_in, H, W) input.

    Args:
        in_channels, out_channels: channels of input and output; both divisible by ``groups``.
        kernel_size, stride, padding, dilation: int or pair; ``padding`` may be 'same' or 'valid'.
        padding_mode: 'zeros' | 'reflect' | 'replicate' | 'circular'.

    Shape: H_out = floor((H + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)
    (with dilation 1: (N - F + 2P) / S + 1). Weight (C_out, C_in / groups, KH, KW): C_out *
    (C_in / groups * KH * KW + 1) parameters with the bias.

    Example::

        >>> nn.Conv2d(1, 6, 5)(minigrad.zeros(1, 1, 32, 32)).shape
        minigrad.Size([1, 6, 28, 28])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _size_2_t,
        stride: _size_2_t = 1,
        padding: _size_2_t | str = 0,
        dilation: _size_2_t = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            False,
            0,
            groups,
            bias,
            padding_mode,
            dtype,
            2,
        )

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, F.conv2d)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the gradient of Conv2d with respect to its input).

    Shape: H_out = (H - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1.
    Weight (C_in, C_out / groups, KH, KW).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _size_2_t,
        stride: _size_2_t = 1,
        padding: _size_2_t = 0,
        output_padding: _size_2_t = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: _size_2_t = 1,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} does not support string padding {padding!r}")
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            True,
            output_padding,
            groups,
            bias,
            padding_mode,
            dtype,
            2,
        )

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding_for(input, output_size)
        return F.conv_transpose2d(
            input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation
        )

    def _output_padding_for(self, input, output_size):
        name = type(self).__name__
        size = int_sequence(output_size, "output_size", name)
        if len(size) not in (2, 4):
            raise ValueError(f"{name}: output_size must have 2 or 4 elements, but got output_size={list(size)}")
        size = size[-2:]
        padding = []
        for d in range(2):
            smallest = conv_transpose_output_size(
                input.shape[d - 2], self.kernel_size[d], self.stride[d], self.padding[d], self.dilation[d]
            )
            extra = size[d] - smallest
            if not 0 <= extra < max(self.stride[d], self.dilation[d]):
                raise ValueError(
                    f"requested an output size of {list(size)}, but valid sizes range from "
                    f"{smallest} to {smallest + max(self.stride[d], self.dilation[d]) - 1} in dimension {d}"
                )
            padding.append(extra)
        return tuple(padding)


class _LazyConvMixin(LazyModuleMixin):
    """What the lazy convolutions share: ``in_channels`` from the input's channel dim."""

    def _make_lazy(self, out_channels: int, bias: bool, dtype: dtypes.dtype | None) -> None:
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: object) -> None:
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            self.weight.materialize((self.in_channels, self.out_channels // self.groups, *self.kernel_size))
        else:
            self.weight.materialize((self.out_channels, self.in_channels // self.groups, *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _get_in_channels(self, input: Tensor) -> int:
        unbatched = len(self.kernel_size) + 1
        if input.ndim not in (unbatched, unbatched + 1):
            raise RuntimeError(
                f"Expected {unbatched}D (unbatched) or {unbatched + 1}D (batched) input to {type(self).__name__}, "
                f"but got input of size: {list(input.shape)}"
            )
        return input.shape[1] if input.ndim == unbatched + 1 else input.shape[0]


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A Conv1d whose ``in_channels`` comes from its first input (N, C_in, L); then a Conv1d."""

    cls_to_become = Conv1d

    def __init__(
        self,
        out_channels: int,
        kernel_size: _size_1_t,
        stride: _size_1_t = 1,
        padding: _size_1_t | str = 0,
        dilation: _size_1_t = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, dtype=dtype)
        self._make_lazy(out_channels, bias, dtype)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A Conv2d whose ``in_channels`` comes from its first input (N, C_in, H, W); then a Conv2d.

    Example::

        >>> conv = nn.LazyConv2d(6, kernel_size=5, padding=2)
        >>> conv(minigrad.zeros(1, 3, 28, 28)).shape
        minigrad.Size([1, 6, 28, 28])
        >>> conv
        Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    """

    cls_to_become = Conv2d

    def __init__(
        self,
        out_channels: int,
        kernel_size: _size_2_t,
        stride: _size_2_t = 1,
        padding: _size_2_t | str = 0,
        dilation: _size_2_t = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, dtype=dtype)
        self._make_lazy(out_channels, bias, dtype)


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """A ConvTranspose2d whose ``in_channels`` comes from its first input; then a ConvTranspose2d."""

    cls_to_become = ConvTranspose2d

    def __init__(
        self,
        out_channels: int,
        kernel_size: _size_2_t,
        stride: _size_2_t = 1,
        padding: _size_2_t = 0,
        output_padding: _size_2_t = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: _size_2_t = 1,
        padding_mode: str = "zeros",
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        super().__init__(
            0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation, padding_mode, dtype=dtype
        )
        self._make_lazy(out_channels, bias, dtype)
