"""Assertions for users' tests: ``assert_close`` with dtype-aware tolerances and a report.

``assert_close(actual, expected)`` passes when every element satisfies
``|actual - expected| <= atol + rtol * |expected|``. Left out, ``rtol`` and ``atol`` come
from the dtype, with the same values as ``torch.testing.assert_close``:

=========  ==========  ======
dtype      rtol        atol
=========  ==========  ======
float16    1e-3        1e-5
float32    1.3e-6      1e-5
float64    1e-7        1e-7
integers   0           0
bool       0           0
=========  ==========  ======

On a mismatch the AssertionError says how many elements differ (count and percent), and
the greatest absolute and relative differences with the index where each occurs, e.g.::

    Tensors are not close: 1 of 3 elements differ (33.3%).
    Greatest absolute difference: 0.5 at index (1,) (actual 2.5, expected 2.0; atol=1e-05)
    Greatest relative difference: 0.25 at index (1,) (actual 2.5, expected 2.0; rtol=1.3e-06)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from . import dtypes
    from .nn.modules.module import Module
    from .tensor import Tensor

__all__ = ["assert_close", "default_tolerances", "gradcheck_module", "check_module_gradients"]

# (rtol, atol) by numpy dtype kind and size; the same numbers torch.testing uses.
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def default_tolerances(dtype: dtypes.dtype | DTypeLike) -> tuple[float, float]:
    """``(rtol, atol)`` used for ``dtype`` (a minigrad dtype, numpy dtype or type name)."""
    np_dtype = _numpy_dtype(dtype)
    if np_dtype.kind == "f":
        return _TOLERANCES.get(np_dtype, _TOLERANCES[np.dtype(np.float64)])
    return (0.0, 0.0)


def _numpy_dtype(dtype):
    from .dtypes import dtype as minigrad_dtype

    if isinstance(dtype, minigrad_dtype):
        return dtype.np_dtype
    return np.dtype(dtype)


def _dtype_name(np_dtype):
    from . import dtypes

    try:
        return repr(dtypes.from_numpy_dtype(np_dtype))
    except TypeError:
        return f"numpy.{np_dtype}"


def _is_sequence(value):
    return isinstance(value, (list, tuple))


def _contains_arrays(value):
    """True for a sequence holding Tensors or arrays (compared item by item)."""
    from .tensor import Tensor

    return _is_sequence(value) and any(isinstance(v, (Tensor, np.ndarray)) or _contains_arrays(v) for v in value)


class _Operand:
    """One side of a comparison: its values as an ndarray and whether its dtype is fixed."""

    __slots__ = ("array", "typed")

    def __init__(self, value, side):
        from .tensor import Tensor

        if isinstance(value, Tensor):
            self.array, self.typed = value._array, True
        elif isinstance(value, (np.ndarray, np.generic)):
            self.array, self.typed = np.asarray(value), True
        elif isinstance(value, (bool, numbers.Number)) or _is_sequence(value):
            try:
                array = np.asarray(value)
            except ValueError as error:
                raise TypeError(f"assert_close: {side} is a ragged sequence ({error})") from None
            if array.dtype == object or array.dtype.kind not in "biuf":
                raise TypeError(f"assert_close: {side} holds values that are not numbers: {value!r}")
            if array.dtype.kind == "f":
                array = array.astype(np.float64)
            self.array, self.typed = array, False
        else:
            raise TypeError(
                f"assert_close: cannot compare a {type(value).__name__} ({side}); expected a Tensor, "
                f"a numpy array, a number or a (nested) sequence of them"
            )


def _format_index(flat_index, shape):
    if not shape:
        return "()"
    return str(tuple(int(i) for i in np.unravel_index(flat_index, shape)))


def _number(x):
    return x.item() if isinstance(x, np.generic) else x


def _mismatch_report(actual, expected, rtol, atol, equal_nan, exact):
    """None when close, else the lines describing the mismatch."""
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    if exact and actual.dtype.kind in "biu" and expected.dtype.kind in "biu":
        # compare integers as integers (float64 loses precision above 2**53)
        ok = np.asarray(actual == expected)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            same = a == e  # equal infinities; any other infinity is a mismatch
            ok = same | (np.isfinite(e) & (np.abs(a - e) <= atol + rtol * np.abs(e)))
            if equal_nan:
                ok = ok | (np.isnan(a) & np.isnan(e))
    if ok.all():
        return None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        abs_diff = np.where(ok & ~np.isnan(a - e), 0.0, np.abs(a - e))
        abs_diff = np.where(a == e, 0.0, abs_diff)
        rel_diff = abs_diff / np.abs(e)
        rel_diff = np.where(abs_diff == 0, 0.0, rel_diff)
    total = ok.size
    bad = int(total - np.count_nonzero(ok))
    shape = ok.shape

    def worst(diff):
        flat = diff.ravel()
        if np.isnan(flat).any():
            k = int(np.argmax(np.isnan(flat)))
        else:
            k = int(np.argmax(flat))
        return float(flat[k]), k

    abs_value, abs_k = worst(abs_diff)
    rel_value, rel_k = worst(rel_diff)
    flat_a, flat_e = actual.ravel(), expected.ravel()

    def values_at(k):
        return f"actual {_number(flat_a[k])!r}, expected {_number(flat_e[k])!r}"

    if not shape:
        head = (
            f"Values are not {'equal' if exact else 'close'}: actual {_number(flat_a[0])!r}, "
            f"expected {_number(flat_e[0])!r}."
        )
        lines = [
            head,
            f"Absolute difference: {abs_value!r}" + ("" if exact else f" (atol={atol!r})"),
            f"Relative difference: {rel_value!r}" + ("" if exact else f" (rtol={rtol!r})"),
        ]
        return lines
    lines = [
        f"Tensors are not {'equal' if exact else 'close'}: {bad} of {total} elements differ "
        f"({100.0 * bad / total:.1f}%).",
        f"Greatest absolute difference: {abs_value!r} at index {_format_index(abs_k, shape)} "
        f"({values_at(abs_k)}" + (")" if exact else f"; atol={atol!r})"),
        f"Greatest relative difference: {rel_value!r} at index {_format_index(rel_k, shape)} "
        f"({values_at(rel_k)}" + (")" if exact else f"; rtol={rtol!r})"),
    ]
    return lines


def _fail(lines, msg, where):
    report = "\n".join(lines)
    if where:
        report += f"\nThe failure occurred for item {where}."
    if callable(msg):
        report = msg(report)
    elif msg is not None:
        report = f"{msg}\n\n{report}"
    raise AssertionError(report)


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where):
    if isinstance(actual, Mapping) or isinstance(expected, Mapping):
        if not (isinstance(actual, Mapping) and isinstance(expected, Mapping)):
            _fail(
                [
                    f"Cannot compare a {type(actual).__name__} with a {type(expected).__name__}: "
                    f"only one side is a mapping."
                ],
                msg,
                where,
            )
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            _fail(
                [f"The mappings have different keys: missing from actual {missing}, not expected {extra}."], msg, where
            )
        for key in expected:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_dtype, msg, f"{where}[{key!r}]")
        return
    if _contains_arrays(actual) or _contains_arrays(expected):
        if not (_is_sequence(actual) and _is_sequence(expected)):
            _fail(
                [
                    f"Cannot compare a {type(actual).__name__} with a {type(expected).__name__}: "
                    f"one side is a sequence of tensors and the other is not."
                ],
                msg,
                where,
            )
        if len(actual) != len(expected):
            _fail(
                [f"The sequences have different lengths: actual has {len(actual)} items, expected {len(expected)}."],
                msg,
                where,
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{where}[{i}]")
        return
    left, right = _Operand(actual, "actual"), _Operand(expected, "expected")
    a, e = left.array, right.array
    if a.shape != e.shape:
        _fail([f"Shapes do not match: actual has shape {list(a.shape)}, expected {list(e.shape)}."], msg, where)
    if check_dtype and left.typed and right.typed and a.dtype != e.dtype:
        _fail(
            [
                f"dtypes do not match: actual is {_dtype_name(a.dtype)}, expected {_dtype_name(e.dtype)} "
                f"(pass check_dtype=False to compare the values anyway)."
            ],
            msg,
            where,
        )
    if rtol is None:
        dts = [x.array.dtype for x in (left, right) if x.typed] or [a.dtype, e.dtype]
        pairs = [default_tolerances(d) for d in dts]
        r, t = max(p[0] for p in pairs), max(p[1] for p in pairs)
    else:
        r, t = rtol, atol
    exact = r == 0 and t == 0
    lines = _mismatch_report(a, e, r, t, equal_nan, exact)
    if lines is not None:
        _fail(lines, msg, where)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_dtype: bool = True,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close, elementwise.

    Args:
        actual, expected: Tensors, numpy arrays, Python numbers, (nested) sequences of
            them, or mappings such as state dicts. Sequences holding Tensors or arrays are
            compared item by item, mappings key by key; sequences of plain numbers are
            compared as arrays.
        rtol, atol: relative and absolute tolerance; both or neither. Omitted, they come
            from the dtype (see the module docstring); integers and bools must be equal.
        equal_nan: treat two NaNs in the same position as equal.
        check_dtype: require equal dtypes when both sides have one (Tensors and arrays;
            Python numbers and lists adapt to the other side).
        msg: a string put before the report, or a callable that receives the report and
            returns the message to raise.

    Raises:
        AssertionError: with a report of the mismatch (how many elements, the greatest
            absolute and relative differences and their indices), or naming the shapes or
            dtypes that differ.
        ValueError: when only one of ``rtol`` and ``atol`` is given.

    Example:
        >>> import minigrad
        >>> from minigrad.testing import assert_close
        >>> assert_close(minigrad.tensor([1.0, 2.0]) * 3, [3.0, 6.0])
    """
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(f"assert_close: give both rtol and atol, or neither (got no {missing})")
    if rtol is not None and (rtol < 0 or atol < 0 or math.isnan(rtol) or math.isnan(atol)):
        raise ValueError(f"assert_close: rtol and atol must be non-negative, got rtol={rtol}, atol={atol}")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, "")


# ---- module gradients against finite differences ----------------------------------------


def _float64(value):
    from .tensor import Tensor

    if isinstance(value, Tensor) and value._array.dtype.kind == "f":
        return Tensor._make(value._array.astype(np.float64))
    return value


def gradcheck_module(
    module: Module,
    *inputs: Any,
    loss_fn: Callable[[Any], Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast_mode: bool = False,
    seed: int = 0,
) -> bool:
    """Check every parameter gradient of ``module`` against central finite differences.

    The check runs in float64 on copies of the parameters and floating inputs; the
    module's own parameters, buffers and the global random state are restored afterwards.
    Before every forward the global generator is reseeded, so dropout draws the same mask
    each time. Parameters with ``requires_grad=False`` are skipped.

    Args:
        module: an ``nn.Module``.
        inputs: the forward arguments (Tensors are cast to float64, others pass through).
        loss_fn: maps the output to a scalar Tensor; by default the output (or each
            output of a tuple) is dotted with a fixed random tensor.
        eps, atol, rtol: step and tolerances (``|a - n| <= atol + rtol * |n|``).
        fast_mode: compare one random projection per parameter instead of every element
            (two forwards per parameter instead of two per element).

    Returns:
        True.

    Raises:
        AssertionError: naming the parameter, how many of its elements disagree, and the
            element with the largest error with both the analytical and the numerical value.
    """
    from . import random as mg_random
    from .autograd import grad as autograd_grad
    from .tensor import Tensor

    named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
    if not named:
        raise ValueError("gradcheck_module: the module has no parameter that requires grad")
    originals = {id(p): p._array for _, p in module.named_parameters()}
    saved_buffers = [(b, b._array.copy()) for _, b in module.named_buffers() if b is not None]
    generator_state = mg_random.default_generator.get_state()
    inputs64 = tuple(_float64(x) for x in inputs)
    rng = np.random.default_rng(seed)
    cotangents = []

    def loss_of(outputs):
        if loss_fn is not None:
            return loss_fn(outputs)
        outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
        outs = [o for o in outs if isinstance(o, Tensor) and o._array.dtype.kind == "f"]
        while len(cotangents) < len(outs):
            cotangents.append(Tensor._make(rng.standard_normal(outs[len(cotangents)].shape)))
        total = None
        for o, v in zip(outs, cotangents):
            term = (o * v).sum()
            total = term if total is None else total + term
        return total

    def forward():
        mg_random.manual_seed(seed)
        for buffer, values in saved_buffers:
            buffer._array[...] = values
        return loss_of(module(*inputs64))

    try:
        for _, p in module.named_parameters():
            if p._array.dtype.kind == "f":
                p._array = p._array.astype(np.float64)  # a copy: the user's arrays stay untouched
        loss = forward()
        if not isinstance(loss, Tensor) or loss._array.size != 1:
            raise ValueError("gradcheck_module: loss_fn must return a one-element Tensor")
        analytic = autograd_grad(loss, [p for _, p in named], allow_unused=True)
        failures = []
        for (name, p), g in zip(named, analytic):
            g = np.zeros(p.shape) if g is None else g._array
            failure = (_check_projection if fast_mode else _check_elements)(p, g, forward, eps, atol, rtol, rng)
            if failure:
                failures.append(f"parameter '{name}' {list(p.shape)}: {failure}")
    finally:
        for _, p in module.named_parameters():
            p._array = originals[id(p)]
        for buffer, values in saved_buffers:
            buffer._array = values
        mg_random.default_generator.set_state(generator_state)
    if failures:
        raise AssertionError(
            "Module gradients do not match finite differences "
            f"(atol={atol}, rtol={rtol}, eps={eps}):\n" + "\n".join(failures)
        )
    return True


def _numerical(p, direction, forward, eps):
    from .autograd.grad_mode import no_grad

    original = p._array.copy()
    try:
        with no_grad():
            p._array[...] = original + eps * direction
            plus = float(forward()._array)
            p._array[...] = original - eps * direction
            minus = float(forward()._array)
    finally:
        p._array[...] = original
    return (plus - minus) / (2 * eps)


def _check_elements(p, analytic, forward, eps, atol, rtol, rng):
    numeric = np.zeros(p.shape)
    for k in range(p._array.size):
        direction = np.zeros(p._array.size)
        direction[k] = 1.0
        numeric.flat[k] = _numerical(p, direction.reshape(p.shape), forward, eps)
    error = np.abs(analytic - numeric)
    bad = error > atol + rtol * np.abs(numeric)
    if not bad.any():
        return None
    k = int(np.argmax(np.where(bad, error, -1.0)))
    where = _format_index(k, p.shape)
    return (
        f"{int(bad.sum())} of {bad.size} elements differ; worst at index {where}: analytical "
        f"{float(analytic.flat[k])!r}, numerical {float(numeric.flat[k])!r}"
    )


def _check_projection(p, analytic, forward, eps, atol, rtol, rng):
    u = rng.standard_normal(p.shape)
    numeric = _numerical(p, u, forward, eps)
    projected = float(np.sum(analytic * u))
    if abs(projected - numeric) <= atol + rtol * abs(numeric):
        return None
    return f"random projection (fast mode): analytical {projected!r}, numerical {numeric!r}"


check_module_gradients = gradcheck_module  # the name nn's documentation uses
