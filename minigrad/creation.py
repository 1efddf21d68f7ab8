"""Tensor factories: zeros, ones, full, empty, *_like, arange, eye, rand, randn, randint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from . import dtypes
from .random import rng_of
from .tensor import Tensor

__all__ = [
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "randperm",
    "rand_like",
    "randn_like",
    "from_numpy",
]

if TYPE_CHECKING:
    from .random import Generator


def _sizes(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    return dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.get_default_dtype().np_dtype


def _finish(array, requires_grad):
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


def zeros(*size: int | Sequence[int], dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size (default dtype float32)."""
    return _finish(np.zeros(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: int | Sequence[int], dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size."""
    return _finish(np.ones(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def full(
    size: int | Sequence[int], fill_value: float, dtype: dtypes.dtype | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value (bool, int64 or float32)."""
    if dtype is None:
        dtype = (
            dtypes.bool
            if isinstance(fill_value, bool)
            else dtypes.int64
            if isinstance(fill_value, int)
            else dtypes.get_default_dtype()
        )
    return _finish(np.full(_sizes((size,)), fill_value, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)


def empty(*size: int | Sequence[int], dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor of the given size."""
    return _finish(np.empty(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def _like(input, dtype):
    return input._array.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)


def zeros_like(input: Tensor, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(input.shape, dtype=_like(input, dtype)), requires_grad)


def ones_like(input: Tensor, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(input.shape, dtype=_like(input, dtype)), requires_grad)


def full_like(
    input: Tensor, fill_value: float, dtype: dtypes.dtype | None = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.full(input.shape, fill_value, dtype=_like(input, dtype)), requires_grad)


def empty_like(input: Tensor, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(input.shape, dtype=_like(input, dtype)), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: dtypes.dtype | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    return _finish(np.arange(start, end, step, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: dtypes.dtype | None = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    """An n x m identity matrix."""
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(
    *size: int | Sequence[int],
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples in [0, 1)."""
    np_dtype = _float_dtype(dtype)
    return _finish(rng_of(generator).random(_sizes(size), dtype=np.float64).astype(np_dtype), requires_grad)


def randn(
    *size: int | Sequence[int],
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples."""
    np_dtype = _float_dtype(dtype)
    return _finish(rng_of(generator).standard_normal(_sizes(size)).astype(np_dtype), requires_grad)


def randint(
    low: int,
    high: int | Sequence[int] | None = None,
    size: int | Sequence[int] | None = None,
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` starts at 0."""
    if size is None:
        low, high, size = 0, low, high
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else np.int64
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return Tensor._make(rng_of(generator).integers(low, high, size=_sizes((size,))).astype(np_dtype))


def randperm(n: int, generator: Generator | None = None, dtype: dtypes.dtype | None = None) -> Tensor:
    """A random permutation of 0 .. n-1."""
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else np.int64
    return Tensor._make(rng_of(generator).permutation(n).astype(np_dtype))


def rand_like(input: Tensor, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    dtypes.from_numpy_dtype(array.dtype)
    return Tensor._make(array)
