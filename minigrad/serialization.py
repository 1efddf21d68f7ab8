"""Checkpoints: ``minigrad.save`` and ``minigrad.load`` on safetensors, so loading never runs code.

A file is a standard safetensors file. Every tensor in the saved object is stored under
its path of keys joined by dots: a model's ``conv1.weight`` stays ``conv1.weight``, an
optimizer's momentum buffer becomes ``state.0.momentum_buffer``. The nesting and every
value that is not a tensor (numbers, strings, booleans, None, lists, tuples, dict keys
and their types) are kept as JSON in the metadata entry ``__minigrad__``. Any
safetensors tool reads the tensors, and a file without that entry (e.g. one written by
PyTorch's ``safetensors.torch.save_file``) loads as a flat ``{name: Tensor}`` dict,
ready for ``Module.load_state_dict``.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError, safe_open

from .tensor import Tensor

__all__ = ["save", "load"]

_META_KEY = "__minigrad__"
_VERSION = 1


def _encode(obj, path, tensors):
    """The JSON form of ``obj``; its tensors are moved into ``tensors`` under dotted keys."""
    if isinstance(obj, Tensor):
        key = ".".join(path) or "tensor"
        if key in tensors:
            raise ValueError(
                f"minigrad.save: two tensors would be stored under the same key {key!r}; "
                "keys containing '.' clash with nested keys"
            )
        # (not np.ascontiguousarray: it turns 0-d arrays into 1-d ones)
        tensors[key] = obj._array if obj._array.flags.c_contiguous else obj._array.copy()
        return {"tensor": key}
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    f"minigrad.save: dict keys must be str or int, got {type(key).__name__} at "
                    f"{'.'.join(path) or 'the top level'}"
                )
            items.append([key, _encode(value, path + [str(key)], tensors)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(value, path + [str(i)], tensors) for i, value in enumerate(obj)]}
    raise TypeError(
        f"minigrad.save: cannot save a {type(obj).__name__} (at {'.'.join(path) or 'the top level'}); "
        "only tensors, numbers, strings, None, and dicts, lists and tuples of them can be saved"
    )


def _decode(node, tensors, path, used):
    if not isinstance(node, dict):
        return node
    ((kind, value),) = node.items()
    if kind == "tensor":
        if value not in tensors:
            raise RuntimeError(
                f"minigrad.load: {path} refers to a tensor {value!r} that the file does not hold "
                "(mismatched or corrupt file)"
            )
        used.add(value)
        return tensors[value]
    if kind == "dict":
        return {key: _decode(item, tensors, path, used) for key, item in value}
    if kind in ("list", "tuple"):
        items = [_decode(item, tensors, path, used) for item in value]
        return items if kind == "list" else tuple(items)
    raise RuntimeError(
        f"minigrad.load: {path} has an unknown entry {kind!r} in its metadata (corrupt file, "
        "or written by a newer minigrad)"
    )


def save(obj: Any, f: str | os.PathLike) -> None:
    """Save a state dict (nested dicts/lists/tuples of tensors, numbers, strings) to the file ``f``.

    The file is written to a temporary name in the same directory and renamed over
    ``f``, so a crash never leaves a half-written checkpoint behind.

    Example::

        >>> import minigrad, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.safetensors")
        >>> minigrad.save({"epoch": 3, "weight": minigrad.ones(2, 2)}, path)
        >>> minigrad.load(path)["epoch"]
        3
    """
    path = os.fspath(f)
    tensors = {}
    tree = _encode(obj, [], tensors)
    metadata = {_META_KEY: json.dumps({"version": _VERSION, "object": tree})}
    payload = safetensors.numpy.save(tensors, metadata=metadata)
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(f: str | os.PathLike) -> Any:
    """Load what :func:`save` wrote to ``f``; a plain safetensors file gives a flat ``{name: Tensor}`` dict.

    Raises FileNotFoundError for a missing file and RuntimeError, naming the file, for
    one that is truncated, corrupt or not a safetensors file.
    """
    path = os.fspath(f)
    if not os.path.exists(path):
        raise FileNotFoundError(f"minigrad.load: no such file: {path}")
    try:
        with safe_open(path, framework="np") as st:
            metadata = st.metadata() or {}
            # np.array copies: tensors own writable, native-order memory, not the file's map.
            tensors = {key: Tensor._make(np.array(st.get_tensor(key))) for key in st.keys()}
    except (SafetensorError, ValueError, TypeError, OSError) as e:
        raise RuntimeError(
            f"minigrad.load: {path} is not a valid checkpoint (truncated or corrupt safetensors file): {e}"
        ) from None
    if _META_KEY not in metadata:
        return tensors
    try:
        header = json.loads(metadata[_META_KEY])
        tree = header["object"]
    except (ValueError, KeyError, TypeError) as e:
        raise RuntimeError(f"minigrad.load: {path} has corrupt minigrad metadata: {e}") from None
    used = set()
    obj = _decode(tree, tensors, path, used)
    if used != set(tensors):
        extra = sorted(set(tensors) - used)
        raise RuntimeError(
            f"minigrad.load: {path} holds tensors its metadata does not place: {extra[:5]} (mismatched or corrupt file)"
        )
    return obj
