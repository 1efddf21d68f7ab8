"""``minigrad.accelerator``: PyTorch's device-agnostic questions; minigrad has no accelerator."""

from __future__ import annotations

from .devices import device

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    """False: minigrad computes on the CPU only."""
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator (the CPU is not one)."""
    return None


def device_count() -> int:
    """0: there is no accelerator."""
    return 0
