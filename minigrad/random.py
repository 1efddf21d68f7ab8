"""Random number state: one global generator seeded by ``manual_seed``, or explicit ones."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "default_generator", "initial_seed"]


class Generator:
    """A random number generator (numpy's PCG64) with PyTorch's seeding methods.

    Args:
        device (str): accepted for PyTorch's signature; only ``'cpu'``. Default: ``'cpu'``.

    Example:
        >>> g = minigrad.Generator().manual_seed(0)
        >>> a = minigrad.randn(3, generator=g)
        >>> _ = g.manual_seed(0)  # the same draws again
        >>> bool((minigrad.randn(3, generator=g) == a).all())
        True
    """

    def __init__(self, device: str = "cpu") -> None:
        self._seed = 67280421310721
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Seed this generator.

        Args:
            seed (int): the seed.

        Returns:
            Generator: this generator (so that calls chain).

        Example:
            >>> g = minigrad.Generator().manual_seed(7)
            >>> g.initial_seed()
            7
        """
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with.

        Example:
            >>> minigrad.Generator().manual_seed(5).initial_seed()
            5
        """
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The generator's state (numpy's PCG64 state dict), for ``set_state``.

        Example:
            >>> g = minigrad.Generator()
            >>> state = g.get_state()
            >>> a = minigrad.rand(2, generator=g)
            >>> g.set_state(state)
            >>> bool((minigrad.rand(2, generator=g) == a).all())
            True
        """
        return self.rng.bit_generator.state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state that ``get_state`` returned.

        Args:
            state (dict): what ``get_state()`` returned.

        Example:
            >>> g = minigrad.Generator()
            >>> state = g.get_state()
            >>> first = minigrad.randint(0, 100, (3,), generator=g)
            >>> g.set_state(state)
            >>> bool((minigrad.randint(0, 100, (3,), generator=g) == first).all())
            True
        """
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (factories, init, dropout, DataLoader shuffling).

    Args:
        seed (int): the seed.

    Returns:
        Generator: the global generator.

    Example:
        >>> _ = minigrad.manual_seed(3)
        >>> a = minigrad.rand(2)
        >>> _ = minigrad.manual_seed(3)
        >>> bool((minigrad.rand(2) == a).all())
        True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator from the operating system's entropy; returns the seed.

    Example:
        >>> s = minigrad.seed()
        >>> minigrad.initial_seed() == s
        True
    """
    value = int(np.random.SeedSequence().entropy % (2**63))
    default_generator.manual_seed(value)
    return value


def initial_seed() -> int:
    """The seed the global generator was last seeded with.

    Example:
        >>> _ = minigrad.manual_seed(42)
        >>> minigrad.initial_seed()
        42
    """
    return default_generator.initial_seed()


def rng_of(generator: Generator | None) -> np.random.Generator:
    """The numpy Generator behind ``generator`` (the global one when None)."""
    return (generator or default_generator).rng
