"""Convolution ops: conv2d, conv1d, conv_transpose2d, unfold and fold.

Notation: N batch, C input channels, H W input size, O output channels, KH KW kernel
size, OH OW output size, G groups; weights are (O, C/G, KH, KW) for conv2d and
(C, O/G, KH, KW) for conv_transpose2d.

Three layers, one job each: the lowercase functions validate and normalize the
arguments with PyTorch's wording; the Functions make arrays contiguous, allocate outputs
and save what backward reads; the kernels in ``minigrad_core.conv`` only compute.

Backward the Chainer way (the notes' derivation, see docs/kernels.md): the input
gradient of a convolution is the upstream gradient convolved with the flipped kernel, a
transposed convolution; the weight gradient is the cross-correlation of the input with
the upstream gradient. The kernels compute the flipped-kernel convolution unless another
order of the same sum was measured at least 1.2x faster on the shape; the node records
which path its input gradient takes in ``graph_note`` (minigrad.backends.conv forces the
flipped-kernel convolution everywhere). The three Functions below are each other's backward, so
gradients of gradients flow through any of them:

    Conv2dFunction            dx = ConvTranspose2d(g, w),  dw = Conv2dWeight(x, g)
    ConvTranspose2dFunction   dx = Conv2d(g, w),           dw = Conv2dWeight(g, x)
    Conv2dWeightFunction      dx = ConvTranspose2d(g, gw), dg = Conv2d(x, gw)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad_core import conv as _kernels
from minigrad_core._check import empty as _empty  # np.empty with PyTorch's errors for impossible sizes

from .. import backends
from ..autograd.function import Function
from ..tensor import Tensor
from ._args import (
    allocating,
    check_floating,
    check_int,
    check_tensor,
    conv_transpose_output_size,
    ntuple,
    same_padding,
    type_name,
)
from ._args import contiguous as _contiguous  # the short names the Functions use
from ._args import conv_output_size as _conv_size

if TYPE_CHECKING:
    from ._args import _size_1_t, _size_2_t

__all__ = ["conv2d", "conv1d", "conv_transpose2d", "conv_transpose1d", "unfold", "fold"]


# ---- argument helpers -------------------------------------------------------------------


def _check_tensors(op, input, weight, bias):
    check_tensor(op, "input", input, 1)
    check_tensor(op, "weight", weight, 2)
    if bias is not None:
        check_tensor(op, "bias", bias, 3)


def _check_float_dtypes(op, input, weight, bias):
    """PyTorch's 'Input type (double) and weight type (float) should be the same'."""
    check_floating(op, input)
    dt = input._array.dtype
    if weight._array.dtype != dt:
        raise RuntimeError(
            f"Input type ({type_name(dt)}) and weight type ({type_name(weight._array.dtype)}) should be the same"
        )
    if bias is not None and bias._array.dtype != dt:
        raise RuntimeError(
            f"Input type ({type_name(dt)}) and bias type ({type_name(bias._array.dtype)}) should be the same"
        )


def _check_nonempty(op, input):
    """PyTorch's rule: an empty batch or channel dimension is fine, an empty spatial one is not."""
    shape = input._array.shape  # a plain tuple: Tensor.shape makes a Size on each call
    if shape[0] and shape[1] and 0 in shape[2:]:
        raise RuntimeError(
            f"{op}: Only zero batch or zero channel inputs are supported, but got input shape: {list(input.shape)}"
        )


def _check_hyper(stride, padding, dilation, groups):
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(dilation) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {dilation[0]} dilationW: {dilation[-1]}"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


# What each path of the kernels' conv_transpose2d computes, as the graph drawing shows it.
_PATH_NOTES = {
    "flipped": "flipped-kernel convolution",
    "winograd": "flipped-kernel convolution (by Winograd F(2x2, 3x3))",
    "depthwise": "flipped-kernel convolution (depthwise loops)",
    "col2im": "col2im of W^T g (measured >= 1.2x faster here)",
}


def _forced_path():
    """The path minigrad.backends.conv forces on conv_transpose2d, or None (the rule)."""
    return "flipped" if backends.conv.flipped_kernel_only else None


def _input_gradient_note(forced, x_shape, w_shape, out_shape, stride, padding, dilation, groups):
    """graph_note of a conv2d node: the path its input gradient will take."""
    (N, C, H, W), (O, _, KH, KW), (OH, OW) = x_shape, w_shape, out_shape[2:]
    path = forced or _kernels.conv_transpose2d_path(N, C, H, W, O, OH, OW, KH, KW, stride, padding, dilation, groups)
    return "input gradient: " + _PATH_NOTES[path]


# ---- Functions ----------------------------------------------------------------------------


class Conv2dFunction(Function):
    """out = conv2d(x, w) + b;  dx = conv_transpose2d(g, w),  dw = conv2d_weight(x, g),  db = sum g."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, groups):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.input_size, ctx.weight_shape = x._array.shape[2:], w._array.shape
        needs = ctx.needs_input_grad
        ctx.save_for_backward(x if needs[1] else None, w if needs[0] else None)
        xd, wd = _contiguous(x._array), _contiguous(w._array)
        N, _, H, W = xd.shape
        O, _, KH, KW = wd.shape
        out = _empty(
            (
                N,
                O,
                _conv_size(H, KH, stride[0], padding[0], dilation[0]),
                _conv_size(W, KW, stride[1], padding[1], dilation[1]),
            ),
            dtype=xd.dtype,
        )
        _kernels.conv2d_forward(
            xd, wd, None if b is None else _contiguous(b._array), out, stride, padding, dilation, groups
        )
        if needs[0]:  # what graph_note needs; the path is worked out only if someone reads it
            ctx._note_args = (_forced_path(), xd.shape, wd.shape, out.shape, stride, padding, dilation, groups)
        return out

    @property
    def graph_note(self):
        args = self.__dict__.get("_note_args")
        return None if args is None else _input_gradient_note(*args)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        needs = ctx.needs_input_grad
        hyper = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        gx = ConvTranspose2dFunction.apply(g, w, None, *hyper, ctx.input_size) if needs[0] else None
        gw = Conv2dWeightFunction.apply(x, g, ctx.weight_shape, *hyper) if needs[1] else None
        gb = g.sum((0, 2, 3)) if needs[2] else None
        return gx, gw, gb, None, None, None, None

    @staticmethod
    def mult_adds(args, outputs):
        """out.numel * C/G * KH * KW."""
        return outputs[0].numel() * int(np.prod(args[1].shape[1:]))


class ConvTranspose2dFunction(Function):
    """out = conv_transpose2d(x, w) + b, the flipped-kernel convolution, of spatial size
    out_size;  dx = conv2d(g, w),  dw = conv2d_weight(g, x),  db = sum g."""

    node_name = "ConvolutionBackward0"

    graph_note = "flipped-kernel convolution"

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, groups, out_size):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.input_size = x._array.shape[2:]
        ctx.weight_shape = w._array.shape
        needs = ctx.needs_input_grad
        ctx.save_for_backward(x if needs[1] else None, w if needs[0] else None)
        xd, wd = _contiguous(x._array), _contiguous(w._array)
        out = _empty((xd.shape[0], wd.shape[1] * groups) + tuple(out_size), dtype=xd.dtype)
        path = _kernels.conv_transpose2d(
            xd,
            wd,
            None if b is None else _contiguous(b._array),
            out,
            stride,
            padding,
            dilation,
            groups,
            path=_forced_path(),
        )
        ctx.graph_note = _PATH_NOTES[path]
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        needs = ctx.needs_input_grad
        hyper = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        gx = gw = gb = None
        if needs[0]:
            gx = Conv2dFunction.apply(g, w, None, *hyper)
            H, W = ctx.input_size
            if gx.shape[2:] != (H, W):  # output_padding >= stride: rows no output reads
                gx = gx[:, :, :H, :W]
        if needs[1]:
            gw = Conv2dWeightFunction.apply(g, x, ctx.weight_shape, *hyper)
        if needs[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb, None, None, None, None, None

    @staticmethod
    def mult_adds(args, outputs):
        """x.numel * O/G * KH * KW (w is (C, O/G, KH, KW))."""
        return args[0].numel() * int(np.prod(args[1].shape[1:]))


class Conv2dWeightFunction(Function):
    """gw = the cross-correlation of x with g (conv2d's weight gradient);
    dx = conv_transpose2d(g, ggw),  dg = conv2d(x, ggw)."""

    graph_note = "cross-correlation x * g"

    @staticmethod
    def forward(ctx, x, g, weight_shape, stride, padding, dilation, groups):
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx.input_size, ctx.grad_size = x._array.shape[2:], g._array.shape[2:]
        needs = ctx.needs_input_grad
        ctx.save_for_backward(x if needs[1] else None, g if needs[0] else None)
        xd, gd = _contiguous(x._array), _contiguous(g._array)
        gw = np.empty(tuple(weight_shape), dtype=xd.dtype)
        hw = (
            _conv_size(xd.shape[2], weight_shape[2], stride[0], padding[0], dilation[0]),
            _conv_size(xd.shape[3], weight_shape[3], stride[1], padding[1], dilation[1]),
        )
        if gd.shape[2:] != hw:
            # g is a conv_transpose2d input whose output_padding >= stride: the conv of x
            # has rows the transposed conv never reads, which get no weight
            gd = np.pad(gd, ((0, 0), (0, 0), (0, hw[0] - gd.shape[2]), (0, hw[1] - gd.shape[3])))
        _kernels.conv2d_backward_weight(xd, gd, gw, stride, padding, dilation, groups)
        return gw

    @staticmethod
    def backward(ctx, ggw):
        x, g = ctx.saved_tensors
        needs = ctx.needs_input_grad
        hyper = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        gx = ConvTranspose2dFunction.apply(g, ggw, None, *hyper, ctx.input_size) if needs[0] else None
        gg = None
        if needs[1]:
            gg = Conv2dFunction.apply(x, ggw, None, *hyper)
            H, W = ctx.grad_size
            if gg.shape[2:] != (H, W):  # the rows cut in forward (see above)
                gg = gg[:, :, :H, :W]
        return gx, gg, None, None, None, None, None

    @staticmethod
    def mult_adds(args, outputs):
        """gw.numel * N * OH * OW (g, the second argument, is (N, O, OH, OW))."""
        g = args[1].shape
        return outputs[0].numel() * g[0] * int(np.prod(g[2:]))


class UnfoldFunction(Function):
    """cols = im2col(x), (N, C*KH*KW, L);  dx = fold(g)."""

    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, kernel_size, dilation, padding, stride):
        ctx.kernel_size, ctx.dilation, ctx.padding, ctx.stride = kernel_size, dilation, padding, stride
        ctx.input_size = x._array.shape[2:]
        xd = _contiguous(x._array)
        N, C, H, W = xd.shape
        L = _conv_size(H, kernel_size[0], stride[0], padding[0], dilation[0]) * _conv_size(
            W, kernel_size[1], stride[1], padding[1], dilation[1]
        )
        out = _empty((N, C * kernel_size[0] * kernel_size[1], L), dtype=xd.dtype)
        _kernels.im2col(xd, out, kernel_size, stride, padding, dilation)
        return out

    @staticmethod
    def backward(ctx, g):
        return (
            FoldFunction.apply(g, ctx.input_size, ctx.kernel_size, ctx.dilation, ctx.padding, ctx.stride),
            None,
            None,
            None,
            None,
        )


class FoldFunction(Function):
    """x = col2im(cols), the sum of overlapping patches;  dcols = unfold(g)."""

    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, output_size, kernel_size, dilation, padding, stride):
        ctx.output_size, ctx.kernel_size = output_size, kernel_size
        ctx.dilation, ctx.padding, ctx.stride = dilation, padding, stride
        cd = _contiguous(cols._array)
        N, CK, _ = cd.shape
        out = _empty((N, CK // (kernel_size[0] * kernel_size[1])) + tuple(output_size), dtype=cd.dtype)
        _kernels.col2im(cd, out, kernel_size, stride, padding, dilation)
        return out

    @staticmethod
    def backward(ctx, g):
        return (
            UnfoldFunction.apply(g, ctx.kernel_size, ctx.dilation, ctx.padding, ctx.stride),
            None,
            None,
            None,
            None,
            None,
        )


# ---- public functions ---------------------------------------------------------------------


def _pair(value):
    """An int or a tuple of two ints (not bools) in the int64 range as a pair; else None."""
    if type(value) is int:
        return (value, value) if -(2**63) <= value < 2**63 else None
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return value if -(2**63) <= min(value) and max(value) < 2**63 else None
    return None


def _plain_conv2d(input, weight, bias, stride, padding, dilation, groups):
    """What ``_conv_nd`` returns for a batched conv2d call that passes every check, with
    hyper-parameters as ints or pairs of ints; None for any other call, which then takes
    the general path (the one that words the errors)."""
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    if stride is None or padding is None or dilation is None or type(groups) is not int:
        return None
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor) and (bias is None or isinstance(bias, Tensor))):
        return None
    x, w = input._array, weight._array
    if len(x.shape) != 4 or len(w.shape) != 4 or x.dtype not in _FLOATS or w.dtype != x.dtype:
        return None
    (_, C, H, W), (O, Cg, KH, KW) = x.shape, w.shape
    if not (0 < groups < 2**63 and min(stride) > 0 and min(dilation) > 0 and min(padding) >= 0):
        return None
    if not H or not W or O % groups or C != Cg * groups:
        return None
    if bias is not None and (bias._array.shape != (O,) or bias._array.dtype != x.dtype):
        return None
    if dilation[0] * (KH - 1) >= H + 2 * padding[0] or dilation[1] * (KW - 1) >= W + 2 * padding[1]:
        return None  # the kernel does not fit the padded input
    return input, weight, bias, stride, padding, dilation, groups, False


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _conv_nd(op, input, weight, bias, stride, padding, dilation, groups, nd):
    """Validate a conv{nd}d call; return input, weight, bias and hyper-parameters as 2-D."""
    if nd == 2:
        plain = _plain_conv2d(input, weight, bias, stride, padding, dilation, groups)
        if plain is not None:
            return plain
    _check_tensors(op, input, weight, bias)
    groups = check_int(op, "groups", groups)
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        pad_pairs = [(0, 0)] * nd if padding == "valid" else None
    else:
        pad_pairs = [(p, p) for p in ntuple(padding, nd, "padding", op)]
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, "
            f"but got input of size: {list(input.shape)}"
        )
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
            f"{list(input.shape)}, but got {weight.ndim}-dimensional weight of size "
            f"{list(weight.shape)} instead"
        )
    _check_hyper(stride, [p for pair in (pad_pairs or []) for p in pair] or [0], dilation, groups)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    _check_nonempty(op, input)
    _check_float_dtypes(op, input, weight, bias)
    x_shape, w_shape = input._array.shape, weight._array.shape  # plain tuples (Tensor.shape makes a Size)
    C, O = x_shape[1], w_shape[0]
    if O % groups != 0:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(weight.shape)} instead"
        )
    if C != w_shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, "
            f"but got {C} channels instead"
        )
    if bias is not None and (bias.ndim != 1 or bias._array.shape[0] != O):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be "
            f"1-dimensional with {O} elements, but got bias of size "
            f"{list(bias.shape)} instead"
        )
    kernel = w_shape[2:]
    if pad_pairs is None:
        if any(s != 1 for s in stride):  # PyTorch's functional conv raises RuntimeError, its layers ValueError
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pad_pairs = same_padding(kernel, stride, dilation)
    spatial = x_shape[2:]
    padded = [s + lo + hi for s, (lo, hi) in zip(spatial, pad_pairs)]
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(e > p for e, p in zip(effective, padded)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be "
            f"greater than actual input size"
        )
    if any(lo != hi for lo, hi in pad_pairs):  # 'same' with an odd total: pad the extra first
        from .padding import pad

        extra = []
        for lo, hi in reversed(pad_pairs):
            extra += [0, hi - lo]
        input = pad(input, tuple(extra))
    padding = tuple(lo for lo, _ in pad_pairs)
    if nd == 1:
        input, weight = input.unsqueeze(2), weight.unsqueeze(2)
        stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
    return input, weight, bias, stride, padding, dilation, groups, unbatched


def _conv_out_shape(x, w, stride, padding, dilation):
    """(N, O, OH, OW) of the convolution of 4-D x and w."""
    x_shape, w_shape = x._array.shape, w._array.shape
    spatial = zip(x_shape[2:], w_shape[2:], stride, padding, dilation)
    return (x_shape[0], w_shape[0]) + tuple(_conv_size(*args) for args in spatial)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: _size_2_t = 1,
    padding: _size_2_t | str = 0,
    dilation: _size_2_t = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (the cross-correlation of the notes) over an NCHW input.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        weight: (O, C / groups, KH, KW).
        bias: optional (O,).
        stride, dilation: int or (sH, sW); default 1.
        padding: int, (pH, pW), 'valid' (no padding) or 'same' (output size = input size,
            stride 1 only; an odd total pads the extra row/column at the bottom/right).
        groups: split the channels into groups convolved separately; default 1.

    Shape:
        OH = floor((H + 2*pH - dH*(KH - 1) - 1) / sH) + 1, OW alike.

    Example:
        >>> import minigrad, minigrad.nn.functional as F
        >>> F.conv2d(minigrad.ones(1, 1, 5, 5), minigrad.ones(1, 1, 3, 3), padding=1, stride=2).shape
        minigrad.Size([1, 1, 3, 3])
    """
    x, w, b, stride, padding, dilation, groups, unbatched = _conv_nd(
        "conv2d", input, weight, bias, stride, padding, dilation, groups, 2
    )
    with allocating("conv2d", _conv_out_shape(x, w, stride, padding, dilation), x._array.dtype):
        out = Conv2dFunction.apply(x, w, b, stride, padding, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: _size_1_t = 1,
    padding: _size_1_t | str = 0,
    dilation: _size_1_t = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution over (N, C, L) or (C, L), on the 2-D kernels (a height-1 image).

    Args:
        input: (N, C, L) or unbatched (C, L).
        weight: (O, C / groups, K).
        bias: optional (O,); default None.
        stride: int or (s,); default 1.
        padding: int, (p,), ``'valid'`` (no padding) or ``'same'`` (output length = input
            length, stride 1 only); default 0.
        dilation: int or (d,); default 1.
        groups: split the channels into groups convolved separately; default 1.

    Shape:
        output: (N, O, L_out) or (O, L_out), L_out = floor((L + 2*p - d*(K - 1) - 1) / s) + 1.

    Example:
        >>> F.conv1d(minigrad.ones(2, 3, 10), minigrad.ones(4, 3, 3), padding="same").shape
        minigrad.Size([2, 4, 10])
    """
    x, w, b, stride, padding, dilation, groups, unbatched = _conv_nd(
        "conv1d", input, weight, bias, stride, padding, dilation, groups, 1
    )
    with allocating("conv1d", _conv_out_shape(x, w, stride, padding, dilation), x._array.dtype):
        out = Conv2dFunction.apply(x, w, b, stride, padding, dilation, groups).squeeze(2)
    return out.squeeze(0) if unbatched else out


def _conv_transpose_nd(op, input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    _check_tensors(op, input, weight, bias)
    groups = check_int(op, "groups", groups)
    stride = ntuple(stride, nd, "stride", op)
    padding = ntuple(padding, nd, "padding", op)
    output_padding = ntuple(output_padding, nd, "output_padding", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, "
            f"but got input of size: {list(input.shape)}"
        )
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
            f"{list(input.shape)}, but got {weight.ndim}-dimensional weight of size "
            f"{list(weight.shape)} instead"
        )
    _check_hyper(stride, padding, dilation, groups)
    if min(output_padding) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if any(op_ >= max(s, d) for op_, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(f"output_padding_{n}: {v}" for n, v in zip(("height", "width")[-nd:], output_padding))
            + " "
            + " ".join(f"stride_{n}: {v}" for n, v in zip(("height", "width")[-nd:], stride))
            + " "
            + " ".join(f"dilation_{n}: {v}" for n, v in zip(("height", "width")[-nd:], dilation))
        )
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    _check_nonempty(op, input)
    _check_float_dtypes(op, input, weight, bias)
    C = input.shape[1]
    if C != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {weight.shape[0]} channels, but got "
            f"{C} channels instead"
        )
    if weight.shape[0] % groups != 0:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(weight.shape)} instead"
        )
    O = weight.shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != O):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected bias "
            f"to be 1-dimensional with {O} elements, but got bias of size "
            f"{list(bias.shape)} instead"
        )
    kernel = weight.shape[2:]
    out_size = tuple(
        conv_transpose_output_size(*args)
        for args in zip(input.shape[2:], kernel, stride, padding, dilation, output_padding)
    )
    if min(out_size) <= 0:
        raise RuntimeError(
            f"{op}: Given input size per channel: ({' x '.join(map(str, input.shape[2:]))}). "
            f"Calculated output size per channel: ({' x '.join(map(str, out_size))}). "
            f"Output size is too small"
        )
    if nd == 1:
        input, weight = input.unsqueeze(2), weight.unsqueeze(2)
        stride, padding, dilation, out_size = (1,) + stride, (0,) + padding, (1,) + dilation, (1,) + out_size
    return input, weight, bias, stride, padding, dilation, groups, out_size, unbatched


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: _size_2_t = 1,
    padding: _size_2_t = 0,
    output_padding: _size_2_t = 0,
    groups: int = 1,
    dilation: _size_2_t = 1,
) -> Tensor:
    """2-D transposed convolution: the input gradient of conv2d, i.e. the convolution of the
    input with the flipped kernel (sometimes called deconvolution).

    Args:
        input: (N, C, H, W) or (C, H, W).
        weight: (C, O / groups, KH, KW).
        bias: optional (O,); default None.
        stride, padding, dilation: those of the conv2d this one transposes, int or pair;
            defaults 1, 0, 1.
        output_padding: extra rows/columns at the bottom/right (< stride or dilation),
            to choose among the input sizes a strided conv2d maps to the same output size;
            default 0.
        groups: channel groups: input channel group g feeds output channel group g;
            default 1.

    Shape:
        OH = (H - 1)*sH - 2*pH + dH*(KH - 1) + output_padding_H + 1, OW alike.

    Example:
        >>> F.conv_transpose2d(minigrad.ones(1, 1, 3, 3), minigrad.ones(1, 1, 3, 3), stride=2, padding=1).shape
        minigrad.Size([1, 1, 5, 5])
        >>> x, w = minigrad.randn(1, 2, 5, 5), minigrad.randn(3, 2, 3, 3)
        >>> y = F.conv2d(x, w, stride=2)  # (1, 3, 2, 2); conv_transpose2d maps back to 5x5
        >>> F.conv_transpose2d(y, w, stride=2).shape
        minigrad.Size([1, 2, 5, 5])
    """
    x, w, b, stride, padding, dilation, groups, out_size, unbatched = _conv_transpose_nd(
        "conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups, dilation, 2
    )
    with allocating("conv_transpose2d", x.shape[:1] + (w.shape[1] * groups,) + out_size, x._array.dtype):
        out = ConvTranspose2dFunction.apply(x, w, b, stride, padding, dilation, groups, out_size)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: _size_1_t = 1,
    padding: _size_1_t = 0,
    output_padding: _size_1_t = 0,
    groups: int = 1,
    dilation: _size_1_t = 1,
) -> Tensor:
    """1-D transposed convolution over (N, C, L) or (C, L): the input gradient of conv1d.

    Args:
        input: (N, C, L) or unbatched (C, L).
        weight: (C, O / groups, K).
        bias: optional (O,); default None.
        stride: int or (s,); default 1.
        padding: int or (p,), the padding of the conv1d this one transposes; default 0.
        output_padding: extra positions at the end (< stride or dilation); default 0.
        groups: channel groups; default 1.
        dilation: int or (d,); default 1.

    Shape:
        output: (N, O, L_out), L_out = (L - 1)*s - 2*p + d*(K - 1) + output_padding + 1.

    Example:
        >>> F.conv_transpose1d(minigrad.ones(1, 4, 5), minigrad.ones(4, 2, 2), stride=2).shape
        minigrad.Size([1, 2, 10])
    """
    x, w, b, stride, padding, dilation, groups, out_size, unbatched = _conv_transpose_nd(
        "conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups, dilation, 1
    )
    with allocating("conv_transpose1d", x.shape[:1] + (w.shape[1] * groups,) + out_size, x._array.dtype):
        out = ConvTranspose2dFunction.apply(x, w, b, stride, padding, dilation, groups, out_size).squeeze(2)
    return out.squeeze(0) if unbatched else out


def _window_args(op, kernel_size, dilation, padding, stride):
    kernel_size = ntuple(kernel_size, 2, "kernel_size", op)
    dilation = ntuple(dilation, 2, "dilation", op)
    padding = ntuple(padding, 2, "padding", op)
    stride = ntuple(stride, 2, "stride", op)
    if min(kernel_size) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: "
            f"{kernel_size[0]} kernel_width: {kernel_size[1]}"
        )
    if min(stride) <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {stride[0]} stride_width: {stride[1]}"
        )
    if min(dilation) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: "
            f"{dilation[0]} dilation_width: {dilation[1]}"
        )
    if min(padding) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} pad_width: {padding[1]}")
    return kernel_size, dilation, padding, stride


def unfold(
    input: Tensor, kernel_size: _size_2_t, dilation: _size_2_t = 1, padding: _size_2_t = 0, stride: _size_2_t = 1
) -> Tensor:
    """Extract sliding local blocks (im2col): (N, C, H, W) -> (N, C*KH*KW, L).

    Column l holds the C*KH*KW input values under the l-th position of the window (row-major
    over the output grid), so a convolution becomes one matrix product:
    ``weight.reshape(O, -1) @ unfold(x, k)`` is ``conv2d(x, weight)`` flattened.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size: the block size, int or (KH, KW).
        dilation: spacing between block elements, int or pair; default 1.
        padding: zero padding on both sides, int or pair; default 0.
        stride: step between blocks, int or pair; default 1.

    Shape:
        output: (N, C*KH*KW, L) or (C*KH*KW, L), where L, the number of blocks, is the product
        over H and W of floor((size + 2*p - d*(k - 1) - 1) / s) + 1.

    Example:
        >>> F.unfold(minigrad.ones(1, 2, 4, 4), kernel_size=2).shape
        minigrad.Size([1, 8, 9])
        >>> x, w = minigrad.randn(1, 2, 4, 4), minigrad.randn(3, 2, 2, 2)
        >>> as_matmul = (w.reshape(3, -1) @ F.unfold(x, 2)).reshape(1, 3, 3, 3)
        >>> bool(minigrad.allclose(as_matmul, F.conv2d(x, w), atol=1e-5))
        True
    """
    check_tensor("unfold", "input", input, 1)
    kernel_size, dilation, padding, stride = _window_args("unfold", kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    if 0 in input.shape[-3:]:
        raise RuntimeError(
            f"unfold: expected 3D or 4D (batch mode) input with possibly 0 batch size and other "
            f"non-zero dimensions, but got input of size: {list(input.shape)}"
        )
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    check_floating("unfold", x)
    blocks = [_conv_size(s, k, st, p, d) for s, k, st, p, d in zip(x.shape[2:], kernel_size, stride, padding, dilation)]
    if min(blocks) < 1:
        raise RuntimeError(
            f"unfold: Given input with spatial size ({x.shape[2]}, {x.shape[3]}), "
            f"kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
            f"calculated shape of the array of sliding blocks as ({blocks[0]}, "
            f"{blocks[1]}), but its components must be at least one."
        )
    rows = x.shape[1] * kernel_size[0] * kernel_size[1]
    with allocating("unfold", (x.shape[0], rows, blocks[0] * blocks[1]), x._array.dtype):
        out = UnfoldFunction.apply(x, kernel_size, dilation, padding, stride)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Tensor,
    output_size: _size_2_t,
    kernel_size: _size_2_t,
    dilation: _size_2_t = 1,
    padding: _size_2_t = 0,
    stride: _size_2_t = 1,
) -> Tensor:
    """Combine sliding local blocks into a tensor, summing overlaps (col2im), the adjoint of
    :func:`unfold`: (N, C*KH*KW, L) -> (N, C, *output_size).

    Args:
        input: (N, C*KH*KW, L) or unbatched (C*KH*KW, L).
        output_size: the spatial size (H, W) of the result, int or pair.
        kernel_size: the block size, int or (KH, KW).
        dilation: spacing between block elements, int or pair; default 1.
        padding: zero padding on both sides (cropped from the result), int or pair; default 0.
        stride: step between blocks, int or pair; default 1.

    Shape:
        output: (N, C, H, W) or (C, H, W); L must equal the number of blocks that
        :func:`unfold` would extract from (H, W).

    Example:
        >>> F.fold(minigrad.ones(1, 4, 9), output_size=(4, 4), kernel_size=2)[0, 0, 1].tolist()
        [2.0, 4.0, 4.0, 2.0]
    """
    check_tensor("fold", "input", input, 1)
    output_size = ntuple(output_size, 2, "output_size", "fold")
    kernel_size, dilation, padding, stride = _window_args("fold", kernel_size, dilation, padding, stride)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {input.ndim}D)"
        )
    if 0 in input.shape[-2:]:
        raise RuntimeError(
            f"fold: expected 2D or 3D (batch mode) input with possibly 0 batch size and other "
            f"non-zero dimensions, but got input of size: {list(input.shape)}"
        )
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    check_floating("fold", x)
    kk = kernel_size[0] * kernel_size[1]
    if x.shape[1] % kk != 0:
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and "
            f"kernel_size={kernel_size}"
        )
    blocks = [_conv_size(s, k, st, p, d) for s, k, st, p, d in zip(output_size, kernel_size, stride, padding, dilation)]
    if min(blocks) < 1 or x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"Given output_size={output_size}, kernel_size={kernel_size}, "
            f"dilation={dilation}, padding={padding}, stride={stride}, expected size "
            f"of input's dimension 2 to match the calculated number of sliding blocks "
            f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={x.shape[2]}."
        )
    with allocating("fold", (x.shape[0], x.shape[1] // kk) + output_size, x._array.dtype):
        out = FoldFunction.apply(x, output_size, kernel_size, dilation, padding, stride)
    return out.squeeze(0) if unbatched else out
