"""Argument checks at the kernels' def boundary, written once for every module.

Each public kernel function runs these before any typed or nogil code, so that a
malformed direct call raises instead of reading or writing out of bounds (the loops
themselves run without bounds checks). TypeError for a wrong Python type or dtype,
ValueError for a wrong value, length, shape or layout; each message names the function,
the argument, what was expected and what was given.

Sizes: every index the loops form is a sum of a few terms bounded by ``span`` below
2**62, so no Py_ssize_t arithmetic in them can overflow.
"""

import numpy as np

INDEX_LIMIT = 2**62
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def integer(name, arg, value, low):
    """value as a Python int >= low (numpy integers accepted, bools refused)."""
    if type(value) is int and low <= value < INDEX_LIMIT:  # the common case, first
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: {arg} must be an int, but got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name}: {arg} must be at least {low}, but got {value}")
    if value >= INDEX_LIMIT:
        raise ValueError(f"{name}: {arg} must be less than 2**62, but got {value}")
    return int(value)


def pair(name, arg, value, low):
    """value (a tuple or list of 2 ints, each >= low) as a tuple of 2 Python ints."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name}: expected {arg} to be a tuple of 2 ints, but got {value!r}")
    return integer(name, arg + "[0]", value[0], low), integer(name, arg + "[1]", value[1], low)


def array(name, arg, value, ndim, dtypes=FLOATS, out=False):
    """value: a C-contiguous ndarray of ndim dimensions and one of dtypes; writable if out."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name}: {arg} must be a numpy array, but got {type(value).__name__}")
    if value.dtype not in dtypes:
        expected = " or ".join(str(d) for d in dtypes)
        raise TypeError(f"{name}: {arg} must be {expected}, but got {value.dtype}")
    if value.ndim != ndim:
        raise ValueError(f"{name}: {arg} must be {ndim}-D, but got shape {value.shape}")
    if not value.flags.c_contiguous:
        raise ValueError(f"{name}: {arg} must be C-contiguous")
    if out and not value.flags.writeable:
        raise ValueError(f"{name}: {arg} is read-only; the kernel writes into it")
    return value


def same_dtype(name, **arrays):
    """The arrays all have the first one's dtype."""
    first, *others = arrays
    dtype = arrays[first].dtype
    for arg in others:
        if arrays[arg].dtype != dtype:
            raise TypeError(f"{name}: {arg} must have the dtype of {first} ({dtype}), but got {arrays[arg].dtype}")


def shape(name, arg, value, expected):
    if tuple(value.shape) != tuple(expected):
        raise ValueError(f"{name}: {arg} must be {tuple(expected)}, but got {tuple(value.shape)}")


def span(name, what, axis, *terms):
    """The sum of terms (sizes and offsets along axis 0 (rows) or 1 (columns)) stays below 2**62."""
    if sum(terms) >= INDEX_LIMIT:
        axis = ("rows", "columns")[axis]
        raise ValueError(f"{name}: {what} {axis} span {sum(terms)} elements, more than 2**62 (too large to index)")


class AllocationError(RuntimeError):
    """An output the system cannot give memory for (PyTorch's "can't allocate memory")."""


def output_bytes(shape, dtype):
    """The bytes of an output of ``shape``, refused with PyTorch's errors when a size is
    negative or the byte count overflows."""
    nbytes, sizes = np.dtype(dtype).itemsize, [int(size) for size in shape]
    for size in sizes:
        if size < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {size}: {sizes}")
        nbytes *= size
    if nbytes >= 2**63:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={sizes}")
    return nbytes


def empty(shape, dtype):
    """np.empty(shape, dtype) for a kernel's output, failing fast with PyTorch's errors:
    a negative size, a byte count that overflows, or more memory than the system gives."""
    try:
        return np.empty(shape, dtype=dtype)
    except (MemoryError, ValueError):
        # a negative size or an overflowing byte count raise here; else the memory is missing
        nbytes, sizes = output_bytes(shape, dtype), [int(size) for size in shape]
        raise AllocationError(
            f"can't allocate memory: you tried to allocate {nbytes} bytes for a tensor of size {sizes}"
        ) from None
