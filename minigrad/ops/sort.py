"""Sorting and selection: sort, argsort, topk and unique.

Every sort here is stable: equal elements keep their order, in descending sorts too.
The values of ``sort`` and ``topk`` are ``gather(input, dim, indices)``, so their gradient
is GatherFunction's (``g`` scattered back to where each value came from) and needs no
Function of its own; the indices, ``argsort`` and ``unique`` are not differentiable.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._numpy_names import numpy_names
from ..tensor import Tensor
from ._args import normalize_dims

__all__ = ["sort", "argsort", "topk", "unique"]

# The named tuples of torch.return_types: ``values, indices = x.sort()`` or ``.values``.
SortResult = namedtuple("SortResult", ["values", "indices"])
TopkResult = namedtuple("TopkResult", ["values", "indices"])


def _sort_indices(x, axis, descending):
    """Stable argsort along ``axis``; descending keeps equal elements in their order too
    (the ascending sort of the reversed array, reversed), and puts nan first as PyTorch."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    reversed_order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return x.shape[axis] - 1 - np.flip(reversed_order, axis)


def _sorted(op, input, dim, descending, k=None):
    """``(values, indices)`` of the stable sort along ``dim``, the first ``k`` only if given."""
    if input.ndim == 0:
        return input, Tensor._make(np.zeros((), np.int64))
    (axis,) = normalize_dims(op, dim, input.ndim)
    indices = _sort_indices(input._array, axis, descending)
    if k is not None:
        indices = np.take(indices, np.arange(k), axis=axis)
    return input.gather(axis, indices), Tensor._make(indices.astype(np.int64, copy=False))


@numpy_names
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> SortResult:
    """The elements sorted along ``dim``, as the named tuple ``(values, indices)``.

    The sort is always stable (``stable`` is accepted for PyTorch's signature); ``values``
    is differentiable.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to sort along. Default: -1.
        descending (bool): largest first. Default: False.
        stable (bool): accepted for PyTorch's signature: the sort is always stable. Default: False.

    Shape:
        ``values`` and ``indices`` (int64) have the input's shape.

    Example:
        >>> import minigrad
        >>> minigrad.sort(minigrad.tensor([3.0, 1.0, 2.0]), descending=True).indices
        tensor([0, 2, 1])
    """
    return SortResult(*_sorted("sort", input, dim, descending))


@numpy_names
def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices (int64) that sort ``input`` along ``dim``: ``sort(...).indices``.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to sort along. Default: -1.
        descending (bool): sort from largest to smallest. Default: False.
        stable (bool): accepted for PyTorch's signature: the sort is always stable. Default: False.

    Example:
        >>> minigrad.argsort(minigrad.tensor([3.0, 1.0, 2.0]))
        tensor([1, 2, 0])
    """
    return _sorted("argsort", input, dim, descending)[1]


@numpy_names
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:  # noqa: A002  (PyTorch's name)
    """The ``k`` largest (or with ``largest=False`` smallest) elements along ``dim``, as the
    named tuple ``(values, indices)``; ``values`` is differentiable.

    The result is always in sorted order (``sorted=False`` lets PyTorch return any order,
    so sorted is one of them); ties keep their order in ``input``.

    Args:
        input (Tensor): the input tensor.
        k (int): how many elements.
        dim (int): the dimension to search. Default: -1.
        largest (bool): the largest (True) or the smallest elements. Default: True.
        sorted (bool): return them in order. Default: True.

    Shape:
        the input's shape with ``k`` in place of its size along ``dim``.

    Example:
        >>> import minigrad
        >>> minigrad.topk(minigrad.tensor([[3.0, 1.0, 2.0]]), 2).values
        tensor([[3., 2.]])
    """
    size = input.shape[normalize_dims("topk", dim, input.ndim)[0]] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    return TopkResult(*_sorted("topk", input, dim, largest, k))


def unique(
    input: Tensor,
    sorted: bool = True,  # noqa: A002  (PyTorch's name)
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Tensor | tuple[Tensor, ...]:
    """The distinct elements of ``input`` (of the flattened tensor, or with ``dim`` the
    distinct slices along it), in ascending order; not differentiable.

    Args:
        input: any tensor.
        sorted: accepted for PyTorch's signature; the result is always sorted.
        return_inverse: also return, for each element (or slice) of ``input``, the index
            of its value in the result.
        return_counts: also return how many times each distinct value occurs.
        dim: find distinct slices along this dimension instead of elements.

    Shape:
        the output is 1-D (or with ``dim``, the input's shape with the number of distinct
        slices along ``dim``); ``inverse`` has the input's shape (or its size along
        ``dim``); ``counts`` is 1-D. Both int64.

    Example:
        >>> import minigrad
        >>> minigrad.unique(minigrad.tensor([3, 1, 3, 2]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    x = input._array
    axis = None if dim is None else normalize_dims("unique", dim, input.ndim)[0]
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=axis)
    inverse = inverse.reshape(x.shape if axis is None else (x.shape[axis],)).astype(np.int64, copy=False)
    results = [Tensor._make(values)]
    if return_inverse:
        results.append(Tensor._make(inverse))
    if return_counts:
        results.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return results[0] if len(results) == 1 else tuple(results)
