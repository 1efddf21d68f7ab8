"""Shape ops: reshape/view, permute/transpose (swapaxes), squeeze/unsqueeze, flatten,
expand, repeat, cat (concat)/stack/split, meshgrid.

Reshape, view and permute return views when numpy can (they share the input's memory
and version counter, as in PyTorch), and expand always does; cat and stack copy.
``repeat`` and ``meshgrid`` are built from reshape and expand, so they need no Function
of their own.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .._numpy_names import numpy_names
from ..autograd.function import Function
from ..dtypes import result_dtype
from ._args import normalize_dims
from .reduce import sum_to

if TYPE_CHECKING:
    from ..tensor import Tensor
    from ._args import _dims_t

__all__ = [
    "reshape",
    "view",
    "flatten",
    "permute",
    "transpose",
    "swapaxes",
    "swapdims",
    "t",
    "squeeze",
    "unsqueeze",
    "expand",
    "repeat",
    "cat",
    "concat",
    "concatenate",
    "stack",
    "split",
    "chunk",
    "narrow",
    "meshgrid",
]


def _shape_args(sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        return tuple(sizes[0])
    return tuple(sizes)


def _infer_shape(op, shape, numel, given):
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred")
    known = math.prod([s for s in shape if s != -1])
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ReshapeFunction(Function):
    """out = a reshaped (a view when possible);  da = g reshaped back."""

    is_view = True
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a._array.shape
        ctx.shape = shape
        return a._array.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.input_shape), None


class SqueezeFunction(ReshapeFunction):
    """``squeeze()``: a reshape, which PyTorch names SqueezeBackward0."""

    node_name = "SqueezeBackward0"


class SqueezeDimFunction(ReshapeFunction):
    """``squeeze(dim)``: a reshape, which PyTorch names SqueezeBackward1."""

    node_name = "SqueezeBackward1"


class UnsqueezeFunction(ReshapeFunction):
    """``unsqueeze(dim)``: a reshape, which PyTorch names UnsqueezeBackward0."""

    node_name = "UnsqueezeBackward0"


class PermuteFunction(Function):
    """out = a with its dimensions reordered (a view);  da = g permuted back."""

    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a._array, dims)

    @staticmethod
    def backward(ctx, g):
        return PermuteFunction.apply(g, tuple(np.argsort(ctx.dims))), None


class TransposeFunction(PermuteFunction):
    """``transpose(dim0, dim1)``: a permutation, which PyTorch names TransposeBackward0."""

    node_name = "TransposeBackward0"


class TFunction(PermuteFunction):
    """``t()``: a permutation, which PyTorch names TBackward0."""

    node_name = "TBackward0"


def reshape(input: Tensor, *shape: int | Sequence[int]) -> Tensor:
    """The same elements in a new shape; one size may be -1 (inferred).

    Args:
        input (Tensor): the input tensor.
        *shape (int or sequence of ints): the new shape, as several ints or one sequence;
            one size may be -1.

    Example:
        >>> minigrad.reshape(minigrad.arange(6), (2, -1))
        tensor([[0, 1, 2],
                [3, 4, 5]])
    """
    shape = _infer_shape("reshape", _shape_args(shape), input._array.size, input._array.shape)
    if shape == input._array.shape:
        return input
    return ReshapeFunction.apply(input, shape)


def view(input: Tensor, *shape: int | Sequence[int]) -> Tensor:
    """Like reshape, but the tensor must be laid out so that no copy is needed.

    Args:
        input (Tensor): the input tensor.
        *shape (int or sequence of ints): the new shape, as several ints or one sequence;
            one size may be -1.

    Example:
        >>> minigrad.view(minigrad.arange(6), 3, 2)
        tensor([[0, 1],
                [2, 3],
                [4, 5]])
    """
    shape = _infer_shape("view", _shape_args(shape), input._array.size, input._array.shape)
    try:
        np.reshape(input._array, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension "
            "spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return ReshapeFunction.apply(input, shape) if shape != input._array.shape else input


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one.

    Args:
        input (Tensor): the input tensor.
        start_dim (int): the first dimension to merge. Default: 0.
        end_dim (int): the last dimension to merge. Default: -1.

    Example:
        >>> minigrad.flatten(minigrad.zeros(2, 3, 4), start_dim=1).shape
        minigrad.Size([2, 12])
    """
    shape = input._array.shape
    if not shape:
        return reshape(input, 1)
    start, end = _flatten_dim(start_dim, len(shape)), _flatten_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]
    return input if merged == shape else ReshapeFunction.apply(input, merged)


def _flatten_dim(dim, ndim):
    """A dimension of flatten as a non-negative axis (a plain int in range first)."""
    if type(dim) is int and -ndim <= dim < ndim:
        return dim % ndim
    return normalize_dims("flatten", dim, ndim)[0]


def permute(input: Tensor, *dims: int | Sequence[int]) -> Tensor:
    """Reorder the dimensions: output dim i is input dim ``dims[i]``.

    Args:
        input (Tensor): the input tensor.
        *dims (int or sequence of ints): the new order of the dimensions.

    Example:
        >>> minigrad.permute(minigrad.zeros(2, 3, 4), (2, 0, 1)).shape
        minigrad.Size([4, 2, 3])
    """
    dims = _shape_args(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
            f"of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to "
            f"len(dims) = {len(dims)}"
        )
    axes = tuple(d % max(input.ndim, 1) for d in dims)
    if sorted(axes) != list(range(input.ndim)):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return PermuteFunction.apply(input, axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions.

    Args:
        input (Tensor): the input tensor.
        dim0 (int): the first dimension.
        dim1 (int): the second dimension.

    Example:
        >>> minigrad.transpose(minigrad.zeros(2, 3, 4), 0, 2).shape
        minigrad.Size([4, 3, 2])
    """
    if input.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return input
    d0, d1 = (normalize_dims("transpose", d, input.ndim)[0] for d in (dim0, dim1))
    dims = list(range(input.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return TransposeFunction.apply(input, tuple(dims))


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (a 0-d or 1-D tensor is returned as it is).

    Args:
        input (Tensor): a tensor of at most 2 dimensions.

    Example:
        >>> minigrad.t(minigrad.tensor([[1, 2, 3]]))
        tensor([[1],
                [2],
                [3]])
    """
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return TFunction.apply(input, (1, 0)) if input.ndim == 2 else input


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """numpy's name for ``transpose``: swap two dimensions.

    Args:
        input (Tensor): the input tensor.
        axis0 (int): the first dimension.
        axis1 (int): the second dimension.

    Example:
        >>> minigrad.swapaxes(minigrad.zeros(2, 3), 0, 1).shape
        minigrad.Size([3, 2])
    """
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Another name for ``transpose``: swap two dimensions.

    Args:
        input (Tensor): the input tensor.
        dim0 (int): the first dimension.
        dim1 (int): the second dimension.

    Example:
        >>> minigrad.swapdims(minigrad.zeros(2, 3), 0, 1).shape
        minigrad.Size([3, 2])
    """
    return transpose(input, dim0, dim1)


@numpy_names
def squeeze(input: Tensor, dim: _dims_t = None) -> Tensor:
    """Remove dimensions of size 1 (only ``dim`` when given).

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to remove if of size 1; all
            such when None. Default: None.

    Example:
        >>> minigrad.squeeze(minigrad.zeros(2, 1, 3, 1)).shape
        minigrad.Size([2, 3])
        >>> minigrad.squeeze(minigrad.zeros(2, 1, 3, 1), 1).shape
        minigrad.Size([2, 3, 1])
    """
    if dim is None:
        axes = [i for i, s in enumerate(input._array.shape) if s == 1]
    else:
        axes = [a for a in normalize_dims("squeeze", dim, input.ndim) if input.ndim and input._array.shape[a] == 1]
    shape = tuple(s for i, s in enumerate(input._array.shape) if i not in axes)
    if shape == input._array.shape:
        return input
    return (SqueezeFunction if dim is None else SqueezeDimFunction).apply(input, shape)


@numpy_names
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``.

    Args:
        input (Tensor): the input tensor.
        dim (int): the index of the new dimension (negative counts from the end).

    Example:
        >>> minigrad.unsqueeze(minigrad.zeros(2, 3), 0).shape
        minigrad.Size([1, 2, 3])
        >>> minigrad.unsqueeze(minigrad.zeros(2, 3), -1).shape
        minigrad.Size([2, 3, 1])
    """
    rank = input.ndim + 1
    if not -rank <= dim < rank:
        raise IndexError(
            f"unsqueeze: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})"
        )
    dim %= rank
    return UnsqueezeFunction.apply(input, input._array.shape[:dim] + (1,) + input._array.shape[dim:])


class ExpandFunction(Function):
    """out = a broadcast to ``shape`` (a view);  da = sum_to(g, a.shape)."""

    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a._array.shape
        try:
            return np.broadcast_to(a._array, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: the expanded size of the tensor {list(shape)} must match the existing "
                f"size {list(a._array.shape)} at non-singleton dimensions"
            ) from None

    @staticmethod
    def backward(ctx, g):
        return sum_to(g, ctx.input_shape), None


def expand(input: Tensor, *sizes: int | Sequence[int]) -> Tensor:
    """Broadcast to a larger shape without copying; -1 keeps a dimension.

    Args:
        input (Tensor): the input tensor.
        *sizes (int or sequence of ints): the new shape; -1 keeps a dimension's size.

    Example:
        >>> minigrad.expand(minigrad.tensor([[1], [2]]), 2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    lead = len(shape) - input.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({input.ndim})"
        )
    shape = tuple(input._array.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if shape == input._array.shape:
        return input
    return ExpandFunction.apply(input, shape)


def repeat(input: Tensor, *repeats: int | Sequence[int]) -> Tensor:
    """``input`` tiled ``repeats[i]`` times along dimension i (``Tensor.repeat``); with more
    repeats than dimensions, new leading dimensions of size 1 are tiled.

    Built as a view of shape (r0, s0, r1, s1, ...) that expands each size-1 slot to its
    repeat count, then a reshape to (r0*s0, r1*s1, ...); the gradient sums over the tiles.

    Args:
        input (Tensor): the input tensor.
        *repeats (int or sequence of ints): how many times to tile each dimension.

    Shape:
        ``(r0 * s0, r1 * s1, ...)`` with the input's shape padded with leading 1s.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    repeats = _shape_args(repeats)
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    sizes = (1,) * (len(repeats) - input.ndim) + input.shape
    result = [r * s for r, s in zip(repeats, sizes)]
    for size in result:
        if size < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {size}: {result}")
    interleaved = tuple(n for s in sizes for n in (1, s))
    tiled = tuple(n for r, s in zip(repeats, sizes) for n in (r, s))
    return reshape(expand(reshape(input, interleaved), tiled), tuple(result))


class CatFunction(Function):
    """out = concatenation along dim;  each input gets its slice of g."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t._array.shape[dim] for t in tensors]
        arrays = [t._array for t in tensors]
        dtype = arrays[0].dtype
        if any(a.dtype != dtype for a in arrays):
            dtype = result_dtype(*arrays)  # PyTorch's promotion (int64 with float32 is float32)
        return np.concatenate(arrays, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            grads.append(narrow(g, ctx.dim, start, size) if need else None)
            start += size
        return (None, *grads)


@numpy_names
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate tensors along an existing dimension.

    Args:
        tensors (sequence of Tensor): the tensors to join; of equal shape except along
            ``dim``.
        dim (int): the dimension to join along. Default: 0.

    Example:
        >>> a, b = minigrad.zeros(2, 3), minigrad.ones(1, 3)
        >>> minigrad.cat([a, b]).shape
        minigrad.Size([3, 3])
        >>> minigrad.cat([a, a], dim=1).shape
        minigrad.Size([2, 6])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated")
    (axis,) = normalize_dims("cat", dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim:
            raise RuntimeError(
                f"cat: Tensors must have same number of dimensions: got {first.ndim} and {t.ndim} "
                f"(shapes {list(first.shape)} and {list(t.shape)})"
            )
        for d in range(first.ndim):
            if d != axis and t._array.shape[d] != first._array.shape[d]:
                raise RuntimeError(
                    f"cat: Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{first.shape[d]} but got size {t.shape[d]} for tensor number {i} in the list "
                    f"(shapes {list(first.shape)} and {list(t.shape)})."
                )
    return CatFunction.apply(axis, *tensors)


@numpy_names
def concat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Another name for ``cat``.

    Args:
        tensors (sequence of Tensor): the tensors to join; of equal shape except along
            ``dim``.
        dim (int): the dimension to join along. Default: 0.

    Example:
        >>> minigrad.concat([minigrad.zeros(1), minigrad.ones(2)])
        tensor([0., 1., 1.])
    """
    return cat(tensors, dim)


@numpy_names
def concatenate(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """numpy's name for ``cat`` (takes ``axis=`` as numpy does, or ``dim=``).

    Args:
        tensors (sequence of Tensor): the tensors to join; of equal shape except along
            ``dim``.
        dim (int): the dimension to join along (also ``axis=``). Default: 0.

    Example:
        >>> minigrad.concatenate([minigrad.zeros(1, 2), minigrad.ones(1, 2)], axis=0)
        tensor([[0., 0.],
                [1., 1.]])
    """
    return cat(tensors, dim)


@numpy_names
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new dimension.

    Args:
        tensors (sequence of Tensor): tensors of equal shape.
        dim (int): the index of the new dimension. Default: 0.

    Example:
        >>> minigrad.stack([minigrad.zeros(3), minigrad.ones(3)], dim=1).shape
        minigrad.Size([3, 2])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t._array.shape != tensors[0]._array.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    return cat([unsqueeze(t, dim) for t in tensors], dim)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start+length`` of dimension ``dim`` (a view).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to slice.
        start (int): the first index.
        length (int): the number of elements kept.

    Example:
        >>> minigrad.narrow(minigrad.arange(6), 0, 2, 3)
        tensor([2, 3, 4])
    """
    index = [slice(None)] * input.ndim
    index[dim] = slice(start, start + length)
    return input[tuple(index)]


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Split into chunks of ``split_size`` (the last may be smaller) or of the given sizes.

    Args:
        tensor (Tensor): the tensor to split.
        split_size_or_sections (int or sequence of ints): the size of each piece, or the
            list of sizes.
        dim (int): the dimension to split. Default: 0.

    Example:
        >>> minigrad.split(minigrad.arange(5), 2)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
        >>> minigrad.split(minigrad.arange(5), [1, 4])
        (tensor([0]), tensor([1, 2, 3, 4]))
    """
    (axis,) = normalize_dims("split", dim, tensor.ndim)
    length = tensor._array.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        sizes = [min(step, length - s) for s in range(0, length, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size at "
                f"dimension {axis}), but got split_sizes={sizes}"
            )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(narrow(tensor, axis, start, size))
        start += size
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of (nearly) equal size, as torch.chunk.

    Args:
        input (Tensor): the input tensor.
        chunks (int): the number of pieces (fewer when the size does not allow them).
        dim (int): the dimension to split. Default: 0.

    Example:
        >>> minigrad.chunk(minigrad.arange(5), 2)
        (tensor([0, 1, 2]), tensor([3, 4]))
    """
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: %d" % chunks)
    (axis,) = normalize_dims("chunk", dim, input.ndim)
    step = -(-input._array.shape[axis] // chunks)
    return split(input, max(step, 1), axis)


def meshgrid(*tensors: Tensor | Sequence[Tensor], indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors (0-d count as length 1): output i holds
    ``tensors[i]`` along dimension i, repeated along the others (an expanded view).

    Args:
        tensors: 0-d or 1-D tensors of one dtype, as arguments or one sequence.
        indexing: ``'ij'`` (matrix indexing: the output shape is (N0, N1, ...)) or ``'xy'``
            (Cartesian: the first two sizes swap, (N1, N0, ...)). Omitted, it is ``'ij'``
            with PyTorch's warning that it will be required.

    Shape:
        every output is (N0, N1, ..., N_{k-1}), with N0 and N1 swapped for ``'xy'``.

    Example:
        >>> import minigrad
        >>> rows, cols = minigrad.meshgrid(minigrad.tensor([1, 2]), minigrad.tensor([3, 4, 5]), indexing="ij")
        >>> cols
        tensor([[3, 4, 5],
                [3, 4, 5]])
    """
    tensors = _shape_args(tensors)
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:  # Cartesian indexing is matrix indexing with the first two inputs swapped
        tensors = (tensors[1], tensors[0]) + tensors[2:]
    shape = tuple(t._array.size for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        along_i = tuple(n if d == i else 1 for d, n in enumerate(shape))
        grids.append(expand(reshape(t, along_i), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
