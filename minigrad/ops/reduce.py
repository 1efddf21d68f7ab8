"""Reductions: sum, mean, max/min, var/std, argmax/argmin, logsumexp, the norms, and sum_to.

``dim`` is an int, a tuple of ints or None (all dimensions); negative dims count from
the end. ``keepdim`` keeps reduced dimensions with size 1. As in PyTorch, the numpy
names ``axis=`` and ``keepdims=`` are accepted for them (``numpy_names``).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes
from .._numpy_names import numpy_names
from ..autograd.function import Function
from ..tensor import Tensor
from ._args import floating, normalize_dims, type_name

if TYPE_CHECKING:
    from ..tensor import MaxResult
    from ._args import _dims_t

__all__ = [
    "sum",
    "mean",
    "max",
    "min",
    "amax",
    "amin",
    "var",
    "std",
    "argmax",
    "argmin",
    "logsumexp",
    "norm",
    "vector_norm",
]


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


class SumDimFunction(SumFunction):
    """``sum(dim)``: the same op, which PyTorch names SumBackward1 (``sum()`` is SumBackward0)."""

    node_name = "SumBackward1"


class MeanFunction(Function):
    """out = mean over axes;  da = expand(g, a.shape) / count."""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.input_shape = a._array.shape
        ctx.kept_shape = _kept_shape(a._array.shape, axes)
        ctx.keepdim = keepdim
        ctx.count = int(np.prod([a._array.shape[i] for i in axes]))
        return np.mean(a._array, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim:
            g = g.reshape(ctx.kept_shape)
        return g.expand(ctx.input_shape) / ctx.count, None, None


class MeanDimFunction(MeanFunction):
    """``mean(dim)``: the same op, which PyTorch names MeanBackward1 (``mean()`` is MeanBackward0)."""

    node_name = "MeanBackward1"


@numpy_names
def sum(input: Tensor, dim: _dims_t = None, keepdim: bool = False, *, dtype: dtypes.dtype | None = None) -> Tensor:  # noqa: A001  (PyTorch's name)
    """Sum over ``dim`` (all elements when None).

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when
            None. Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.
        dtype (minigrad.dtype, optional): the dtype to sum in and return. Default: None
            (``input``'s; int64 for integer and bool inputs).

    Example:
        >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> minigrad.sum(x)
        tensor(10.)
        >>> minigrad.sum(x, dim=0)
        tensor([4., 6.])
        >>> minigrad.sum(x, dim=1, keepdim=True)
        tensor([[3.],
                [7.]])
    """
    axes = reduce_axes("sum", dim, input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    elif input._array.dtype.kind in "biu":
        input = input.long()
    return (SumFunction if dim is None else SumDimFunction).apply(input, axes, keepdim)


@numpy_names
def mean(input: Tensor, dim: _dims_t = None, keepdim: bool = False) -> Tensor:
    """Mean over ``dim`` (all elements when None); floating inputs only.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when
            None. Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> minigrad.mean(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
        tensor([1.5000, 3.5000])
    """
    if input._array.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input.dtype.name.capitalize()}"
        )
    axes = reduce_axes("mean", dim, input.ndim)
    return (MeanFunction if dim is None else MeanDimFunction).apply(input, axes, keepdim)


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
    if input.ndim and input._array.shape[axis] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    pick = np.argmin if take_min else np.argmax
    indices = np.expand_dims(pick(input._array, axis=axis), axis) if input.ndim else np.zeros((), np.int64)
    values = input.gather(axis, indices) if input.ndim else input
    if not keepdim and input.ndim:
        values = values.squeeze(axis)
        indices = np.squeeze(indices, axis)
    from ..tensor import MaxResult

    return MaxResult(values, Tensor._make(indices.astype(np.int64, copy=False)))


@numpy_names
def max(input: Tensor, dim: int | Tensor | None = None, keepdim: bool = False) -> Tensor | MaxResult:  # noqa: A001  (PyTorch's name)
    """Largest element, or with ``dim`` the named tuple ``(values, indices)`` along it.

    With ``max(a, b)`` of two tensors, the elementwise maximum.

    Args:
        input (Tensor): the input tensor.
        dim (int or Tensor, optional): the dimension to reduce, giving ``(values,
            indices)``; a Tensor here means ``maximum(input, dim)``. Default: None (the
            largest element).
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> x = minigrad.tensor([[1.0, 5.0], [3.0, 4.0]])
        >>> minigrad.max(x)
        tensor(5.)
        >>> minigrad.max(x, dim=1)
        MaxResult(values=tensor([5., 4.]), indices=tensor([1, 1]))
    """
    if isinstance(dim, Tensor):
        return input.maximum(dim)  # elementwise.maximum (elementwise imports this module)
    return _max_or_min("max", input, dim, keepdim, take_min=False)


@numpy_names
def min(input: Tensor, dim: int | Tensor | None = None, keepdim: bool = False) -> Tensor | MaxResult:  # noqa: A001  (PyTorch's name)
    """Smallest element, or with ``dim`` the named tuple ``(values, indices)`` along it.

    Args:
        input (Tensor): the input tensor.
        dim (int or Tensor, optional): the dimension to reduce, giving ``(values,
            indices)``; a Tensor here means ``minimum(input, dim)``. Default: None (the
            smallest element).
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> minigrad.min(minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=0).indices
        tensor([0, 1])
    """
    if isinstance(dim, Tensor):
        return input.minimum(dim)
    return _max_or_min("min", input, dim, keepdim, take_min=True)


@numpy_names
def amax(input: Tensor, dim: _dims_t = None, keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (several dims allowed); ties share the gradient.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when
            None. Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> minigrad.amax(minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=0)
        tensor([3., 5.])
    """
    return AmaxFunction.apply(input, reduce_axes("amax", dim, input.ndim), keepdim, False)


@numpy_names
def amin(input: Tensor, dim: _dims_t = None, keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (several dims allowed); ties share the gradient.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when
            None. Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> minigrad.amin(minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]), dim=(0, 1))
        tensor(1.)
    """
    return AmaxFunction.apply(input, reduce_axes("amin", dim, input.ndim), keepdim, True)


@numpy_names
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened tensor when ``dim`` is None).

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to search; the flattened tensor when None.
            Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> x = minigrad.tensor([[1.0, 5.0], [3.0, 4.0]])
        >>> minigrad.argmax(x)
        tensor(1)
        >>> minigrad.argmax(x, dim=1)
        tensor([1, 1])
    """
    return _arg("argmax", np.argmax, input, dim, keepdim)


@numpy_names
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (of the flattened tensor when ``dim`` is None).

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to search; the flattened tensor when None.
            Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> minigrad.argmin(minigrad.tensor([[1.0, 5.0], [3.0, 0.0]]), dim=0)
        tensor([0, 1])
    """
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


@numpy_names
def var(
    input: Tensor,
    dim: _dims_t = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance over ``dim``; unbiased (divides by N - 1) unless told otherwise.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when
            None. Default: None.
        unbiased (bool, optional): divide by N - 1 (True, the default) or N; the older
            spelling of ``correction``. Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.
        correction (number, optional): divide by N - correction. Default: None (1).

    Example:
        >>> minigrad.var(minigrad.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.6667)
        >>> minigrad.var(minigrad.tensor([[1.0, 3.0], [5.0, 9.0]]), dim=1, unbiased=False)
        tensor([1., 4.])
    """
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    axes = reduce_axes("var", dim, input.ndim)
    count = int(np.prod([input.shape[a] for a in axes])) if input.ndim else 1
    deviation = input - mean(input, axes, keepdim=True)
    return sum(deviation * deviation, axes, keepdim) / builtins.max(count - correction, 0)


@numpy_names
def std(
    input: Tensor,
    dim: _dims_t = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Standard deviation over ``dim``; unbiased unless told otherwise.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when
            None. Default: None.
        unbiased (bool, optional): divide by N - 1 (True, the default) or N; the older
            spelling of ``correction``. Default: None.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.
        correction (number, optional): divide by N - correction. Default: None (1).

    Example:
        >>> minigrad.std(minigrad.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.2910)
        >>> minigrad.std(minigrad.tensor([1.0, 2.0, 3.0, 4.0]), correction=0)
        tensor(1.1180)
    """
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


@numpy_names
def logsumexp(input: Tensor, dim: _dims_t, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``dim``, computed stably.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints): the dimension(s) to reduce.
        keepdim (bool): keep each reduced dimension, with size 1. Default: False.

    Example:
        >>> minigrad.logsumexp(minigrad.tensor([0.0, 0.0]), dim=0)  # log 2
        tensor(0.6931)
    """
    return LogsumexpFunction.apply(floating(input), reduce_axes("logsumexp", dim, input.ndim), keepdim)


# ---- norms ----------------------------------------------------------------------------


class VectorNormFunction(Function):
    """out = (sum |a|**p)**(1/p) over axes (p = inf: max |a|, -inf: min |a|, 0: count of
    nonzeros);  da = g * sign(a) * |a|**(p-1) / out**(p-1), which is g * a / out for p = 2,
    g * sign(a) for p = 1, and for p = +-inf g * sign(a) shared among the elements that
    reach out. As in PyTorch, the gradient is 0 where a = 0 or out = 0 (a subgradient),
    and p = 0 has none."""

    @staticmethod
    def forward(ctx, a, p, axes, keepdim):
        x = np.abs(a._array)
        if p == np.inf:
            kept = np.max(x, axis=axes, keepdims=True)
        elif p == -np.inf:
            kept = np.min(x, axis=axes, keepdims=True)
        elif p == 0:
            kept = np.sum(x != 0, axis=axes, keepdims=True).astype(x.dtype)
        elif p == 1:
            kept = np.sum(x, axis=axes, keepdims=True)
        elif p == 2:
            kept = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        else:
            with np.errstate(divide="ignore"):  # 0 ** p for p < 0 is inf: the norm is 0
                kept = np.sum(x**p, axis=axes, keepdims=True) ** (1 / p)
        out = kept if keepdim else kept.reshape([s for i, s in enumerate(x.shape) if i not in axes])
        ctx.save_for_backward(a, out)
        ctx.p, ctx.keepdim, ctx.kept_shape = p, keepdim, kept.shape
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None, None, None, None
        if not ctx.keepdim:
            g, out = g.reshape(ctx.kept_shape), out.reshape(ctx.kept_shape)
        zero_norm = out._array == 0
        if p == 1:
            scale = np.sign(a._array)
        elif p in (np.inf, -np.inf):
            hits = (np.abs(a._array) == out._array) & ~zero_norm
            axes = tuple(i for i, s in enumerate(ctx.kept_shape) if s == 1 and a.shape[i] != 1)
            scale = np.sign(a._array) * hits / np.maximum(np.sum(hits, axis=axes, keepdims=True), 1)
        else:
            # masked_fill keeps the masked places finite, so that no 0 * inf reaches the gradient
            safe_norm = out.masked_fill(zero_norm, 1.0)
            if p == 2:
                scale = a / safe_norm
            else:
                safe_a = a.masked_fill(a._array == 0, 1.0)
                scale = a.sign() * safe_a.abs() ** (p - 1) / safe_norm ** (p - 1) * (a._array != 0)
            scale = scale * ~zero_norm
        return g * scale, None, None, None


def _check_vector_norm(input, dim, dtype):
    """PyTorch's checks of linalg.vector_norm; returns the input cast to ``dtype``."""
    if input._array.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{type_name(input._array.dtype).capitalize()}"
        )
    if dtype is not None:
        np_dtype = dtypes.to_numpy_dtype(dtype)
        if np_dtype.kind != "f":
            raise RuntimeError(
                f"linalg.vector_norm: dtype should be floating point or complex, but got "
                f"{type_name(np_dtype).capitalize()}"
            )
        if not np.can_cast(input._array.dtype, np_dtype, "safe"):
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({type_name(input._array.dtype).capitalize()}) should "
                f"be convertible without narrowing to the specified dtype ({type_name(np_dtype).capitalize()})"
            )
        input = input.to(dtype)
    if dim is not None and not isinstance(dim, (int, np.integer)):
        seen = set()
        for d in dim:
            if d % builtins.max(input.ndim, 1) in seen:
                raise RuntimeError(f"dim {d % builtins.max(input.ndim, 1)} appears multiple times in the list of dims")
            seen.add(d % builtins.max(input.ndim, 1))
    return input


@numpy_names
def vector_norm(
    x: Tensor,
    ord: float = 2,  # noqa: A002  (PyTorch's name)
    dim: _dims_t = None,
    keepdim: bool = False,
    *,
    dtype: dtypes.dtype | None = None,
) -> Tensor:
    """The vector p-norm ``(sum |x|**ord)**(1/ord)`` over ``dim`` (all elements when None
    or ``()``), as ``torch.linalg.vector_norm``.

    Args:
        x: a floating tensor.
        ord: any float; ``inf`` is ``max |x|``, ``-inf`` ``min |x|``, 0 the number of
            nonzero elements. Default 2.
        dim: an int, a tuple of ints, or None for all dimensions.
        keepdim: keep the reduced dimensions with size 1.
        dtype: compute in this floating dtype (the input is cast to it first).

    Shape:
        the input's shape without the reduced dimensions (with size 1 if ``keepdim``).

    Example:
        >>> import minigrad
        >>> minigrad.linalg.vector_norm(minigrad.tensor([[3.0, -4.0], [0.0, 1.0]]), dim=1)
        tensor([5., 1.])
    """
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.integer, np.floating)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    input = _check_vector_norm(x, dim, dtype)
    axes = reduce_axes("linalg.vector_norm", None if dim == () else dim, input.ndim)
    if (ord < 0 or ord == np.inf) and input.ndim and any(input.shape[a] == 0 for a in axes):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {ord:g} norm on an empty tensor because the operation "
            "does not have an identity"
        )
    return VectorNormFunction.apply(input, float(ord), axes, keepdim)


def norm(
    input: Tensor,
    p: float | str | None = "fro",
    dim: _dims_t = None,
    keepdim: bool = False,
    dtype: dtypes.dtype | None = None,
) -> Tensor:
    """The norm of ``input`` over ``dim``, as ``torch.norm``: a vector p-norm for a number
    ``p`` (see ``vector_norm``), the Frobenius norm (the 2-norm of the elements) for
    ``p='fro'``.

    Args:
        input: a floating tensor.
        p: ``'fro'`` (default), or any float: 1, 2, ``inf``, ``-inf``, 0, 0.5, ...
            ``'nuc'`` (the nuclear norm) is not supported.
        dim: an int, a tuple of ints, or None for all dimensions (with ``'fro'``, at
            most two).
        keepdim: keep the reduced dimensions with size 1.
        dtype: compute in this floating dtype.

    Shape:
        the input's shape without the reduced dimensions (with size 1 if ``keepdim``).

    Example:
        >>> import minigrad
        >>> minigrad.norm(minigrad.tensor([[3.0, -4.0], [0.0, 1.0]]), p=1, dim=0)
        tensor([3., 5.])
    """
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, (int, np.integer)) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = list(range(input.ndim)) if dim is None else [dim] if isinstance(dim, (int, np.integer)) else list(dim)
        if p == "nuc":
            raise RuntimeError("norm: p='nuc' (the nuclear norm) is not supported by minigrad")
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dims)}")
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)
