"""dtype conversion and copies, each passing the gradient straight through."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes
from ..autograd.function import Function

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..tensor import Tensor

__all__ = ["to_dtype", "clone"]


class ToDtypeFunction(Function):
    """out = a cast to a dtype;  da = g cast back to a's dtype."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.input_dtype = a._array.dtype
        ctx.dtype = np_dtype
        return a._array.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return ToDtypeFunction.apply(g, ctx.input_dtype), None


class CloneFunction(Function):
    """out = a copy of a;  da = g."""

    @staticmethod
    def forward(ctx, a):
        return np.array(a._array, copy=True, order="C")

    @staticmethod
    def backward(ctx, g):
        return g


def to_dtype(input: Tensor, dtype: dtypes.dtype | DTypeLike, copy: bool = False) -> Tensor:
    """``input`` as ``dtype``; the same tensor when it already has it (unless ``copy``).

    Args:
        input (Tensor): the input tensor.
        dtype (minigrad.dtype or numpy dtype): the dtype of the result.
        copy (bool): copy even when ``input`` already has ``dtype``. Default: False.

    Example:
        >>> minigrad.to_dtype(minigrad.tensor([1.7, -1.7]), minigrad.int64)
        tensor([ 1, -1])
    """
    np_dtype = dtypes.to_numpy_dtype(dtype)
    if np_dtype == input._array.dtype:
        return clone(input) if copy else input
    return ToDtypeFunction.apply(input, np_dtype)


def clone(input: Tensor) -> Tensor:
    """A copy of ``input`` with its own memory; gradients pass through unchanged.

    Args:
        input (Tensor): the input tensor.

    Example:
        >>> x = minigrad.tensor([1.0, 2.0])
        >>> y = minigrad.clone(x)
        >>> y[0] = 5.0
        >>> x
        tensor([1., 2.])
    """
    return CloneFunction.apply(input)
