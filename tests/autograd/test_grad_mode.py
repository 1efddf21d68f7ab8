"""Grad modes (no_grad, enable_grad, set_grad_enabled as context managers, calls and
decorators, restored after exceptions) and anomaly detection."""

import inspect

import numpy as np
import pytest
from inputs import leaf

import minigrad
from minigrad import autograd

# ---- grad modes -------------------------------------------------------------------------


def test_no_grad_stops_recording():
    x = leaf([1.0])
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with minigrad.no_grad():
        with minigrad.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_call_and_context():
    x = leaf([1.0])
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        minigrad.set_grad_enabled(True)
    with minigrad.set_grad_enabled(True):
        assert (x * 2).requires_grad
    assert autograd.is_grad_enabled is minigrad.is_grad_enabled


def test_grad_modes_as_decorators():
    x = leaf([1.0])

    @minigrad.no_grad()
    def off(t):
        assert not minigrad.is_grad_enabled()
        return t * 2

    @minigrad.enable_grad()
    def on(t):
        return t * 2

    @minigrad.set_grad_enabled(False)
    def off_too(t):
        return t * 2

    assert minigrad.is_grad_enabled(), "decorating must not change the mode"
    assert not off(x).requires_grad
    with minigrad.no_grad():
        assert on(x).requires_grad
    assert not off_too(x).requires_grad
    assert minigrad.is_grad_enabled()
    assert off.__name__ == "off"


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with minigrad.no_grad():
            raise ValueError("boom")
    assert minigrad.is_grad_enabled()

    @minigrad.no_grad()
    def fails():
        raise KeyError("x")

    with pytest.raises(KeyError):
        fails()
    assert minigrad.is_grad_enabled()


def test_grad_modes_as_bare_decorators():
    x = leaf([1.0])

    @minigrad.no_grad
    def off(t):
        return t * 2

    assert not off(x).requires_grad


def test_backward_runs_with_recording_off_unless_create_graph():
    seen = []
    x = leaf([1.0])
    y = x * 2
    y.register_hook(lambda g: seen.append(minigrad.is_grad_enabled()))
    y.sum().backward()
    assert seen == [False]
    assert not x.grad.requires_grad


# ---- anomaly detection ------------------------------------------------------------------


def _forward_with_a_bad_log(x):
    return (x - 1.0).log() * 0.0  # d/dx log(0) = inf, times 0 gives nan in LogBackward


def test_detect_anomaly_names_the_op_and_the_forward_line():
    x = leaf([1.0, 2.0])
    with autograd.detect_anomaly(), np.errstate(invalid="ignore", divide="ignore"):
        y = _forward_with_a_bad_log(x).sum()
        with pytest.raises(RuntimeError) as info:
            y.backward()
    message = str(info.value)
    assert "Function 'LogBackward' returned nan values" in message
    source_line = inspect.getsourcelines(_forward_with_a_bad_log)[1] + 1
    assert f"line {source_line}, in _forward_with_a_bad_log" in message
    assert "(x - 1.0).log() * 0.0" in message
    assert __file__.replace(".pyc", ".py") in message or "test_grad_mode.py" in message


def test_detect_anomaly_reports_inf():
    x = leaf([0.0, 4.0])
    with autograd.detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(RuntimeError, match="Function 'SqrtBackward' returned inf values"):
            y.backward()


def test_without_anomaly_mode_nan_gradients_pass_silently():
    x = leaf([1.0, 2.0])
    with np.errstate(all="ignore"):
        _forward_with_a_bad_log(x).sum().backward()
    assert np.isnan(x.grad._array[0])
    assert not autograd.grad_mode.is_anomaly_enabled()


def test_detect_anomaly_restores_the_mode():
    with autograd.detect_anomaly():
        assert autograd.grad_mode.is_anomaly_enabled()
    assert not autograd.grad_mode.is_anomaly_enabled()
