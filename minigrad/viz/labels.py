"""What the boxes say: shapes, sizes, times and counts as short text, a node's
hyper-parameters, an op's name as an operation, and its note in a backward pass.

Every text is deterministic (no ids, no addresses), so the DOT source is too.
"""

import numpy as np

from ..tensor import Tensor

__all__ = [
    "shape_text",
    "array_of",
    "value_meta",
    "format_bytes",
    "format_seconds",
    "format_count",
    "node_attrs",
    "op_title",
    "graph_note",
    "cost_lines",
]

# Attributes no box shows: the node's wiring, and its note (shown on a line of its own).
_SKIPPED_ATTRS = ("needs_input_grad", "next_functions", "graph_note")


def shape_text(shape, dtype):
    """``(2, 3) float32``."""
    return f"{tuple(int(s) for s in shape)} {np.dtype(dtype).name}"


def array_of(value):
    """The ndarray behind a Tensor or an ndarray (an ndarray's own ``.data`` is a buffer)."""
    if isinstance(value, np.ndarray):
        return value
    return value._array if isinstance(value, Tensor) else None


def value_meta(value):
    """(shape, dtype) of a Tensor or ndarray, else None."""
    data = array_of(value)
    if isinstance(data, np.ndarray):
        return data.shape, data.dtype
    return None


def format_bytes(n):
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024.0
    return f"{n:.1f} GiB"


def format_seconds(s):
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} us"


def format_count(n):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:.0f}"


def _format_value(value, budget=60):
    """A short, deterministic text for an attribute value, or None when not worth showing."""
    text = _value_text(value, 0)
    if text is None:
        return None
    return text if len(text) <= budget else text[: budget - 3] + "..."


def _value_text(value, depth):
    """Scalars, strings and tuples of them (an index may hold slices, ``...`` and arrays)."""
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, (int, float)):
        return repr(value)
    if depth and isinstance(value, slice):
        parts = ["" if p is None else str(p) for p in (value.start, value.stop, value.step)]
        return ":".join(parts if value.step is not None else parts[:2])
    if depth and value is Ellipsis:
        return "..."
    if depth and isinstance(value, np.ndarray):
        return f"array{tuple(value.shape)}"
    if not isinstance(value, tuple):
        return None
    if depth > 4:
        return "(...)"
    items = [_value_text(v, depth + 1) for v in value]
    if any(item is None for item in items):
        return None
    return "(" + ", ".join(items) + (",)" if len(items) == 1 else ")")


def node_attrs(node):
    """The hyper-parameters of a node worth showing: public scalar/tuple/str attributes."""
    lines = []
    try:
        items = vars(node).items()
    except TypeError:  # __slots__ nodes (AccumulateGrad) have none
        return lines
    for key, value in items:
        if key.startswith("_") or key in _SKIPPED_ATTRS:
            continue
        text = _format_value(value)
        if text is not None:
            lines.append(f"{key}={text}")
    return lines


def op_title(cls):
    """The name of an op class as an operation: ``ConvTranspose2dFunction`` -> ``ConvTranspose2d``.

    A variant that only renames the node (``SumDimFunction``, named ``SumBackward1``) is titled
    as the Function whose forward it runs (``Sum``).
    """
    while "forward" not in cls.__dict__ and cls.__base__ is not object and hasattr(cls.__base__, "forward"):
        cls = cls.__base__
    name = cls.__name__
    for suffix in ("Function", "Backward"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def graph_note(node):
    """What an op means inside a backward pass (``Function.graph_note``): the note the node
    set for this call (which path ran) wins over its class's; None when it has neither."""
    note = getattr(node, "graph_note", None) or getattr(type(node), "graph_note", None)
    return note if isinstance(note, str) else None  # a class's graph_note may be a property


def cost_lines(cost):
    """The lines of a cost dict (``minigrad.costs``): times, saved bytes, mult-adds."""
    lines = []
    fwd, bwd = cost.get("forward"), cost.get("backward")
    times = []
    if fwd is not None:
        times.append(f"fwd {format_seconds(fwd)}")
    if bwd is not None:
        times.append(f"bwd {format_seconds(bwd)}")
    if cost.get("time") is not None:
        times.append(f"time {format_seconds(cost['time'])}")
    if times:
        lines.append("  ".join(times))
    if cost.get("saved"):
        lines.append(f"saved {format_bytes(cost['saved'])}")
    if cost.get("macs"):
        lines.append(f"{format_count(cost['macs'])} MACs")
    return lines
