"""Grad mode: whether operations record themselves on the tape.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context
managers and as decorators, as in PyTorch. Anomaly mode lives here too: it is a switch the tape reads.
Both belong to the calling thread, as grad mode does in PyTorch: a new thread starts with
grad mode on and anomaly mode off, whatever the thread that started it has set.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ._engine import state

if TYPE_CHECKING:
    from typing import Literal

    _F = TypeVar("_F", bound=Callable[..., Any])

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
    "detect_anomaly",
    "is_anomaly_enabled",
]

# ``state`` holds the calling thread's switches (grad_enabled, inference_enabled,
# anomaly_enabled, observers);
# it lives in the compiled engine (minigrad/autograd/_engine.pyx), which reads it on every op.


def is_grad_enabled() -> bool:
    """True when operations are being recorded.

    Example:
        >>> with minigrad.no_grad():
        ...     minigrad.is_grad_enabled()
        False
    """
    return state.grad_enabled


class _GradModeContext:
    """Base for the grad-mode context managers; each also works as a decorator,
    with or without parentheses (``@no_grad()`` and ``@no_grad``)."""

    _target = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:  # an instance, or func decorated
        self = super().__new__(cls)
        if func is not None and cls is not set_grad_enabled and callable(func):
            return self(func)
        return self

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        pass

    def __enter__(self) -> None:
        self._prev = state.grad_enabled
        state.grad_enabled = self._target

    def __exit__(self, *exc: object) -> Literal[False]:
        state.grad_enabled = self._prev
        return False

    def __call__(self, func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # functools.wraps copies func's name and doc


class no_grad(_GradModeContext):
    """Context manager (or decorator) that stops recording operations.

    Args:
        func (callable, optional): the function to decorate, when used as ``@no_grad``
            without parentheses. Default: None.

    Example:
        >>> x = minigrad.ones(2, requires_grad=True)
        >>> with minigrad.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    _target = False


class enable_grad(_GradModeContext):
    """Context manager (or decorator) that turns recording back on, e.g. inside no_grad.

    Args:
        func (callable, optional): the function to decorate, when used as
            ``@enable_grad`` without parentheses. Default: None.

    Example:
        >>> x = minigrad.ones(2, requires_grad=True)
        >>> with minigrad.no_grad():
        ...     with minigrad.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    _target = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off: ``set_grad_enabled(False)`` as a call or a context manager.

    Args:
        mode (bool): record (True) or not (False).

    Example:
        >>> x = minigrad.ones(2, requires_grad=True)
        >>> with minigrad.set_grad_enabled(False):
        ...     (x * 2).requires_grad
        False
    """

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        self._prev = state.grad_enabled
        self._target = bool(mode)
        state.grad_enabled = self._target

    def __enter__(self) -> None:
        pass

    def __call__(self, func: _F) -> _F:
        state.grad_enabled = self._prev
        target = self._target

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(target):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # functools.wraps copies func's name and doc


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``.

    Example:
        >>> with minigrad.inference_mode():
        ...     minigrad.is_inference_mode_enabled()
        True
    """
    return state.inference_enabled


class inference_mode(_GradModeContext):
    """Context manager (or decorator) for code that only runs models forward.

    ``inference_mode()`` records nothing, like ``no_grad``, and an ``enable_grad`` inside it
    does not turn recording back on (as in PyTorch). ``inference_mode(False)`` (or
    ``mode=False``) leaves inference mode and turns grad mode on. Unlike PyTorch, tensors
    made inside are ordinary tensors: they may later be changed in place or used in a
    recorded computation (PyTorch refuses both for its "inference tensors").

    Args:
        mode (bool or callable): True to enter inference mode, False to leave it; a
            function, when used as ``@inference_mode`` without parentheses. Default: True.

    Example:
        >>> model = nn.Linear(2, 1)
        >>> with minigrad.inference_mode():
        ...     y = model(minigrad.ones(1, 2))
        >>> y.requires_grad
        False
    """

    def __new__(cls, mode: bool | Callable[..., Any] = True) -> Any:  # an instance, or mode decorated
        self = object.__new__(cls)
        if callable(mode):
            self.__init__(True)
            return self(mode)
        return self

    def __init__(self, mode: bool | Callable[..., Any] = True) -> None:
        self.mode = True if callable(mode) else bool(mode)

    def __enter__(self) -> None:
        self._prev = (state.grad_enabled, state.inference_enabled)
        state.grad_enabled = not self.mode
        state.inference_enabled = self.mode

    def __exit__(self, *exc: object) -> Literal[False]:
        state.grad_enabled, state.inference_enabled = self._prev
        return False

    def __call__(self, func: _F) -> _F:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # functools.wraps copies func's name and doc


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()``."""
    return state.anomaly_enabled


class detect_anomaly:
    """Record where each op was created and raise when backward produces NaN or inf.

    The error names the op and shows the line of the user's forward code that created it.

    Args:
        check_nan (bool): raise on NaN or inf gradients. Default: True.

    Example:
        >>> x = minigrad.tensor([0.0], requires_grad=True)
        >>> with minigrad.autograd.detect_anomaly():
        ...     try:
        ...         x.sqrt().mul(0.0).sum().backward()
        ...     except RuntimeError as error:
        ...         print(str(error)[:29])
        Function 'SqrtBackward0' retu
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = state.anomaly_enabled
        state.anomaly_enabled = self.check_nan

    def __exit__(self, *exc: object) -> Literal[False]:
        state.anomaly_enabled = self._prev
        return False
