"""Checkpoints: ``minigrad.save`` and ``minigrad.load`` on safetensors, so loading never runs code.

A file is a standard safetensors file. Every tensor in the saved object is stored under
its path of keys joined by dots: a model's ``conv1.weight`` stays ``conv1.weight``, an
optimizer's momentum buffer becomes ``state.0.momentum_buffer``. The nesting and every
value that is not a tensor (numbers, strings, booleans, None, lists, tuples, dict keys
and their types) are kept as JSON in the metadata entry ``__minigrad__``. Any
safetensors tool reads the tensors, and a file without that entry (e.g. one written by
PyTorch's ``safetensors.torch.save_file``) loads as a flat ``{name: Tensor}`` dict,
ready for ``Module.load_state_dict``.

The metadata is ``{"version": 2, "object": <tree>, "tensors": {key: [dtype, shape]}}``.
In the tree a tensor is ``{"tensor": key}``, a container ``{"dict": [[key, node], ...]}``,
``{"list": [node, ...]}`` or ``{"tuple": [...]}``, and any other JSON value stands for
itself. The ``tensors`` table (new in version 2; version 1 files load without it) lets
``load`` check each tensor's dtype and shape, so a damaged safetensors header is caught
rather than loaded as different numbers. Whatever is wrong with a file, ``load`` raises
RuntimeError (as ``torch.load`` does for a corrupt file) with one message naming the
file and the fault.

PyTorch's pickle checkpoints (``torch.save``'s zip archives and its older bare pickles)
are recognized by their first bytes and refused with a message on converting them:
unpickling runs whatever code the file names, so minigrad never does it. For the same
reason ``save`` stores state dicts, not objects: a whole Module is refused with the
``state_dict`` recipe.
"""

from __future__ import annotations

import json
import os
import reprlib
import uuid
from typing import Any

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError, safe_open

from . import devices, dtypes
from .nn.modules.module import Module
from .tensor import Tensor

__all__ = ["save", "load"]

_META_KEY = "__minigrad__"
_VERSION = 2  # 1: tree only; 2: adds the dtype and shape table
_MAX_DEPTH = 100  # containers nested deeper than this are refused by save and load
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's default format since PyTorch 1.6: a zip of pickles
_PICKLE_PROTOCOLS = (2, 3, 4, 5)  # a pickle opens with 0x80 and its protocol: torch.save's legacy format


def _where(path):
    return ".".join(path) or "the top level"


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
    if len(path) >= _MAX_DEPTH and isinstance(obj, (dict, list, tuple)):
        raise ValueError(
            f"minigrad.save: containers nest deeper than {_MAX_DEPTH} levels (at {_where(path[:4])}...; "
            "a container that holds itself?)"
        )
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    f"minigrad.save: dict keys must be str or int, got {type(key).__name__} at {_where(path)}"
                )
            items.append([key, _encode(value, path + [str(key)], tensors)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(value, path + [str(i)], tensors) for i, value in enumerate(obj)]}
    if callable(getattr(obj, "state_dict", None)):
        raise TypeError(_whole_object_message(obj, path))
    raise TypeError(
        f"minigrad.save: cannot save a {type(obj).__name__} (at {_where(path)}); "
        "only tensors, numbers, strings, None, and dicts, lists and tuples of them can be saved"
    )


def _whole_object_message(obj, path):
    """Why a Module (or an optimizer, a scheduler...) cannot be saved whole, and what to save instead."""
    name = "model" if isinstance(obj, Module) else "obj"
    kind = type(obj).__name__
    return (
        f"minigrad.save: cannot save a whole {kind} object (at {_where(path)}); minigrad saves tensors and "
        "plain values, never pickled objects, so that loading never runs code. Save its state dict instead: "
        f"minigrad.save({name}.state_dict(), f); to load it, construct the {kind} again and call "
        f"{name}.load_state_dict(minigrad.load(f))"
    )


class _Invalid(Exception):
    """What is wrong with a file's contents; ``load`` adds the file name."""


def _decode(node, tensors, used, depth=0):
    """The object a metadata ``node`` describes, taking its tensors from ``tensors``."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if depth >= _MAX_DEPTH:
        raise _Invalid(f"its metadata nests deeper than {_MAX_DEPTH} levels")
    if not isinstance(node, dict) or len(node) != 1:
        raise _Invalid(f"its metadata has {reprlib.repr(node)} where a value or a one-entry object belongs")
    ((kind, value),) = node.items()
    if kind == "tensor":
        if not isinstance(value, str) or value not in tensors:
            raise _Invalid(f"its metadata refers to a tensor {reprlib.repr(value)} that the file does not hold")
        if value in used:
            raise _Invalid(f"its metadata places the tensor {value!r} twice")
        used.add(value)
        return tensors[value]
    if kind not in ("dict", "list", "tuple"):
        raise _Invalid(f"its metadata has an unknown entry {reprlib.repr(kind)}")
    if not isinstance(value, list):
        raise _Invalid(f"its metadata has {reprlib.repr(value)} where the items of a {kind} belong")
    if kind != "dict":
        items = [_decode(item, tensors, used, depth + 1) for item in value]
        return items if kind == "list" else tuple(items)
    result = {}
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and type(item[0]) in (str, int)):
            raise _Invalid(
                f"its metadata has {reprlib.repr(item)} where a [key, value] pair with a str or int key belongs"
            )
        if item[0] in result:
            raise _Invalid(f"its metadata repeats the dict key {item[0]!r}")
        result[item[0]] = _decode(item[1], tensors, used, depth + 1)
    return result


def _check_table(table, arrays):
    """Check the metadata's ``{key: [dtype, shape]}`` table against the arrays read from the file."""
    if not isinstance(table, dict) or set(table) != set(arrays):
        raise _Invalid("its metadata's table of tensors does not list the tensors the file holds")
    for key, array in arrays.items():
        if table[key] != [array.dtype.name, list(array.shape)]:
            raise _Invalid(
                f"the tensor {key!r} is {array.dtype.name} {list(array.shape)} but the metadata says "
                f"{reprlib.repr(table[key])}"
            )


def _decode_metadata(text, arrays):
    """The saved object, from the ``__minigrad__`` JSON ``text`` and the file's ``arrays``."""
    try:
        header = json.loads(text)
    except RecursionError:
        raise _Invalid(f"its metadata nests deeper than {_MAX_DEPTH} levels") from None
    except ValueError as e:
        raise _Invalid(f"its metadata is not valid JSON ({e})") from None
    if not isinstance(header, dict) or "object" not in header:
        raise _Invalid("its metadata is not an object with a 'version' and an 'object'")
    version = header.get("version")
    if type(version) is not int or not 1 <= version <= _VERSION:
        raise _Invalid(
            f"its format version is {reprlib.repr(version)}; this minigrad reads versions 1 to {_VERSION} "
            "(written by a newer minigrad?)"
        )
    if version >= 2:
        _check_table(header.get("tensors"), arrays)
    tensors = {key: Tensor._make(array) for key, array in arrays.items()}
    used = set()
    obj = _decode(header["object"], tensors, used)
    if used != set(tensors):
        raise _Invalid(f"it holds tensors its metadata does not place: {sorted(set(tensors) - used)[:5]}")
    return obj


def save(obj: Any, f: str | os.PathLike) -> None:
    """Save a state dict (nested dicts/lists/tuples of tensors, numbers, strings) to the file ``f``.

    The file is written to a temporary name in the same directory and renamed over
    ``f``, so a crash never leaves a half-written checkpoint behind.

    Args:
        obj (dict, list, tuple, Tensor, number or str): what to save, nested as deep as
            needed.
        f (str or path): the file to write.

    Example:

        >>> import minigrad, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.safetensors")
        >>> minigrad.save({"epoch": 3, "weight": minigrad.ones(2, 2)}, path)
        >>> minigrad.load(path)["epoch"]
        3
    """
    path = os.fspath(f)
    tensors = {}
    tree = _encode(obj, [], tensors)
    table = {key: [array.dtype.name, list(array.shape)] for key, array in tensors.items()}
    metadata = {_META_KEY: json.dumps({"version": _VERSION, "object": tree, "tensors": table})}
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


def load(
    f: str | os.PathLike,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load what :func:`save` wrote to ``f``; a plain safetensors file gives a flat ``{name: Tensor}`` dict.

    ``torch.load``'s arguments are accepted so that PyTorch code runs unchanged:

    Args:
        f: the file's path.
        map_location: where tensors go: None, ``'cpu'``, a CPU ``minigrad.device``, a dict
            from saved to wanted locations, or a callable ``(storage, location)``. Every
            tensor loads on the CPU; a location naming another device (``'cuda'``,
            ``{'cpu': 'cuda:0'}``) raises PyTorch's RuntimeError for a machine without it.
            A callable is not called.
        pickle_module: accepted and unused: no pickle is read.
        weights_only: True, False or None, all the same: the file holds only tensors and
            plain values, and ``weights_only=False`` does not make minigrad execute a pickle.
        mmap: accepted; the tensors are read into memory either way.
        **pickle_load_args: accepted and unused, as ``pickle_module``.

    Raises FileNotFoundError for a missing file, and RuntimeError, with one message naming
    the file and what is wrong, for one that is truncated, not a safetensors file, or
    whose metadata does not describe its tensors. A PyTorch ``.pt`` / ``.pth`` file
    written by ``torch.save`` is refused with a RuntimeError saying how to convert it.
    No code from the file is ever run.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
        >>> minigrad.save(nn.Linear(2, 1).state_dict(), path)
        >>> sorted(minigrad.load(path, map_location="cpu", weights_only=True))
        ['bias', 'weight']
    """
    _check_map_location(map_location)
    path = os.fspath(f)
    if not os.path.exists(path):
        raise FileNotFoundError(f"minigrad.load: no such file: {path}")
    try:
        try:
            with safe_open(path, framework="np") as st:
                metadata = st.metadata() or {}
                # np.array copies: tensors own writable, native-order memory, not the file's map.
                arrays = {key: np.array(st.get_tensor(key)) for key in st.keys()}
        except (SafetensorError, ValueError, TypeError, OSError) as e:
            _refuse_pickle(path)
            raise _Invalid(f"truncated or corrupt safetensors file ({e})") from None
        for key, array in arrays.items():
            try:
                dtypes.from_numpy_dtype(array.dtype)
            except TypeError:
                raise _Invalid(f"the tensor {key!r} has dtype {array.dtype}, which minigrad does not have") from None
        if _META_KEY not in metadata:
            return {key: Tensor._make(array) for key, array in arrays.items()}
        return _decode_metadata(metadata[_META_KEY], arrays)
    except _Invalid as e:
        raise RuntimeError(f"minigrad.load: {path} is not a valid checkpoint: {e}") from None


def _check_map_location(map_location):
    """Accept every ``map_location`` form ``torch.load`` takes; refuse locations other than the CPU."""
    if map_location is None or callable(map_location):
        return
    if isinstance(map_location, dict):
        targets = list(map_location.values())
    elif isinstance(map_location, (str, devices.device)):
        targets = [map_location]
    else:
        raise TypeError(
            "minigrad.load: map_location must be None, a str, a minigrad.device, a dict or a callable, "
            f"got {type(map_location).__name__}"
        )
    for target in targets:
        if devices.device(target).type != "cpu":
            raise RuntimeError(
                f"minigrad.load: map_location asks for device '{target}', but minigrad runs on the CPU only "
                "(minigrad.cuda.is_available() is False): use map_location='cpu' or leave it out"
            )


def _refuse_pickle(path):
    """Raise ``_Invalid`` with the conversion recipe if ``path`` starts like a ``torch.save`` file."""
    try:
        with open(path, "rb") as file:
            head = file.read(4)
    except OSError:  # a directory, say: the caller's message covers it
        return
    if head == _ZIP_MAGIC:
        kind = "a PyTorch checkpoint (torch.save's zip archive of pickles)"
    elif len(head) >= 2 and head[0] == 0x80 and head[1] in _PICKLE_PROTOCOLS:
        kind = "a pickle (torch.save's legacy format)"
    else:
        return
    raise _Invalid(
        f"it is {kind}, and minigrad never executes pickles, which can run any code. Convert it once in "
        "PyTorch: safetensors.torch.save_file(model.state_dict(), 'w.safetensors') (or "
        f"safetensors.torch.save_file(torch.load({path!r}), 'w.safetensors') if the file holds a state dict), "
        "then load that in minigrad: model.load_state_dict(minigrad.load('w.safetensors'))"
    )
