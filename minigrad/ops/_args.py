"""Argument handling shared by the ops modules, each helper written once.

- ``ntuple``: an int or a sequence of ints as a tuple of n ints (stride, padding, ...);
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

from .. import dtypes
from ..autograd import grad_mode
from ..tensor import Tensor

# Aliases for annotations: an int or one per spatial dimension (PyTorch's names), and a
# ``dim`` argument (one dimension, several, or None for all).
_size_1_t = Union[int, Tuple[int]]
_size_2_t = Union[int, Tuple[int, int]]
_dims_t = Union[int, Sequence[int], None]


def ntuple(value, n, name, op):
    """An int, or a sequence of n ints (or of one), as a tuple of n ints.

    Raises TypeError in PyTorch's words (``op``, argument ``name``) for anything else,
    bools included.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not bool")
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    if (
        isinstance(value, (tuple, list))
        and len(value) == n
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
    ):
        return tuple(int(v) for v in value)
    if isinstance(value, (tuple, list)) and len(value) == 1 and isinstance(value[0], (int, np.integer)):
        return (int(value[0]),) * n
    raise TypeError(f"{op}(): argument '{name}' must be an int or a tuple of {n} ints, but got {value!r}")


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
