"""``minigrad.backends.cudnn``: the cuDNN switches PyTorch code sets, kept as plain attributes.

Scripts write ``minigrad.backends.cudnn.benchmark = True`` or ``deterministic = True``
before training; minigrad has no cuDNN, so the flags are stored and change nothing.
"""

from __future__ import annotations

__all__ = ["enabled", "benchmark", "deterministic", "is_available"]

enabled: bool = True
benchmark: bool = False
deterministic: bool = False


def is_available() -> bool:
    """False: cuDNN is a CUDA library and minigrad runs on the CPU only."""
    return False
