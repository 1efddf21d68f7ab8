"""Parameters as one flat vector and back (for methods that work on a single vector of weights)."""

from __future__ import annotations

from typing import Iterable

from ...ops import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and concatenated into one 1-D Tensor (differentiable).

    Example::

        >>> import minigrad
        >>> layer = minigrad.nn.Linear(3, 2)
        >>> minigrad.nn.utils.parameters_to_vector(layer.parameters()).shape
        minigrad.Size([8])
    """
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each of ``parameters`` the next slice of ``vec``, reshaped: the opposite of
    :func:`parameters_to_vector`. As in PyTorch, this replaces each parameter's storage (the
    parameters become views of ``vec``) and is not recorded by autograd.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    start = 0
    for param in parameters:
        size = param.numel()
        piece = vec._array[start : start + size]
        if piece.size != size:
            raise RuntimeError(f"shape '{list(param.shape)}' is invalid for input of size {piece.size}")
        param._array = piece.reshape(param.shape)
        start += size
