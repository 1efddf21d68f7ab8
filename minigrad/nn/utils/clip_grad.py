"""Gradient clipping: scale all gradients so their joint norm is at most ``max_norm``, or clamp
each entry to ``[-clip_value, clip_value]``.

The gradients are changed in place, outside the graph, and each change counts as an
in-place change of that ``.grad`` tensor (its version moves on), as in PyTorch.
"""

from __future__ import annotations

import types
import warnings
from typing import Iterable, Union

import numpy as np

from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

TensorOrTensors = Union[Tensor, Iterable[Tensor]]


def _vector_norm(array: np.ndarray, norm_type: float) -> np.ndarray:
    """The ``norm_type``-norm of all entries of ``array`` (inf: max |x|, 0: count of non-zeros)."""
    return np.asarray(np.linalg.norm(array.ravel(), ord=norm_type), dtype=array.dtype)


def get_total_norm(
    tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach: bool | None = None
) -> Tensor:
    """The norm of the norms of ``tensors``: their norm as if concatenated into one vector.

    Args:
        tensors: a Tensor or an iterable of Tensors (e.g. gradients).
        norm_type (float): the order p, ``float('inf')`` or ``'inf'`` for the maximum. Default: 2.
        error_if_nonfinite (bool): raise RuntimeError if the norm is nan or inf. Default: False.
        foreach: accepted for PyTorch compatibility; minigrad has one CPU path. Default: None.

    Returns:
        A 0-d Tensor (``tensor(0.)`` for no tensors).

    Example:
        >>> grads = [minigrad.tensor([3.0]), minigrad.tensor([4.0])]
        >>> nn.utils.get_total_norm(grads)
        tensor(5.)
        >>> nn.utils.get_total_norm(grads, norm_type="inf")
        tensor(4.)
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(np.zeros((), dtype=np.float32))
    norms = np.stack([_vector_norm(t._array, norm_type) for t in tensors])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def clip_grads_with_norm_(
    parameters: TensorOrTensors, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Multiply every ``.grad`` by ``min(1, max_norm / (total_norm + 1e-6))``, in place.

    The second half of :func:`clip_grad_norm_`, for a ``total_norm`` computed separately
    (with :func:`get_total_norm`, over several parameter groups, say).

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` to scale.
        max_norm (float): the largest total norm allowed.
        total_norm (Tensor): the total norm of the gradients.
        foreach: accepted for PyTorch compatibility. Default: None.

    Example:
        >>> w = minigrad.tensor([3.0, 4.0], requires_grad=True)
        >>> (w * w).sum().backward()  # grad = [6, 8], norm 10
        >>> total = nn.utils.get_total_norm([w.grad])
        >>> nn.utils.clip_grads_with_norm_([w], max_norm=5.0, total_norm=total)
        >>> [round(g, 4) for g in w.grad.tolist()]
        [3.0, 4.0]
    """
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    total = total_norm._array if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coefficient = np.minimum(float(max_norm) / (total + total.dtype.type(1e-6)), total.dtype.type(1.0))
    for g in grads:
        g._array *= coefficient
        g._bump_version()


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their total norm is at most ``max_norm``.

    The total norm is taken over all gradients together, as if concatenated; every gradient
    is multiplied by ``min(1, max_norm / (total_norm + 1e-6))``. Call it between
    ``loss.backward()`` and ``optimizer.step()``.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` to clip.
        max_norm (float): the largest total norm allowed.
        norm_type (float): the order p of the norm; ``float('inf')`` for the maximum. Default: 2.
        error_if_nonfinite (bool): raise RuntimeError if the total norm is nan or inf. Default: False.
        foreach: accepted for PyTorch compatibility; minigrad has one CPU path. Default: None.

    Returns:
        The total norm of the gradients before clipping, as a 0-d Tensor.

    Example:
        >>> w = minigrad.tensor([3.0, 4.0], requires_grad=True)
        >>> (w * w).sum().backward()  # grad = [6, 8], norm 10
        >>> nn.utils.clip_grad_norm_([w], max_norm=1.0).item()
        10.0
        >>> [round(g, 4) for g in w.grad.tolist()]
        [0.6, 0.8]
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every entry of the gradients of ``parameters`` to ``[-clip_value, clip_value]``, in place.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` to clamp.
        clip_value (float): the largest absolute value allowed.
        foreach: accepted for PyTorch compatibility. Default: None.

    Example:
        >>> w = minigrad.tensor([3.0, -0.25], requires_grad=True)
        >>> (w * w).sum().backward()  # grad = [6, -0.5]
        >>> nn.utils.clip_grad_value_([w], clip_value=1.0)
        >>> w.grad.tolist()
        [1.0, -0.5]
    """
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            np.clip(p.grad._array, -clip_value, clip_value, out=p.grad._array)
            p.grad._bump_version()
