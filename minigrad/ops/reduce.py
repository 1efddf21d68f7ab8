"""Reductions: sum, mean, max/min, var/std, argmax/argmin, logsumexp, and sum_to.

``dim`` is an int, a tuple of ints or None (all dimensions); negative dims count from
the end. ``keepdim`` keeps reduced dimensions with size 1.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._args import floating, normalize_dims

if TYPE_CHECKING:
    from .. import dtypes
    from ..tensor import MaxResult
    from ._args import _dims_t

__all__ = ["sum", "mean", "max", "min", "amax", "amin", "var", "std", "argmax", "argmin", "logsumexp"]


def reduce_axes(op, dim, ndim):
    """The axes a reduction sums over: ``normalize_dims``, except that a 0-d tensor, whose
    only valid dims are 0 and -1 (as in PyTorch), has no numpy axis to reduce."""
    axes = normalize_dims(op, dim, ndim)
    return axes if ndim else ()


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


class SumFunction(Function):
    """out = sum over axes;  da = expand(g, a.shape)."""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.input_shape = a._array.shape
        ctx.kept_shape = _kept_shape(a._array.shape, axes)
        ctx.dim, ctx.keepdim = axes, keepdim
        return np.sum(a._array, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim:
            g = g.reshape(ctx.kept_shape)
        return g.expand(ctx.input_shape), None, None


def sum(input: Tensor, dim: _dims_t = None, keepdim: bool = False, *, dtype: dtypes.dtype | None = None) -> Tensor:  # noqa: A001  (PyTorch's name)
    """Sum over ``dim`` (all elements when None)."""
    axes = reduce_axes("sum", dim, input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    elif input._array.dtype.kind in "biu":
        input = input.long()
    return SumFunction.apply(input, axes, keepdim)


def mean(input: Tensor, dim: _dims_t = None, keepdim: bool = False) -> Tensor:
    """Mean over ``dim`` (all elements when None); floating inputs only."""
    if input._array.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input.dtype.name.capitalize()}"
        )
    axes = reduce_axes("mean", dim, input.ndim)
    count = int(np.prod([input.shape[a] for a in axes])) if input.ndim else 1
    return SumFunction.apply(input, axes, keepdim) / count


def sum_to(grad, shape):
    """Sum ``grad`` down to ``shape``: the reverse of broadcasting to its shape."""
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and grad.shape[i + lead] != 1)
    out = SumFunction.apply(grad, axes, True) if axes else grad
    return out.reshape(shape) if out.shape != shape else out


# ---- max / min ------------------------------------------------------------------------


class AmaxFunction(Function):
    """out = max over axes; the gradient is shared equally among tied maxima."""

    @staticmethod
    def forward(ctx, a, axes, keepdim, take_min):
        x = a._array
        if x.size == 0:
            raise IndexError("max(): Expected reduction dim to be specified for input.numel() == 0.")
        kept = (np.min if take_min else np.max)(x, axis=axes, keepdims=True)
        hits = x == kept
        share = hits / np.sum(hits, axis=axes, keepdims=True)
        ctx.save_for_backward(share.astype(x.dtype, copy=False) if x.dtype.kind == "f" else share)
        ctx.kept_shape = kept.shape
        ctx.keepdim = keepdim
        return kept if keepdim else kept.reshape([s for i, s in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved_tensors
        if not ctx.keepdim:
            g = g.reshape(ctx.kept_shape)
        return g * share, None, None, None


def _max_or_min(op, input, dim, keepdim, take_min):
    if dim is None:
        return AmaxFunction.apply(input, tuple(range(input.ndim)), False, take_min)
    (axis,) = normalize_dims(op, dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    pick = np.argmin if take_min else np.argmax
    indices = np.expand_dims(pick(input._array, axis=axis), axis) if input.ndim else np.zeros((), np.int64)
    values = input.gather(axis, indices) if input.ndim else input
    if not keepdim and input.ndim:
        values = values.squeeze(axis)
        indices = np.squeeze(indices, axis)
    from ..tensor import MaxResult

    return MaxResult(values, Tensor._make(indices.astype(np.int64, copy=False)))


def max(input: Tensor, dim: int | Tensor | None = None, keepdim: bool = False) -> Tensor | MaxResult:  # noqa: A001  (PyTorch's name)
    """Largest element, or with ``dim`` the named tuple ``(values, indices)`` along it.

    With ``max(a, b)`` of two tensors, the elementwise maximum.
    """
    if isinstance(dim, Tensor):
        return input.maximum(dim)  # elementwise.maximum (elementwise imports this module)
    return _max_or_min("max", input, dim, keepdim, take_min=False)


def min(input: Tensor, dim: int | Tensor | None = None, keepdim: bool = False) -> Tensor | MaxResult:  # noqa: A001  (PyTorch's name)
    """Smallest element, or with ``dim`` the named tuple ``(values, indices)`` along it."""
    if isinstance(dim, Tensor):
        return input.minimum(dim)
    return _max_or_min("min", input, dim, keepdim, take_min=True)


def amax(input: Tensor, dim: _dims_t = None, keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (several dims allowed); ties share the gradient."""
    return AmaxFunction.apply(input, reduce_axes("amax", dim, input.ndim), keepdim, False)


def amin(input: Tensor, dim: _dims_t = None, keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (several dims allowed); ties share the gradient."""
    return AmaxFunction.apply(input, reduce_axes("amin", dim, input.ndim), keepdim, True)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmax", np.argmax, input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmin", np.argmin, input, dim, keepdim)


def _arg(op, pick, input, dim, keepdim):
    if dim is None:
        out = np.asarray(pick(input._array))
        if keepdim:
            out = out.reshape((1,) * input.ndim)
    else:
        (axis,) = normalize_dims(op, dim, input.ndim)
        out = pick(input._array, axis=axis)
        if keepdim:
            out = np.expand_dims(out, axis)
    return Tensor._make(np.asarray(out, dtype=np.int64))


# ---- statistics -----------------------------------------------------------------------


def var(
    input: Tensor,
    dim: _dims_t = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance over ``dim``; unbiased (divides by N - 1) unless told otherwise."""
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    axes = reduce_axes("var", dim, input.ndim)
    count = int(np.prod([input.shape[a] for a in axes])) if input.ndim else 1
    deviation = input - mean(input, axes, keepdim=True)
    return sum(deviation * deviation, axes, keepdim) / builtins.max(count - correction, 0)


def std(
    input: Tensor,
    dim: _dims_t = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Standard deviation over ``dim``; unbiased unless told otherwise."""
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


# ---- logsumexp ------------------------------------------------------------------------


class LogsumexpFunction(Function):
    """out = log(sum(exp(a)));  da = g * exp(a - out) (the softmax)."""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        x = a._array
        peak = np.max(x, axis=axes, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        with np.errstate(divide="ignore"):  # a slice of only -inf gives -inf, quietly
            kept = np.log(np.sum(np.exp(x - peak), axis=axes, keepdims=True)) + peak
        out = kept if keepdim else kept.reshape([s for i, s in enumerate(x.shape) if i not in axes])
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim = axes, keepdim
        ctx.kept_shape = kept.shape
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if not ctx.keepdim:
            g, out = g.reshape(ctx.kept_shape), out.reshape(ctx.kept_shape)
        return g * (a - out).exp(), None, None


def logsumexp(input: Tensor, dim: _dims_t, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``dim``, computed stably."""
    return LogsumexpFunction.apply(floating(input), reduce_axes("logsumexp", dim, input.ndim), keepdim)
