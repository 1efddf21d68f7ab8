"""Dropout layers: active in training mode, the identity in eval mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from ...tensor import Tensor

__all__ = ["Dropout", "Dropout2d"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.Dropout(0.2)
            Dropout(p=0.2, inplace=False)
        """
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` in training, scaling the rest by 1 / (1 - p).

    The scaling ("inverted dropout") keeps the expected value of every element unchanged, so
    in eval mode (``model.eval()``) the layer is the identity and needs no rescaling. A new
    mask is drawn on every call, from the generator that ``minigrad.manual_seed`` seeds.

    Args:
        p: the probability of zeroing an element, in [0, 1]; default 0.5.
        inplace: accepted for PyTorch's signature and ignored (the result is a new tensor);
            default False.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> drop = nn.Dropout(p=0.5)
        >>> drop(minigrad.ones(2, 4))  # training: each entry is 0 or 1 / (1 - p) = 2
        tensor([[2., 2., 2., 0.],
                [0., 0., 0., 0.]])
        >>> _ = drop.eval()
        >>> drop(minigrad.ones(2, 4)).sum().item()  # eval: the identity
        8.0
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.dropout(input, p, self.training)``: dropout in training mode, the identity in eval mode.

        Args:
            input: any shape.

        Example:
            >>> nn.Dropout(0.5).eval()(minigrad.ones(3))
            tensor([1., 1., 1.])
        """
        return F.dropout(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability ``p`` in training.

    Neighbouring pixels of a feature map are strongly correlated, so zeroing single elements
    barely regularizes a conv layer; this drops each (H, W) map as a whole and scales the kept
    ones by 1 / (1 - p). In eval mode it is the identity.

    Args:
        p: the probability of zeroing a channel, in [0, 1]; default 0.5.
        inplace: accepted for PyTorch's signature and ignored; default False.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: the same shape.

    Example:
        >>> y = nn.Dropout2d(p=0.5)(minigrad.ones(1, 6, 2, 2))
        >>> y.sum((2, 3)).flatten().tolist()  # a channel is all 0 or all 2
        [8.0, 8.0, 8.0, 0.0, 0.0, 0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.dropout2d(input, p, self.training)``: channel dropout in training mode, the identity in eval mode.

        Args:
            input: (N, C, H, W) or (C, H, W).

        Example:
            >>> nn.Dropout2d(0.5).eval()(minigrad.ones(1, 2, 1, 1)).flatten()
            tensor([1., 1.])
        """
        return F.dropout2d(input, self.p, self.training)
