"""Indexing: ``t[index]`` (basic slicing and integer/boolean arrays), ``index_put`` and
``gather``, with their gradients.

The gradient of ``t[index]`` scatters ``g`` back into zeros of ``t``'s shape (adding
where an integer index repeats); the gradient of that scatter is the indexing again,
so both directions are differentiable to any order. ``gather`` and its scatter-add
pair up the same way along one dimension.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._args import normalize_dims
from .reduce import sum_to

__all__ = ["getitem", "index_put", "gather"]


def normalize_index(index):
    """Tensors in an index become numpy arrays; the result is a tuple numpy accepts."""
    if not isinstance(index, tuple):
        index = (index,)
    return tuple(i._array if isinstance(i, Tensor) else i for i in index)


def _is_basic(index):
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in index)


def _check_bounds(shape, index):
    """Index errors in PyTorch's words, before numpy sees the index."""
    dim = 0
    expanded = sum(1 for i in index if i is not None and i is not Ellipsis)
    for i in index:
        if i is Ellipsis:
            dim += len(shape) - expanded
            continue
        if i is None:
            continue
        if dim >= len(shape):
            raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
        if isinstance(i, (int, np.integer)) and not -shape[dim] <= i < shape[dim]:
            raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {shape[dim]}")
        if isinstance(i, (list, np.ndarray)):
            array = np.asarray(i)
            if array.dtype == np.bool_:
                dim += array.ndim  # a mask covers as many dimensions as it has
                continue
            if array.dtype.kind in "iu" and array.size:
                bad = array[(array < -shape[dim]) | (array >= shape[dim])]
                if bad.size:
                    raise IndexError(
                        f"index {int(bad.flat[0])} is out of bounds for dimension {dim} with size {shape[dim]}"
                    )
        dim += 1


class GetItemFunction(Function):
    """out = a[index];  da = zeros_like(a) with g added at index."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.input_shape = a._array.shape
        ctx.index = index
        return a._array[index]

    @staticmethod
    def backward(ctx, g):
        return IndexAddFunction.apply(g, ctx.index, ctx.input_shape), None


class GetItemViewFunction(GetItemFunction):
    """Basic indexing (ints and slices): the output is a view of the input."""

    is_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.input_shape = a._array.shape
        ctx.index = index
        # With an int for every dimension numpy returns a scalar copy; a trailing Ellipsis
        # makes it a 0-d view, so x[0].add_(1) writes into x as in PyTorch.
        return a._array[index if any(i is Ellipsis for i in index) else index + (Ellipsis,)]

    @classmethod
    def name(cls):
        return "GetItemBackward"


class IndexAddFunction(Function):
    """out = zeros(shape) with g added at index;  dg = gg[index]."""

    @staticmethod
    def forward(ctx, g, index, shape):
        ctx.index = index
        out = np.zeros(shape, dtype=g._array.dtype)
        if _is_basic(index):
            out[index] = g._array
        else:
            np.add.at(out, index, g._array)
        return out

    @staticmethod
    def backward(ctx, gg):
        return GetItemFunction.apply(gg, ctx.index), None, None


class IndexPutFunction(Function):
    """out = a with values written at index;  da = g with index zeroed, dv = g[index]."""

    @staticmethod
    def forward(ctx, a, index, values):
        ctx.index = index
        ctx.values_shape = np.shape(values._array if isinstance(values, Tensor) else values)
        out = a._array.copy()
        out[index] = values._array if isinstance(values, Tensor) else values
        return out

    @staticmethod
    def backward(ctx, g):
        ga = gv = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(g.shape, dtype=g._array.dtype)
            keep[ctx.index] = 0
            ga = g * keep
        if ctx.needs_input_grad[2]:
            gv = sum_to(GetItemFunction.apply(g, ctx.index), ctx.values_shape)
        return ga, None, gv


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]`` with numpy's rules for slices, ints, None, ... and index arrays."""
    index = normalize_index(index)
    _check_bounds(input.shape, index)
    if _is_basic(index):
        return GetItemViewFunction.apply(input, index)
    return GetItemFunction.apply(input, index)


def index_put(input: Tensor, index: Any, values: Tensor | float) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``index`` (differentiable in both)."""
    index = normalize_index(index)
    _check_bounds(input.shape, index)
    return IndexPutFunction.apply(input, index, values)


# ---- gather ---------------------------------------------------------------------------


class GatherFunction(Function):
    """out = take_along_axis(a, index, dim);  da = scatter_add of g at index."""

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.input_shape = a._array.shape
        ctx.dim = dim
        ctx.save_for_backward(index)
        return np.take_along_axis(a._array, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return ScatterAddFunction.apply(g, ctx.dim, index, ctx.input_shape), None, None


class ScatterAddFunction(Function):
    """out = zeros(shape) with g added at index along dim;  dg = gather(gg, dim, index)."""

    @staticmethod
    def forward(ctx, g, dim, index, shape):
        ctx.dim = dim
        ctx.save_for_backward(index)
        out = np.zeros(shape, dtype=g._array.dtype)
        grid = list(np.indices(index.shape, sparse=True))
        grid[dim] = index
        np.add.at(out, tuple(grid), g._array)
        return out

    @staticmethod
    def backward(ctx, gg):
        (index,) = ctx.saved_tensors
        return GatherFunction.apply(gg, ctx.dim, index), None, None, None


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Values of ``input`` at ``index`` along ``dim`` (as ``torch.gather``)."""
    index_array = index._array if isinstance(index, Tensor) else np.asarray(index)
    if index_array.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, but got {index_array.dtype}")
    (dim,) = normalize_dims("gather", dim, input.ndim)
    return GatherFunction.apply(input, dim, index_array)
