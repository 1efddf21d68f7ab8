"""Grad mode: whether operations record themselves on the tape.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and as
decorators, as in PyTorch. Anomaly mode lives here too: it is a switch the tape reads.
"""

import functools

from ._engine import state

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled"]

# ``state`` holds the switches (grad_enabled, anomaly_enabled, observers); it lives in the
# compiled engine (minigrad/autograd/_engine.pyx), which reads it on every op.


def is_grad_enabled():
    """True when operations are being recorded."""
    return state.grad_enabled


class _GradModeContext:
    """Base for the grad-mode context managers; each also works as a decorator,
    with or without parentheses (``@no_grad()`` and ``@no_grad``)."""

    _target = True

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and cls is not set_grad_enabled and callable(func):
            return self(func)
        return self

    def __init__(self, func=None):
        pass

    def __enter__(self):
        self._prev = state.grad_enabled
        state.grad_enabled = self._target

    def __exit__(self, *exc):
        state.grad_enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager (or decorator) that stops recording operations."""

    _target = False


class enable_grad(_GradModeContext):
    """Context manager (or decorator) that turns recording back on, e.g. inside no_grad."""

    _target = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off: ``set_grad_enabled(False)`` as a call or a context manager."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self._prev = state.grad_enabled
        self._target = bool(mode)
        state.grad_enabled = self._target

    def __enter__(self):
        pass

    def __call__(self, func):
        state.grad_enabled = self._prev
        target = self._target

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(target):
                return func(*args, **kwargs)

        return wrapper


def is_anomaly_enabled():
    """True inside ``detect_anomaly()``."""
    return state.anomaly_enabled


class detect_anomaly:
    """Record where each op was created and raise when backward produces NaN or inf.

    The error names the op and shows the line of the user's forward code that created it.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = state.anomaly_enabled
        state.anomaly_enabled = self.check_nan

    def __exit__(self, *exc):
        state.anomaly_enabled = self._prev
        return False
