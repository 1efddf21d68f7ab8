"""Padding: ``pad(input, pad, mode='constant'|'reflect'|'replicate'|'circular', value=0)``.

``pad`` lists (left, right) amounts starting from the last dimension, as in PyTorch:
``(1, 1, 2, 0)`` pads the last dim by 1 on both sides and the one before by 2 on top.

Constant padding copies the input into a filled array (negative amounts crop); its
backward is a slice of the gradient. The other modes are a gather along each padded
dimension through an index map (reflect: mirror without repeating the edge; replicate:
clamp to the edge; circular: wrap around; a negative amount maps fewer positions, a
crop); their backward is the scatter-add through the same maps, whose own backward is
the gather again.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._args import allocating, check_float, check_str, check_tensor, int_sequence, type_name

__all__ = ["pad"]


class ConstantPadFunction(Function):
    """out = x placed in an array filled with value (negative pads crop);  dx = g sliced."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pairs, value):
        ctx.pad, ctx.value = pairs, value
        ctx.input_shape = x._array.shape
        data = x._array
        lead = data.ndim - len(pairs)
        crop = (slice(None),) * lead + tuple(
            slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, data.shape[lead:])
        )
        data = data[crop]
        widths = [(0, 0)] * lead + [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        return np.pad(data, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        lead = g.ndim - len(ctx.pad)
        inner = tuple(slice(max(lo, 0), g.shape[lead + i] - max(hi, 0)) for i, (lo, hi) in enumerate(ctx.pad))
        gx = g[(slice(None),) * lead + inner]
        if any(lo < 0 or hi < 0 for lo, hi in ctx.pad):  # cropped: zeros where x was cut
            gx = ConstantPadFunction.apply(gx, tuple((max(-lo, 0), max(-hi, 0)) for lo, hi in ctx.pad), 0.0)
        return gx, None, None


def _index_map(mode, size, lo, hi):
    """Input index of each output position along one dimension."""
    j = np.arange(-lo, size + hi)
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    if mode == "circular":
        return np.mod(j, size)
    period = 2 * (size - 1)  # reflect
    if period == 0:
        return np.zeros_like(j)
    j = np.mod(j, period)
    return np.where(j < size, j, period - j)


class IndexPadFunction(Function):
    """out = x gathered along the last dims through index maps;  dx = IndexPadBackward(g)."""

    @staticmethod
    def forward(ctx, x, maps, mode):
        ctx.mode = mode
        ctx.maps = maps
        ctx.input_shape = x._array.shape
        out = x._array
        lead = out.ndim - len(maps)
        for i, m in enumerate(maps):
            out = np.take(out, m, axis=lead + i)
        return out

    @staticmethod
    def backward(ctx, g):
        return IndexPadBackwardFunction.apply(g, ctx.maps, ctx.input_shape), None, None


class IndexPadBackwardFunction(Function):
    """dx = g scatter-added back through the index maps;  dg = IndexPad(gg)."""

    @staticmethod
    def forward(ctx, g, maps, input_shape):
        ctx.maps = maps
        out = g._array
        lead = out.ndim - len(maps)
        for i in reversed(range(len(maps))):
            axis = lead + i
            moved = np.moveaxis(out, axis, 0)
            acc = np.zeros((input_shape[axis],) + moved.shape[1:], dtype=out.dtype)
            np.add.at(acc, maps[i], moved)
            out = np.moveaxis(acc, 0, axis)
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, gg):
        return IndexPadFunction.apply(gg, ctx.maps, "adjoint"), None, None


def _fits(value, dtype):
    """Whether the fill value converts to ``dtype`` as PyTorch allows: any value to bool, a
    finite one whose integer part is in range to an integer dtype, and to a float dtype a
    value within its range or an infinity or NaN."""
    kind = np.dtype(dtype).kind
    if kind in "iu":
        info = np.iinfo(dtype)
        return math.isfinite(value) and info.min <= int(value) <= info.max
    if kind == "f":
        return not math.isfinite(value) or abs(value) <= float(np.finfo(dtype).max)
    return True


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dimensions of input.

    Args:
        input: a tensor of any shape; 'reflect', 'replicate' and 'circular' pad at most the
            last 3 dimensions of a batched (N, C, ...) or unbatched (C, ...) input.
        pad: (left, right) pairs from the last dimension backwards, e.g.
            (pad_left, pad_right, pad_top, pad_bottom).
        mode: 'constant' (fill with value, default 0), 'reflect' (mirror, the edge not
            repeated; each amount < that dimension's size), 'replicate' (repeat the edge)
            or 'circular' (wrap around). Negative amounts crop, except in 'circular'.
        value: the fill of 'constant' mode; default None (0).

    Shape:
        output: the input's shape with each padded dimension grown by its two amounts.

    Example:
        >>> F.pad(minigrad.tensor([[[1., 2., 3.]]]), (2, 1), mode='reflect').tolist()
        [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
        >>> F.pad(minigrad.ones(1, 2, 2), (1, 1, 0, 1)).shape
        minigrad.Size([1, 3, 4])
    """
    check_tensor("pad", "input", input, 1)
    pad = int_sequence(pad, "pad", "pad")
    mode = check_str("pad", "mode", mode)
    if value is not None:
        value = check_float("pad", "value", value)
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input "
            "dimension but got padding length {} and input of dimension {}".format(len(pad), input.ndim)
        )
    k = len(pad) // 2
    # pairs in dimension order (first padded dim first)
    pairs = tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in reversed(range(k)))
    sizes = input.shape[input.ndim - k :]
    out_shape = input.shape[: input.ndim - k] + tuple(n + lo + hi for (lo, hi), n in zip(pairs, sizes))
    if mode == "constant":
        for (lo, hi), n in zip(pairs, sizes):
            if n + lo + hi < 0 or (n + min(lo, 0) + min(hi, 0) < 0):
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} "
                    f"resulted in a negative output size, which is invalid. "
                    f"Check dimension {input.ndim - k + pairs.index((lo, hi))} "
                    f"of your input."
                )
        value = 0.0 if value is None else value
        if not _fits(value, input._array.dtype):
            raise RuntimeError(
                f"pad: value cannot be converted to type {type_name(input._array.dtype)} without overflow: {value}"
            )
        with allocating("pad", out_shape, input._array.dtype):
            return ConstantPadFunction.apply(input, pairs, value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value not in (None, 0):
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if k > 3 or input.ndim < k + 1:
        raise NotImplementedError(
            f"Only 2D, 3D, 4D, 5D padding with non-constant padding are "
            f"supported for now (got {input.ndim}D input and {k} padded dims)"
        )
    for d, ((lo, hi), n) in enumerate(zip(pairs, sizes)):
        dim = input.ndim - k + d
        if min(lo, hi) < 0 and mode == "circular":
            raise RuntimeError(
                "circular padding: negative padding is only supported in constant, reflect and replicate mode"
            )
        if n + lo + hi <= 0 and n > 0:
            raise RuntimeError(
                f"{mode} padding: input dimension {dim} of size {n} is too small, "
                f"the padding ({lo}, {hi}) leaves an output size of {n + lo + hi}"
            )
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({lo}, {hi}) at dimension {dim} "
                f"of input {list(input.shape)}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0:
            raise RuntimeError(f"replicate padding: input dimension {dim} is empty")
    with allocating("pad", out_shape, input._array.dtype):
        maps = tuple(_index_map(mode, n, lo, hi) for (lo, hi), n in zip(pairs, sizes))
        return IndexPadFunction.apply(input, maps, mode)
