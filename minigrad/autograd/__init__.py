"""Automatic differentiation: the tape (Function), the backward engine, grad modes, checks.

What every op pays for (the fields of tensors and graph nodes, the recording of an op,
the backward walk) is compiled, in ``_engine.pyx``; ``function.py``, ``engine.py`` and
``grad_mode.py`` are its Python side. Nothing here imports the Tensor class.
"""

from .engine import backward, grad
from .function import Function
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "Function",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
    "detect_anomaly",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
]
