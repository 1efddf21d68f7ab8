"""``minigrad.cuda``: what PyTorch code asks about CUDA, answered for a CPU-only library.

``is_available()`` is False and ``device_count()`` 0, so the usual
``device = "cuda" if minigrad.cuda.is_available() else "cpu"`` picks the CPU. The seeding
calls are accepted and do nothing, as PyTorch's do when no CUDA device exists.
"""

from __future__ import annotations

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """False: minigrad computes on the CPU only."""
    return False


def device_count() -> int:
    """0: there is no CUDA device."""
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored (no CUDA generator exists); seed the CPU with ``minigrad.manual_seed``."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored, as ``manual_seed``."""
