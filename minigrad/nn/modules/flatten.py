"""Flatten: merge a range of dimensions (by default all but the batch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .module import Module

if TYPE_CHECKING:
    from ...tensor import Tensor

__all__ = ["Flatten"]


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one: by default all but the batch, as
    between the conv part and the classifier of a network.

    Args:
        start_dim: the first dimension merged; default 1.
        end_dim: the last dimension merged; default -1.

    Shape:
        input: (N, *dims); output: (N, prod(dims)) with the defaults.

    Example:
        >>> nn.Flatten()(minigrad.ones(2, 16, 5, 5)).shape
        minigrad.Size([2, 400])
        >>> nn.Flatten(0, 1)(minigrad.ones(2, 3, 4)).shape
        minigrad.Size([6, 4])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """``input.flatten(start_dim, end_dim)``.

        Args:
            input: (N, *dims) with the defaults.

        Example:
            >>> nn.Flatten()(minigrad.ones(2, 3, 4)).shape
            minigrad.Size([2, 12])
        """
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.Flatten()
            Flatten(start_dim=1, end_dim=-1)
        """
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
