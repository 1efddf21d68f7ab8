"""Parameters as one flat vector and back (for methods that work on a single vector of weights)."""

from __future__ import annotations

from typing import Iterable

from ...ops import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and concatenated into one 1-D Tensor (differentiable).

    Args:
        parameters: an iterable of Tensors, e.g. ``model.parameters()``.

    Shape:
        output: (sum of the parameters' numel(),).

    Example:
        >>> layer = nn.Linear(3, 2)
        >>> nn.utils.parameters_to_vector(layer.parameters()).shape  # 2*3 weights + 2 biases
        minigrad.Size([8])
    """
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each of ``parameters`` the next slice of ``vec``, reshaped: the opposite of
    :func:`parameters_to_vector`.

    As in PyTorch, this replaces each parameter's storage (the parameters become views of
    ``vec``) and is not recorded by autograd.

    Args:
        vec (Tensor): a 1-D tensor with at least as many elements as the parameters.
        parameters: an iterable of Tensors, e.g. ``model.parameters()``.

    Example:
        >>> layer = nn.Linear(2, 1)
        >>> nn.utils.vector_to_parameters(minigrad.tensor([1.0, 2.0, 3.0]), layer.parameters())
        >>> layer.weight.tolist(), layer.bias.tolist()
        ([[1.0, 2.0]], [3.0])
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
