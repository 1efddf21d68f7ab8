"""Normalization: ``batch_norm`` over the channels (dim 1) of an ``(N, C, *)`` input.

Notation: N batch, C channels, ``*`` any further dimensions; each channel has n values,
N times the product of the further sizes.

In training, a C-contiguous float32 or float64 input runs the fused kernels of
``minigrad_core.batch_norm`` (per channel: two passes for the statistics and one writing
the output; backward one pass for the sums and one writing dx); other inputs, and the
backward that records its own graph (create_graph), are written with numpy and ops.
"""

from __future__ import annotations

import numpy as np

from minigrad_core.batch_norm import batch_norm_backward, batch_norm_forward

from ..autograd.function import Function
from ..autograd.grad_mode import state
from ..tensor import Tensor

__all__ = ["batch_norm"]

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class BatchNormFunction(Function):
    """y = (x - mean) * invstd * w + b with the batch statistics of each channel (dim 1).

    With n values per channel and xhat = (x - mean) * invstd:
    dw = sum(g * xhat),  db = sum(g),  dx = w * invstd * (g - db / n - xhat * dw / n).
    Forward also moves the running statistics, when given, toward the batch's.
    """

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, momentum, eps):
        data = x._array
        channels = data.shape[1]
        n = data.size // channels
        ctx.fused = _fits_kernels(data, weight, bias)
        if ctx.fused:
            out, mean, variance, invstd = _batch_norm_forward_fused(data, weight, bias, eps)
        else:
            out, mean, variance, invstd = _batch_norm_forward_arrays(data, weight, bias, eps)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            _update_running(running_var, variance.reshape(channels) * (n / max(n - 1, 1)), momentum)
        ctx.save_for_backward(x, weight, mean, invstd)
        ctx.axes, ctx.eps = tuple(i for i in range(data.ndim) if i != 1), eps
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight, mean, invstd = ctx.saved_tensors
        if not state.grad_enabled:
            backward = _batch_norm_backward_fused if ctx.fused else _batch_norm_backward_arrays
            return backward(ctx, g._array, x._array, weight, mean, invstd)
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


def _fits_kernels(x, weight, bias):
    """Whether minigrad_core.batch_norm takes x (N, C, *): C-contiguous float32 or float64,
    with weight and bias (when given) contiguous arrays of its dtype."""
    if x.dtype not in _KERNEL_DTYPES or not x.flags.c_contiguous:
        return False
    return all(t is None or (t._array.dtype == x.dtype and t._array.flags.c_contiguous) for t in (weight, bias))


def _as_3d(x):
    """x (N, C, *) viewed as (N, C, L), L the product of the further sizes."""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _batch_norm_forward_fused(x, weight, bias, eps):
    """(out, mean, biased variance, invstd) by the fused kernel: two passes over each channel
    for its statistics (in float64), one writing out; the statistics (C,) float64."""
    channels = x.shape[1]
    out = np.empty_like(x)
    mean, variance, invstd = np.empty(channels), np.empty(channels), np.empty(channels)
    batch_norm_forward(
        _as_3d(x),
        None if weight is None else weight._array,
        None if bias is None else bias._array,
        eps,
        _as_3d(out),
        mean,
        variance,
        invstd,
    )
    return out, mean, variance, invstd


def _batch_norm_forward_arrays(x, weight, bias, eps):
    """(out, mean, biased variance, invstd) with numpy, the statistics (1, C, 1, ...)."""
    channels = x.shape[1]
    axes = tuple(i for i in range(x.ndim) if i != 1)
    n = x.size // channels
    mean = x.mean(axis=axes, keepdims=True)
    out = x - mean
    flat = out.reshape(x.shape[0], channels, -1)
    variance = np.einsum("ncl,ncl->c", flat, flat).reshape(mean.shape) / n
    invstd = (1.0 / np.sqrt(variance + eps)).astype(x.dtype, copy=False)
    out *= invstd if weight is None else invstd * weight._array.reshape(mean.shape)
    if bias is not None:
        out += bias._array.reshape(mean.shape)
    return out, mean, variance, invstd


def _batch_norm_backward_fused(ctx, g, x, weight, mean, invstd):
    """The same formula as BatchNormFunction.backward by the fused kernel, after
    _batch_norm_forward_fused: one pass over each channel for the sums, one writing dx."""
    channels = x.shape[1]
    g = np.ascontiguousarray(g, dtype=x.dtype)
    grad_weight, grad_bias = np.empty(channels), np.empty(channels)
    gx = np.empty_like(x) if ctx.needs_input_grad[0] else None
    batch_norm_backward(
        _as_3d(g),
        _as_3d(x),
        mean,
        invstd,
        None if weight is None else weight._array,
        grad_weight,
        grad_bias,
        None if gx is None else _as_3d(gx),
    )
    gx = None if gx is None else Tensor._make(gx)
    grad_w = Tensor._make(grad_weight.astype(x.dtype)) if ctx.needs_input_grad[1] else None
    grad_b = Tensor._make(grad_bias.astype(x.dtype)) if ctx.needs_input_grad[2] else None
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
        scale = invstd if weight is None else invstd * weight._array.reshape(shape)
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
    running._array *= 1 - momentum
    running._array += momentum * batch_value.astype(running._array.dtype, copy=False)
    running._bump_version()


def _records(*tensors):
    """Whether an op on these tensors (None allowed) would be recorded for backward."""
    if not state.grad_enabled or state.inference_enabled:
        return False
    return any(t is not None and t.requires_grad for t in tensors)


def _batch_norm_eval_array(x, running_mean, running_var, weight, bias, eps):
    """The eval-mode batch norm x * scale + shift per channel (dim 1) on arrays, with
    scale = weight / sqrt(running_var + eps) and shift = bias - running_mean * scale:
    the numbers of the recorded path below, in two passes over x and one allocation."""
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    scale = (running_var._array.reshape(shape) + eps) ** -0.5
    shift = -running_mean._array.reshape(shape) * scale
    if weight is not None:
        scale = weight._array.reshape(shape) * scale
        shift = weight._array.reshape(shape) * shift
    if bias is not None:
        shift = shift + bias._array.reshape(shape)
    out = np.multiply(x, scale, dtype=np.result_type(x, scale, shift))
    out += shift
    return out


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalize each channel (dim 1) of ``input`` (N, C, *) to zero mean and unit variance,
    then scale by ``weight`` and shift by ``bias``: the function behind
    :class:`~minigrad.nn.BatchNorm2d`.

    In training the batch statistics are used (biased variance) and the running ones, when
    given, move toward them in place: ``running = (1 - momentum) * running + momentum * batch``
    (unbiased variance, n / (n - 1)). Otherwise the running statistics are used.

    Args:
        input: (N, C) or (N, C, *).
        running_mean: (C,) or None; updated in place in training.
        running_var: (C,) or None; updated in place in training.
        weight: optional (C,) scale gamma; default None (1).
        bias: optional (C,) shift beta; default None (0).
        training: use (and track) the batch's statistics; default False.
        momentum: the weight of the batch in the running statistics; default 0.1.
        eps: added to the variance under the square root; default 1e-5.

    Shape:
        output: the input's shape.

    Example:
        >>> x = minigrad.tensor([[1.0, 10.0], [3.0, 30.0]])
        >>> mean, var = minigrad.zeros(2), minigrad.ones(2)
        >>> F.batch_norm(x, mean, var, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> mean.tolist(), var.tolist()  # moved 10% of the way to the batch's (2, 20) and (2, 200)
        ([0.2..., 2.0...], [1.1..., 20.8...])
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected 2D or higher input (got {input.ndim}D input)")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not {t.numel()}")
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if not training and running_mean is not None and running_var is not None:
        if not _records(input, weight, bias):
            return Tensor._make(_batch_norm_eval_array(input._array, running_mean, running_var, weight, bias, eps))
        scale = (running_var._array.reshape(shape) + eps) ** -0.5
        shift = -running_mean._array.reshape(shape) * scale
        if weight is not None:
            scale = weight.reshape(shape) * scale
            shift = weight.reshape(shape) * shift
        out = input * scale + shift
        return out + bias.reshape(shape) if bias is not None else out
    if input.numel() // max(channels, 1) <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(input.shape)}")
    if not training:
        running_mean = running_var = None
    return BatchNormFunction.apply(input, weight, bias, running_mean, running_var, momentum, eps)
