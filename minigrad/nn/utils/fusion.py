"""Eval-mode batch norm folded into the convolution before it, as in ``torch.nn.utils.fusion``.

In eval mode a batch norm is a fixed affine map per channel, y = x * s + t with
s = gamma / sqrt(running_var + eps) and t = beta - running_mean * s. After a convolution
it can be folded into the convolution's weight and bias,

    W'[o] = W[o] * s[o],    b'[o] = (b[o] - running_mean[o]) * s[o] + beta[o],

which saves a pass over the activations (and the batch norm's own call). ``conv_bn``
does this on the fly where it is safe and the same computation otherwise; the ResNets of
``minigrad.models`` call it.
"""

from __future__ import annotations

import copy
import weakref

import numpy as np

from ...autograd.grad_mode import state
from ...ops.conv import conv2d
from ...tensor import Tensor
from ..modules.activation import ReLU
from ..modules.conv import Conv2d
from ..modules.normalization import BatchNorm2d
from ..parameter import Parameter

__all__ = ["conv_bn", "fuse_conv_bn_eval", "fuse_conv_bn_weights"]


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
) -> tuple[Tensor, Tensor]:
    """The weight and bias of a conv followed by an eval-mode batch norm, folded into one
    conv: ``W * s`` and ``(b - bn_rm) * s + bn_b`` with ``s = bn_w / sqrt(bn_rv + bn_eps)``;
    plain tensors computed from the values (no graph).

    Args:
        conv_w: the conv's weight (O, C / groups, KH, KW).
        conv_b: its bias (O,), or None.
        bn_rm, bn_rv: the batch norm's running mean and variance (O,).
        bn_eps: its eps.
        bn_w, bn_b: its affine weight and bias (O,), or None (not affine).

    Example:
        >>> from minigrad import nn
        >>> conv, bn = nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)
        >>> stats = (bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
        >>> w, b = fuse_conv_bn_weights(conv.weight, conv.bias, *stats)
        >>> w.shape, b.shape
        (minigrad.Size([3, 2, 3, 3]), minigrad.Size([3]))
    """
    w = conv_w._array
    scale = (bn_rv._array + bn_eps) ** -0.5
    if bn_w is not None:
        scale = bn_w._array * scale
    bias = -bn_rm._array if conv_b is None else conv_b._array - bn_rm._array
    bias = bias * scale
    if bn_b is not None:
        bias = bias + bn_b._array
    fused_w = (w * scale.reshape((-1,) + (1,) * (w.ndim - 1))).astype(w.dtype, copy=False)
    return Tensor._make(fused_w), Tensor._make(bias.astype(w.dtype, copy=False))


def fuse_conv_bn_eval(conv: Conv2d, bn: BatchNorm2d) -> Conv2d:
    """A new Conv2d computing ``bn(conv(x))`` of eval mode (running statistics): the batch
    norm folded into a copy of the conv's weight and bias.

    Args:
        conv: an ``nn.Conv2d`` in eval mode.
        bn: the ``nn.BatchNorm2d`` after it, in eval mode, with running statistics.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> conv, bn = nn.Conv2d(2, 3, 3).eval(), nn.BatchNorm2d(3).eval()
        >>> x = minigrad.randn(1, 2, 5, 5)
        >>> bool((fuse_conv_bn_eval(conv, bn)(x) - bn(conv(x))).abs().max() < 1e-5)
        True
    """
    if conv.training or bn.training:
        raise ValueError("fuse_conv_bn_eval: only eval-mode modules can be fused")
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError("fuse_conv_bn_eval: the batch norm has no running statistics")
    fused = copy.deepcopy(conv)
    w, b = fuse_conv_bn_weights(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    fused.weight = Parameter(w, conv.weight.requires_grad)
    fused.bias = Parameter(b, conv.weight.requires_grad)
    return fused


# Folded (weight, bias) per batch-norm module, with what they were computed from: the
# tensors (identity), their arrays (identity) and version counters (identity and value:
# in-place changes), and eps.
_folded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sources(conv: Conv2d, bn: BatchNorm2d) -> list:
    """Four items per tensor the folded weights come from (the tensor, its array, its
    version counter and the counter's value; None, None, None, 0 for a missing one), then
    eps. Read from the modules' parameter and buffer dicts, which hold what attribute
    access returns for these names on exactly Conv2d and BatchNorm2d (``_foldable``)."""
    p, q, r = conv._parameters, bn._parameters, bn._buffers
    sources = []
    for t in (p["weight"], p["bias"], q["weight"], q["bias"], r["running_mean"], r["running_var"]):
        if t is None:
            sources += (None, None, None, 0)
        else:
            counter = t._vc
            sources += (t, t._array, counter, 0 if counter is None else counter.value)
    sources.append(bn.eps)
    return sources


def _same(a: list, b: list) -> bool:
    """Whether two _sources lists name the same tensors, arrays, counters, versions and eps."""
    for i in range(0, len(a) - 1, 4):
        if a[i] is not b[i] or a[i + 1] is not b[i + 1] or a[i + 2] is not b[i + 2] or a[i + 3] != b[i + 3]:
            return False
    return a[-1] == b[-1]


def _foldable(conv, bn, x) -> bool:
    """Whether bn(conv(x)) may run as one conv with the folded weights: both exactly the
    nn classes (no overridden forward) with no hooks, bn in eval mode with running
    statistics, a batched input, zero padding, and nothing to record (no gradient can be
    asked for). Anything else runs bn(conv(x)), which also raises what it should."""
    if type(conv) is not Conv2d or type(bn) is not BatchNorm2d or bn.training or len(x._array.shape) != 4:
        return False
    statistics = bn._buffers  # where Module keeps what bn.running_mean returns
    if statistics.get("running_mean") is None or statistics.get("running_var") is None:
        return False
    if conv.padding_mode != "zeros" or "weight" not in conv._parameters or "bias" not in conv._parameters:
        return False
    if "weight" not in bn._parameters or "bias" not in bn._parameters:
        return False
    if conv._forward_hooks or conv._forward_pre_hooks or bn._forward_hooks or bn._forward_pre_hooks:
        return False
    if state.grad_enabled and not state.inference_enabled:
        tensors = (x, conv.weight, conv.bias, bn.weight, bn.bias)
        if any(t is not None and t.requires_grad for t in tensors):
            return False
    return bn.num_features == conv.out_channels


def conv_bn(
    conv: Conv2d, bn: BatchNorm2d, x: Tensor, relu: ReLU | None = None, residual: Tensor | None = None
) -> Tensor:
    """``bn(conv(x))``, plus ``residual`` when given, then ``relu`` (an ``nn.ReLU`` module)
    when given: ``relu(bn(conv(x)) + residual)``. When the batch norm is in eval mode and
    nothing is recorded (under ``no_grad`` or ``inference_mode``, or nothing requires
    grad), it runs as one conv with the batch norm folded into the weight and bias (see
    the module docstring), the residual added and the ReLU applied in place on the conv's
    fresh output; the folded weights are kept until a tensor they came from is replaced
    or changed in place.

    Args:
        conv: an ``nn.Conv2d``.
        bn: the ``nn.BatchNorm2d`` after it.
        x: the conv's input (N, C, H, W).
        relu: an ``nn.ReLU`` applied last, or None.
        residual: a tensor added before the ReLU (a residual block's shortcut), or None.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> conv, bn = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4).eval()
        >>> x = minigrad.randn(1, 3, 5, 5)
        >>> with minigrad.no_grad():
        ...     bool((conv_bn(conv, bn, x, nn.ReLU()) - bn(conv(x)).relu()).abs().max() < 1e-5)
        True
    """
    plain_relu = relu is None or (type(relu) is ReLU and not (relu._forward_hooks or relu._forward_pre_hooks))
    if not (plain_relu and _foldable(conv, bn, x)):
        out = bn(conv(x))
        if residual is not None:
            out = out + residual
        return out if relu is None else relu(out)
    sources = _sources(conv, bn)
    cached = _folded.get(bn)
    if cached is None or not _same(cached[0], sources):
        cached = (sources,) + fuse_conv_bn_weights(
            conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
        )
        _folded[bn] = cached
    out = conv2d(x, cached[1], cached[2], conv.stride, conv.padding, conv.dilation, conv.groups)
    if residual is not None:
        if residual._array.shape != out._array.shape or residual._array.dtype != out._array.dtype:
            out = out + residual  # broadcasting or promoting: a new tensor
        else:
            np.add(out._array, residual._array, out=out._array)
    if relu is not None:
        np.maximum(out._array, 0, out=out._array)  # the conv's own new array: nobody else sees it
    return out
