"""Dropout: ``dropout`` zeroes elements, ``dropout2d`` whole channels, each kept with
probability 1 - p and scaled by 1 / (1 - p) in training (the identity otherwise).

The mask is drawn from ``minigrad.random`` (``manual_seed`` governs it) and is an
argument of the Function, so backward multiplies by the same mask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd.function import Function
from ..random import rng_of

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["dropout", "dropout2d"]


class DropoutFunction(Function):
    """out = x * mask, mask = keep / (1 - p) (broadcast);  dx = g * mask."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return x._array * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(shape, p, dtype):
    keep = rng_of(None).random(shape, dtype=np.float32) >= p
    return keep.astype(dtype) * (1.0 / (1.0 - p)) if p < 1 else np.zeros(shape, dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), in training.

    The mask is drawn from ``minigrad.random`` (``manual_seed`` governs it).
    """
    _check_p(p)
    if not training or p == 0:
        return input
    return DropoutFunction.apply(input, _dropout_mask(input.shape, p, input._array.dtype))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels: input (N, C, H, W) or (C, H, W); each channel is kept with probability 1 - p."""
    _check_p(p)
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"dropout2d: Expected 3D (unbatched) or 4D (batched) input, but got input of size: {list(input.shape)}"
        )
    if not training or p == 0:
        return input
    shape = input.shape[:-2] + (1, 1)
    return DropoutFunction.apply(input, _dropout_mask(shape, p, input._array.dtype))
