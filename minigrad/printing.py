"""How a tensor prints: PyTorch's layout, so printed values read the same in both.

The rules, for the elements of one tensor (they share one width and one style):

- integers and bools print as Python prints them;
- floats whose nonzero finite values are all whole numbers print as ``2.`` (int style);
- otherwise floats print with ``precision`` decimals (``2.5000``);
- scientific notation (``1.0000e-05``) when the nonzero finite magnitudes span more than
  a factor 1000, exceed 1e8, or (outside the int style) go below 1e-4;
- every element is right-aligned to the widest; rows wrap at ``linewidth``;
- a tensor of more than ``threshold`` elements prints only ``edgeitems`` entries at each
  end of every dimension, with ``...`` between (the style is chosen from those entries).

After the values come ``size=`` (empty tensors), ``dtype=`` (when it is not the default
floating dtype, int64 or bool) and what the caller adds (``grad_fn=<...>``), each moved to
a new line when it would pass ``linewidth``.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from . import dtypes

__all__ = ["set_printoptions"]

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

options = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: more elements than this are summarized with ``...`` (default 1000).
        edgeitems: entries kept at each end of a summarized dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'`` (never summarize), applied first.
        sci_mode: True or False forces scientific notation on or off; None (the default,
            also restored by every call that omits it) chooses per tensor.

    Example:
        >>> minigrad.set_printoptions(precision=2)
        >>> minigrad.tensor([1.2345])
        tensor([1.23])
        >>> minigrad.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions(): profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        options.update(_PROFILES[profile])
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            options[name] = value
    options["sci_mode"] = sci_mode


class _ElementStyle:
    """The shared width and style of the elements of one tensor, chosen from ``values``."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_style = True
        self.sci = False
        self.width = 1
        if not self.floating:
            for v in values.ravel().tolist():
                self.width = max(self.width, len(str(v)))
            return
        flat = values.ravel().astype(np.float64)
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        magnitudes = np.abs(shown)
        low, high = magnitudes.min(), magnitudes.max()
        precision = options["precision"]
        self.int_style = bool(np.all(np.ceil(shown) == shown))
        wide_range = high / low > 1000.0 or high > 1.0e8
        self.sci = wide_range or (not self.int_style and low < 1.0e-4)
        if options["sci_mode"] is not None:
            self.sci = options["sci_mode"]
        if self.sci:
            self.width = max(len(f"{v:.{precision}e}") for v in shown.tolist())
        elif self.int_style:
            self.width = max(len(f"{v:.0f}") + 1 for v in shown.tolist())  # + 1 for the "."
        else:
            self.width = max(len(f"{v:.{precision}f}") for v in shown.tolist())

    def format(self, value: float | int | bool) -> str:
        precision = options["precision"]
        if not self.floating:
            text = str(value)
        elif self.sci:
            text = f"{value:.{precision}e}"
        elif self.int_style:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{precision}f}"
        return text.rjust(self.width)


def _edges(array: np.ndarray, edgeitems: int) -> np.ndarray:
    """The first and last ``edgeitems`` entries of every dimension longer than twice that."""
    for axis, n in enumerate(array.shape):
        if n > 2 * edgeitems:
            keep = np.r_[0:edgeitems, n - edgeitems : n]
            array = np.take(array, keep, axis=axis)
    return array


def _vector(array, indent, summarize, style):
    edgeitems = options["edgeitems"]
    if summarize and not edgeitems:
        items = ["..."]
    elif summarize and array.shape[0] > 2 * edgeitems:
        head, tail = array[:edgeitems].tolist(), array[-edgeitems:].tolist()
        items = [style.format(v) for v in head] + [" ..."] + [style.format(v) for v in tail]
    else:
        items = [style.format(v) for v in array.tolist()]
    per_line = max(1, int((options["linewidth"] - indent) // (style.width + 2)))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array, indent, summarize, style):
    if array.ndim == 0:
        return style.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, style)
    edgeitems = options["edgeitems"]
    n = array.shape[0]
    if summarize and n > 2 * edgeitems:
        rows = [_nested(array[i], indent + 1, summarize, style) for i in range(edgeitems)]
        rows.append("...")
        rows += [_nested(array[i], indent + 1, summarize, style) for i in range(n - edgeitems, n)]
    else:
        rows = [_nested(array[i], indent + 1, summarize, style) for i in range(n)]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _with_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    """``text`` closed with ``, suffix`` for each suffix, wrapping those that would pass linewidth."""
    parts = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > options["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    return "".join(parts) + ")"


def format_tensor(array: np.ndarray, extra_suffixes: Sequence[str] = ()) -> str:
    """``tensor([...], dtype=..., <extra_suffixes>)`` for the values in ``array``."""
    prefix = "tensor("
    indent = len(prefix)
    dtype = dtypes.from_numpy_dtype(array.dtype)
    default = dtypes.get_default_dtype()
    suffixes = []
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype is not default:
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if dtype not in (default, dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dtype!r}")
        summarize = array.size > options["threshold"]
        style = _ElementStyle(_edges(array, options["edgeitems"]) if summarize else array)
        body = _nested(array, indent, summarize, style)
    return _with_suffixes(prefix + body, [*suffixes, *extra_suffixes], indent)
