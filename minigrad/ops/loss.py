"""Losses: cross_entropy, nll_loss, focal_loss, mse_loss, l1_loss, binary_cross_entropy and
binary_cross_entropy_with_logits.

Each is composed of differentiable ops (log_softmax, gather, arithmetic), so it needs no
Function of its own and its gradients of gradients come free. Losses take
``reduction`` = ``'mean'`` | ``'sum'`` | ``'none'`` as PyTorch's do.

Notation: N batch, C classes, ``*`` any further dimensions.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from ..tensor import Tensor
from .activation import log_softmax, relu

__all__ = [
    "cross_entropy",
    "nll_loss",
    "focal_loss",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]


def check_reduction(reduction):
    """Raise ValueError unless ``reduction`` is 'mean', 'sum' or 'none'."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _class_indices(op, input, target):
    """``target`` as an int64 array checked against ``input`` (N, C, *) or (C,)."""
    t = target._array if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected target of dtype Long (class indices), but got {t.dtype}")
    if input.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError(f"{op}: 1D input (C,) needs a 0D target, but got target of size {list(t.shape)}")
        return t.astype(np.int64)
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if t.ndim == 0 or input.shape[0] != t.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({t.shape[0] if t.ndim else 0})."
        )
    expected = input.shape[:1] + input.shape[2:]
    if t.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    return t.astype(np.int64, copy=False)


def _class_weight(op, weight, classes, dtype):
    if weight is None:
        return None
    w = weight._array if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (classes,):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {classes} classes or no classes but got "
            f"weight tensor of shape: {list(w.shape)}"
        )
    return w.astype(dtype, copy=False)


def _pick(op, logp, target, ignore_index):
    """``logp`` of the target class of every sample, and the mask of samples not ignored."""
    valid = np.ones(target.shape, bool) if ignore_index is None else target != ignore_index
    safe = np.where(valid, target, 0)
    classes = logp.shape[1]
    bad = safe[(safe < 0) | (safe >= classes)]
    if bad.size:
        raise IndexError(f"{op}: Target {int(bad.flat[0])} is out of bounds.")
    return logp.gather(1, np.expand_dims(safe, 1)).squeeze(1), valid, safe


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log likelihood of class indices: ``loss_i = -w[y_i] * input[i, y_i]``.

    Args:
        input: log-probabilities (N, C, *) or (C,).
        target: class indices (N, *) or () in [0, C); ``ignore_index`` entries count 0.
        weight: optional (C,) class weights; ``'mean'`` divides by the sum of w[y_i].
    """
    check_reduction(reduction)
    t = _class_indices("nll_loss", input, target)
    unbatched = input.ndim == 1
    if unbatched:
        input, t = input.unsqueeze(0), t.reshape(1)
    w = _class_weight("nll_loss", weight, input.shape[1], input._array.dtype)
    picked, valid, safe = _pick("nll_loss", input, t, ignore_index)
    sample_weight = valid.astype(input._array.dtype) if w is None else w[safe] * valid
    loss = -picked * sample_weight
    if reduction == "mean":
        return loss.sum() / sample_weight.sum()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy of logits ``input`` (N, C, *) or (C,) and a target of class indices or probabilities.

    With indices: ``nll_loss(log_softmax(input, 1), target, ...)``, and with label smoothing
    eps: ``(1 - eps) * nll + eps / C * sum_c(-w_c * log p_c)``, normalized as nll is. A float
    target of the input's shape holds class probabilities.
    """
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    classes = input.shape[class_dim]
    t_array = target._array if isinstance(target, Tensor) else np.asarray(target)
    if t_array.dtype.kind == "f":
        return _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    t = _class_indices("cross_entropy", input, target)
    w = _class_weight("cross_entropy", weight, classes, input._array.dtype)
    if w is not None:
        w_shape = (classes,) + (1,) * (input.ndim - 1 - class_dim)
        smooth = -(logp * w.reshape(w_shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    valid = t != ignore_index
    smooth = smooth * valid.astype(input._array.dtype)
    if reduction == "mean":
        denominator = (w[np.where(valid, t, 0)] * valid).sum() if w is not None else valid.sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing, class_dim):
    if target.shape != logp.shape:
        raise RuntimeError(
            f"cross_entropy: expected a target of class probabilities of the input's shape "
            f"{list(logp.shape)}, but got {list(target.shape)}"
        )
    classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = logp * target
    w = _class_weight("cross_entropy", weight, classes, logp._array.dtype)
    if w is not None:
        terms = terms * w.reshape((classes,) + (1,) * (logp.ndim - 1 - class_dim))
    loss = -terms.sum(class_dim)
    return _reduce(loss, reduction)


def focal_loss(
    input: Tensor,
    target: Tensor,
    gamma: float = 2.0,
    alpha: Tensor | Sequence[float] | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Focal loss of logits: ``FL = -alpha[y] * (1 - p_t)**gamma * log(p_t)``, p_t = softmax(input)[y].

    Args:
        input: logits (N, C, *) or (C,).
        target: class indices (N, *) or ().
        gamma: focusing parameter >= 0; ``gamma=0`` without ``alpha`` is cross entropy.
        alpha: optional (C,) per-class weights applied as ``alpha[target]``.
        reduction: ``'mean'`` averages over samples (alpha does not renormalize).
    """
    check_reduction(reduction)
    if gamma < 0:
        raise ValueError(f"focal_loss: gamma must be non-negative, but got {gamma}")
    t = _class_indices("focal_loss", input, target)
    unbatched = input.ndim == 1
    if unbatched:
        input, t = input.unsqueeze(0), t.reshape(1)
    logp_t, _, safe = _pick("focal_loss", log_softmax(input, 1), t, ignore_index=None)
    p_t = logp_t.exp()
    loss = -((1 - p_t) ** gamma) * logp_t if gamma != 0 else -logp_t
    a = _class_weight("focal_loss", alpha, input.shape[1], input._array.dtype)
    if a is not None:
        loss = loss * a[safe]
    if unbatched:
        loss = loss.squeeze(0)
    return _reduce(loss, reduction)


def _check_same_size(op, input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"{op}: Using a target size ({list(target.shape)}) that is different to the input size "
            f"({list(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
            f"Please ensure they have the same size.",
            stacklevel=3,
        )


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error: ``(input - target)**2`` reduced."""
    check_reduction(reduction)
    _check_same_size("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error: ``|input - target|`` reduced."""
    check_reduction(reduction)
    _check_same_size("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` for probabilities x in [0, 1] (logs clamped at -100)."""
    check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({list(target.shape)}) that is different to the input size "
            f"({list(input.shape)}) is deprecated. Please ensure they have the same size."
        )
    x = input._array
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _softplus(x):
    """log(1 + exp(x)) without overflow: relu(x) + log(1 + exp(-|x|))."""
    return relu(x) + ((-x.abs()).exp() + 1).log()


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE on logits, computed stably: ``-w * (pw * t * log s(x) + (1 - t) * log(1 - s(x)))``, s = sigmoid."""
    check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({list(target.shape)}) must be the same as input size ({list(input.shape)})")
    # -log s(x) = softplus(-x),  -log(1 - s(x)) = softplus(x)
    positive = _softplus(-input)
    if pos_weight is not None:
        positive = positive * pos_weight
    loss = target * positive + (1 - target) * _softplus(input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
