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
        """Draw the weight and bias again as the constructor does: U(-k, k) with
        k = 1 / sqrt(fan_in), fan_in = (C_in / groups) * prod(kernel_size).

        Example:
            >>> conv = nn.Conv2d(2, 4, 3)
            >>> conv.reset_parameters()
            >>> bool((conv.weight.abs() <= 1 / (2 * 3 * 3) ** 0.5).all())
            True
        """
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
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.Conv2d(3, 8, 3, padding=1, bias=False)
            Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
        """
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
    """1-D convolution (cross-correlation, as in every framework) over (N, C_in, L) input.

    On the padded input, with c running over the channels of output channel o's group:

        out[n, o, l] = bias[o] + sum over c, k of weight[o, c, k] * x[n, c, l*stride + k*dilation]

    The weight (C_out, C_in / groups, K) and bias (C_out,) start from U(-k, k),
    k = 1 / sqrt(C_in / groups * K).

    Args:
        in_channels: C_in, channels of the input; divisible by ``groups``.
        out_channels: C_out, channels of the output (the number of filters); divisible by
            ``groups``.
        kernel_size: the filter size, an int.
        stride: the step of the filter, an int; default 1.
        padding: added on both sides, an int, or ``'valid'`` (none) or ``'same'`` (output size =
            input size, stride 1 only); default 0.
        dilation: the spacing between filter taps, an int; default 1.
        groups: split the channels into this many groups convolved separately (``groups`` =
            C_in is a depthwise convolution); default 1.
        bias: learn a bias per output channel; default True.
        padding_mode: ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or ``'circular'``.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (N, C_in, L) or (C_in, L); output: (N, C_out, L_out) or (C_out, L_out) with

            L_out = floor((L + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1.

    Example:
        >>> conv = nn.Conv1d(4, 8, kernel_size=3, padding=1)
        >>> conv(minigrad.ones(2, 4, 10)).shape
        minigrad.Size([2, 8, 10])
        >>> conv.weight.shape
        minigrad.Size([8, 4, 3])
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
        """Convolve ``input`` with the layer's filters (``F.conv1d``, after padding with ``padding_mode``).

        Args:
            input: (N, C_in, L) or (C_in, L).

        Example:
            >>> nn.Conv1d(2, 4, 3)(minigrad.ones(1, 2, 8)).shape
            minigrad.Size([1, 4, 6])
        """
        return self._conv_forward(input, F.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation, as in every framework) over (N, C_in, H, W) input.

    Each of the C_out filters (C_in / groups, KH, KW) slides over the (padded) input by
    ``stride`` and gives one output channel:

        out[n, o, i, j] = bias[o] + sum over c, u, v of weight[o, c, u, v] * x[n, c, i*sH + u*dH, j*sW + v*dW]

    The weight and bias start from U(-k, k), k = 1 / sqrt(C_in / groups * KH * KW), as in
    PyTorch. Parameters: C_out * (C_in / groups * KH * KW + 1) with the bias.

    Args:
        in_channels: C_in, channels of the input; divisible by ``groups``.
        out_channels: C_out, channels of the output (the number of filters); divisible by
            ``groups``.
        kernel_size: the filter size, an int or a pair (H, W).
        stride: the step of the filter, an int or a pair (H, W); default 1.
        padding: added on both sides, an int or a pair (H, W), or ``'valid'`` (none) or ``'same'`` (output size =
            input size, stride 1 only); default 0.
        dilation: the spacing between filter taps, an int or a pair (H, W); default 1.
        groups: split the channels into this many groups convolved separately (``groups`` =
            C_in is a depthwise convolution); default 1.
        bias: learn a bias per output channel; default True.
        padding_mode: ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or ``'circular'``.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (N, C_in, H, W) or (C_in, H, W); output: (N, C_out, H_out, W_out) or
        (C_out, H_out, W_out) with

            H_out = floor((H + 2*pH - dH*(KH - 1) - 1) / sH) + 1, W_out alike

        (with dilation 1, the notes' (N - F + 2P) / S + 1).

    Example:
        >>> conv = nn.Conv2d(1, 6, kernel_size=5)  # LeNet-5's first layer
        >>> conv(minigrad.zeros(1, 1, 32, 32)).shape
        minigrad.Size([1, 6, 28, 28])
        >>> sum(p.numel() for p in conv.parameters())  # 6 * (1*5*5 + 1)
        156
        >>> nn.Conv2d(3, 16, 3, stride=2, padding=1)(minigrad.zeros(2, 3, 32, 32)).shape
        minigrad.Size([2, 16, 16, 16])
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
        """Convolve ``input`` with the layer's filters (``F.conv2d``, after padding with ``padding_mode``).

        Args:
            input: (N, C_in, H, W) or (C_in, H, W).

        Example:
            >>> nn.Conv2d(3, 4, 3, padding=1, padding_mode='reflect')(minigrad.ones(3, 5, 5)).shape
            minigrad.Size([4, 5, 5])
        """
        return self._conv_forward(input, F.conv2d)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution: the gradient of :class:`Conv2d` with respect to its input,
    used to upsample (a "deconvolution", though it inverts only the shape).

    Each input pixel scatters a copy of the filter, scaled by its value, into the output at
    ``stride`` steps; overlapping copies add up. ``padding`` removes rows and columns from the
    output (it undoes a Conv2d's padding), ``output_padding`` adds them on one side to pick
    among the sizes a strided Conv2d maps to the same input size (or pass ``output_size=`` to
    the call). The weight is (C_in, C_out / groups, KH, KW).

    Args:
        in_channels: C_in, channels of the input; divisible by ``groups``.
        out_channels: C_out, channels of the output; divisible by ``groups``.
        kernel_size: the filter size, an int or a pair.
        stride: the upsampling step, an int or a pair; default 1.
        padding: rows and columns removed from each side of the output, an int or a pair;
            default 0.
        output_padding: rows and columns added at the bottom and right, an int or a pair
            smaller than the stride or the dilation; default 0.
        groups: channel groups, as in Conv2d; default 1.
        bias: learn a bias per output channel; default True.
        dilation: the spacing between filter taps, an int or a pair; default 1.
        padding_mode: only ``'zeros'`` (default).
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (N, C_in, H, W) or (C_in, H, W); output: (N, C_out, H_out, W_out) or
        (C_out, H_out, W_out) with

            H_out = (H - 1)*sH - 2*pH + dH*(KH - 1) + output_padding + 1, W_out alike.

    Example:
        >>> up = nn.ConvTranspose2d(8, 4, kernel_size=2, stride=2)
        >>> up(minigrad.ones(1, 8, 7, 7)).shape
        minigrad.Size([1, 4, 14, 14])
        >>> down = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        >>> x = minigrad.ones(1, 4, 8, 8)
        >>> back = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
        >>> back(down(x), output_size=x.shape).shape  # 7x7 or 8x8 both map to 4x4
        minigrad.Size([1, 4, 8, 8])
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
        """The transposed convolution of ``input`` (``F.conv_transpose2d``).

        Args:
            input: (N, C_in, H, W) or (C_in, H, W).
            output_size: optional (H_out, W_out) or (N, C_out, H_out, W_out), which sets
                ``output_padding`` for this call; default None.

        Example:
            >>> up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
            >>> up(minigrad.ones(1, 2, 4, 4)).shape, up(minigrad.ones(1, 2, 4, 4), output_size=(8, 8)).shape
            (minigrad.Size([1, 2, 7, 7]), minigrad.Size([1, 2, 8, 8]))
        """
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
        """Initialize the weight and bias as the eager layer does, once their shapes are known (no
        effect before).

        Example:
            >>> conv = nn.LazyConv2d(4, 3)
            >>> conv.reset_parameters()  # nothing to initialize yet
            >>> conv.has_uninitialized_params()
            True
        """
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: object) -> None:
        """Give the weight and bias their shapes from ``input``'s channels, then initialize them.

        Args:
            input: (N, C_in, *) or unbatched (C_in, *).
            args: the forward's other arguments (ignored).

        Example:
            >>> conv = nn.LazyConv2d(4, 3)
            >>> conv.initialize_parameters(minigrad.ones(1, 2, 5, 5))
            >>> conv.in_channels, conv.weight.shape
            (2, minigrad.Size([4, 2, 3, 3]))
        """
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
    """A Conv1d whose ``in_channels`` comes from its first input (N, C_in, L); then a Conv1d.

    Args:
        out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode: as
            in :class:`Conv1d`.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (N, C_in, L) or (C_in, L); output: (N, C_out, L_out) or (C_out, L_out), as in
        :class:`Conv1d`.

    Example:
        >>> conv = nn.LazyConv1d(8, kernel_size=3)
        >>> conv(minigrad.ones(2, 5, 10)).shape, conv.in_channels
        (minigrad.Size([2, 8, 8]), 5)
    """

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

    Args:
        out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode: as
            in :class:`Conv2d`.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (N, C_in, H, W) or (C_in, H, W); output: (N, C_out, H_out, W_out) or
        (C_out, H_out, W_out), as in :class:`Conv2d`.

    Example:
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
    """A ConvTranspose2d whose ``in_channels`` comes from its first input; then a
    ConvTranspose2d.

    Args:
        out_channels, kernel_size, stride, padding, output_padding: as in :class:`ConvTranspose2d`.
        groups, bias, dilation, padding_mode: as in :class:`ConvTranspose2d`.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (N, C_in, H, W) or (C_in, H, W); output: (N, C_out, H_out, W_out) or
        (C_out, H_out, W_out), as in :class:`ConvTranspose2d`.

    Example:
        >>> up = nn.LazyConvTranspose2d(4, kernel_size=2, stride=2)
        >>> up(minigrad.ones(1, 8, 5, 5)).shape, up.weight.shape
        (minigrad.Size([1, 4, 10, 10]), minigrad.Size([8, 4, 2, 2]))
    """

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
