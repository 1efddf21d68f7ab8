"""Collation: merging the samples of a batch into tensors (``default_collate``), and
converting one unbatched sample (``default_convert``), with PyTorch's rules.

``collate(batch, collate_fn_map=...)`` walks containers (mappings, namedtuples, other
sequences) and hands the leaves to the function registered for their type in
``collate_fn_map``; ``default_collate`` is ``collate`` with ``default_collate_fn_map``,
which users may extend with their own types, as in PyTorch.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from typing import Any, Callable, Sequence

import numpy as np

from ....dtypes import float64, from_numpy_dtype, get_default_dtype
from ....ops import stack
from ....tensor import Tensor, as_tensor, tensor

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

# numpy dtypes that hold no numbers: bytes ('S', 'a'), unicode ('U') and objects ('O').
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_convert(data: Any) -> Any:
    """Convert one sample without batching it (the DataLoader's default with ``batch_size=None``).

    numpy arrays and numpy scalars become tensors (sharing memory when they can); Tensors,
    Python numbers, strings and arrays of strings or objects are returned unchanged;
    mappings, namedtuples and other sequences are converted element by element (a tuple
    becomes a list, as in PyTorch).

    Args:
        data: one sample.

    Example:
        >>> default_convert({"x": np.array([1, 2]), "n": 3})
        {'x': tensor([1, 2]), 'n': 3}
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if np_str_obj_array_pattern.search(data.dtype.str) else as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch: Sequence[Any], *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None) -> Any:
    """Merge a list of samples into a batch.

    A sample whose type (or a base of it, tried in the dict's order) is a key of
    ``collate_fn_map`` is merged by that function, called as ``fn(batch,
    collate_fn_map=collate_fn_map)``. Otherwise containers are collated field by field:
    mappings key by key (keeping the mapping's type), namedtuples field by field, and
    other sequences are transposed (a batch of ``(x, y)`` tuples gives the list
    ``[collate(xs), collate(ys)]``; a batch of lists gives a list). Anything else is a
    ``TypeError``.
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: collate([sample[key] for sample in batch], collate_fn_map=collate_fn_map) for key in elem}
        return _rebuild_mapping(elem, fields)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)]
        return fields if isinstance(elem, tuple) else _rebuild_sequence(elem, fields)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _rebuild_mapping(like: collections.abc.Mapping, fields: dict) -> collections.abc.Mapping:
    """``fields`` in a mapping of ``like``'s type (a plain dict when that type cannot be built)."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            clone = copy.copy(like)  # keeps what the constructor would not (a defaultdict's factory)
            clone.update(fields)
            return clone
        return type(like)(fields)
    except TypeError:
        return fields


def _rebuild_sequence(like: collections.abc.Sequence, items: list) -> collections.abc.Sequence:
    """``items`` in a sequence of ``like``'s type (a plain list when that type cannot be built)."""
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(like)(items)
    except TypeError:
        return items


# ---- the leaves ------------------------------------------------------------------------------


def collate_tensor_fn(batch: Sequence[Tensor], *, collate_fn_map=None) -> Tensor:
    """Tensors are stacked along a new first dimension (recorded by autograd, as ``stack`` is)."""
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch: Sequence[np.ndarray], *, collate_fn_map=None) -> Any:
    """numpy arrays become tensors and are stacked; arrays of strings or objects are refused."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str):
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(array) for array in batch], collate_fn_map=collate_fn_map)


def collate_number_fn(batch: Sequence[Any], *, collate_fn_map=None) -> Tensor:
    """A batch that starts with an int or a numpy scalar: ``torch.tensor(batch)``'s dtype.

    Each number has a dtype (a numpy scalar its own, a bool bool, an int int64, a float
    the default float dtype) and the batch takes their promotion, as PyTorch promotes:
    the widest floating dtype if there is one (``[1, 2.5]`` gives float32, unlike numpy's
    float64), otherwise the promoted integer dtype, otherwise bool.
    """
    dtypes = [_number_dtype(value) for value in batch]
    floats = [d for d in dtypes if d.kind == "f"]
    promoted = np.result_type(*floats) if floats else np.result_type(*dtypes)
    return tensor(list(batch), dtype=from_numpy_dtype(promoted))


def _number_dtype(value: Any) -> np.dtype:
    if isinstance(value, np.generic):
        return value.dtype
    if isinstance(value, bool):
        return np.dtype(np.bool_)
    if isinstance(value, int):
        return np.dtype(np.int64)
    if isinstance(value, float):
        return np.dtype(get_default_dtype().np_dtype)
    raise TypeError(f"new(): invalid data type '{type(value).__name__}'")


def collate_float_fn(batch: Sequence[float], *, collate_fn_map=None) -> Tensor:
    """A batch that starts with a Python float is float64 (Python floats are doubles)."""
    return tensor(list(batch), dtype=float64)


def collate_str_fn(batch: Sequence[str | bytes], *, collate_fn_map=None) -> Sequence[str | bytes]:
    """Strings and bytes stay as they are: the batch is the sequence of them (a tuple when
    they come from transposing tuples or lists, as in PyTorch)."""
    return batch


# Looked up by exact type first, then by isinstance in this order: numpy scalars come before
# float and int (np.float64 is a float subclass, np.int64 is not an int), and bool is an int.
default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_number_fn,
    float: collate_float_fn,
    int: collate_number_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate`` does.

    ============================  =========================================================
    samples                       batch
    ============================  =========================================================
    Tensor                        ``stack(batch)``: a new first dimension
    numpy array                   the arrays as tensors, stacked (strings, objects refused)
    numpy scalar                  a tensor of the promoted numpy dtypes
    Python int / bool             ``tensor(batch)``: int64, bool, or float32 when a float
                                  follows (``[1, 2.5, 3]``)
    Python float                  a float64 tensor
    str, bytes                    the list, unchanged
    Mapping                       the same mapping type, each key collated
    namedtuple                    the same namedtuple, each field collated
    tuple / other sequence        transposed: a list (tuples) or the same sequence type,
                                  each position collated; lengths must agree
    anything else (None, ...)     ``TypeError``
    ============================  =========================================================

    Args:
        batch (sequence): the samples of one batch.

    Example:
        >>> default_collate([1, 2.5, 3])
        tensor([1.0000, 2.5000, 3.0000])
        >>> default_collate([(np.zeros(2), 0), (np.ones(2), 1)])
        [tensor([[0., 0.],
                [1., 1.]], dtype=minigrad.float64), tensor([0, 1])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
