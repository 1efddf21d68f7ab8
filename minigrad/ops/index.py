"""Indexing: ``t[index]`` (basic slicing and integer/boolean arrays), ``index_put`` and
``gather``, with their gradients, and ``one_hot`` (class indices as indicator rows).

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

__all__ = ["getitem", "index_put", "gather", "scatter", "one_hot"]


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

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, index):
        ctx.input_shape = a._array.shape
        ctx.index = index
        return a._array[index]

    @staticmethod
    def backward(ctx, g):
        return IndexAddFunction.apply(g, ctx.index, ctx.input_shape), None


class GetItemViewFunction(GetItemFunction):
    """Basic indexing (ints, slices, None): the output is a view of the input.

    PyTorch applies such an index entry by entry and names the node after the last step:
    a slice here (``x[1:]``, ``x[0, :2]``), the subclasses below for the others.
    """

    is_view = True
    node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, a, index):
        ctx.input_shape = a._array.shape
        ctx.index = index
        # With an int for every dimension numpy returns a scalar copy; a trailing Ellipsis
        # makes it a 0-d view, so x[0].add_(1) writes into x as in PyTorch.
        return a._array[index if any(i is Ellipsis for i in index) else index + (Ellipsis,)]


class SelectFunction(GetItemViewFunction):
    """Basic indexing whose last step is an int: ``x[0]``, ``x[:, 1]``."""

    node_name = "SelectBackward0"


class UnsqueezeIndexFunction(GetItemViewFunction):
    """Basic indexing whose last step is a None: ``x[None]``."""

    node_name = "UnsqueezeBackward0"


class AliasFunction(GetItemViewFunction):
    """``x[...]``: the whole tensor, as a view."""

    node_name = "AliasBackward0"


def _view_function(index):
    """The GetItemViewFunction named as PyTorch names the node of ``x[index]``."""
    last = AliasFunction
    for i in index:
        if i is None:
            last = UnsqueezeIndexFunction
        elif isinstance(i, slice):
            if i != slice(None) or len(index) == 1:  # a full slice among others is no step
                last = GetItemViewFunction
        elif i is not Ellipsis:
            last = SelectFunction
    return last


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
    """``input[index]`` with numpy's rules for slices, ints, None, ... and index arrays.

    Args:
        input (Tensor): the input tensor.
        index (int, slice, None, Ellipsis, Tensor, or a tuple of them): what to select.

    Example:
        >>> minigrad.getitem(minigrad.arange(6).view(2, 3), (slice(None), 1))
        tensor([1, 4])
    """
    index = normalize_index(index)
    _check_bounds(input.shape, index)
    if _is_basic(index):
        return _view_function(index).apply(input, index)
    return GetItemFunction.apply(input, index)


def index_put(input: Tensor, index: Any, values: Tensor | float) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``index`` (differentiable in both).

    Args:
        input (Tensor): the input tensor.
        index (int, slice, Tensor or a tuple of them): where to write, as in
            ``input[index]``.
        values (Tensor or number): the values, broadcast to the indexed shape.

    Example:
        >>> minigrad.index_put(minigrad.zeros(4), minigrad.tensor([0, 2]), 5.0)
        tensor([5., 0., 5., 0.])
    """
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
    """Values of ``input`` at ``index`` along ``dim`` (as ``torch.gather``).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to index along.
        index (Tensor): int64 indices, of ``input``'s number of dimensions; the output has
            its shape.

    Example:
        >>> x = minigrad.tensor([[1, 2], [3, 4]])
        >>> minigrad.gather(x, 1, minigrad.tensor([[1], [0]]))
        tensor([[2],
                [3]])
    """
    index_array = index._array if isinstance(index, Tensor) else np.asarray(index)
    if index_array.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, but got {index_array.dtype}")
    (dim,) = normalize_dims("gather", dim, input.ndim)
    return GatherFunction.apply(input, dim, index_array)


# ---- scatter --------------------------------------------------------------------------


class ScatterFunction(Function):
    """out = a with src written at index along dim;  da = g zeroed at index,  dsrc = gather(g, dim, index).

    ``src`` is a tensor of ``index``'s shape or a number (``value=``).
    """

    @staticmethod
    def forward(ctx, a, src, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)
        out = a._array.copy()
        values = src._array if isinstance(src, Tensor) else np.asarray(src, dtype=out.dtype)
        np.put_along_axis(out, index, values.astype(out.dtype, copy=False), axis=dim)
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        needs_a, needs_src = ctx.needs_input_grad[:2]
        ga = ScatterValueFunction.apply(g, 0.0, ctx.dim, index) if needs_a else None
        gsrc = GatherFunction.apply(g, ctx.dim, index) if needs_src else None
        return ga, gsrc, None, None


class ScatterValueFunction(ScatterFunction):
    """ScatterFunction with a number for src, named ScatterBackward1 as in PyTorch."""

    node_name = "ScatterBackward1"


def scatter(
    input: Tensor, dim: int, index: Tensor, src: Tensor | float | None = None, *, value: float | None = None
) -> Tensor:
    """A copy of ``input`` with ``src`` (or the number ``value``) written at ``index`` along
    ``dim``: ``out[i][index[i][j]] = src[i][j]`` for dim 1 (as ``torch.scatter``).

    Args:
        input: the tensor written into (its copy is returned).
        dim (int): the dimension ``index`` points along.
        index: int64, as many dims as ``input``, each size at most ``input``'s (except along
            ``dim``) and ``src``'s.
        src: the values to write (only the leading ``index.shape`` block is used), or a number.
        value: a number to write everywhere ``index`` points.

    Shape:
        ``input``'s shape.

    Example:
        >>> import minigrad
        >>> minigrad.zeros(4).scatter(0, minigrad.tensor([2]), value=1)
        tensor([0., 0., 1., 0.])
    """
    if (src is None) == (value is None):
        raise TypeError("scatter() needs exactly one of src and value")
    src = value if src is None else src
    index_array = index._array if isinstance(index, Tensor) else np.asarray(index)
    if index_array.dtype.kind not in "iu":
        raise RuntimeError(f"scatter(): Expected dtype int64 for index, but got {index_array.dtype}")
    (dim,) = normalize_dims("scatter", dim, input.ndim)
    if index_array.ndim == 0:  # one position, as PyTorch takes it
        index_array = index_array.reshape((1,) * input.ndim)
        if isinstance(src, Tensor) and src.ndim == 0:
            src = src.reshape(index_array.shape)
    if index_array.ndim != input.ndim and index_array.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if isinstance(src, Tensor):
        if src.ndim != index_array.ndim or any(i > s for i, s in zip(index_array.shape, src.shape)):
            raise RuntimeError(
                f"Expected index {list(index_array.shape)} to be smaller than self {list(input.shape)} "
                f"apart from dimension {dim} and to be smaller size than src {list(src.shape)}"
            )
        if src.shape != index_array.shape:
            src = src[tuple(slice(0, n) for n in index_array.shape)]
    if any(i > s for d, (i, s) in enumerate(zip(index_array.shape, input.shape)) if d != dim):
        raise RuntimeError(
            f"Expected index {list(index_array.shape)} to be smaller than self {list(input.shape)} "
            f"apart from dimension {dim}"
        )
    if index_array.size and (index_array.min() < -input.shape[dim] or index_array.max() >= input.shape[dim]):
        raise RuntimeError(
            f"index {int(index_array.max())} is out of bounds for dimension {dim} with size {input.shape[dim]}"
        )
    return (ScatterFunction if isinstance(src, Tensor) else ScatterValueFunction).apply(input, src, dim, index_array)


# ---- one_hot --------------------------------------------------------------------------


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices as one-hot rows: ``out[..., c]`` is 1 where ``tensor`` is ``c``
    (``F.one_hot``; not differentiable).

    Args:
        tensor: int64 class indices, any shape.
        num_classes: the number of classes; -1 (default) takes the largest index plus one.

    Shape:
        the input's shape plus a last dimension of size ``num_classes``; int64.

    Example:
        >>> import minigrad, minigrad.nn.functional as F
        >>> F.one_hot(minigrad.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    labels = tensor._array
    if labels.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if labels.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if labels.size and labels.max() >= num_classes or num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((labels[..., None] == np.arange(num_classes)).astype(np.int64))
