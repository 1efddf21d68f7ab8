"""The machinery of the op tables in tests/ops: input makers, ``check`` (an op's forward
against the numpy expression it stands for, in float64 and float32, then gradcheck and
gradgradcheck in float64 when it is differentiable), ``case`` for one table row, and the
tables and numpy references that more than one test file uses, and the list of every
Function class in minigrad.

Inputs are kept away from kinks (|x| >= 0.2 for abs and relu, clamp bounds not hit)
and ties (max/min/maximum get distinct values), where a derivative is not defined.
They all come from the one seeded generator ``R``, drawn as the test modules are imported.
"""

import importlib
import pkgutil

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function, gradcheck, gradgradcheck
from minigrad.testing import assert_close

R = np.random.default_rng(1234)


# ---- inputs -----------------------------------------------------------------------------


def N(*shape):
    """Standard normal values."""
    return R.standard_normal(shape)


def P(*shape):
    """Positive values in [0.5, 2): safe for log, sqrt, division and real powers."""
    return R.uniform(0.5, 2.0, shape)


def A(*shape):
    """Values with 0.2 <= |x| < 2 (away from the kinks of abs and relu at 0)."""
    return R.uniform(0.2, 2.0, shape) * R.choice([-1.0, 1.0], shape)


def D(*shape):
    """Distinct values at least 0.25 apart (no ties for max, min, argmax, sort)."""
    n = int(np.prod(shape, dtype=np.int64))
    return ((R.permutation(n) - n / 2) * 0.25 + R.uniform(0.0, 0.05)).reshape(shape)


def sum_to(array, shape):
    """numpy: sum a broadcast gradient back down to ``shape``."""
    lead = array.ndim - len(shape)
    array = array.sum(axis=tuple(range(lead))) if lead else array
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and array.shape[i] != 1)
    return array.sum(axis=axes, keepdims=True) if axes else array


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _leaf(x, dtype):
    """A float numpy input becomes a leaf requiring grad; anything else passes through."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return minigrad.tensor(x.astype(dtype), requires_grad=True)
    return x


def check(fn, ref, *inputs, grad=True, gradgrad=True):
    """Forward against ``ref`` (numpy) in float64 and float32; then gradcheck and
    gradgradcheck in float64 when the op is differentiable."""
    expected = tuple(np.asarray(e) for e in _as_tuple(ref(*inputs)))
    leaves = [_leaf(x, np.float64) for x in inputs]
    out = _as_tuple(fn(*leaves))
    assert len(out) == len(expected)
    for o, e in zip(out, expected):
        assert o.shape == e.shape, (o.shape, e.shape)
        if e.dtype.kind == "f":
            assert o.dtype is minigrad.float64
            assert_close(o, e, rtol=1e-10, atol=1e-12)
        else:
            assert_close(o._array, e, check_dtype=False)

    out32 = _as_tuple(fn(*[_leaf(x, np.float32) for x in inputs]))
    for o, e in zip(out32, expected):
        if e.dtype.kind == "f":
            assert o.dtype is minigrad.float32, "float32 inputs must give a float32 result"
            assert_close(o, e.astype(np.float32), rtol=1e-4, atol=1e-5)

    if grad:
        assert gradcheck(fn, tuple(leaves))
    if gradgrad:
        assert gradgradcheck(fn, tuple(leaves))


def case(name, fn, ref, *inputs, xfail=None, **kwargs):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(fn, ref, inputs, kwargs, id=name, marks=marks)


# The binary ops and their numpy references (broadcast in test_elementwise, swept in test_sweeps).
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a**b, np.power),
    "maximum": (minigrad.maximum, np.maximum),
    "minimum": (minigrad.minimum, np.minimum),
}

# A boolean mask for a (3, 4) input: indexing and masked_fill_.
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])


def logsumexp(a, axis, keepdims=False):
    """numpy: log(sum(exp(a))) over ``axis``, shifted by the maximum."""
    m = a.max(axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis)


def function_classes():
    """Every Function subclass that minigrad defines, once all of its modules are imported."""
    for module in pkgutil.walk_packages(minigrad.__path__, "minigrad."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, stack = set(), list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("minigrad.") and cls not in found:
            found.add(cls)
        stack.extend(cls.__subclasses__())
    return found
