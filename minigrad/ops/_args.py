"""Argument handling shared by the ops modules, each helper written once.

- type checks, one per kind of argument, each raising TypeError in PyTorch's words
  ("conv2d(): argument 'groups' must be int, not str") and returning the value as a
  plain Python value: ``check_tensor``, ``check_int``, ``check_bool``, ``check_float``,
  ``check_str``; numpy integers count as ints, bools never do;
- ``ntuple``: an int or a sequence of ints as a tuple of n ints (stride, padding, ...);
  ``int_sequence``: a tuple of ints of any length (``pad``); an int outside int64 raises
  ``Int64OverflowError``;
- ``check_floating``: the float32/float64 inputs the kernels take (NotImplementedError
  otherwise); ``check_min``: a layer's hyper-parameter ranges (ValueError when the layer
  is built); ``allocating``: an impossible output size, or a MemoryError, as a
  RuntimeError naming the op;
- ``normalize_dims``: ``dim`` arguments as sorted non-negative axes;
- ``conv_output_size`` / ``conv_transpose_output_size``: the size formulas of
  convolution and pooling along one dimension; ``same_padding``: ``padding='same'``;
- ``floating``: integer inputs of float-valued ops as the default float dtype;
- ``type_name`` (a dtype in PyTorch's words, for messages) and ``contiguous``.

The Cython kernels (minigrad_core) keep their own bounds checks: they import nothing
from minigrad.
"""

import builtins
import warnings
from typing import Sequence, Tuple, Union

import numpy as np

from minigrad_core._check import AllocationError, output_bytes

from .. import dtypes
from ..autograd import grad_mode
from ..tensor import Tensor

# Aliases for annotations: an int or one per spatial dimension (PyTorch's names), and a
# ``dim`` argument (one dimension, several, or None for all).
_size_1_t = Union[int, Tuple[int]]
_size_2_t = Union[int, Tuple[int, int]]
_dims_t = Union[int, Sequence[int], None]


_INT64 = (-(2**63), 2**63 - 1)


def python_type_name(value):
    """The type of a value as PyTorch's argument messages name it: 'int', 'numpy.ndarray'."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


class Int64OverflowError(ValueError, TypeError):
    """An int argument outside the int64 range. PyTorch raises ValueError for some ops and
    TypeError for others (those that first make a tuple of it); this is both."""


def check_int64(op, name, value):
    """``value`` (an int) as a Python int; Int64OverflowError outside the int64 range."""
    if not _INT64[0] <= value <= _INT64[1]:
        raise Int64OverflowError(f"{op}(): argument '{name}' is out of the int64 range: {value}")
    return int(value)


def check_tensor(op, name, value, position):
    """``value`` itself if it is a Tensor, else TypeError naming the argument and its position."""
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{op}(): argument '{name}' (position {position}) must be Tensor, not {python_type_name(value)}"
        )
    return value


def check_floating(op, input):
    """NotImplementedError, as PyTorch's kernels raise it, unless ``input`` is float32 or
    float64 (the dtypes minigrad's kernels take)."""
    if input._array.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"{op}\" not implemented for '{type_name(input._array.dtype)}'")


def check_int(op, name, value):
    """A Python or numpy integer as a Python int (TypeError for anything else, bools included)."""
    if not _is_int(value):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {python_type_name(value)}")
    return check_int64(op, name, value)


def check_bool(op, name, value):
    """``value`` if it is a Python bool; TypeError otherwise (1 and numpy.bool included, as PyTorch)."""
    if not isinstance(value, bool):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {python_type_name(value)}")
    return value


def check_float(op, name, value):
    """A real number (float, int, bool or numpy scalar) as a Python float."""
    if not isinstance(value, (float, int, np.floating, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' must be float, not {python_type_name(value)}")
    return float(value)


def check_str(op, name, value):
    """``value`` if it is a string; TypeError otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{op}(): argument '{name}' must be str, not {python_type_name(value)}")
    return str(value)


class allocating:
    """Run the block that allocates an output of ``shape``; a size no array can have, or
    numpy's MemoryError, becomes PyTorch's kind of error: a RuntimeError naming the op.

    (A class rather than a generator: entered on every layer call, it costs a third.)
    """

    __slots__ = ("op",)

    def __init__(self, op, shape, dtype):
        self.op = op
        try:
            output_bytes(shape, dtype)
        except RuntimeError as e:
            raise RuntimeError(f"{op}: {e}") from None

    def __enter__(self):
        return None

    def __exit__(self, kind, error, traceback):
        if kind is None:
            return False
        if issubclass(kind, MemoryError):
            raise RuntimeError(f"{self.op}: can't allocate memory: {error}") from None
        if issubclass(kind, AllocationError):
            raise RuntimeError(f"{self.op}: {error}") from None
        return False


def check_min(op, name, value, least):
    """ValueError unless every element of ``value`` (a tuple of ints, as ``ntuple`` gives)
    is at least ``least``: a layer's hyper-parameters, checked when it is built."""
    if min(value, default=least) < least:
        bound = {0: "non-negative", 1: "positive"}.get(least, f"at least {least}")
        shown = value[0] if len(value) == 1 else value
        raise ValueError(f"{op}: {name} must be {bound}, but got {name}={shown}")


def int_sequence(value, name, op, none_ok=False):
    """A tuple or list of ints (or None, with ``none_ok``) as a tuple of Python ints.

    TypeError in PyTorch's words for anything else, a bare int included.
    """
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {python_type_name(value)}")
    for i, v in enumerate(value):
        if not (_is_int(v) or (none_ok and v is None)):
            raise TypeError(
                f"{op}(): argument '{name}' must be tuple of ints, but found element of type "
                f"{python_type_name(v)} at pos {i}"
            )
    return tuple(v if v is None else check_int64(op, name, v) for v in value)


def ntuple(value, n, name, op, none_ok=False):
    """An int, or a tuple or list of n ints (or of one), as a tuple of n Python ints.

    With ``none_ok`` the elements may be None (adaptive pooling's "keep this size").
    Raises in PyTorch's words, naming ``op`` and the argument ``name``: TypeError for a
    value or element that is not an int (bools included), RuntimeError for a sequence of
    another length, Int64OverflowError for an int outside the int64 range.
    """
    lo, hi = _INT64
    if type(value) is int and lo <= value <= hi:  # the common cases first: every layer call
        return (value,) * n
    if type(value) is tuple and len(value) == n == 2:
        a, b = value
        if type(a) is int and type(b) is int and lo <= a <= hi and lo <= b <= hi:
            return value
    if _is_int(value):
        return (check_int64(op, name, value),) * n
    items = int_sequence(value, name, op, none_ok)
    if len(items) not in (1, n):
        raise RuntimeError(f"{op}: expected {name} to be a single int or a tuple of {n} ints, but got {name}={value!r}")
    return items * n if len(items) == 1 else items


def normalize_dims(op, dim, ndim):
    """``dim`` as a sorted tuple of non-negative axes (all axes for None)."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    rank = builtins.max(ndim, 1)
    out = []
    for d in dims:
        if not -rank <= d < rank:
            raise IndexError(
                f"{op}: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {d})"
            )
        out.append(d % rank if ndim else 0)
    return tuple(sorted(set(out)))


def conv_output_size(size, kernel, stride, padding, dilation, ceil_mode=False):
    """Output size of a convolution or pooling window along one dimension:
    ``floor((size + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1``.

    With ``ceil_mode`` (pooling) the division rounds up, but the last window must start
    inside the input or its left padding.
    """
    out = (size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def conv_transpose_output_size(size, kernel, stride, padding, dilation, output_padding=0):
    """Output size of a transposed convolution along one dimension:
    ``(size - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1``."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def same_padding(kernel, stride, dilation):
    """``padding='same'`` as one (left, right) pair per dimension: ``dilation*(kernel - 1)``
    split in two, the odd extra on the right. Stride 1 only (ValueError otherwise)."""
    if any(s != 1 for s in stride):
        raise ValueError("padding='same' is not supported for strided convolutions")
    pairs = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pairs.append((total // 2, total - total // 2))
    return pairs


def floating(input):
    """``input`` itself when floating; an integer or bool tensor as the default float dtype.

    As in PyTorch, exp, log, sqrt, tanh, sigmoid and the softmax family of an integer
    tensor give float32 (numpy would give float64, or float16 for bool and uint8, and
    sigmoid would stay integer).
    """
    if input._array.dtype.kind == "f":
        return input
    return Tensor._make(input._array.astype(dtypes.get_default_dtype().np_dtype))


def type_name(dtype):
    """A dtype as PyTorch's messages name it (float32 is 'float', int64 'long')."""
    return {
        "float32": "float",
        "float64": "double",
        "int64": "long",
        "int32": "int",
        "float16": "half",
        "bool": "bool",
        "uint8": "unsigned char",
    }.get(np.dtype(dtype).name, np.dtype(dtype).name)


def contiguous(array):
    """``array`` itself when C-contiguous, else a C-contiguous copy (what the kernels take)."""
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def write_out(op, result, out, *, warn_resize=True):
    """PyTorch's ``out=``: ``result`` written into the tensor ``out``, which is returned.

    Refused while autograd records (``out`` or an input requiring grad), and when the
    result's dtype cannot be cast to ``out``'s without changing kind (float into int). An
    ``out`` of another shape is resized, with PyTorch's deprecation warning unless it was
    empty (or ``warn_resize`` is False, as for the factories).
    """
    if result.requires_grad or (out.requires_grad and grad_mode.is_grad_enabled()):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad."
        )
    values = result._array
    if not np.can_cast(values.dtype, out._array.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {type_name(values.dtype).capitalize()} can't be cast to the desired output type "
            f"{type_name(out._array.dtype).capitalize()}"
        )
    if out._array.shape != values.shape:
        if warn_resize and out._array.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(out._array.shape)}, "
                f"which does not match the required output shape {list(values.shape)}. This behavior is "
                "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                "elements with t.resize_(0).",
                UserWarning,
                stacklevel=4,  # the caller of the op (write_out <- _out <- the op)
            )
        out._array = np.empty(values.shape, dtype=out._array.dtype)
    np.copyto(out._array, values, casting="unsafe")
    out._bump_version()
    return out
