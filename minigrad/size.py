"""``minigrad.Size``: a tensor's shape, a tuple of ints that also knows its element count.

This module imports only numpy and operator: the Tensor and the factories both use it.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Iterable, Sequence, SupportsIndex

import numpy as np

__all__ = ["Size"]


class Size(tuple):
    """The shape of a tensor, as ``.shape`` and ``.size()`` return it: a tuple of ints.

    Slicing, ``+`` and ``*`` give a Size again; ``numel()`` is the product of the sizes.

    Args:
        sizes (iterable of int): the sizes of the dimensions. Default: ().

    Example:
        >>> s = minigrad.zeros(2, 3).shape
        >>> s
        minigrad.Size([2, 3])
        >>> s.numel(), s == (2, 3), s[1:]
        (6, True, minigrad.Size([3]))
    """

    __slots__ = ()

    def __new__(cls, sizes: Iterable[SupportsIndex] = ()) -> Size:
        values = []
        for i, s in enumerate(sizes):
            try:
                values.append(operator.index(s))
            except TypeError:
                raise TypeError(
                    f"minigrad.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')"
                ) from None
        return super().__new__(cls, values)

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``).

        Example:
            >>> minigrad.Size([2, 3, 4]).numel(), minigrad.Size([]).numel()
            (24, 1)
        """
        return math.prod(self)

    def __getitem__(self, index):  # type: ignore[override]
        item = tuple.__getitem__(self, index)
        return tuple.__new__(Size, item) if isinstance(index, slice) else item

    def __add__(self, other: tuple[Any, ...]) -> Size:  # type: ignore[override]
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: tuple[Any, ...]) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n: SupportsIndex) -> Size:  # type: ignore[override]
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"


def sizes_from_args(size: Sequence[Any]) -> tuple[int, ...]:
    """The shape a factory was given as ``*size``: ``(2, 3)`` or ``((2, 3),)`` -> ``(2, 3)``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)
