"""Random number state: one global generator seeded by ``manual_seed``, or explicit ones."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "default_generator", "initial_seed"]


class Generator:
    """A random number generator (numpy's PCG64) with PyTorch's seeding methods."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = 67280421310721
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict[str, Any]:
        return self.rng.bit_generator.state

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (factories, init, dropout, DataLoader shuffling)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator from the operating system's entropy; returns the seed."""
    value = int(np.random.SeedSequence().entropy % (2**63))
    default_generator.manual_seed(value)
    return value


def initial_seed() -> int:
    return default_generator.initial_seed()


def rng_of(generator: Generator | None) -> np.random.Generator:
    """The numpy Generator behind ``generator`` (the global one when None)."""
    return (generator or default_generator).rng
