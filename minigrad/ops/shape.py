"""Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze, flatten, expand,
cat/stack/split.

Reshape, view and permute return views when numpy can (they share the input's memory
and version counter, as in PyTorch), and expand always does; cat and stack copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

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
    "squeeze",
    "unsqueeze",
    "expand",
    "cat",
    "stack",
    "split",
    "chunk",
    "narrow",
]


def _shape_args(sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        return tuple(sizes[0])
    return tuple(sizes)


def _infer_shape(op, shape, numel, given):
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred")
    known = int(np.prod([s for s in shape if s != -1]))
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

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a._array.shape
        ctx.shape = shape
        return a._array.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.input_shape), None


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


def reshape(input: Tensor, *shape: int | Sequence[int]) -> Tensor:
    """The same elements in a new shape; one size may be -1 (inferred)."""
    shape = _infer_shape("reshape", _shape_args(shape), input._array.size, input.shape)
    if shape == input.shape:
        return input
    return ReshapeFunction.apply(input, shape)


def view(input: Tensor, *shape: int | Sequence[int]) -> Tensor:
    """Like reshape, but the tensor must be laid out so that no copy is needed."""
    shape = _infer_shape("view", _shape_args(shape), input._array.size, input.shape)
    try:
        np.reshape(input._array, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension "
            "spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return ReshapeFunction.apply(input, shape) if shape != input.shape else input


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    start, end = (normalize_dims("flatten", d, input.ndim)[0] for d in (start_dim, end_dim))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input.shape[:start] + (-1,) + input.shape[end + 1 :]
    return reshape(input, shape)


def permute(input: Tensor, *dims: int | Sequence[int]) -> Tensor:
    """Reorder the dimensions: output dim i is input dim ``dims[i]``."""
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
    """Swap two dimensions."""
    if input.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return input
    d0, d1 = (normalize_dims("transpose", d, input.ndim)[0] for d in (dim0, dim1))
    dims = list(range(input.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return PermuteFunction.apply(input, tuple(dims))


def squeeze(input: Tensor, dim: _dims_t = None) -> Tensor:
    """Remove dimensions of size 1 (only ``dim`` when given)."""
    if dim is None:
        axes = [i for i, s in enumerate(input.shape) if s == 1]
    else:
        axes = [a for a in normalize_dims("squeeze", dim, input.ndim) if input.ndim and input.shape[a] == 1]
    return reshape(input, tuple(s for i, s in enumerate(input.shape) if i not in axes))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``."""
    rank = input.ndim + 1
    if not -rank <= dim < rank:
        raise IndexError(
            f"unsqueeze: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})"
        )
    dim %= rank
    return reshape(input, input.shape[:dim] + (1,) + input.shape[dim:])


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
    """Broadcast to a larger shape without copying; -1 keeps a dimension."""
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    lead = len(shape) - input.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({input.ndim})"
        )
    shape = tuple(input.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if shape == input.shape:
        return input
    return ExpandFunction.apply(input, shape)


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


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate tensors along an existing dimension."""
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
            if d != axis and t.shape[d] != first.shape[d]:
                raise RuntimeError(
                    f"cat: Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{first.shape[d]} but got size {t.shape[d]} for tensor number {i} in the list "
                    f"(shapes {list(first.shape)} and {list(t.shape)})."
                )
    return CatFunction.apply(axis, *tensors)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new dimension."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    return cat([unsqueeze(t, dim) for t in tensors], dim)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start+length`` of dimension ``dim`` (a view)."""
    index = [slice(None)] * input.ndim
    index[dim] = slice(start, start + length)
    return input[tuple(index)]


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Split into chunks of ``split_size`` (the last may be smaller) or of the given sizes."""
    (axis,) = normalize_dims("split", dim, tensor.ndim)
    length = tensor.shape[axis]
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
    """Split into ``chunks`` pieces of (nearly) equal size, as torch.chunk."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: %d" % chunks)
    (axis,) = normalize_dims("chunk", dim, input.ndim)
    step = -(-input.shape[axis] // chunks)
    return split(input, max(step, 1), axis)
