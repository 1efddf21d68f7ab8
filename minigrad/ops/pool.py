"""Pooling ops: max_pool2d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d, max_unpool2d.

Notation: N batch, C channels, H W input size, OH OW output size, KH KW window.

The lowercase functions validate with PyTorch's rules and wording and compute the
output size; the Functions call ``minigrad_core.pool``. Every backward is itself a
Function with a backward, so gradients of gradients flow:

    MaxPool2dFunction          dx = MaxPoolScatter(g, indices)   (scatter-add through the arg max)
    MaxPoolScatterFunction     dg = MaxPoolGather(gg, indices)   (and the reverse)
    MaxUnpool2dFunction        dx = MaxPoolGather(g, indices)
    AvgPool2dFunction          dx = AvgPool2dBackward(g)
    AvgPool2dBackwardFunction  dg = AvgPool2d(gg)                (the adjoint of a linear map)
    AdaptiveAvgPool2d / its Backward alike; adaptive max pooling uses the max-pool pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from minigrad_core import pool as _kernels
from minigrad_core._check import empty as _empty  # np.empty with PyTorch's errors for impossible sizes

from ..autograd.function import Function
from ..tensor import Tensor
from ._args import (
    allocating,
    check_bool,
    check_floating,
    check_int,
    check_int64,
    check_tensor,
    conv_output_size,
    conv_transpose_output_size,
    ntuple,
    type_name,
)
from ._args import contiguous as _contiguous  # the short name the Functions use

if TYPE_CHECKING:
    from ._args import _size_1_t, _size_2_t

__all__ = [
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "max_unpool2d",
    "max_pool1d",
    "avg_pool1d",
]


def _array(value):
    """A saved value as an ndarray (an output saved for backward comes back as a Tensor)."""
    return value._array if isinstance(value, Tensor) else value


# ---- Functions ----------------------------------------------------------------------------


class MaxPool2dFunction(Function):
    """out, indices = max over each window;  dx = scatter-add of g through indices."""

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, dilation, out_size):
        ctx.kernel_size, ctx.stride, ctx.padding, ctx.dilation = kernel_size, stride, padding, dilation
        ctx.input_shape = x._array.shape
        xd = _contiguous(x._array)
        shape = xd.shape[:2] + tuple(out_size)
        out, indices = _empty(shape, dtype=xd.dtype), _empty(shape, dtype=np.int64)
        _kernels.max_pool2d_forward(xd, out, indices, kernel_size, stride, padding, dilation)
        ctx.save_for_backward(indices)
        return out, indices

    @staticmethod
    def backward(ctx, g, _indices_grad=None):
        indices = _array(ctx.saved_tensors[0])
        return MaxPoolScatterFunction.apply(g, indices, ctx.input_shape), None, None, None, None, None


class AdaptiveMaxPool2dFunction(Function):
    """out, indices = max over each adaptive window;  dx = scatter-add of g through indices."""

    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, output_size):
        ctx.output_size = output_size
        ctx.input_shape = x._array.shape
        xd = _contiguous(x._array)
        shape = xd.shape[:2] + tuple(output_size)
        out, indices = _empty(shape, dtype=xd.dtype), _empty(shape, dtype=np.int64)
        _kernels.adaptive_max_pool2d_forward(xd, out, indices)
        ctx.save_for_backward(indices)
        return out, indices

    @staticmethod
    def backward(ctx, g, _indices_grad=None):
        indices = _array(ctx.saved_tensors[0])
        return MaxPoolScatterFunction.apply(g, indices, ctx.input_shape), None


class MaxPoolScatterFunction(Function):
    """out[n, c].flat[indices] += g (zeros elsewhere), of shape out_shape;  dg = gather(gg, indices).

    The backward of max pooling (overlapping windows add up)."""

    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    graph_note = "scatter to argmax"

    @staticmethod
    def forward(ctx, g, indices, out_shape):
        ctx.save_for_backward(indices)
        out = np.empty(tuple(out_shape), dtype=g._array.dtype)
        _kernels.max_pool2d_backward(_contiguous(g._array), indices, out)
        return out

    @staticmethod
    def backward(ctx, gg):
        indices = _array(ctx.saved_tensors[0])
        return MaxPoolGatherFunction.apply(gg, indices), None, None


class MaxPoolGatherFunction(Function):
    """out[n, c, i, j] = x[n, c].flat[indices[n, c, i, j]];  dx = scatter-add of g."""

    graph_note = "gather at argmax"

    @staticmethod
    def forward(ctx, x, indices):
        ctx.save_for_backward(indices)
        ctx.input_shape = x._array.shape
        out = np.empty(indices.shape, dtype=x._array.dtype)
        _kernels.gather_planes(_contiguous(x._array), indices, out)
        return out

    @staticmethod
    def backward(ctx, g):
        indices = _array(ctx.saved_tensors[0])
        return MaxPoolScatterFunction.apply(g, indices, ctx.input_shape), None


class MaxUnpool2dFunction(Function):
    """out[n, c].flat[indices] = x (zeros elsewhere; a repeated index keeps the last value,
    as PyTorch's CPU kernel);  dx = gather(g, indices)."""

    node_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, indices, out_shape):
        ctx.save_for_backward(indices)
        N, C = out_shape[:2]
        out = np.zeros((N * C, out_shape[2] * out_shape[3]), dtype=x._array.dtype)
        np.put_along_axis(out, indices.reshape(N * C, -1), x._array.reshape(N * C, -1), axis=1)
        return out.reshape(out_shape)

    @staticmethod
    def backward(ctx, g):
        indices = _array(ctx.saved_tensors[0])
        return MaxPoolGatherFunction.apply(g, indices), None, None


class AvgPool2dFunction(Function):
    """out = the mean of each window (PyTorch's divisor rules);  dx = AvgPool2dBackward(g)."""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, count_include_pad, divisor_override, out_size):
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        ctx.count_include_pad, ctx.divisor_override = count_include_pad, divisor_override
        ctx.input_shape = x._array.shape
        xd = _contiguous(x._array)
        out = _empty(xd.shape[:2] + tuple(out_size), dtype=xd.dtype)
        _kernels.avg_pool2d_forward(xd, out, kernel_size, stride, padding, count_include_pad, divisor_override or 0)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = AvgPool2dBackwardFunction.apply(
            g, ctx.kernel_size, ctx.stride, ctx.padding, ctx.count_include_pad, ctx.divisor_override, ctx.input_shape
        )
        return gx, None, None, None, None, None, None


class AvgPool2dBackwardFunction(Function):
    """dx = the adjoint of average pooling applied to g;  dg = avg_pool2d(gg)."""

    node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, kernel_size, stride, padding, count_include_pad, divisor_override, input_shape):
        ctx.kernel_size, ctx.stride, ctx.padding = kernel_size, stride, padding
        ctx.count_include_pad, ctx.divisor_override = count_include_pad, divisor_override
        ctx.out_size = g._array.shape[2:]
        out = np.empty(tuple(input_shape), dtype=g._array.dtype)
        _kernels.avg_pool2d_backward(
            _contiguous(g._array), out, kernel_size, stride, padding, count_include_pad, divisor_override or 0
        )
        return out

    @staticmethod
    def backward(ctx, gg):
        dg = AvgPool2dFunction.apply(
            gg, ctx.kernel_size, ctx.stride, ctx.padding, ctx.count_include_pad, ctx.divisor_override, ctx.out_size
        )
        return dg, None, None, None, None, None, None


class AdaptiveAvgPool2dFunction(Function):
    """out[i, j] = the mean over rows [floor(i*H/OH), ceil((i+1)*H/OH)) and the columns alike;
    dx = AdaptiveAvgPool2dBackward(g)."""

    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, output_size):
        ctx.output_size = output_size
        ctx.input_shape = x._array.shape
        xd = _contiguous(x._array)
        out = _empty(xd.shape[:2] + tuple(output_size), dtype=xd.dtype)
        _kernels.adaptive_avg_pool2d_forward(xd, out)
        return out

    @staticmethod
    def backward(ctx, g):
        return AdaptiveAvgPool2dBackwardFunction.apply(g, ctx.input_shape), None


class AdaptiveAvgPool2dBackwardFunction(Function):
    """dx = the adjoint of adaptive average pooling applied to g;  dg = adaptive_avg_pool2d(gg)."""

    node_name = "AdaptiveAvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, input_shape):
        ctx.output_size = g._array.shape[2:]
        out = np.empty(tuple(input_shape), dtype=g._array.dtype)
        _kernels.adaptive_avg_pool2d_backward(_contiguous(g._array), out)
        return out

    @staticmethod
    def backward(ctx, gg):
        return AdaptiveAvgPool2dFunction.apply(gg, ctx.output_size), None


# ---- validation ----------------------------------------------------------------------------
# The 1-d ops check their arguments as 1-d (messages name max_pool1d, sizes are single ints)
# and run on the 2-d Functions with a height-1 input.


def _check_input(op, input, nd=2):
    """A non-empty (N, C, *spatial) or unbatched float input as 4-D, and whether it was unbatched."""
    check_tensor(op, "input", input, 1)
    shape = input._array.shape
    if len(shape) not in (nd + 1, nd + 2) or 0 in shape[-nd - 1 :]:
        raise RuntimeError(
            f"{op}: non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input, "
            f"but got input of size: {list(shape)}"
        )
    check_floating(op, input)
    unbatched = len(shape) == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    return (x.unsqueeze(2) if nd == 1 else x), unbatched


def _window(op, kernel_size, stride, padding, dilation, nd=2):
    """kernel_size, stride (default kernel_size), padding and dilation as checked 2-d pairs."""
    kernel_size = ntuple(kernel_size, nd, "kernel_size", op)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel_size
    else:
        stride = ntuple(stride, nd, "stride", op)
    padding = ntuple(padding, nd, "padding", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if nd == 2 and min(kernel_size + stride + dilation) >= 1 and min(padding) >= 0:
        return kernel_size, stride, padding, dilation  # the common case: nothing to report
    for name, value, least, words in (
        ("kernel_size", kernel_size, 1, "kernel size should be greater than zero, but got kH: {} kW: {}"),
        ("stride", stride, 1, "stride should be greater than zero, but got dH: {} dW: {}"),
        ("dilation", dilation, 1, "dilation should be greater than zero, but got dilationH: {} dilationW: {}"),
        ("padding", padding, 0, op + ": padding must be non-negative, but got padH: {} padW: {}"),
    ):
        if min(value) < least and nd == 1:
            raise RuntimeError(
                f"{op}() {name} must be {'greater than zero' if least else 'non-negative'}, but got {value[0]}"
            )
        if min(value) < least:
            raise RuntimeError(words.format(*value))
    if nd == 1:
        return (1,) + kernel_size, (1,) + stride, (0,) + padding, (1,) + dilation
    return kernel_size, stride, padding, dilation


def _check_half_kernel(padding, kernel_size, dilation):
    """PyTorch's rule for max and average pooling: a window never lies wholly in the padding."""
    for p, k, d in zip(padding, kernel_size, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got "
                f"pad={p}, kernel_size={k} and dilation={d}"
            )


def _out_size(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    shape = x._array.shape
    out = (
        conv_output_size(shape[2], kernel_size[0], stride[0], padding[0], dilation[0], ceil_mode),
        conv_output_size(shape[3], kernel_size[1], stride[1], padding[1], dilation[1], ceil_mode),
    )
    if min(out) < 1:
        raise RuntimeError(
            f"{op}: Given input size: ({shape[1]}x{shape[2]}x{shape[3]}). Calculated "
            f"output size: ({shape[1]}x{out[0]}x{out[1]}). Output size is too small"
        )
    return out


def _max_pool(op, nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unbatched = _check_input(op, input, nd)
    kernel_size, stride, padding, dilation = _window(op, kernel_size, stride, padding, dilation, nd)
    ceil_mode = check_bool(op, "ceil_mode", ceil_mode)
    _check_half_kernel(padding, kernel_size, dilation)
    out_size = _out_size(op, x, kernel_size, stride, padding, dilation, ceil_mode)
    out, indices = MaxPool2dFunction.apply(x, kernel_size, stride, padding, dilation, out_size)
    if nd == 1:
        out, indices = out.squeeze(2), indices.squeeze(2)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def _avg_pool(op, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x, unbatched = _check_input(op, input, nd)
    kernel_size, stride, padding, dilation = _window(op, kernel_size, stride, padding, 1, nd)
    ceil_mode = check_bool(op, "ceil_mode", ceil_mode)
    count_include_pad = check_bool(op, "count_include_pad", count_include_pad)
    _check_half_kernel(padding, kernel_size, dilation)
    sign = 1
    if divisor_override is not None:
        divisor_override = check_int(op, "divisor_override", divisor_override)
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        # The kernels take a positive divisor: a negative one divides by its magnitude and negates.
        sign, divisor_override = (-1, -divisor_override) if divisor_override < 0 else (1, divisor_override)
    out_size = _out_size(op, x, kernel_size, stride, padding, dilation, ceil_mode)
    out = AvgPool2dFunction.apply(x, kernel_size, stride, padding, count_include_pad, divisor_override, out_size)
    if sign < 0:
        out = -out
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


# ---- public functions ---------------------------------------------------------------------


def max_pool2d(
    input: Tensor,
    kernel_size: _size_2_t,
    stride: _size_2_t | None = None,
    padding: _size_2_t = 0,
    dilation: _size_2_t = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max pooling over an NCHW (or CHW) input: the maximum of each window, per channel.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size: int or (KH, KW).
        stride: int or (sH, sW); default None, the kernel size.
        padding: implicit -inf padding on both sides, int or pair, at most half the kernel
            size; default 0.
        dilation: spacing between window elements, int or pair; default 1.
        ceil_mode: round the output size up (a last window may start in the input's
            remainder, never in the right padding); default False.
        return_indices: also return each maximum's offset in its H*W plane (int64), as
            :func:`max_unpool2d` takes it; default False.

    Shape:
        output: (N, C, OH, OW) or (C, OH, OW) with
        OH = floor((H + 2*pH - dH*(KH - 1) - 1) / sH) + 1 (ceil with ceil_mode), OW alike.

    Example:
        >>> F.max_pool2d(minigrad.arange(16.).reshape(1, 1, 4, 4), 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool2d(
    input: Tensor,
    kernel_size: _size_2_t,
    stride: _size_2_t | None = None,
    padding: _size_2_t = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling over an NCHW (or CHW) input: the mean of each window, per channel.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size: int or (KH, KW).
        stride: int or (sH, sW); default None, the kernel size.
        padding: implicit zero padding on both sides, int or pair, at most half the kernel;
            default 0.
        ceil_mode: round the output size up, as in :func:`max_pool2d`; default False.
        count_include_pad: count the zero padding in the divisor (default True); a
            ceil_mode window hanging past the padding still divides only by the part
            inside input + padding, as in PyTorch.
        divisor_override: divide every window's sum by this nonzero int instead; default
            None.

    Shape:
        output: (N, C, OH, OW) or (C, OH, OW) with OH = floor((H + 2*pH - KH) / sH) + 1 (ceil
        with ceil_mode), OW alike.

    Example:
        >>> F.avg_pool2d(minigrad.ones(1, 1, 3, 3), 2, padding=1).tolist()
        [[[[0.25, 0.5], [0.5, 1.0]]]]
        >>> F.avg_pool2d(minigrad.ones(1, 1, 3, 3), 2, padding=1, count_include_pad=False).tolist()
        [[[[1.0, 1.0], [1.0, 1.0]]]]
    """
    return _avg_pool(
        "avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def _adaptive_input(op, input, output_size):
    """``_check_input`` for the adaptive pools, which raise ValueError (as PyTorch's do)
    when the input has fewer than 3 dimensions and output_size is a sequence."""
    check_tensor(op, "input", input, 1)
    if input.ndim < 3 and isinstance(output_size, (tuple, list)):
        raise ValueError(f"{op}: input dimension should be at least 3, but got input of size: {list(input.shape)}")
    return _check_input(op, input)


def _adaptive_size(op, x, output_size):
    size = ntuple(output_size, 2, "output_size", op, none_ok=True)
    size = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(size))
    if min(size) < 0:
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal to 0 but received {list(size)}"
        )
    return size


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """2-D adaptive average pooling: window i spans [floor(i*H/OH), ceil((i+1)*H/OH)).

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        output_size: int or (OH, OW); None in a slot keeps the input's size.

    Shape:
        output: (N, C, OH, OW) or (C, OH, OW).

    Example:
        >>> F.adaptive_avg_pool2d(minigrad.arange(5.).reshape(1, 1, 1, 5), (1, 3)).tolist()
        [[[[0.5, 2.0, 3.5]]]]
    """
    x, unbatched = _adaptive_input("adaptive_avg_pool2d", input, output_size)
    size = _adaptive_size("adaptive_avg_pool2d", x, output_size)
    with allocating("adaptive_avg_pool2d", x.shape[:2] + size, x._array.dtype):
        out = AdaptiveAvgPool2dFunction.apply(x, size)
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool2d(
    input: Tensor, output_size: int | tuple[int | None, int | None], return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D adaptive max pooling over the windows of :func:`adaptive_avg_pool2d`.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        output_size: int or (OH, OW); None in a slot keeps the input's size.
        return_indices: also return each maximum's offset in its H*W plane (int64); default
            False.

    Shape:
        output: (N, C, OH, OW) or (C, OH, OW).

    Example:
        >>> F.adaptive_max_pool2d(minigrad.arange(5.).reshape(1, 1, 1, 5), (1, 2)).tolist()
        [[[[2.0, 4.0]]]]
    """
    x, unbatched = _adaptive_input("adaptive_max_pool2d", input, output_size)
    size = _adaptive_size("adaptive_max_pool2d", x, output_size)
    with allocating("adaptive_max_pool2d", x.shape[:2] + size, x._array.dtype):
        out, indices = AdaptiveMaxPool2dFunction.apply(x, size)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: _size_2_t,
    stride: _size_2_t | None = None,
    padding: _size_2_t = 0,
    output_size: Sequence[int] | None = None,
) -> Tensor:
    """The partial inverse of :func:`max_pool2d`: each value goes back to its arg max's place
    (from ``indices``), zeros elsewhere.

    Args:
        input: the pooled values, (N, C, H, W) or (C, H, W).
        indices: int64 offsets in each output plane, the input's shape, as
            ``max_pool2d(..., return_indices=True)`` returns them.
        kernel_size: the pooling's kernel size, int or pair.
        stride: the pooling's stride, int or pair; default None, the kernel size.
        padding: the pooling's padding, int or pair; default 0.
        output_size: (H, W) or (N, C, H, W) of the result, to pick among the sizes the
            pooling maps to the same size; default None (the formula below).

    Shape:
        output: (N, C, H_out, W_out) with H_out = (H - 1)*sH - 2*pH + KH, W_out alike, unless
        ``output_size`` is given.

    Example:
        >>> x = minigrad.arange(16.).reshape(1, 1, 4, 4)
        >>> out, idx = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(out, idx, 2)[0, 0, 1].tolist()
        [0.0, 5.0, 0.0, 7.0]
    """
    op = "max_unpool2d"
    x, unbatched = _check_input(op, input)
    check_tensor(op, "indices", indices, 2)
    if indices._array.dtype != np.int64:
        raise RuntimeError(f"{op}: elements in indices should be type int64 but got: {type_name(indices._array.dtype)}")
    idx = indices._array[None] if unbatched else indices._array
    if idx.shape != x.shape:
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(x.shape)}) but got indices tensor with shape: {list(idx.shape)}"
        )
    kernel_size, stride, padding, _ = _window(op, kernel_size, stride, padding, 1)
    default = tuple(
        conv_transpose_output_size(s, k, st, p, 1) for s, k, st, p in zip(x.shape[2:], kernel_size, stride, padding)
    )
    if output_size is None:
        size = tuple(check_int64(op, "output_size", n) for n in default)  # PyTorch's unpacking refuses the rest
    else:
        if isinstance(output_size, (tuple, list)) and len(output_size) not in (2, 4):
            raise ValueError(
                f"{op}: output_size should be a sequence containing 2 or 4 elements, "
                f"but it has a length of '{len(output_size)}'"
            )
        last_two = output_size[-2:] if isinstance(output_size, (tuple, list)) else output_size
        size = ntuple(last_two, 2, "output_size", op)
        if any(abs(s - d) >= st for s, d, st in zip(size, default, stride)):
            raise ValueError(
                f"invalid output_size {list(size)} (dim 0 must be between "
                f"{default[0] - stride[0]} and {default[0] + stride[0]})"
            )
    plane = size[0] * size[1]
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = int(idx.max()) if idx.max() >= plane else int(idx.min())
        raise RuntimeError(f"{op}: Found an invalid max index: {bad} (output volumes are of size {size[0]}x{size[1]})")
    with allocating(op, x.shape[:2] + size, x._array.dtype):
        out = MaxUnpool2dFunction.apply(x, np.ascontiguousarray(idx), x.shape[:2] + size)
    return out.squeeze(0) if unbatched else out


def max_pool1d(
    input: Tensor,
    kernel_size: _size_1_t,
    stride: _size_1_t | None = None,
    padding: _size_1_t = 0,
    dilation: _size_1_t = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """1-D max pooling over (N, C, L) or (C, L), on the 2-D kernel.

    Args:
        input: (N, C, L) or unbatched (C, L).
        kernel_size: int.
        stride: int; default None, the kernel size.
        padding: implicit -inf padding on both sides, at most half the kernel; default 0.
        dilation: spacing between window elements; default 1.
        ceil_mode: round the output length up; default False.
        return_indices: also return each maximum's position (int64); default False.

    Shape:
        output: (N, C, L_out), L_out = floor((L + 2*p - d*(K - 1) - 1) / s) + 1.

    Example:
        >>> F.max_pool1d(minigrad.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(
    input: Tensor,
    kernel_size: _size_1_t,
    stride: _size_1_t | None = None,
    padding: _size_1_t = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L), on the 2-D kernel.

    Args:
        input: (N, C, L) or unbatched (C, L).
        kernel_size: int.
        stride: int; default None, the kernel size.
        padding: implicit zero padding on both sides, at most half the kernel; default 0.
        ceil_mode: round the output length up; default False.
        count_include_pad: count the zero padding in the divisor; default True.

    Shape:
        output: (N, C, L_out), L_out = floor((L + 2*p - K) / s) + 1.

    Example:
        >>> F.avg_pool1d(minigrad.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[2., 1.]]])
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)
