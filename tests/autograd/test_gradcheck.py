"""gradcheck and gradgradcheck themselves: they name the wrong input and element, catch nan
gradients, have a fast mode, warn on float32, and leave their inputs unchanged."""

import warnings

import numpy as np
import pytest
from inputs import leaf

import minigrad
from minigrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck

# ---- gradcheck and gradgradcheck themselves ---------------------------------------------


class WrongAtOneElement(Function):
    """out = x ** 2, with a backward that is wrong only for element [0, 1]."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._array**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bump = np.zeros(x.shape)
        bump[0, 1] = 0.5
        return g * 2 * x + minigrad.tensor(bump) * g


class ConstantBackwardSin(Function):
    """sin with a correct first derivative computed as a constant: no second derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.cos = np.cos(x._array)
        return np.sin(x._array)

    @staticmethod
    def backward(ctx, g):
        return g * minigrad.tensor(ctx.cos)


def test_gradcheck_names_input_element_and_both_values():
    xv = np.array([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]])
    x = leaf(xv)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongAtOneElement.apply, (x,))
    message = str(info.value)
    assert "with respect to input 0" in message
    assert "d output[0, 1] / d input[0, 1]" in message
    numerical, analytical = (
        float(v) for v in __import__("re").search(r"numerical (\S+), analytical (\S+) ", message).groups()
    )
    assert abs(numerical - 2.0) < 1e-5 and abs(analytical - 2.5) < 1e-12


def test_gradcheck_names_the_second_input():
    a = leaf([[1.0, 2.0]])
    b = leaf([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]])
    with pytest.raises(GradcheckError, match="with respect to input 1"):
        gradcheck(lambda p, q: p @ WrongAtOneElement.apply(q), (a, b))


def test_gradcheck_catches_a_nan_gradient():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x._array * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    with pytest.raises(GradcheckError, match="analytical nan"):
        gradcheck(NanGrad.apply, (leaf([1.0, 2.0]),))


def test_gradcheck_fast_mode_catches_a_nan_gradient():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x._array * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    with pytest.raises(GradcheckError, match="analytical nan"):
        gradcheck(NanGrad.apply, (leaf([1.0, 2.0]),), fast_mode=True)


def test_gradcheck_raise_exception_false_returns_false():
    x = leaf(np.ones((2, 3)))
    assert gradcheck(WrongAtOneElement.apply, (x,), raise_exception=False) is False
    assert gradcheck(lambda t: t**2, (x,), raise_exception=False) is True


def test_gradcheck_fast_mode_passes_correct_and_catches_wrong_gradients():
    x = leaf(np.linspace(0.5, 3.0, 6).reshape(2, 3))
    assert gradcheck(lambda t: (t**2).sum(1).tanh(), (x,), fast_mode=True)
    with pytest.raises(GradcheckError, match=r"with respect to input 0 \(fast mode.*numerical .*analytical"):
        gradcheck(WrongAtOneElement.apply, (x,), fast_mode=True)


def test_gradcheck_fast_mode_on_a_large_input_is_cheap():
    x = leaf(np.random.default_rng(0).standard_normal((60, 50)))
    w = leaf(np.random.default_rng(1).standard_normal((50, 40)))
    assert gradcheck(lambda a, b: (a @ b).tanh(), (x, w), fast_mode=True)


def test_gradcheck_warns_on_float32_instead_of_failing():
    x = minigrad.tensor([[0.3, -0.2, 1.1]], requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double precision"):
        assert gradcheck(lambda t: t.exp() * t.sigmoid(), (x,))
    assert x.dtype is minigrad.float32, "the user's tensor is not converted"


def test_gradcheck_float64_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: t.exp(), (leaf([0.1, 0.2]),))


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda t: t.exp(), (minigrad.tensor([1.0], dtype=minigrad.float64),))


def test_gradcheck_passes_non_tensor_arguments_through():
    assert gradcheck(lambda t, k: t**k, (leaf([0.5, 1.5]), 3))


def test_gradcheck_with_several_outputs():
    assert gradcheck(lambda t: (t.exp(), t * 2, t.sum()), (leaf([[0.1, 0.2], [0.3, 0.4]]),))


def test_gradcheck_leaves_inputs_unchanged():
    x = leaf([0.5, 1.5])
    gradcheck(lambda t: t.tanh(), (x,))
    assert x.tolist() == [0.5, 1.5] and x.grad is None


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = leaf([0.3, 1.1, -0.8])
    assert gradcheck(ConstantBackwardSin.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(ConstantBackwardSin.apply, (x,))
    assert gradgradcheck(ConstantBackwardSin.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_fast_mode_and_explicit_grad_outputs():
    x = leaf([0.3, 1.1, -0.8])
    assert gradgradcheck(lambda t: (t * t).tanh(), (x,), fast_mode=True)
    v = minigrad.tensor([1.0, -1.0, 0.5], dtype=minigrad.float64)
    assert gradgradcheck(lambda t: (t * t).tanh(), (x,), grad_outputs=v)
    with pytest.raises(GradcheckError):
        gradgradcheck(ConstantBackwardSin.apply, (x,), fast_mode=True)
