"""Elementwise arithmetic with tensors, scalars and reflected forms, dtype promotion,
broadcasting with gradients reduced to each input's shape, and comparisons. Each table row goes
through ``opcheck.check``: forward against numpy in float64 and float32, gradcheck and
gradgradcheck in float64."""

import numpy as np
import pytest
from opcheck import BINARY, A, D, N, P, R, case, check, sum_to

import minigrad
from minigrad.testing import assert_close

# ---- elementwise arithmetic with tensors, scalars and reflected forms ---------------------

ARITHMETIC = [
    case("add", lambda a, b: a + b, lambda a, b: a + b, N(2, 3), N(2, 3)),
    case("add_fn_alpha", lambda a, b: minigrad.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b, N(2, 3), N(2, 3)),
    case("add_scalar", lambda a: a + 2.0, lambda a: a + 2.0, N(2, 3)),
    case("radd_scalar", lambda a: 2 + a, lambda a: 2 + a, N(2, 3)),
    case("sub", lambda a, b: a - b, lambda a, b: a - b, N(2, 3), N(2, 3)),
    case("sub_fn_alpha", lambda a, b: minigrad.sub(a, b, alpha=0.5), lambda a, b: a - 0.5 * b, N(2, 3), N(2, 3)),
    case("sub_scalar", lambda a: a - 2, lambda a: a - 2, N(2, 3)),
    case("rsub_scalar", lambda a: 2.5 - a, lambda a: 2.5 - a, N(2, 3)),
    case("mul", lambda a, b: a * b, lambda a, b: a * b, N(2, 3), N(2, 3)),
    case("mul_self", lambda a: a * a, lambda a: a * a, N(2, 3)),
    case("mul_scalar", lambda a: a * 3, lambda a: a * 3, N(2, 3)),
    case("rmul_scalar", lambda a: -1.5 * a, lambda a: -1.5 * a, N(2, 3)),
    case("div", lambda a, b: a / b, lambda a, b: a / b, N(2, 3), A(2, 3)),
    case("div_scalar", lambda a: a / 4, lambda a: a / 4, N(2, 3)),
    case("rdiv_scalar", lambda a: 2 / a, lambda a: 2 / a, A(2, 3)),
    case("neg", lambda a: -a, lambda a: -a, N(2, 3)),
    case("neg_fn", minigrad.neg, np.negative, N(2, 3)),
    case("pos", lambda a: +a, lambda a: a, N(2, 3), gradgrad=False),
    case("pow_int", lambda a: a**3, lambda a: a**3, N(2, 3)),
    case("pow_square", lambda a: a**2, lambda a: a**2, N(2, 3)),
    case("pow_float", lambda a: a**2.5, lambda a: a**2.5, P(2, 3)),
    case("pow_negative", lambda a: a**-1.5, lambda a: a**-1.5, P(2, 3)),
    case("pow_half", lambda a: a**0.5, lambda a: a**0.5, P(2, 3)),
    case("pow_zero", lambda a: a**0, lambda a: a**0, N(2, 3)),
    case("pow_tensor", lambda a, b: a**b, lambda a, b: a**b, P(2, 3), N(2, 3)),
    case("pow_fn", lambda a, b: minigrad.pow(a, b), np.power, P(2, 3), N(2, 3)),
    case("pow_method", lambda a: a.pow(3), lambda a: a**3, N(2, 3)),
    case(
        "methods_chain",
        lambda a, b: a.add(b).sub(b, alpha=2).mul(a).div(b),
        lambda a, b: (a + b - 2 * b) * a / b,
        N(2, 3),
        A(2, 3),
    ),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", ARITHMETIC)
def test_arithmetic(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_rpow_scalar_base():
    # regression: backward took minigrad's log() of the Python number 2
    check(lambda a: 2**a, lambda a: 2.0**a, N(2, 3))
    check(lambda a: 0.5**a, lambda a: 0.5**a, N(2, 3))
    check(lambda a: minigrad.pow(3, a), lambda a: 3.0**a, N(2, 3))


def test_rpow_scalar_base_forward():
    a = N(2, 3)
    assert_close(2 ** minigrad.tensor(a), 2.0**a)


def test_reflected_ops_with_numpy_arrays_return_tensors():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    c = np.array([3.0, 4.0], dtype=np.float32)
    for result, expected in ((c + x, [4.0, 6.0]), (c - x, [2.0, 2.0]), (c * x, [3.0, 8.0]), (c / x, [3.0, 2.0])):
        assert isinstance(result, minigrad.Tensor) and result.requires_grad
        assert_close(result, np.array(expected, dtype=np.float32))


def test_python_number_keeps_tensor_dtype():
    for dtype in (minigrad.float32, minigrad.float64):
        x = minigrad.ones(2, dtype=dtype)
        for result in (x + 1.5, 1.5 + x, x * 2, x / 3, 2 / x, x**2, 2.0**x, x - 1, 1 - x):
            assert result.dtype is dtype


def test_integer_tensors_and_python_numbers():
    i = minigrad.tensor([1, 2, 3])
    assert (i + 1).dtype is minigrad.int64 and (i + 1).tolist() == [2, 3, 4]
    assert (i * 2.5).dtype is minigrad.float32
    assert (i / 2).dtype is minigrad.float32 and (i / 2).tolist() == [0.5, 1.0, 1.5]
    assert (i**2).tolist() == [1, 4, 9]
    assert (i * minigrad.tensor([1.0, 1.0, 1.0])).dtype is minigrad.float32


def test_0d_tensors_and_integer_tensors_promote_like_torch():
    assert (minigrad.ones(2) + minigrad.tensor(1.0, dtype=minigrad.float64)).dtype is minigrad.float32
    assert (minigrad.ones(2, dtype=minigrad.float16) + minigrad.tensor([1, 2])).dtype is minigrad.float16


def test_mixed_float_dtypes_promote_to_float64():
    a = minigrad.ones(2)
    b = minigrad.ones(2, dtype=minigrad.float64)
    assert (a + b).dtype is minigrad.float64
    assert (b * a).dtype is minigrad.float64


def test_division_by_zero_gives_inf_quietly():
    with np.errstate(all="raise"):
        out = minigrad.tensor([1.0, -1.0, 0.0]) / minigrad.tensor([0.0, 0.0, 0.0])
    assert out._array[0] == np.inf and out._array[1] == -np.inf and np.isnan(out._array[2])


# ---- broadcasting ----------------------------------------------------------------------

BROADCAST_SHAPES = [
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((4, 1, 3), (2, 1)),
    ((2, 3), ()),
    ((1,), (2, 2)),
    ((3, 1, 2), (3, 2, 1)),
]


def _binary_inputs(name, sa, sb):
    if name == "pow":
        return P(*sa), N(*sb)
    if name == "div":
        return N(*sa), A(*sb)
    if name in ("maximum", "minimum"):
        # b = a shifted by at least 0.2 either way, broadcast-safe: no ties anywhere
        a = D(*sa)
        return a, np.full(sb, 0.1) + R.uniform(-0.05, 0.05, sb)
    return N(*sa), N(*sb)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("sa, sb", BROADCAST_SHAPES, ids=str)
def test_broadcasting_binary_ops(name, sa, sb):
    fn, ref = BINARY[name]
    a, b = _binary_inputs(name, sa, sb)
    check(fn, ref, a, b)
    if name != "pow":  # the swapped order would raise negative bases to real powers
        check(lambda x, y: fn(y, x), lambda x, y: ref(y, x), b, a)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_broadcast_gradients_are_reduced_to_the_input_shapes(name):
    fn, _ = BINARY[name]
    a = minigrad.tensor(N(4, 1, 3), requires_grad=True)
    b = minigrad.tensor(A(2, 1), requires_grad=True)
    w = N(4, 2, 3)
    (fn(a, b) * minigrad.tensor(w)).sum().backward()
    assert a.grad.shape == (4, 1, 3) and b.grad.shape == (2, 1)
    x, y = a._array, b._array
    local = {"add": (1, 1), "sub": (1, -1), "mul": (y, x), "div": (1 / y, -x / y**2)}[name]
    assert_close(a.grad, sum_to(w * local[0] * np.ones((4, 2, 3)), (4, 1, 3)))
    assert_close(b.grad, sum_to(w * local[1] * np.ones((4, 2, 3)), (2, 1)))


def test_broadcast_against_a_scalar_tensor():
    a = minigrad.tensor(N(2, 3), requires_grad=True)
    s = minigrad.tensor(1.5, dtype=minigrad.float64, requires_grad=True)
    (a * s).sum().backward()
    assert s.grad.shape == ()
    assert_close(s.grad, np.asarray(a._array.sum()))


# ---- comparisons --------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
def test_comparisons(op):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = minigrad.tensor(a, requires_grad=True)
    for other, np_other in ((minigrad.tensor(b), b), (2.0, 2.0), (2, 2)):
        out = getattr(x, op)(other)
        assert out.dtype is minigrad.bool and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out._array, getattr(a, op)(np_other))
    named = {"__eq__": "eq", "__ne__": "ne", "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge"}[op]
    np.testing.assert_array_equal(getattr(x, named)(2.0)._array, getattr(a, op)(2.0))


def test_reflected_comparison_with_a_number():
    x = minigrad.tensor([1.0, 3.0])
    assert (2.0 < x).tolist() == [False, True]
    assert (2.0 == x).tolist() == [False, False]


def test_logical_ops_on_bool_tensors():
    a = minigrad.tensor([True, True, False])
    b = minigrad.tensor([True, False, False])
    assert (a & b).tolist() == [True, False, False]
    assert (a | b).tolist() == [True, True, False]
    assert (a ^ b).tolist() == [False, True, False]
    assert (~a).tolist() == [False, False, True]
    assert a.any().item() and not a.all().item()
