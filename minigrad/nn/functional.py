"""``minigrad.nn.functional``: the stateless form of every layer and loss (``import ... as F``).

Activations, dropout and batch norm are here with their Functions (forward next to
backward); convolution and pooling live in ``minigrad.ops.conv`` / ``pool`` / ``padding``
and are re-exported in the section marked below. Losses take ``reduction`` =
``'mean'`` | ``'sum'`` | ``'none'`` as PyTorch's do.

Notation: N batch, C classes or channels, ``*`` any further dimensions.
"""
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state
from .. import ops
from ..ops import linear, log_softmax, sigmoid, softmax, tanh
from ..random import rng_of
from ..tensor import Tensor

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "flatten", "dropout",
           "dropout2d", "batch_norm", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "focal_loss"]

# ---- convolution, pooling and padding (minigrad/ops/conv.py, pool.py, padding.py) ------------
# The differentiable ops and their Cython kernels live in minigrad.ops; they are re-exported
# here (conv2d, conv1d, conv_transpose2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d,
# adaptive_max_pool2d, pad, unfold, fold):
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold  # noqa: E402
from ..ops.padding import pad  # noqa: E402
from ..ops.pool import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,  # noqa: E402
                        max_pool1d, max_pool2d, max_unpool2d)

__all__ += ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "fold", "unfold", "pad",
            "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "max_pool1d",
            "max_pool2d", "max_unpool2d"]


# ---- activations ----------------------------------------------------------------------------

def relu(input, inplace=False):
    """``max(0, x)`` elementwise (``inplace`` is accepted, not used: the result is a new tensor)."""
    return ops.relu(input)


class LeakyReluFunction(Function):
    """out = x where x > 0 else slope * x;  dx = g * (1 or slope)."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        data = x.data
        factor = np.where(data > 0, 1, negative_slope).astype(data.dtype)
        ctx.save_for_backward(factor)
        return data * factor

    @staticmethod
    def backward(ctx, g):
        (factor,) = ctx.saved_tensors
        return g * factor, None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``max(0, x) + negative_slope * min(0, x)`` elementwise (``inplace`` is accepted, not used)."""
    return LeakyReluFunction.apply(input, negative_slope)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one."""
    return input.flatten(start_dim, end_dim)


# ---- dropout --------------------------------------------------------------------------------

class DropoutFunction(Function):
    """out = x * mask, mask = keep / (1 - p) (broadcast);  dx = g * mask."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return x.data * mask

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


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), in training.

    The mask is drawn from ``minigrad.random`` (``manual_seed`` governs it).
    """
    _check_p(p)
    if not training or p == 0:
        return input
    return DropoutFunction.apply(input, _dropout_mask(input.shape, p, input.data.dtype))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: input (N, C, H, W) or (C, H, W); each channel is kept with probability 1 - p."""
    _check_p(p)
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"dropout2d: Expected 3D (unbatched) or 4D (batched) input, but got input of size: {list(input.shape)}")
    if not training or p == 0:
        return input
    shape = input.shape[:-2] + (1, 1)
    return DropoutFunction.apply(input, _dropout_mask(shape, p, input.data.dtype))


# ---- batch normalization --------------------------------------------------------------------

class BatchNormFunction(Function):
    """y = (x - mean) * invstd * w + b with the batch statistics of each channel (dim 1).

    With n values per channel and xhat = (x - mean) * invstd:
    dw = sum(g * xhat),  db = sum(g),  dx = w * invstd * (g - db / n - xhat * dw / n).
    Forward also moves the running statistics, when given, toward the batch's.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, momentum, eps):
        data = x.data
        channels = data.shape[1]
        axes = tuple(i for i in range(data.ndim) if i != 1)
        n = data.size // channels
        mean = data.mean(axis=axes, keepdims=True)
        out = data - mean
        flat = out.reshape(data.shape[0], channels, -1)
        variance = np.einsum("ncl,ncl->c", flat, flat).reshape(mean.shape) / n
        invstd = (1.0 / np.sqrt(variance + eps)).astype(data.dtype, copy=False)
        out *= invstd if weight is None else invstd * weight.data.reshape(mean.shape)
        if bias is not None:
            out += bias.data.reshape(mean.shape)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            _update_running(running_var, variance.reshape(channels) * (n / max(n - 1, 1)), momentum)
        ctx.save_for_backward(x, weight, mean, invstd)
        ctx.axes, ctx.eps = axes, eps
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight, mean, invstd = ctx.saved_tensors
        if not state.grad_enabled:
            return _batch_norm_backward_arrays(ctx, g.data, x.data, weight, mean, invstd)
        # Building the gradient's own graph (create_graph): the statistics must be functions
        # of x, so they are recomputed with ops, and the formula is written in ops.
        axes = ctx.axes
        n = x.numel() // x.shape[1]
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        centered = x - x.mean(axes, keepdim=True)
        invstd = 1 / ((centered * centered).mean(axes, keepdim=True) + ctx.eps).sqrt()
        xhat = centered * invstd
        gb = g.sum(axes, keepdim=True)
        gw = (g * xhat).sum(axes, keepdim=True)
        gx = None
        if ctx.needs_input_grad[0]:
            scale = invstd if weight is None else invstd * weight.reshape(shape)
            gx = (g - gb / n - xhat * (gw / n)) * scale
        grad_w = gw.reshape(x.shape[1]) if ctx.needs_input_grad[1] else None
        grad_b = gb.reshape(x.shape[1]) if ctx.needs_input_grad[2] else None
        return gx, grad_w, grad_b, None, None, None, None


def _batch_norm_backward_arrays(ctx, g, x, weight, mean, invstd):
    """The same formula as BatchNormFunction.backward, in place on arrays (no graph to record):
    one temporary the size of x instead of one per op."""
    channels = x.shape[1]
    n = x.size // channels
    shape = mean.shape
    xhat = x - mean
    xhat *= invstd
    g3, xhat3 = g.reshape(x.shape[0], channels, -1), xhat.reshape(x.shape[0], channels, -1)
    gb = g3.sum(axis=(0, 2))
    gw = np.einsum("ncl,ncl->c", g3, xhat3)
    gx = None
    if ctx.needs_input_grad[0]:
        scale = invstd if weight is None else invstd * weight.data.reshape(shape)
        gx = xhat
        gx *= (gw / n).reshape(shape)
        np.subtract(g, gx, out=gx)
        gx -= (gb / n).reshape(shape)
        gx *= scale
        gx = Tensor._make(gx)
    grad_w = Tensor._make(gw.astype(x.dtype, copy=False)) if ctx.needs_input_grad[1] else None
    grad_b = Tensor._make(gb.astype(x.dtype, copy=False)) if ctx.needs_input_grad[2] else None
    return gx, grad_w, grad_b, None, None, None, None


def _update_running(running, batch_value, momentum):
    """running = (1 - momentum) * running + momentum * batch_value, in place."""
    running.data *= 1 - momentum
    running.data += momentum * batch_value.astype(running.data.dtype, copy=False)
    running._bump_version()


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalize each channel (dim 1) of ``input`` (N, C, *) to zero mean and unit variance.

    In training the batch statistics are used (biased variance) and the running ones, when
    given, move toward them: ``running = (1 - momentum) * running + momentum * batch``
    (unbiased variance, n / (n - 1)). Otherwise the running statistics are used.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected 2D or higher input (got {input.ndim}D input)")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not {t.numel()}")
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if not training and running_mean is not None and running_var is not None:
        scale = (running_var.data.reshape(shape) + eps) ** -0.5
        shift = -running_mean.data.reshape(shape) * scale
        if weight is not None:
            scale = weight.reshape(shape) * scale
            shift = weight.reshape(shape) * shift
        out = input * scale + shift
        return out + bias.reshape(shape) if bias is not None else out
    if input.numel() // max(channels, 1) <= 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {list(input.shape)}")
    if not training:
        running_mean = running_var = None
    return BatchNormFunction.apply(input, weight, bias, running_mean, running_var, momentum, eps)


# ---- losses ---------------------------------------------------------------------------------

def _check_reduction(reduction):
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
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
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
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({t.shape[0] if t.ndim else 0}).")
    expected = input.shape[:1] + input.shape[2:]
    if t.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    return t.astype(np.int64, copy=False)


def _class_weight(op, weight, classes, dtype):
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (classes,):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {classes} classes or no classes but got "
            f"weight tensor of shape: {list(w.shape)}")
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


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log likelihood of class indices: ``loss_i = -w[y_i] * input[i, y_i]``.

    Args:
        input: log-probabilities (N, C, *) or (C,).
        target: class indices (N, *) or () in [0, C); ``ignore_index`` entries count 0.
        weight: optional (C,) class weights; ``'mean'`` divides by the sum of w[y_i].
    """
    _check_reduction(reduction)
    t = _class_indices("nll_loss", input, target)
    unbatched = input.ndim == 1
    if unbatched:
        input, t = input.unsqueeze(0), t.reshape(1)
    w = _class_weight("nll_loss", weight, input.shape[1], input.data.dtype)
    picked, valid, safe = _pick("nll_loss", input, t, ignore_index)
    sample_weight = valid.astype(input.data.dtype) if w is None else w[safe] * valid
    loss = -picked * sample_weight
    if reduction == "mean":
        return loss.sum() / sample_weight.sum()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits ``input`` (N, C, *) or (C,) and a target of class indices or probabilities.

    With indices: ``nll_loss(log_softmax(input, 1), target, ...)``, and with label smoothing
    eps: ``(1 - eps) * nll + eps / C * sum_c(-w_c * log p_c)``, normalized as nll is. A float
    target of the input's shape holds class probabilities.
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    classes = input.shape[class_dim]
    t_array = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t_array.dtype.kind == "f":
        return _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    t = _class_indices("cross_entropy", input, target)
    w = _class_weight("cross_entropy", weight, classes, input.data.dtype)
    if w is not None:
        w_shape = (classes,) + (1,) * (input.ndim - 1 - class_dim)
        smooth = -(logp * w.reshape(w_shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    valid = t != ignore_index
    smooth = smooth * valid.astype(input.data.dtype)
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
            f"{list(logp.shape)}, but got {list(target.shape)}")
    classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = logp * target
    w = _class_weight("cross_entropy", weight, classes, logp.data.dtype)
    if w is not None:
        terms = terms * w.reshape((classes,) + (1,) * (logp.ndim - 1 - class_dim))
    loss = -terms.sum(class_dim)
    return _reduce(loss, reduction)


def focal_loss(input, target, gamma=2.0, alpha=None, reduction="mean"):
    """Focal loss of logits: ``FL = -alpha[y] * (1 - p_t)**gamma * log(p_t)``, p_t = softmax(input)[y].

    Args:
        input: logits (N, C, *) or (C,).
        target: class indices (N, *) or ().
        gamma: focusing parameter >= 0; ``gamma=0`` without ``alpha`` is cross entropy.
        alpha: optional (C,) per-class weights applied as ``alpha[target]``.
        reduction: ``'mean'`` averages over samples (alpha does not renormalize).
    """
    _check_reduction(reduction)
    if gamma < 0:
        raise ValueError(f"focal_loss: gamma must be non-negative, but got {gamma}")
    t = _class_indices("focal_loss", input, target)
    unbatched = input.ndim == 1
    if unbatched:
        input, t = input.unsqueeze(0), t.reshape(1)
    logp_t, _, safe = _pick("focal_loss", log_softmax(input, 1), t, ignore_index=None)
    p_t = logp_t.exp()
    loss = -((1 - p_t) ** gamma) * logp_t if gamma != 0 else -logp_t
    a = _class_weight("focal_loss", alpha, input.shape[1], input.data.dtype)
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
            f"Please ensure they have the same size.", stacklevel=3)


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: ``(input - target)**2`` reduced."""
    _check_reduction(reduction)
    _check_same_size("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: ``|input - target|`` reduced."""
    _check_reduction(reduction)
    _check_same_size("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` for probabilities x in [0, 1] (logs clamped at -100)."""
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({list(target.shape)}) that is different to the input size "
            f"({list(input.shape)}) is deprecated. Please ensure they have the same size.")
    x = input.data
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _softplus(x):
    """log(1 + exp(x)) without overflow: relu(x) + log(1 + exp(-|x|))."""
    return relu(x) + ((-x.abs()).exp() + 1).log()


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """BCE on logits, computed stably: ``-w * (pw * t * log s(x) + (1 - t) * log(1 - s(x)))``, s = sigmoid."""
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({list(target.shape)}) must be the same as input size ({list(input.shape)})")
    # -log s(x) = softplus(-x),  -log(1 - s(x)) = softplus(x)
    positive = _softplus(-input)
    if pos_weight is not None:
        positive = positive * pos_weight
    loss = target * positive + (1 - target) * _softplus(input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
