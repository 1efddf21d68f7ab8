"""Losses: cross_entropy, nll_loss, focal_loss, mse_loss, l1_loss, binary_cross_entropy and
binary_cross_entropy_with_logits.

The losses PyTorch computes as one op are one Function here too, so that a graph shows one
node with PyTorch's name (``MseLossBackward0``, ``NllLossBackward0`` on top of
``LogSoftmaxBackward0`` for cross_entropy, ``BinaryCrossEntropyBackward0``,
``BinaryCrossEntropyWithLogitsBackward0``); each backward is written with minigrad ops, so
gradients of gradients work, and the drawn backward pass shows those ops. The others
(l1_loss, focal_loss, cross_entropy with label smoothing or class probabilities) are
composed of differentiable ops, as in PyTorch. Losses take ``reduction`` = ``'mean'`` |
``'sum'`` | ``'none'`` as PyTorch's do; ``weight`` and ``pos_weight`` are constants (a
tensor that requires grad is refused, as PyTorch does).

Notation: N batch, C classes, ``*`` any further dimensions.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from ..autograd.function import Function
from ..dtypes import result_array
from ..tensor import Tensor, as_array
from .activation import log_softmax, relu, sigmoid
from .elementwise import log
from .reduce import sum_to

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


def _reduce_array(loss, reduction):
    """``_reduce`` of an ndarray, in forward."""
    if reduction == "mean":
        return np.asarray(loss.mean(), dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return loss


def _spread(g, reduction, count):
    """The gradient of each element from the gradient ``g`` of the reduced loss."""
    return g / count if reduction == "mean" else g


def _constant(op, name, value):
    """``weight``/``pos_weight`` as an array; refuses a tensor that requires grad, as PyTorch does."""
    if isinstance(value, Tensor) and value.requires_grad:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument '{name}'. "
            "This input cannot have requires_grad True."
        )
    return None if value is None else np.asarray(as_array(value))


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


class NllLossFunction(Function):
    """out = reduce(-s_i * x[i, t_i]) with s_i = w[t_i] (0 where ignored), 'mean' dividing by sum(s);
    dx = -s_i * g at [i, t_i] (over sum(s) for 'mean'), zero elsewhere."""

    @staticmethod
    def forward(ctx, input, target, sample_weight, reduction):
        # target: (N, *) class indices made safe (ignored ones point at class 0), batched with input
        x = input._array if input.ndim > 1 else input._array[None]
        picked = np.take_along_axis(x, target[:, None], axis=1)[:, 0]
        loss = -picked * sample_weight
        ctx.input_shape, ctx.target, ctx.reduction = input._array.shape, target, reduction
        ctx.coefficient = -sample_weight
        if reduction == "mean":
            total = sample_weight.sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                ctx.coefficient = ctx.coefficient / total
                return np.asarray(loss.sum() / total, dtype=x.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=x.dtype)
        return loss if input.ndim > 1 else loss[0]

    @staticmethod
    def backward(ctx, g):
        target = ctx.target
        mask = np.zeros((target.shape[0], ctx.input_shape[-1 if len(ctx.input_shape) == 1 else 1]) + target.shape[1:])
        np.put_along_axis(mask, target[:, None], ctx.coefficient[:, None], axis=1)
        if ctx.reduction == "none":
            g = g.reshape(target.shape).unsqueeze(1)
        return (g * mask.astype(g._array.dtype)).reshape(ctx.input_shape), None, None, None


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log likelihood of class indices: ``loss_i = -w[y_i] * input[i, y_i]``.

    The input holds log-probabilities (``F.log_softmax`` of the logits); ``cross_entropy``
    does both steps in one call.

    Args:
        input: log-probabilities (N, C), (N, C, d1, ...) or unbatched (C,).
        target: int64 class indices (N,), (N, d1, ...) or () in [0, C).
        weight: optional (C,) class weights; default None (all 1).
        ignore_index: a target value that contributes nothing (neither to the sum nor to the
            mean's divisor); default -100.
        reduction: ``'mean'`` (default) divides the sum by the sum of w[y_i] over the samples
            not ignored, ``'sum'`` sums, ``'none'`` returns the per-sample losses of the
            target's shape.

    Shape:
        input (N, C, *), target (N, *); output () or, with ``'none'``, (N, *).

    Example:
        >>> logp = F.log_softmax(minigrad.tensor([[2.0, 0.0], [0.0, 2.0]]), 1)
        >>> F.nll_loss(logp, minigrad.tensor([0, 0]), reduction="none")
        tensor([0.1269, 2.1269])
    """
    check_reduction(reduction)
    t = _class_indices("nll_loss", input, target)
    if input.ndim == 1:
        t = t.reshape(1)
    classes = input.shape[0 if input.ndim == 1 else 1]
    w = _class_weight("nll_loss", _constant("nll_loss_forward", "weight", weight), classes, input._array.dtype)
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    bad = safe[(safe < 0) | (safe >= classes)]
    if bad.size:
        raise IndexError(f"nll_loss: Target {int(bad.flat[0])} is out of bounds.")
    sample_weight = valid.astype(input._array.dtype) if w is None else w[safe] * valid
    return NllLossFunction.apply(input, safe, sample_weight, reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    r"""Cross entropy between logits and a target of class indices or class probabilities.

    With class indices y (and class weights w, 1 by default), each sample's loss is

    .. math::

        \ell_i = -w_{y_i} \log \frac{\exp(x_{i, y_i})}{\sum_c \exp(x_{i, c})},

    computed stably as ``nll_loss(log_softmax(input, 1), target, ...)``. With
    ``label_smoothing`` = s the target becomes (1 - s) on the true class plus s / C on every
    class: :math:`\ell_i = (1 - s)\, \ell_i^{nll} + \frac{s}{C} \sum_c -w_c \log p_{i,c}`. A
    floating-point target of the input's shape holds class probabilities (soft labels), and the
    loss is :math:`-\sum_c w_c\, t_{i,c} \log p_{i,c}`.

    Args:
        input: unnormalized logits (N, C), (N, C, d1, ...) for per-pixel losses, or
            unbatched (C,).
        target: int64 class indices (N,), (N, d1, ...) or () in [0, C); or class
            probabilities of the input's shape.
        weight: optional (C,) rescaling of each class (for unbalanced classes); default None.
        ignore_index: a class-index target value that contributes nothing, neither to the
            sum nor to the mean's divisor; default -100.
        reduction: ``'mean'`` (default) divides the sum by the total weight of the samples not
            ignored (the number of samples without ``weight``; with probability targets, by N
            times d1...), ``'sum'`` sums, ``'none'`` returns the per-sample losses (N, d1, ...).
        label_smoothing: s in [0, 1]; default 0.0 (none).

    Shape:
        input (N, C, *) or (C,); target (N, *) or () of indices, or the input's shape of
        probabilities; output () or, with ``'none'``, (N, *).

    Example:
        >>> logits = minigrad.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        >>> target = minigrad.tensor([0, 2])
        >>> F.cross_entropy(logits, target)
        tensor(0.6691)
        >>> F.cross_entropy(logits, target, reduction="none")  # log(3) for the uniform row
        tensor([0.2395, 1.0986])
        >>> F.cross_entropy(logits, minigrad.tensor([0, -100]))  # the second sample is ignored
        tensor(0.2395)
        >>> F.cross_entropy(logits, target, label_smoothing=0.1)
        tensor(0.7357)
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
    """Focal loss of logits (Lin et al., 2017): cross entropy scaled down on easy examples.

    ``FL = -alpha[y] * (1 - p_t)**gamma * log(p_t)`` with p_t = softmax(input)[y], the
    probability of the true class: a well-classified sample (p_t near 1) contributes little, so
    the many easy negatives of a dense detector no longer swamp the hard ones.

    Args:
        input: logits (N, C), (N, C, d1, ...) or (C,).
        target: int64 class indices (N,), (N, d1, ...) or ().
        gamma: focusing parameter >= 0; default 2.0. ``gamma=0`` without ``alpha`` is cross
            entropy.
        alpha: optional (C,) per-class weights applied as ``alpha[target]``; default None.
        reduction: ``'mean'`` (default) averages over samples (alpha does not renormalize),
            ``'sum'`` sums, ``'none'`` returns the per-sample losses.

    Shape:
        input (N, C, *), target (N, *); output () or, with ``'none'``, (N, *).

    Example:
        >>> logits, target = minigrad.tensor([[2.0, 0.0], [0.0, 2.0]]), minigrad.tensor([0, 0])
        >>> F.focal_loss(logits, target, gamma=2.0, reduction="none")  # the easy sample counts little
        tensor([0.0018, 1.6501])
        >>> F.focal_loss(logits, target, gamma=0.0).item() == F.cross_entropy(logits, target).item()
        True
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


class MseLossFunction(Function):
    """out = reduce((x - t)**2);  dx = 2 (x - t) g (over the element count for 'mean'),  dt = -dx."""

    @staticmethod
    def forward(ctx, input, target, reduction):
        x, t = as_array(input), as_array(target)
        diff = result_array(np.subtract(x, t), x, t)
        ctx.save_for_backward(input, target)
        ctx.shapes, ctx.reduction, ctx.count = (np.shape(x), np.shape(t)), reduction, diff.size
        return _reduce_array(diff * diff, reduction)

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        grad = (input - target) * (_spread(g, ctx.reduction, ctx.count) * 2)
        gx = sum_to(grad, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gt = sum_to(-grad, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gt, None


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error: ``(input - target)**2`` elementwise, reduced.

    Args:
        input: any shape (*).
        target: the input's shape (another shape broadcasts, with a warning).
        reduction: ``'mean'`` (default) over all elements, ``'sum'``, or ``'none'``.

    Shape:
        input and target (*); output () or, with ``'none'``, (*).

    Example:
        >>> F.mse_loss(minigrad.tensor([1.0, 2.0, 3.0]), minigrad.tensor([1.0, 0.0, 0.0]))
        tensor(4.3333)
    """
    check_reduction(reduction)
    _check_same_size("mse_loss", input, target)
    return MseLossFunction.apply(input, target, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error: ``|input - target|`` elementwise, reduced.

    Args:
        input: any shape (*).
        target: the input's shape (another shape broadcasts, with a warning).
        reduction: ``'mean'`` (default) over all elements, ``'sum'``, or ``'none'``.

    Shape:
        input and target (*); output () or, with ``'none'``, (*).

    Example:
        >>> F.l1_loss(minigrad.tensor([1.0, 2.0, 3.0]), minigrad.tensor([1.0, 0.0, 0.0]))
        tensor(1.6667)
    """
    check_reduction(reduction)
    _check_same_size("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def _clamped_logs(x):
    """log(x) and log(1 - x), each clamped at -100 as PyTorch's BCE does (arrays or Tensors)."""
    if isinstance(x, Tensor):
        return log(x).clamp(min=-100), log(1 - x).clamp(min=-100)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)


class BinaryCrossEntropyFunction(Function):
    """out = reduce(-w (t log x + (1 - t) log(1 - x))), logs clamped at -100;
    dx = g w (x - t) / max(x (1 - x), 1e-12),  dt = g w (log(1 - x) - log x)."""

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        x, t = input._array, as_array(target)
        log_x, log_1mx = _clamped_logs(x)
        loss = -(t * log_x + (1 - t) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(input, target)
        ctx.weight, ctx.reduction, ctx.count = weight, reduction, loss.size
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        g = _spread(g, ctx.reduction, ctx.count)
        if ctx.weight is not None:
            g = g * ctx.weight.astype(g._array.dtype, copy=False)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * (input - target) / (input * (1 - input)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            log_x, log_1mx = _clamped_logs(input)
            gt = g * (log_1mx - log_x)
        return gx, gt, None, None


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross entropy of probabilities: ``-w * (t * log(x) + (1 - t) * log(1 - x))``.

    Each log is clamped at -100 (as PyTorch does), so x = 0 or 1 gives a finite loss. For
    logits prefer :func:`binary_cross_entropy_with_logits`, which is stabler.

    Args:
        input: probabilities x in [0, 1], any shape (*).
        target: t in [0, 1], the input's shape.
        weight: optional rescaling w, broadcast against the input; default None.
        reduction: ``'mean'`` (default) over all elements, ``'sum'``, or ``'none'``.

    Shape:
        input and target (*); output () or, with ``'none'``, (*).

    Example:
        >>> F.binary_cross_entropy(minigrad.tensor([0.9, 0.2]), minigrad.tensor([1.0, 0.0]))
        tensor(0.1643)
    """
    check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({list(target.shape)}) that is different to the input size "
            f"({list(input.shape)}) is deprecated. Please ensure they have the same size."
        )
    x = input._array
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    weight = _constant("binary_cross_entropy", "weight", weight)
    return BinaryCrossEntropyFunction.apply(input, target, weight, reduction)


def _softplus(x):
    """log(1 + exp(x)) without overflow: relu(x) + log(1 + exp(-|x|)) (arrays or Tensors)."""
    if isinstance(x, Tensor):
        return relu(x) + ((-x.abs()).exp() + 1).log()
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class BinaryCrossEntropyWithLogitsFunction(Function):
    """out = reduce(w ((1 - t) x + L softplus(-x))), L = 1 + (pw - 1) t (pw = 1 without pos_weight);
    dx = g w (L sigmoid(x) - pw t),  dt = g w ((pw - 1) softplus(-x) - x)."""

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        x, t = input._array, as_array(target)
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
        loss = (1 - t) * x + log_weight * _softplus(-x)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(input, target)
        ctx.weight, ctx.pos_weight, ctx.reduction, ctx.count = weight, pos_weight, reduction, loss.size
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        input, target = ctx.saved_tensors
        g = _spread(g, ctx.reduction, ctx.count)
        if ctx.weight is not None:
            g = g * ctx.weight.astype(g._array.dtype, copy=False)
        pw = 1 if ctx.pos_weight is None else ctx.pos_weight.astype(g._array.dtype, copy=False)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * ((target * (pw - 1) + 1) * sigmoid(input) - target * pw)
        if ctx.needs_input_grad[1]:
            gt = g * ((pw - 1) * _softplus(-input) - input)
        return gx, gt, None, None, None


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy on logits, computed stably (sigmoid and log in one step).

    ``loss = -w * (pw * t * log s(x) + (1 - t) * log(1 - s(x)))`` with s = sigmoid, written
    with softplus so that a large ``abs(x)`` neither overflows nor loses precision.

    Args:
        input: logits x, any shape (*).
        target: t in [0, 1], the input's shape.
        weight: optional rescaling w, broadcast against the input; default None.
        reduction: ``'mean'`` (default) over all elements, ``'sum'``, or ``'none'``.
        pos_weight: optional weight pw of the positive term, one per class (broadcast along
            the last dimension): pw > 1 raises recall; default None (1).

    Shape:
        input and target (*); output () or, with ``'none'``, (*).

    Example:
        >>> x, t = minigrad.tensor([2.0, -1.0]), minigrad.tensor([1.0, 0.0])
        >>> F.binary_cross_entropy_with_logits(x, t)
        tensor(0.2201)
        >>> F.binary_cross_entropy(F.sigmoid(x), t)  # the same, less stable
        tensor(0.2201)
    """
    check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({list(target.shape)}) must be the same as input size ({list(input.shape)})")
    weight = _constant("binary_cross_entropy_with_logits", "weight", weight)
    pos_weight = _constant("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    return BinaryCrossEntropyWithLogitsFunction.apply(input, target, weight, pos_weight, reduction)
