"""Elementwise ops: arithmetic, unary math (exp, log, the trigonometric and hyperbolic
functions, erf), clamping and selection (activations are in ``activation.py``).

Each op is a Function (forward on numpy arrays, backward in minigrad ops, so it can be
differentiated again) next to the lowercase function users call. Binary ops broadcast
as numpy does; backward reduces each gradient to its input's shape with ``sum_to``.
Every public function takes PyTorch's ``out=`` (``write_out`` in ``_args.py``).
The forward of add, sub, mul and div is the compiled ``binary_forward``
(minigrad/autograd/_engine.pyx), since they run in every forward and backward pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._broadcast import check_broadcast
from ..autograd._engine import binary_forward, grad_mul
from ..autograd.function import Function
from ..dtypes import result_array
from ..tensor import Tensor, as_array
from ._args import floating, write_out
from .reduce import sum_to

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "neg",
    "exp",
    "log",
    "sqrt",
    "abs",
    "clamp",
    "maximum",
    "minimum",
    "where",
    "masked_fill",
    "sign",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "asin",
    "acos",
    "atan",
    "atan2",
    "erf",
]


def _reduce(grad, shape):
    """``grad`` summed back to an operand's shape (None: already that shape)."""
    return grad if shape is None else sum_to(grad, shape)


def _out(op, result, out):
    """``result``, or with ``out=`` given, ``result`` written into ``out`` (PyTorch's rules)."""
    return result if out is None else write_out(op, result, out)


# ---- arithmetic -----------------------------------------------------------------------


class AddFunction(Function):
    """out = a + alpha * b;  da = g,  db = alpha * g."""

    alpha = 1  # a node keeps its own only when it differs (no instance __dict__ for a + b)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha != 1:
            ctx.alpha = alpha
            b = b * alpha
        return binary_forward(ctx, "add", np.add, a, b)

    @staticmethod
    def backward(ctx, g):
        a_shape, b_shape = ctx.shapes
        needs = ctx.needs_input_grad
        ga = _reduce(g, a_shape) if needs[0] else None
        gb = _reduce(g if ctx.alpha == 1 else g * ctx.alpha, b_shape) if needs[1] else None
        return ga, gb, None


class SubFunction(AddFunction):
    """out = a - alpha * b;  AddFunction's backward with -alpha: da = g,  db = -alpha * g."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = -alpha
        if alpha != 1:
            b = b * alpha
        return binary_forward(ctx, "sub", np.subtract, a, b)


class RsubFunction(SubFunction):
    """``number - tensor``: the same op, which PyTorch names RsubBackward1."""

    node_name = "RsubBackward1"


class MulFunction(Function):
    """out = a * b;  da = g * b,  db = g * a."""

    @staticmethod
    def forward(ctx, a, b):
        needs = ctx.needs_input_grad
        ctx.save_for_backward(a if needs[1] else None, b if needs[0] else None)
        return binary_forward(ctx, "mul", np.multiply, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        needs = ctx.needs_input_grad
        ga = _reduce(grad_mul(g, b), a_shape) if needs[0] else None
        gb = _reduce(grad_mul(g, a), b_shape) if needs[1] else None
        return ga, gb


class DivFunction(Function):
    """out = a / b;  da = g / b,  db = -g * a / b**2."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return binary_forward(ctx, "div", np.true_divide, a, b, floating=True)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        ga = _reduce(g / b, a_shape) if ctx.needs_input_grad[0] else None
        gb = _reduce(-g * a / (b * b), b_shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class PowFunction(Function):
    """out = a ** b;  da = g * b * a**(b-1),  db = g * out * log(a).

    PyTorch names the node by the operands: PowBackward0 for ``tensor ** number`` (this
    class), PowBackward1 for ``tensor ** tensor``, PowBackward2 for ``number ** tensor``.
    """

    @staticmethod
    def forward(ctx, a, b):
        x, y = as_array(a), as_array(b)
        if np.shape(x) != np.shape(y):
            check_broadcast("pow", x, y)
        if isinstance(b, (int, float)) and not isinstance(b, Tensor) and x.dtype.kind in "iu" and b < 0:
            raise RuntimeError("pow: integers to negative integer powers are not allowed.")
        ctx.shapes = (np.shape(x), np.shape(y))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = result_array(np.power(x, y), x, y)
        ctx.save_for_backward(a, b, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, Tensor):
                ga = sum_to(g * b * a ** (b - 1), a_shape)
            elif b == 0:
                ga = g * 0.0
            else:
                ga = g * (b * a ** (b - 1))
        if ctx.needs_input_grad[1]:
            # a Python-number (or array) base is a constant: its log is a plain array
            log_a = log(a) if isinstance(a, Tensor) else np.log(np.asarray(a, dtype=g._array.dtype))
            gb = sum_to(g * out * log_a, b_shape)
        return ga, gb


class PowTensorFunction(PowFunction):
    """``tensor ** tensor`` (see PowFunction)."""

    node_name = "PowBackward1"


class PowScalarBaseFunction(PowFunction):
    """``number ** tensor`` (see PowFunction)."""

    node_name = "PowBackward2"


class NegFunction(Function):
    """out = -a;  da = -g."""

    @staticmethod
    def forward(ctx, a):
        return np.negative(a._array)

    @staticmethod
    def backward(ctx, g):
        return -g


def add(input: Tensor | float, other: Tensor | float, *, alpha: float = 1, out: Tensor | None = None) -> Tensor:
    """``input + alpha * other`` with broadcasting.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand, broadcast against ``input``.
        alpha (number): the multiplier of ``other``. Default: 1.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.add(minigrad.tensor([1.0, 2.0]), minigrad.tensor([10.0, 20.0]), alpha=2)
        tensor([21., 42.])
    """
    return _out("add", AddFunction.apply(input, other, alpha), out)


def sub(input: Tensor | float, other: Tensor | float, *, alpha: float = 1, out: Tensor | None = None) -> Tensor:
    """``input - alpha * other`` with broadcasting.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand, broadcast against ``input``.
        alpha (number): the multiplier of ``other``. Default: 1.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.sub(minigrad.tensor([[1.0], [2.0]]), minigrad.tensor([1.0, 2.0]))  # broadcast to (2, 2)
        tensor([[ 0., -1.],
                [ 1.,  0.]])
    """
    return _out("sub", (SubFunction if isinstance(input, Tensor) else RsubFunction).apply(input, other, alpha), out)


def mul(input: Tensor | float, other: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """``input * other`` with broadcasting.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand, broadcast against ``input``.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.mul(minigrad.tensor([1.0, 2.0]), 3)
        tensor([3., 6.])
    """
    return _out("mul", MulFunction.apply(input, other), out)


def div(input: Tensor | float, other: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """``input / other`` (true division) with broadcasting.

    Args:
        input (Tensor or number): the dividend.
        other (Tensor or number): the divisor, broadcast against ``input``.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.div(minigrad.tensor([1, 3]), 2)  # true division: a float result
        tensor([0.5000, 1.5000])
    """
    return _out("div", DivFunction.apply(input, other), out)


def pow(input: Tensor | float, exponent: Tensor | float, *, out: Tensor | None = None) -> Tensor:  # noqa: A001  (PyTorch's name)
    """``input ** exponent``; either may be a Tensor or a number.

    Args:
        input (Tensor or number): the base.
        exponent (Tensor or number): the exponent, broadcast against ``input``.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.pow(minigrad.tensor([1.0, 2.0, 3.0]), 2)
        tensor([1., 4., 9.])
        >>> minigrad.pow(2, minigrad.tensor([0.0, 1.0, 2.0]))
        tensor([1., 2., 4.])
    """
    if not isinstance(input, Tensor):
        result = PowScalarBaseFunction.apply(input, exponent)
    else:
        result = (PowTensorFunction if isinstance(exponent, Tensor) else PowFunction).apply(input, exponent)
    return _out("pow", result, out)


def neg(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """``-input``.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.neg(minigrad.tensor([1.0, -2.0]))
        tensor([-1.,  2.])
    """
    return _out("neg", NegFunction.apply(input), out)


# ---- unary math -----------------------------------------------------------------------


class ExpFunction(Function):
    """out = exp(a);  da = g * out."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a._array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class LogFunction(Function):
    """out = log(a);  da = g / a."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class SqrtFunction(Function):
    """out = sqrt(a);  da = g / (2 out)."""

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(a._array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (out * 2)


class AbsFunction(Function):
    """out = |a|;  da = g * sign(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(np.sign(a._array))
        return np.abs(a._array)

    @staticmethod
    def backward(ctx, g):
        (sign_a,) = ctx.saved_tensors
        return g * sign_a


class ClampFunction(Function):
    """out = min(max(a, lo), hi);  da = g where lo <= a <= hi, else 0."""

    @staticmethod
    def forward(ctx, a, min, max):  # noqa: A002  (PyTorch's names)
        if min is None and max is None:
            raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
        x = a._array
        inside = np.ones(x.shape, dtype=bool)
        out = x
        if min is not None:
            inside &= x >= min
            out = np.maximum(out, np.asarray(min, dtype=x.dtype))
        if max is not None:
            inside &= x <= max
            out = np.minimum(out, np.asarray(max, dtype=x.dtype))
        ctx.save_for_backward(inside)
        ctx.min, ctx.max = min, max
        return out

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside, None, None


class WhereFunction(Function):
    """out = where(cond, a, b);  da = where(cond, g, 0),  db = where(cond, 0, g)."""

    @staticmethod
    def forward(ctx, condition, a, b):
        cond = np.asarray(as_array(condition), dtype=bool)  # also a Python bool (fill_, copy_)
        x, y = as_array(a), as_array(b)
        try:
            np.broadcast_shapes(cond.shape, np.shape(x), np.shape(y))
        except ValueError:
            raise RuntimeError(
                f"where: the shapes of condition {list(cond.shape)}, input {list(np.shape(x))} and other "
                f"{list(np.shape(y))} are not broadcastable"
            ) from None
        ctx.save_for_backward(cond)
        ctx.shapes = (np.shape(x), np.shape(y))
        return result_array(np.where(cond, x, y), x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        ga = sum_to(where(cond, g, 0.0), a_shape) if ctx.needs_input_grad[1] else None
        gb = sum_to(where(cond, 0.0, g), b_shape) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class MaximumFunction(Function):
    """out = max(a, b) elementwise; ties split the gradient equally, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = as_array(a), as_array(b)
        check_broadcast("maximum", x, y)
        weight_a = (x > y) + 0.5 * (x == y)
        ctx.save_for_backward(weight_a.astype(np.result_type(x, y), copy=False))
        ctx.shapes = (np.shape(x), np.shape(y))
        return result_array(np.maximum(x, y), x, y)

    @staticmethod
    def backward(ctx, g):
        (weight_a,) = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        ga = sum_to(g * weight_a, a_shape) if ctx.needs_input_grad[0] else None
        gb = sum_to(g * (1 - weight_a), b_shape) if ctx.needs_input_grad[1] else None
        return ga, gb


def exp(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise e**x.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.exp(minigrad.tensor([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """
    return _out("exp", ExpFunction.apply(floating(input)), out)


def log(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise natural logarithm.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.log(minigrad.tensor([1.0, 2.7183]))
        tensor([0.0000, 1.0000])
    """
    return _out("log", LogFunction.apply(floating(input)), out)


def sqrt(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise square root.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.sqrt(minigrad.tensor([4.0, 2.0]))
        tensor([2.0000, 1.4142])
    """
    return _out("sqrt", SqrtFunction.apply(floating(input)), out)


def abs(input: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A001  (PyTorch's name)
    """Elementwise absolute value.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.abs(minigrad.tensor([-1.5, 0.0, 2.0]))
        tensor([1.5000, 0.0000, 2.0000])
    """
    return _out("abs", AbsFunction.apply(input), out)


def sign(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise sign (-1, 0 or 1); not differentiable.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.sign(minigrad.tensor([-3.0, 0.0, 0.5]))
        tensor([-1.,  0.,  1.])
    """
    return _out("sign", Tensor._make(np.sign(input._array)), out)


def clamp(
    input: Tensor,
    min: Tensor | float | None = None,  # noqa: A002  (PyTorch's names)
    max: Tensor | float | None = None,  # noqa: A002
    *,
    out: Tensor | None = None,
) -> Tensor:
    """Clamp every element into [min, max]; either bound may be None, a number or a Tensor.

    Args:
        input (Tensor): the input tensor.
        min (Tensor or number, optional): the lower bound; none when None. Default: None.
        max (Tensor or number, optional): the upper bound; none when None. Default: None.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.clamp(minigrad.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if input._array.dtype.kind in "iu" and (isinstance(min, float) or isinstance(max, float)):
        input = floating(input)  # float bounds make an integer tensor floating, as in PyTorch
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # tensor bounds broadcast and may need gradients: clamp as maximum, then minimum
        if min is None and max is None:
            raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
        low = input if min is None else maximum(input, min)
        return _out("clamp", low if max is None else minimum(low, max), out)
    return _out("clamp", ClampFunction.apply(input, min, max), out)


def maximum(input: Tensor, other: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """Elementwise maximum of two tensors (broadcast).

    Args:
        input (Tensor): the input tensor.
        other (Tensor or number): the second operand, broadcast against ``input``.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.maximum(minigrad.tensor([1.0, 5.0]), minigrad.tensor([3.0, 2.0]))
        tensor([3., 5.])
    """
    return _out("maximum", MaximumFunction.apply(input, other), out)


def minimum(input: Tensor, other: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """Elementwise minimum of two tensors (broadcast).

    Args:
        input (Tensor): the input tensor.
        other (Tensor or number): the second operand, broadcast against ``input``.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.minimum(minigrad.tensor([1.0, 5.0]), minigrad.tensor([3.0, 2.0]))
        tensor([1., 2.])
    """
    check_broadcast("minimum", as_array(input), as_array(other))  # name this op, not maximum
    return _out(
        "minimum", -MaximumFunction.apply(-input, -other if isinstance(other, Tensor) else -np.asarray(other)), out
    )


def where(
    condition: Tensor | ArrayLike, input: Tensor | float, other: Tensor | float, *, out: Tensor | None = None
) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcast).

    Args:
        condition (Tensor): a bool tensor choosing ``input`` (True) or ``other`` (False).
        input (Tensor or number): the values where ``condition`` holds.
        other (Tensor or number): the values elsewhere.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> x = minigrad.tensor([-1.0, 2.0, -3.0])
        >>> minigrad.where(x > 0, x, 0.0)
        tensor([0., 2., 0.])
    """
    return _out("where", WhereFunction.apply(condition, input, other), out)


def masked_fill(input: Tensor, mask: Tensor, value: Tensor | float) -> Tensor:
    """``input`` with ``value`` written where the boolean ``mask`` is True (broadcast).

    Args:
        input (Tensor): the input tensor.
        mask (Tensor): a bool tensor, broadcast against ``input``.
        value (Tensor or number): the value to write (a number or a 0-d tensor).

    Example:
        >>> x = minigrad.tensor([1.0, 2.0, 3.0])
        >>> minigrad.masked_fill(x, x > 1.5, -1.0)
        tensor([ 1., -1., -1.])
    """
    mask_array = as_array(mask)
    if mask_array.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {mask_array.dtype}")
    try:
        np.broadcast_to(mask_array, input.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_fill: the size of the mask {list(mask_array.shape)} must be broadcastable to "
            f"the size of the input {list(input.shape)}"
        ) from None
    fill = value if isinstance(value, Tensor) else np.asarray(value, dtype=input._array.dtype)
    return WhereFunction.apply(mask_array, fill, input)


# ---- trigonometric, hyperbolic and erf ------------------------------------------------
# Integer and bool inputs are taken as the default float dtype, as in PyTorch.


class SinFunction(Function):
    """out = sin(a);  da = g * cos(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class CosFunction(Function):
    """out = cos(a);  da = -g * sin(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * sin(a)


class TanFunction(Function):
    """out = tan(a);  da = g * (1 + out**2)."""

    @staticmethod
    def forward(ctx, a):
        out = np.tan(a._array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)


class SinhFunction(Function):
    """out = sinh(a);  da = g * cosh(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class CoshFunction(Function):
    """out = cosh(a);  da = g * sinh(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


class AsinFunction(Function):
    """out = asin(a);  da = g / sqrt(1 - a**2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):  # |a| > 1 gives nan, quietly, as in PyTorch
            return np.arcsin(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / sqrt(1 - a * a)


class AcosFunction(Function):
    """out = acos(a);  da = -g / sqrt(1 - a**2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return np.arccos(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g / sqrt(1 - a * a)


class AtanFunction(Function):
    """out = atan(a);  da = g / (1 + a**2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a * a)


class Atan2Function(Function):
    """out = atan2(a, b), the angle of the point (b, a);  da = g * b / (a**2 + b**2),
    db = -g * a / (a**2 + b**2)."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._array, b._array
        check_broadcast("atan2", x, y)
        ctx.save_for_backward(a, b)
        ctx.shapes = (x.shape, y.shape)
        return result_array(np.arctan2(x, y), x, y, floating=True)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        scale = g / (a * a + b * b)
        ga = sum_to(scale * b, a_shape) if ctx.needs_input_grad[0] else None
        gb = sum_to(-scale * a, b_shape) if ctx.needs_input_grad[1] else None
        return ga, gb


class ErfFunction(Function):
    """out = erf(a) = 2/sqrt(pi) * integral of exp(-t**2) from 0 to a;  da = g * 2/sqrt(pi) * exp(-a**2)."""

    @staticmethod
    def forward(ctx, a):
        # imported on first use: scipy.special adds a third to the time of ``import minigrad``
        from scipy.special import erf as erf_array

        ctx.save_for_backward(a)
        return erf_array(a._array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (2 / np.sqrt(np.pi)) * exp(-(a * a))


def sin(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise sine (radians).

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.sin(minigrad.tensor([0.0, 1.5708]))
        tensor([0., 1.])
    """
    return _out("sin", SinFunction.apply(floating(input)), out)


def cos(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise cosine (radians).

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.cos(minigrad.tensor([0.0, 3.1416]))
        tensor([ 1., -1.])
    """
    return _out("cos", CosFunction.apply(floating(input)), out)


def tan(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise tangent (radians).

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.tan(minigrad.tensor([0.0, 0.7854]))
        tensor([0.0000, 1.0000])
    """
    return _out("tan", TanFunction.apply(floating(input)), out)


def sinh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise hyperbolic sine.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.sinh(minigrad.tensor([0.0, 1.0]))
        tensor([0.0000, 1.1752])
    """
    return _out("sinh", SinhFunction.apply(floating(input)), out)


def cosh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise hyperbolic cosine.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.cosh(minigrad.tensor([0.0, 1.0]))
        tensor([1.0000, 1.5431])
    """
    return _out("cosh", CoshFunction.apply(floating(input)), out)


def asin(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise arcsine, in [-pi/2, pi/2]; nan outside [-1, 1].

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.asin(minigrad.tensor([-1.0, 0.0, 1.0]))
        tensor([-1.5708,  0.0000,  1.5708])
    """
    return _out("asin", AsinFunction.apply(floating(input)), out)


def acos(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise arccosine, in [0, pi]; nan outside [-1, 1].

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.acos(minigrad.tensor([-1.0, 0.0, 1.0]))
        tensor([3.1416, 1.5708, 0.0000])
    """
    return _out("acos", AcosFunction.apply(floating(input)), out)


def atan(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise arctangent, in (-pi/2, pi/2).

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.atan(minigrad.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.7854,  0.0000,  0.7854])
    """
    return _out("atan", AtanFunction.apply(floating(input)), out)


def atan2(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise arctangent of ``input / other`` in the quadrant of the point
    ``(other, input)``, in [-pi, pi] (broadcast; both must be tensors).

    Args:
        input (Tensor): the y coordinates.
        other (Tensor): the x coordinates, broadcast against ``input``.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> import minigrad
        >>> minigrad.atan2(minigrad.tensor([1.0, -1.0]), minigrad.tensor([-1.0, -1.0]))
        tensor([ 2.3562, -2.3562])
    """
    for name, value, position in (("input", input, 1), ("other", other, 2)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"atan2(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}"
            )
    return _out("atan2", Atan2Function.apply(floating(input), floating(other)), out)


def erf(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Elementwise error function ``2/sqrt(pi) * integral of exp(-t**2) from 0 to x``.

    Args:
        input (Tensor): the input tensor.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.erf(minigrad.tensor([0.0, 1.0, -1.0]))
        tensor([ 0.0000,  0.8427, -0.8427])
    """
    return _out("erf", ErfFunction.apply(floating(input)), out)
