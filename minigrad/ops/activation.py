"""Activations: relu, leaky_relu, sigmoid, tanh, softmax, log_softmax.

Elementwise activations keep the input's shape; softmax and log_softmax normalize along
one dimension ``dim`` (without one, PyTorch's legacy choice, with its warning). Integer
inputs of sigmoid, tanh and the softmax family are taken as the default float dtype, as
in PyTorch.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from minigrad_core.batch_norm import relu_backward

from .._numpy_names import numpy_names
from ..autograd._engine import grad_mul, make_tensor
from ..autograd.function import Function
from ..autograd.grad_mode import state
from ._args import floating, normalize_dims
from .reduce import sum as _sum

if TYPE_CHECKING:
    from .. import dtypes
    from ..tensor import Tensor

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax"]


# ---- elementwise ----------------------------------------------------------------------

_ZEROS = {np.dtype(t): t(0) for t in (np.float32, np.float64)}
_RELU_KERNEL_MIN_SIZE = 8192


class ReluFunction(Function):
    """out = max(a, 0);  da = g where out > 0 (or NaN) else 0: PyTorch's threshold_backward, in
    one pass by minigrad_core.batch_norm.relu_backward; g * sign(out) when recorded or observed."""

    @staticmethod
    def forward(ctx, a):
        x = a._array
        zero = _ZEROS.get(x.dtype)  # a numpy zero of x's dtype: far cheaper than a Python 0
        out = np.maximum(x, zero if zero is not None else x.dtype.type(0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        y, gy = out._array, g._array
        if not state.grad_enabled and not state.observers and _relu_kernel_fits(gy, y):
            dx = np.empty_like(y)
            relu_backward(gy, y, dx)
            return make_tensor(dx)
        return grad_mul(g, np.sign(y))


def _relu_kernel_fits(g, out):
    """Whether relu_backward takes g and out: C-contiguous arrays of one float32 or float64 dtype
    and shape, large enough that its checks cost less than the pass numpy's product saves."""
    return (
        type(out) is np.ndarray
        and type(g) is np.ndarray
        and out.size >= _RELU_KERNEL_MIN_SIZE
        and out.dtype in _ZEROS
        and g.dtype == out.dtype
        and g.shape == out.shape
        and g.flags.c_contiguous
        and out.flags.c_contiguous
    )


def relu(input: Tensor) -> Tensor:
    """Elementwise max(x, 0).

    Args:
        input (Tensor): the input tensor.

    Example:
        >>> minigrad.relu(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    return ReluFunction.apply(input)


class LeakyReluFunction(Function):
    """out = x where x > 0 else slope * x;  dx = g * (1 or slope)."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        data = x._array
        factor = np.where(data > 0, 1, negative_slope).astype(data.dtype)
        ctx.save_for_backward(factor)
        return data * factor

    @staticmethod
    def backward(ctx, g):
        (factor,) = ctx.saved_tensors
        return g * factor, None


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``max(0, x) + negative_slope * min(0, x)`` elementwise.

    Args:
        input (Tensor): the input tensor.
        negative_slope (float): the slope for negative inputs. Default: 0.01.

    Example:
        >>> minigrad.leaky_relu(minigrad.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2000,  3.0000])
    """
    return LeakyReluFunction.apply(input, negative_slope)


class SigmoidFunction(Function):
    """out = 1 / (1 + exp(-a));  da = g * out * (1 - out)."""

    @staticmethod
    def forward(ctx, a):
        # in place on one array, as PyTorch's 1 / (1 + exp(-x)); exp(-x) overflowing to
        # inf gives the correct 0
        out = np.negative(a._array, out=np.empty_like(a._array))
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


def sigmoid(input: Tensor) -> Tensor:
    """Elementwise logistic function, computed without overflow.

    Args:
        input (Tensor): the input tensor.

    Example:
        >>> minigrad.sigmoid(minigrad.tensor([-100.0, 0.0, 2.0]))
        tensor([0.0000, 0.5000, 0.8808])
    """
    return SigmoidFunction.apply(floating(input))


class TanhFunction(Function):
    """out = tanh(a);  da = g * (1 - out**2)."""

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a._array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


def tanh(input: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent.

    Args:
        input (Tensor): the input tensor.

    Example:
        >>> minigrad.tanh(minigrad.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """
    return TanhFunction.apply(floating(input))


# ---- softmax family -------------------------------------------------------------------


def _single_dim(op, dim, ndim):
    """``dim`` as an axis. Omitted, it is PyTorch's legacy implicit choice, with its
    deprecation warning: 0 for 0-, 1- and 3-D inputs (a vector, an unbatched image), else 1."""
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {op} has been deprecated. Change the call to include dim=X as an argument.",
            UserWarning,
            stacklevel=4,  # the caller of softmax (through numpy_names' wrapper)
        )
        dim = 0 if ndim in (0, 1, 3) else 1
    return normalize_dims(op, dim, ndim)[0]


class SoftmaxFunction(Function):
    """out = exp(a - max) / sum(exp(a - max));  da = out * (g - sum(g * out))."""

    @staticmethod
    def forward(ctx, a, dim):
        x = a._array
        shifted = np.exp(x - np.max(x, axis=dim, keepdims=True))
        out = shifted / np.sum(shifted, axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return out * (g - _sum(g * out, ctx.dim, keepdim=True)), None


@numpy_names
def softmax(input: Tensor, dim: int | None = None, dtype: dtypes.dtype | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, computed stably (max subtracted first).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension along which the result sums to 1.
        dtype (minigrad.dtype, optional): cast ``input`` to this dtype first. Default: None.

    Example:
        >>> minigrad.softmax(minigrad.tensor([[1.0, 1.0], [0.0, 1000.0]]), dim=1)
        tensor([[0.5000, 0.5000],
                [0.0000, 1.0000]])
    """
    input = input.to(dtype) if dtype is not None else floating(input)
    return SoftmaxFunction.apply(input, _single_dim("softmax", dim, input.ndim))


class LogSoftmaxFunction(Function):
    """out = a - logsumexp(a);  da = g - exp(out) * sum(g)."""

    @staticmethod
    def forward(ctx, a, dim):
        x = a._array
        shifted = x - np.max(x, axis=dim, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - out.exp() * _sum(g, ctx.dim, keepdim=True), None


@numpy_names
def log_softmax(input: Tensor, dim: int | None = None, dtype: dtypes.dtype | None = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension along which the result sums to 1.
        dtype (minigrad.dtype, optional): cast ``input`` to this dtype first. Default: None.

    Example:
        >>> minigrad.log_softmax(minigrad.tensor([0.0, 0.0]), dim=0)  # log(1/2)
        tensor([-0.6931, -0.6931])
    """
    input = input.to(dtype) if dtype is not None else floating(input)
    return LogSoftmaxFunction.apply(input, _single_dim("log_softmax", dim, input.ndim))
