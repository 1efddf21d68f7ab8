"""``minigrad.backends.mps``: Apple's Metal backend is neither built nor available."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: minigrad computes on the CPU only."""
    return False


def is_built() -> bool:
    """False: minigrad has no Metal backend."""
    return False
