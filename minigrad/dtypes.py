"""minigrad's dtypes: thin named wrappers over numpy dtypes, printed as ``minigrad.float32``,
and PyTorch's type promotion (the dtype of an op's result).

This module imports only numpy: autograd's compiled engine and the ops both use it.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "get_default_dtype",
    "set_default_dtype",
    "to_numpy_dtype",
    "from_numpy_dtype",
]


class dtype:
    """A tensor element type; ``np_dtype`` is the numpy dtype that stores it.

    minigrad has one instance per type: ``minigrad.float16``, ``float32`` (also
    ``minigrad.float``), ``float64`` (``double``), ``int8``, ``int16``, ``int32``,
    ``int64`` (``long``), ``uint8`` and ``bool``.

    Args:
        name (str): the name, as printed after ``minigrad.``.
        np_dtype (numpy dtype): the numpy dtype of the elements.

    Attributes:
        name (str): the name (``'float32'``).
        np_dtype (numpy.dtype): the numpy dtype of the elements.
        is_floating_point (bool): whether the type is a floating one.

    Example:
        >>> minigrad.float32, minigrad.float is minigrad.float32
        (minigrad.float32, True)
        >>> minigrad.int64.np_dtype, minigrad.int64.is_floating_point
        (dtype('int64'), False)
        >>> minigrad.zeros(2, dtype=minigrad.float64).dtype
        minigrad.float64
    """

    __slots__ = ("name", "np_dtype", "is_floating_point")

    def __init__(self, name: str, np_dtype: DTypeLike) -> None:
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.is_floating_point = self.np_dtype.kind == "f"

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (from_numpy_dtype, (self.np_dtype.str,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)  # noqa: A001  (PyTorch's name)

_BY_NUMPY = {d.np_dtype: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool)}
_default = [float32]


def get_default_dtype() -> dtype:
    """The floating dtype of Python floats and of factories such as ``zeros``.

    Example:
        >>> minigrad.get_default_dtype()
        minigrad.float32
        >>> minigrad.tensor([1.5]).dtype
        minigrad.float32
    """
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float32 or float64).

    Args:
        d (minigrad.dtype): ``minigrad.float32`` or ``minigrad.float64``.

    Example:
        >>> minigrad.set_default_dtype(minigrad.float64)
        >>> minigrad.zeros(1).dtype
        minigrad.float64
        >>> minigrad.set_default_dtype(minigrad.float32)
    """
    if d not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def from_numpy_dtype(np_dtype: DTypeLike) -> dtype:
    """The minigrad dtype for a numpy dtype; TypeError for types minigrad does not have."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"minigrad has no dtype for numpy dtype {np.dtype(np_dtype)}") from None


def to_numpy_dtype(d: dtype | DTypeLike) -> np.dtype:
    """The numpy dtype for a minigrad dtype (numpy dtypes and type names pass through)."""
    if isinstance(d, dtype):
        return d.np_dtype
    return from_numpy_dtype(d).np_dtype


def describe(array: ArrayLike) -> str:
    """``'minigrad.float32 [2, 3]'``-style description of an array for error messages."""
    array = np.asarray(array)
    return f"minigrad.{from_numpy_dtype(array.dtype).name} {list(array.shape)}"


# ---- type promotion --------------------------------------------------------------------


def _category(np_dtype):
    """0 for bool, 1 for integers, 2 for floating point."""
    return 0 if np_dtype.kind == "b" else 1 if np_dtype.kind in "iu" else 2


def _promote_group(dtypes_in_group):
    """The promoted dtype of the highest category present (PyTorch: categories before sizes)."""
    top = max(_category(d) for d in dtypes_in_group)
    return np.result_type(*[d for d in dtypes_in_group if _category(d) == top])


def result_dtype(*operands: Any) -> np.dtype:
    """The numpy dtype PyTorch gives an op on ``operands``: ndarrays (a Tensor's ``._array``),
    numpy scalars or Python numbers.

    Arrays with dimensions decide; a 0-d array, and then a Python number, counts only when
    its category (bool < integer < floating) is higher. A Python float then means the
    default dtype, a Python int int64.
    """
    dimensioned, zero_dim, numbers = [], [], []
    for v in operands:
        if isinstance(v, np.ndarray):
            (dimensioned if v.ndim else zero_dim).append(v.dtype)
        elif isinstance(v, (builtins.bool, np.bool_)):
            numbers.append(np.dtype(np.bool_))
        elif isinstance(v, (int, np.integer)):
            numbers.append(np.dtype(np.int64))
        else:
            numbers.append(get_default_dtype().np_dtype)
    result = None
    for group in (dimensioned, zero_dim, numbers):
        if group:
            candidate = _promote_group(group)
            if result is None or _category(candidate) > _category(result):
                result = candidate
    return result


def result_array(out: np.ndarray, *operands: Any, floating: builtins.bool = False) -> np.ndarray:
    """``out`` cast to PyTorch's result dtype for ``operands`` (a floating one if ``floating``).

    ``operands`` as for ``result_dtype``: arrays (not Tensors), numpy scalars, numbers.
    """
    target = result_dtype(*operands)
    if floating and target.kind != "f":
        target = get_default_dtype().np_dtype
    return out if out.dtype == target else out.astype(target)
