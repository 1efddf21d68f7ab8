"""minigrad's dtypes: thin named wrappers over numpy dtypes, printed as ``minigrad.float32``."""
import numpy as np

__all__ = ["dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
           "bool", "get_default_dtype", "set_default_dtype", "to_numpy_dtype", "from_numpy_dtype"]


class dtype:
    """A tensor element type; ``np_dtype`` is the numpy dtype that stores it."""

    __slots__ = ("name", "np_dtype", "is_floating_point")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.is_floating_point = self.np_dtype.kind == "f"

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
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


def get_default_dtype():
    """The floating dtype of Python floats and of factories such as ``zeros``."""
    return _default[0]


def set_default_dtype(d):
    """Set the default floating dtype (float32 or float64)."""
    if d not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def from_numpy_dtype(np_dtype):
    """The minigrad dtype for a numpy dtype; TypeError for types minigrad does not have."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"minigrad has no dtype for numpy dtype {np.dtype(np_dtype)}") from None


def to_numpy_dtype(d):
    """The numpy dtype for a minigrad dtype (numpy dtypes and type names pass through)."""
    if isinstance(d, dtype):
        return d.np_dtype
    return from_numpy_dtype(d).np_dtype
