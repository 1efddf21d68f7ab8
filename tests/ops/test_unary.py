"""Unary math, activations, clamp, maximum/minimum and where through ``opcheck.check``
(forward against numpy in float64 and float32, gradcheck and gradgradcheck in float64), their
behaviour at kinks and for large inputs, and double backward through ops that save a 0-d output."""

import numpy as np
import pytest
from opcheck import A, D, N, P, case, check

import minigrad
from minigrad.testing import assert_close

# ---- unary math, activations, clamp, maximum/minimum, where ------------------------------


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


UNARY = [
    case("exp", minigrad.exp, np.exp, N(2, 3)),
    case("exp_method", lambda a: a.exp(), np.exp, N(2, 3)),
    case("log", minigrad.log, np.log, P(2, 3)),
    case("log_method", lambda a: a.log(), np.log, P(2, 3)),
    case("sqrt", minigrad.sqrt, np.sqrt, P(2, 3)),
    case("sqrt_method", lambda a: a.sqrt(), np.sqrt, P(2, 3)),
    case("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), P(2, 3)),
    case("abs", minigrad.abs, np.abs, A(2, 3)),
    case("abs_builtin", abs, np.abs, A(2, 3)),
    case("tanh", minigrad.tanh, np.tanh, N(2, 3)),
    case("tanh_method", lambda a: a.tanh(), np.tanh, N(2, 3)),
    case("sigmoid", minigrad.sigmoid, _sigmoid, N(2, 3)),
    case("sigmoid_method", lambda a: a.sigmoid(), _sigmoid, N(2, 3)),
    case("relu", minigrad.relu, lambda a: np.maximum(a, 0), A(2, 3)),
    case("relu_method", lambda a: a.relu(), lambda a: np.maximum(a, 0), A(2, 3)),
    case(
        "clamp_both",
        lambda a: minigrad.clamp(a, -0.5, 0.5),
        lambda a: np.clip(a, -0.5, 0.5),
        np.array([[-1.0, -0.3, 0.2], [0.45, 0.8, -0.55]]),
    ),
    case(
        "clamp_min",
        lambda a: a.clamp(min=0.1),
        lambda a: np.maximum(a, 0.1),
        np.array([[-1.0, -0.3, 0.2], [0.45, 0.8, -0.55]]),
    ),
    case(
        "clamp_max",
        lambda a: a.clamp(max=0.1),
        lambda a: np.minimum(a, 0.1),
        np.array([[-1.0, -0.3, 0.2], [0.45, 0.8, -0.55]]),
    ),
    case(
        "clip_alias",
        lambda a: a.clip(-0.5, 0.5),
        lambda a: np.clip(a, -0.5, 0.5),
        np.array([[-1.0, -0.3, 0.2], [0.45, 0.8, -0.55]]),
    ),
    case("maximum", minigrad.maximum, np.maximum, D(2, 3), D(2, 3) + 0.1),
    case("minimum", minigrad.minimum, np.minimum, D(2, 3), D(2, 3) + 0.1),
    case("maximum_method", lambda a, b: a.maximum(b), np.maximum, D(2, 3), D(2, 3) + 0.1),
    case("max_two_tensors", lambda a, b: minigrad.max(a, b), np.maximum, D(2, 3), D(2, 3) + 0.1),
    case("min_two_tensors", lambda a, b: minigrad.min(a, b), np.minimum, D(2, 3), D(2, 3) + 0.1),
    case(
        "where",
        lambda a, b: minigrad.where(minigrad.tensor(np.array([[True, False, True], [False, False, True]])), a, b),
        lambda a, b: np.where(np.array([[True, False, True], [False, False, True]]), a, b),
        N(2, 3),
        N(2, 3),
    ),
    case(
        "where_broadcast",
        lambda a, b: minigrad.where(minigrad.tensor(np.array([True, False, True])), a, b),
        lambda a, b: np.where(np.array([True, False, True]), a, b),
        N(2, 1),
        N(3),
    ),
    case("where_scalar_other", lambda a: minigrad.where(a > 0, a, 0.0), lambda a: np.where(a > 0, a, 0.0), A(2, 3)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", UNARY)
def test_unary_and_selection(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = minigrad.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=minigrad.float64).sigmoid()
    assert np.isfinite(out._array).all()
    assert_close(out, [0.0, _sigmoid(-50.0), 0.5, 1.0, 1.0])


def test_tanh_saturates_without_nan():
    out = minigrad.tensor([-1000.0, 1000.0], requires_grad=True)
    y = out.tanh()
    y.sum().backward()
    assert_close(y, [-1.0, 1.0])
    assert_close(out.grad, [0.0, 0.0])


def test_relu_gradient_at_zero_is_zero():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


def test_abs_gradient_at_zero_is_zero():
    x = minigrad.tensor([0.0, -2.0], requires_grad=True)
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0]


def test_maximum_tie_splits_the_gradient():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([1.0, 0.0], requires_grad=True)
    minigrad.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


def test_clamp_with_tensor_bounds():
    # regression: tensor bounds raised TypeError (numpy &= with a Tensor)
    x = np.array([[-1.0, -0.3, 0.2], [0.45, 0.8, -0.55]])
    lo, hi = np.array([-0.5, -0.1, 0.0]), np.array([[0.3], [0.6]])
    check(lambda a, l, h: a.clamp(l, h), lambda a, l, h: np.minimum(np.maximum(a, l), h), x, lo, hi)
    check(lambda a, l: minigrad.clamp(a, min=l), lambda a, l: np.maximum(a, l), x, lo)
    check(lambda a, h: a.clamp(max=h), lambda a, h: np.minimum(a, h), x, hi)
    check(lambda a: a.clamp(minigrad.tensor(-0.5), 0.5), lambda a: np.clip(a, -0.5, 0.5), x)


def test_clamp_requires_a_bound():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        minigrad.tensor([1.0]).clamp()


def test_sign_is_not_differentiable():
    x = minigrad.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    s = x.sign()
    assert s.tolist() == [-1.0, 0.0, 1.0] and not s.requires_grad


def test_masked_fill():
    mask = np.array([[True, False, True], [False, False, True]])
    check(lambda a: a.masked_fill(minigrad.tensor(mask), -2.0), lambda a: np.where(mask, -2.0, a), N(2, 3))
    check(
        lambda a: minigrad.masked_fill(a, minigrad.tensor(mask[0]), 0.5), lambda a: np.where(mask[0], 0.5, a), N(2, 3)
    )
    x = minigrad.tensor([1.0, 2.0, 3.0])
    assert x.masked_fill(x > 1.5, float("-inf")).tolist() == [1.0, float("-inf"), float("-inf")]


def test_masked_fill_with_a_tensor_value():
    mask = np.array([True, False, True])
    check(lambda a, v: a.masked_fill(minigrad.tensor(mask), v), lambda a, v: np.where(mask, v, a), N(3), N())


# ---- double backward through ops that save their 0-d output ------------------------------


@pytest.mark.parametrize("op", ["exp", "tanh", "sqrt"])
def test_double_backward_of_ops_on_0d_tensors(op):
    check(lambda a: getattr(a, op)(), getattr(np, op), P())


@pytest.mark.parametrize("op", ["exp", "tanh", "sqrt", "sigmoid"])
def test_double_backward_of_ops_on_1_element_tensors(op):
    ref = _sigmoid if op == "sigmoid" else getattr(np, op)
    check(lambda a: getattr(a, op)(), ref, P(1))
