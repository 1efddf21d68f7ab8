"""Automatic differentiation: the tape (Function), the backward engine, grad modes, checks."""
from .engine import backward, grad
from .function import Function
from .grad_mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "detect_anomaly", "gradcheck", "gradgradcheck", "GradcheckError"]
