"""Every op of the foundation issue: forward against the numpy expression it stands for
(in float64 and float32), gradcheck and gradgradcheck in float64 for every
differentiable op, broadcasting with gradients reduced to each input's shape, and
hypothesis sweeps of shapes for broadcasting binary ops and reductions.

Inputs are kept away from kinks (|x| >= 0.2 for abs and relu, clamp bounds not hit)
and ties (max/min/maximum get distinct values), where a derivative is not defined.
"""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.testing import assert_close

R = np.random.default_rng(1234)


# ---- inputs -----------------------------------------------------------------------------


def N(*shape):
    """Standard normal values."""
    return R.standard_normal(shape)


def P(*shape):
    """Positive values in [0.5, 2): safe for log, sqrt, division and real powers."""
    return R.uniform(0.5, 2.0, shape)


def A(*shape):
    """Values with 0.2 <= |x| < 2 (away from the kinks of abs and relu at 0)."""
    return R.uniform(0.2, 2.0, shape) * R.choice([-1.0, 1.0], shape)


def D(*shape):
    """Distinct values at least 0.25 apart (no ties for max, min, argmax, sort)."""
    n = int(np.prod(shape, dtype=np.int64))
    return ((R.permutation(n) - n / 2) * 0.25 + R.uniform(0.0, 0.05)).reshape(shape)


def sum_to(array, shape):
    """numpy: sum a broadcast gradient back down to ``shape``."""
    lead = array.ndim - len(shape)
    array = array.sum(axis=tuple(range(lead))) if lead else array
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and array.shape[i] != 1)
    return array.sum(axis=axes, keepdims=True) if axes else array


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _leaf(x, dtype):
    """A float numpy input becomes a leaf requiring grad; anything else passes through."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return minigrad.tensor(x.astype(dtype), requires_grad=True)
    return x


def check(fn, ref, *inputs, grad=True, gradgrad=True):
    """Forward against ``ref`` (numpy) in float64 and float32; then gradcheck and
    gradgradcheck in float64 when the op is differentiable."""
    expected = tuple(np.asarray(e) for e in _as_tuple(ref(*inputs)))
    leaves = [_leaf(x, np.float64) for x in inputs]
    out = _as_tuple(fn(*leaves))
    assert len(out) == len(expected)
    for o, e in zip(out, expected):
        assert o.shape == e.shape, (o.shape, e.shape)
        if e.dtype.kind == "f":
            assert o.dtype is minigrad.float64
            assert_close(o, e, rtol=1e-10, atol=1e-12)
        else:
            assert_close(o.data, e, check_dtype=False)

    out32 = _as_tuple(fn(*[_leaf(x, np.float32) for x in inputs]))
    for o, e in zip(out32, expected):
        if e.dtype.kind == "f":
            assert o.dtype is minigrad.float32, "float32 inputs must give a float32 result"
            assert_close(o, e.astype(np.float32), rtol=1e-4, atol=1e-5)

    if grad:
        assert gradcheck(fn, tuple(leaves))
    if gradgrad:
        assert gradgradcheck(fn, tuple(leaves))


def case(name, fn, ref, *inputs, xfail=None, **kwargs):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(fn, ref, inputs, kwargs, id=name, marks=marks)


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
    assert out.data[0] == np.inf and out.data[1] == -np.inf and np.isnan(out.data[2])


# ---- broadcasting ----------------------------------------------------------------------

BROADCAST_SHAPES = [
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((4, 1, 3), (2, 1)),
    ((2, 3), ()),
    ((1,), (2, 2)),
    ((3, 1, 2), (3, 2, 1)),
]
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a**b, np.power),
    "maximum": (minigrad.maximum, np.maximum),
    "minimum": (minigrad.minimum, np.minimum),
}


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
    x, y = a.data, b.data
    local = {"add": (1, 1), "sub": (1, -1), "mul": (y, x), "div": (1 / y, -x / y**2)}[name]
    assert_close(a.grad, sum_to(w * local[0] * np.ones((4, 2, 3)), (4, 1, 3)))
    assert_close(b.grad, sum_to(w * local[1] * np.ones((4, 2, 3)), (2, 1)))


def test_broadcast_against_a_scalar_tensor():
    a = minigrad.tensor(N(2, 3), requires_grad=True)
    s = minigrad.tensor(1.5, dtype=minigrad.float64, requires_grad=True)
    (a * s).sum().backward()
    assert s.grad.shape == ()
    assert_close(s.grad, np.asarray(a.data.sum()))


# ---- matmul -----------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 2, 3), (2, 3, 4)),  # batched
    ((2, 2, 3), (3, 4)),  # batch on the left only
    ((2, 3), (2, 3, 4)),  # batch on the right only
    ((3,), (2, 3, 2)),  # 1-D with a batch
    ((2, 2, 3), (3,)),
    ((2, 1, 2, 3), (3, 3, 2)),  # broadcast batch dimensions
]


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES, ids=str)
def test_matmul(sa, sb):
    check(lambda a, b: a @ b, np.matmul, N(*sa), N(*sb))


def test_matmul_forms_agree():
    a, b = N(2, 3), N(3, 4)
    ta, tb = minigrad.tensor(a), minigrad.tensor(b)
    for out in (minigrad.matmul(ta, tb), ta.matmul(tb), minigrad.mm(ta, tb), ta.mm(tb), ta @ tb):
        assert_close(out, a @ b)
    assert_close(a @ tb, a @ b)  # ndarray @ Tensor uses __rmatmul__
    c, d = N(2, 2, 3), N(2, 3, 1)
    assert_close(minigrad.bmm(minigrad.tensor(c), minigrad.tensor(d)), c @ d)
    check(minigrad.bmm, np.matmul, c, d)


def test_matmul_1d_1d_gives_a_scalar():
    out = minigrad.tensor([1.0, 2.0]) @ minigrad.tensor([3.0, 4.0])
    assert out.shape == () and out.item() == 11.0


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
    assert np.isfinite(out.data).all()
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


# ---- reductions -------------------------------------------------------------------------

REDUCTIONS = [
    case("sum_all", lambda a: a.sum(), np.sum, N(2, 3, 4)),
    case("sum_fn", lambda a: minigrad.sum(a, 1), lambda a: a.sum(1), N(2, 3, 4)),
    case("sum_dim", lambda a: a.sum(1), lambda a: a.sum(1), N(2, 3, 4)),
    case("sum_neg_dim", lambda a: a.sum(-1), lambda a: a.sum(-1), N(2, 3, 4)),
    case("sum_dims", lambda a: a.sum((0, 2)), lambda a: a.sum((0, 2)), N(2, 3, 4)),
    case("sum_keepdim", lambda a: a.sum(1, keepdim=True), lambda a: a.sum(1, keepdims=True), N(2, 3, 4)),
    case(
        "sum_dims_keepdim", lambda a: a.sum((0, -1), keepdim=True), lambda a: a.sum((0, 2), keepdims=True), N(2, 3, 4)
    ),
    case("sum_0d", lambda a: a.sum(), np.sum, N()),
    case("mean_all", lambda a: a.mean(), np.mean, N(2, 3, 4)),
    case("mean_fn", lambda a: minigrad.mean(a, 0), lambda a: a.mean(0), N(2, 3, 4)),
    case(
        "mean_dims_keepdim", lambda a: a.mean((1, 2), keepdim=True), lambda a: a.mean((1, 2), keepdims=True), N(2, 3, 4)
    ),
    case("var_all", lambda a: a.var(), lambda a: a.var(ddof=1), N(2, 3, 4)),
    case("var_fn", lambda a: minigrad.var(a, 1), lambda a: a.var(1, ddof=1), N(2, 3, 4)),
    case("var_dim_keepdim", lambda a: a.var(1, keepdim=True), lambda a: a.var(1, ddof=1, keepdims=True), N(2, 3, 4)),
    case("var_dims", lambda a: a.var((0, 2)), lambda a: a.var((0, 2), ddof=1), N(2, 3, 4)),
    case("var_biased", lambda a: a.var(1, unbiased=False), lambda a: a.var(1), N(2, 3, 4)),
    case("var_correction", lambda a: a.var(-1, correction=0), lambda a: a.var(-1), N(2, 3, 4)),
    case("std_all", lambda a: a.std(), lambda a: a.std(ddof=1), N(2, 3, 4)),
    case("std_fn", lambda a: minigrad.std(a, 0), lambda a: a.std(0, ddof=1), N(2, 3, 4)),
    case("std_dim_keepdim", lambda a: a.std(-1, keepdim=True), lambda a: a.std(-1, ddof=1, keepdims=True), N(2, 3, 4)),
    case("std_biased", lambda a: a.std(unbiased=False), np.std, N(2, 3, 4)),
    case("max_all", lambda a: a.max(), np.max, D(2, 3, 4)),
    case("min_all", lambda a: a.min(), np.min, D(2, 3, 4)),
    case("max_fn_all", minigrad.max, np.max, D(2, 3)),
    case("max_dim", lambda a: a.max(1), lambda a: (a.max(1), a.argmax(1)), D(2, 3, 4)),
    case(
        "max_dim_keepdim",
        lambda a: a.max(-1, keepdim=True),
        lambda a: (a.max(-1, keepdims=True), a.argmax(-1)[..., None]),
        D(2, 3, 4),
    ),
    case("max_fn_dim", lambda a: minigrad.max(a, dim=0), lambda a: (a.max(0), a.argmax(0)), D(2, 3)),
    case("min_dim", lambda a: a.min(0), lambda a: (a.min(0), a.argmin(0)), D(2, 3, 4)),
    case(
        "min_dim_keepdim",
        lambda a: a.min(1, keepdim=True),
        lambda a: (a.min(1, keepdims=True), a.argmin(1)[:, None]),
        D(2, 3, 4),
    ),
    case("amax_dims", lambda a: minigrad.amax(a, (0, 2)), lambda a: a.max((0, 2)), D(2, 3, 4)),
    case("amin_keepdim", lambda a: a.amin(1, keepdim=True), lambda a: a.min(1, keepdims=True), D(2, 3, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", REDUCTIONS)
def test_reductions(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


ZERO_DIM = [
    case("sum_0d_dim0", lambda a: a.sum(0), lambda a: a, N()),
    case("sum_0d_dim_minus1_keepdim", lambda a: a.sum(-1, keepdim=True), lambda a: a, N()),
    case("mean_0d_dim0", lambda a: a.mean(0), lambda a: a, N()),
    case("amax_0d_dim0", lambda a: a.amax(0), lambda a: a, N()),
    case("logsumexp_0d", lambda a: a.logsumexp(0), lambda a: a, N()),
    case("var_0d_biased", lambda a: a.var(0, unbiased=False) + a, lambda a: a, N()),
    case("squeeze_0d_dim0", lambda a: a.squeeze(0), lambda a: a, N(), gradgrad=False),
    case("softmax_0d", lambda a: a.softmax(0), lambda a: np.ones(()), N()),
    case("max_0d_dim0", lambda a: a.max(0), lambda a: (a, np.zeros((), np.int64)), N(), gradgrad=False),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", ZERO_DIM)
def test_reductions_of_0d_tensors_over_dim_0(fn, ref, inputs, kwargs):
    # regression: a 0-d tensor's only dims, 0 and -1, reached numpy as an axis it does not have
    check(fn, ref, *inputs, **kwargs)


def test_max_with_dim_returns_named_values_and_indices():
    x = minigrad.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    result = x.max(dim=1)
    values, indices = result
    assert result.values is values and result.indices is indices
    assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2]
    assert indices.dtype is minigrad.int64
    values, indices = x.min(0, keepdim=True)
    assert values.tolist() == [[1.0, 2.0, 3.0]] and indices.tolist() == [[0, 1, 0]]


def test_max_over_all_ties_share_the_gradient_and_dim_picks_one():
    x = minigrad.tensor([2.0, 2.0, 1.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.5, 0.5, 0.0]
    y = minigrad.tensor([2.0, 2.0, 1.0], requires_grad=True)
    values, indices = y.max(0)
    values.backward()
    assert sum(y.grad.tolist()) == 1.0 and y.grad.tolist()[indices.item()] == 1.0


def test_var_of_one_element_is_nan_like_torch():
    assert np.isnan(minigrad.tensor([1.0]).var().item())
    assert minigrad.tensor([1.0]).var(unbiased=False).item() == 0.0


def test_sum_of_integers_and_bools_gives_int64():
    assert minigrad.tensor([1, 2, 3]).sum().dtype is minigrad.int64
    assert minigrad.tensor([True, True, False]).sum().item() == 2
    assert minigrad.tensor([1, 2]).sum(dtype=minigrad.float64).dtype is minigrad.float64


def test_mean_of_integers_is_refused():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype.*Got: Int64"):
        minigrad.tensor([1, 2]).mean()


@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)])
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin(op, dim, keepdim):
    a = D(3, 4)
    t = minigrad.tensor(a, requires_grad=True)
    out = getattr(t, op)(dim, keepdim) if dim is not None or keepdim else getattr(t, op)()
    fn_out = getattr(minigrad, op)(t, dim, keepdim)
    expected = getattr(np, op)(a, axis=dim, keepdims=keepdim)
    for result in (out, fn_out):
        assert result.dtype is minigrad.int64 and not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)


# ---- softmax family ---------------------------------------------------------------------


def _softmax(a, axis):
    e = np.exp(a - a.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _logsumexp(a, axis, keepdims=False):
    m = a.max(axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis)


SOFTMAX = [
    case("softmax_last", lambda a: a.softmax(-1), lambda a: _softmax(a, -1), N(2, 3, 4)),
    case("softmax_first", lambda a: minigrad.softmax(a, 0), lambda a: _softmax(a, 0), N(2, 3, 4)),
    case("softmax_1d", lambda a: a.softmax(0), lambda a: _softmax(a, 0), N(5)),
    case("log_softmax_last", lambda a: a.log_softmax(-1), lambda a: np.log(_softmax(a, -1)), N(2, 3, 4)),
    case("log_softmax_mid", lambda a: minigrad.log_softmax(a, 1), lambda a: np.log(_softmax(a, 1)), N(2, 3, 4)),
    case("logsumexp", lambda a: a.logsumexp(1), lambda a: _logsumexp(a, 1), N(2, 3, 4)),
    case(
        "logsumexp_fn_keepdim",
        lambda a: minigrad.logsumexp(a, -1, keepdim=True),
        lambda a: _logsumexp(a, -1, True),
        N(2, 3, 4),
    ),
    case("logsumexp_dims", lambda a: a.logsumexp((0, 2)), lambda a: _logsumexp(a, (0, 2)), N(2, 3, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", SOFTMAX)
def test_softmax_family(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


@pytest.mark.parametrize(
    "shift, dtype",
    [
        (1000.0, np.float64),
        (-1000.0, np.float64),
        (1e4, np.float64),
        (100.0, np.float32),
        (-200.0, np.float32),
        (3e38, np.float32),
    ],
)
def test_softmax_family_is_stable_on_large_inputs(shift, dtype):
    base = np.array([[0.0, 1.0, 2.0], [-1.0, 0.5, 3.0]]) * (1e32 if shift > 1e30 else 1.0)
    x = minigrad.tensor((base + shift).astype(dtype), requires_grad=True)
    # the reference: the exact values of the (rounded) inputs, shifted by their row maximum in float64
    exact = x.data.astype(np.float64)
    exact = exact - exact.max(-1, keepdims=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        sm, lsm, lse = x.softmax(-1), x.log_softmax(-1), x.logsumexp(-1)
    assert sm.dtype is lsm.dtype is lse.dtype is minigrad.from_numpy(np.zeros(0, dtype)).dtype
    assert_close(sm, _softmax(exact, -1).astype(dtype), rtol=1e-5, atol=1e-6)
    assert_close(lsm, (exact - _logsumexp(exact, -1, True)).astype(dtype), rtol=1e-5, atol=1e-5)
    assert np.isfinite(lse.data).all() and np.isfinite(lsm.data).all()
    if shift < 1e30:
        rtol = 1e-12 if dtype == np.float64 else 1e-6
        assert_close(lse, (_logsumexp(base, -1) + shift).astype(dtype), rtol=rtol, atol=0.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        (sm[:, 0].sum() + lsm.sum() + lse[0]).backward()
    assert np.isfinite(x.grad.data).all()


def test_logsumexp_of_minus_infinity(recwarn):
    x = minigrad.tensor([[-np.inf, -np.inf], [-np.inf, 0.0]], dtype=minigrad.float64, requires_grad=True)
    out = x.logsumexp(1)
    assert out.data[0] == -np.inf and out.data[1] == 0.0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)], "no numpy warning leaks"
    out.sum().backward()
    # as torch: exp(-inf - -inf) is nan in an all -inf row; a finite row gets its softmax
    assert np.isnan(x.grad.data[0]).all()
    assert x.grad.data[1].tolist() == [0.0, 1.0]


def test_softmax_rows_sum_to_one_and_need_a_dim():
    x = minigrad.randn(4, 5)
    assert_close(x.softmax(1).sum(1), np.ones(4, dtype=np.float32))
    with pytest.raises(TypeError, match="softmax\\(\\) missing required argument 'dim'"):
        minigrad.softmax(x)


# ---- shape ops --------------------------------------------------------------------------

SHAPE = [
    case("reshape", lambda a: a.reshape(3, 4), lambda a: a.reshape(3, 4), N(2, 6)),
    case("reshape_tuple", lambda a: a.reshape((4, -1)), lambda a: a.reshape(4, -1), N(2, 6)),
    case("reshape_fn", lambda a: minigrad.reshape(a, (-1,)), lambda a: a.reshape(-1), N(2, 6)),
    case("view", lambda a: a.view(6, 2), lambda a: a.reshape(6, 2), N(2, 6)),
    case("view_infer", lambda a: a.view(-1, 3), lambda a: a.reshape(-1, 3), N(2, 6)),
    case("view_as", lambda a: a.view_as(minigrad.zeros(3, 4)), lambda a: a.reshape(3, 4), N(2, 6)),
    case("flatten", lambda a: a.flatten(), lambda a: a.reshape(-1), N(2, 3, 4)),
    case("flatten_from_1", lambda a: minigrad.flatten(a, 1), lambda a: a.reshape(2, -1), N(2, 3, 4)),
    case("flatten_range", lambda a: a.flatten(0, 1), lambda a: a.reshape(6, 4), N(2, 3, 4)),
    case("transpose", lambda a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2), N(2, 3, 4)),
    case("transpose_fn_neg", lambda a: minigrad.transpose(a, -1, -2), lambda a: a.swapaxes(-1, -2), N(2, 3, 4)),
    case("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), N(2, 3, 4)),
    case("permute_tuple", lambda a: minigrad.permute(a, (1, 2, 0)), lambda a: a.transpose(1, 2, 0), N(2, 3, 4)),
    case("T_2d", lambda a: a.T, lambda a: a.T, N(2, 3)),
    case("T_3d", lambda a: a.T, lambda a: a.transpose(2, 1, 0), N(2, 3, 4)),
    case("t", lambda a: a.t(), lambda a: a.T, N(2, 3)),
    case("mT", lambda a: a.mT, lambda a: a.swapaxes(-1, -2), N(2, 3, 4)),
    case("squeeze_all", lambda a: a.squeeze(), lambda a: a.squeeze(), N(2, 1, 3, 1)),
    case("squeeze_dim", lambda a: a.squeeze(1), lambda a: a.squeeze(1), N(2, 1, 3, 1)),
    case("squeeze_neg_dim", lambda a: minigrad.squeeze(a, -1), lambda a: a.squeeze(-1), N(2, 1, 3, 1)),
    case("squeeze_non_one", lambda a: a.squeeze(0), lambda a: a, N(2, 1, 3)),
    case("unsqueeze", lambda a: a.unsqueeze(0), lambda a: a[None], N(2, 3)),
    case("unsqueeze_neg", lambda a: minigrad.unsqueeze(a, -1), lambda a: a[..., None], N(2, 3)),
    case("unsqueeze_mid", lambda a: a.unsqueeze(1), lambda a: a[:, None], N(2, 3)),
    case("expand", lambda a: a.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), N(3, 1)),
    case("expand_keep", lambda a: a.expand(-1, 4), lambda a: np.broadcast_to(a, (3, 4)), N(3, 1)),
    case("expand_fn_tuple", lambda a: minigrad.expand(a, (5, 2, 3)), lambda a: np.broadcast_to(a, (5, 2, 3)), N(2, 3)),
    case("expand_as", lambda a: a.expand_as(minigrad.zeros(2, 4, 3)), lambda a: np.broadcast_to(a, (2, 4, 3)), N(1, 3)),
    case("contiguous_after_T", lambda a: a.T.contiguous().view(-1), lambda a: a.T.reshape(-1), N(2, 3)),
    case("clone", lambda a: a.clone(), lambda a: a.copy(), N(2, 3)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", SHAPE)
def test_shape_ops(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_views_share_memory_and_reshape_of_same_shape_returns_self():
    x = minigrad.tensor(N(2, 6))
    for v in (x.view(3, 4), x.reshape(12), x.transpose(0, 1), x.unsqueeze(0), x[0], x.expand(3, 2, 6)):
        assert np.shares_memory(v.data, x.data)
    assert x.reshape(2, 6) is x


def test_view_of_a_non_contiguous_tensor_is_refused():
    x = minigrad.tensor(N(2, 3)).T
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        x.view(6)
    assert x.reshape(6).shape == (6,)


def test_expand_gradient_sums_over_the_expanded_dims():
    x = minigrad.tensor([[1.0], [2.0]], requires_grad=True)
    y = x.expand(3, 2, 4)
    (y * minigrad.arange(4.0)).sum().backward()
    assert x.grad.shape == (2, 1)
    assert x.grad.tolist() == [[18.0], [18.0]]


# ---- indexing ---------------------------------------------------------------------------

MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
INDEXING = [
    case("int", lambda a: a[1], lambda a: a[1], N(3, 4)),
    case("neg_int", lambda a: a[-1, -2], lambda a: a[-1, -2], N(3, 4)),
    case("slice", lambda a: a[1:], lambda a: a[1:], N(3, 4)),
    case("slice_step", lambda a: a[:, ::2], lambda a: a[:, ::2], N(3, 4)),
    case("slice_both", lambda a: a[0:2, 1:3], lambda a: a[0:2, 1:3], N(3, 4)),
    case("ellipsis", lambda a: a[..., 1], lambda a: a[..., 1], N(2, 3, 4)),
    case("none", lambda a: a[None, :, None], lambda a: a[None, :, None], N(3, 4)),
    case("int_list", lambda a: a[[0, 2]], lambda a: a[[0, 2]], N(3, 4)),
    case("int_list_repeats", lambda a: a[[0, 0, 2, 0]], lambda a: a[[0, 0, 2, 0]], N(3, 4)),
    case("int_tensor", lambda a: a[minigrad.tensor([2, 1, 2])], lambda a: a[[2, 1, 2]], N(3, 4)),
    case("int_arrays_pair", lambda a: a[[0, 1, 0], [3, 3, 3]], lambda a: a[[0, 1, 0], [3, 3, 3]], N(3, 4)),
    case(
        "int_array_2d", lambda a: a[minigrad.tensor([[0, 1], [1, 1]])], lambda a: a[np.array([[0, 1], [1, 1]])], N(3, 4)
    ),
    case("int_array_and_slice", lambda a: a[[2, 0], 1:], lambda a: a[[2, 0], 1:], N(3, 4)),
    case("slice_and_int_array", lambda a: a[:, [3, 0, 3]], lambda a: a[:, [3, 0, 3]], N(3, 4)),
    case("bool_mask", lambda a: a[minigrad.tensor(MASK)], lambda a: a[MASK], N(3, 4)),
    case("bool_rows", lambda a: a[minigrad.tensor([True, False, True])], lambda a: a[[True, False, True]], N(3, 4)),
    case("bool_from_comparison", lambda a: a[a > 0], lambda a: a[a > 0], A(3, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", INDEXING)
def test_indexing(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_repeated_integer_index_accumulates_gradient():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_basic_indexing_is_a_view():
    x = minigrad.tensor(N(3, 4))
    assert np.shares_memory(x[1:, ::2].data, x.data)
    assert not np.shares_memory(x[[0, 1]].data, x.data)


def test_index_out_of_range():
    x = minigrad.zeros(2, 3)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 1 with size 3"):
        x[0, 5]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]


# ---- cat, stack, split, chunk -----------------------------------------------------------

JOIN = [
    case("cat_0", lambda a, b: minigrad.cat([a, b]), lambda a, b: np.concatenate([a, b]), N(2, 3), N(1, 3)),
    case("cat_1", lambda a, b: minigrad.cat((a, b), 1), lambda a, b: np.concatenate([a, b], 1), N(2, 3), N(2, 2)),
    case(
        "cat_neg",
        lambda a, b, c: minigrad.cat([a, b, c], dim=-1),
        lambda a, b, c: np.concatenate([a, b, c], -1),
        N(2, 1),
        N(2, 3),
        N(2, 2),
    ),
    case("cat_same_twice", lambda a: minigrad.cat([a, a]), lambda a: np.concatenate([a, a]), N(2, 3)),
    case("stack_0", lambda a, b: minigrad.stack([a, b]), lambda a, b: np.stack([a, b]), N(2, 3), N(2, 3)),
    case("stack_last", lambda a, b: minigrad.stack([a, b], -1), lambda a, b: np.stack([a, b], -1), N(2, 3), N(2, 3)),
    case(
        "stack_mid",
        lambda a, b, c: minigrad.stack([a, b, c], 1),
        lambda a, b, c: np.stack([a, b, c], 1),
        N(2, 3),
        N(2, 3),
        N(2, 3),
    ),
    case("split_size", lambda a: a.split(2), lambda a: (a[:2], a[2:4], a[4:]), N(5, 2)),
    case("split_sizes", lambda a: minigrad.split(a, [1, 3], dim=1), lambda a: (a[:, :1], a[:, 1:]), N(2, 4)),
    case("split_neg_dim", lambda a: a.split(3, -1), lambda a: (a[..., :3], a[..., 3:]), N(2, 4)),
    case("chunk_even", lambda a: a.chunk(2), lambda a: (a[:2], a[2:]), N(4, 2)),
    case("chunk_uneven", lambda a: minigrad.chunk(a, 3, dim=1), lambda a: (a[:, :2], a[:, 2:4], a[:, 4:]), N(2, 5)),
    case("chunk_more_than_size", lambda a: a.chunk(5), lambda a: (a[:1], a[1:2]), N(2, 3)),
    case("narrow", lambda a: a.narrow(1, 1, 2), lambda a: a[:, 1:3], N(2, 4)),
    case(
        "gather",
        lambda a: a.gather(1, minigrad.tensor([[0, 0, 2], [1, 2, 1]])),
        lambda a: np.take_along_axis(a, np.array([[0, 0, 2], [1, 2, 1]]), 1),
        N(2, 4),
    ),
    case(
        "gather_fn_dim0",
        lambda a: minigrad.gather(a, 0, minigrad.tensor([[1, 0, 1, 1]])),
        lambda a: np.take_along_axis(a, np.array([[1, 0, 1, 1]]), 0),
        N(2, 4),
    ),
    case("linear", lambda x, w, b: minigrad.ops.linear(x, w, b), lambda x, w, b: x @ w.T + b, N(3, 4), N(2, 4), N(2)),
    case("linear_no_bias", lambda x, w: minigrad.ops.linear(x, w), lambda x, w: x @ w.T, N(2, 3, 4), N(5, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", JOIN)
def test_join_and_split(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_split_pieces_used_partially_get_zero_gradient():
    x = minigrad.tensor(N(6), requires_grad=True)
    a, b, c = x.split(2)
    (b * 2).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 2.0, 2.0, 0.0, 0.0]


def test_stack_and_cat_of_mixed_requires_grad():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    c = minigrad.tensor([3.0, 4.0])
    out = minigrad.stack([c, x, c])
    (out * minigrad.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


# ---- comparisons --------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
def test_comparisons(op):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = minigrad.tensor(a, requires_grad=True)
    for other, np_other in ((minigrad.tensor(b), b), (2.0, 2.0), (2, 2)):
        out = getattr(x, op)(other)
        assert out.dtype is minigrad.bool and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, getattr(a, op)(np_other))
    named = {"__eq__": "eq", "__ne__": "ne", "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge"}[op]
    np.testing.assert_array_equal(getattr(x, named)(2.0).data, getattr(a, op)(2.0))


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


# ---- in-place ops -----------------------------------------------------------------------

INPLACE = [
    ("add_", lambda t: t.add_(2.0), lambda a: a + 2.0),
    (
        "add_tensor_alpha",
        lambda t: t.add_(minigrad.tensor([1.0, 2.0, 3.0]), alpha=2),
        lambda a: a + 2 * np.array([1.0, 2.0, 3.0]),
    ),
    ("sub_", lambda t: t.sub_(0.5), lambda a: a - 0.5),
    ("sub_tensor_alpha", lambda t: t.sub_(minigrad.ones(3), alpha=3), lambda a: a - 3),
    ("mul_", lambda t: t.mul_(minigrad.tensor([1.0, -1.0, 2.0])), lambda a: a * np.array([1.0, -1.0, 2.0])),
    ("div_", lambda t: t.div_(4.0), lambda a: a / 4.0),
    ("zero_", lambda t: t.zero_(), lambda a: np.zeros_like(a)),
    ("fill_", lambda t: t.fill_(7.0), lambda a: np.full_like(a, 7.0)),
    (
        "copy_",
        lambda t: t.copy_(minigrad.tensor([[9.0, 8.0, 7.0]])),
        lambda a: np.broadcast_to([9.0, 8.0, 7.0], a.shape),
    ),
    ("clamp_", lambda t: t.clamp_(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    ("clamp_min_", lambda t: t.clamp_(min=0.0), lambda a: np.maximum(a, 0.0)),
    ("masked_fill_", lambda t: t.masked_fill_(t > 0, -1.0), lambda a: np.where(a > 0, -1.0, a)),
    ("relu_", lambda t: t.relu_(), lambda a: np.maximum(a, 0)),
    ("pow_", lambda t: t.pow_(2), lambda a: a**2),
]


@pytest.mark.parametrize("name, op, ref", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_forward(name, op, ref):
    a = N(2, 3).astype(np.float32)
    t = minigrad.tensor(a)
    data = t.data
    result = op(t)
    assert result is t and t.data is data, "in-place ops return self and write into its memory"
    assert t.dtype is minigrad.float32
    assert_close(t, ref(a.copy()).astype(np.float32))


def test_augmented_assignment_operators():
    a = N(2, 3)
    t = minigrad.tensor(a)
    same = t
    t += 1
    t -= minigrad.tensor(a)
    t *= 3
    t /= 2
    assert t is same
    assert_close(t, np.full((2, 3), 1.5))


def test_inplace_on_a_view_writes_through_to_the_base():
    x = minigrad.zeros(2, 3)
    x[0].add_(1.0)
    x[:, 2].fill_(5.0)
    assert x.tolist() == [[1.0, 1.0, 5.0], [0.0, 0.0, 5.0]]
    # regression: an int per dimension gave numpy's scalar copy, so these wrote nowhere
    x[1, 0].fill_(7.0)
    x[1][1].add_(2.0)
    y = minigrad.zeros(3)
    y[0].add_(1.0)
    assert x.tolist() == [[1.0, 1.0, 5.0], [7.0, 2.0, 5.0]] and y.tolist() == [1.0, 0.0, 0.0]


def test_setitem():
    x = minigrad.zeros(2, 3)
    x[0, 1] = 2.0
    x[1] = minigrad.tensor([1.0, 2.0, 3.0])
    x[x > 2.5] = -1.0
    assert x.tolist() == [[0.0, 2.0, 0.0], [1.0, 2.0, -1.0]]


def test_inplace_int_tensor_cannot_take_a_float_result():
    t = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="add_: result type Float32 can't be cast to the desired output type Int64"):
        t.add_(1.5)
    t.add_(1)
    assert t.tolist() == [2, 3]


def test_inplace_broadcast_must_fit_the_tensor():
    with pytest.raises(
        RuntimeError,
        match=r"add_: output with shape \[3\] doesn't match the broadcast shape "
        r"\[2, 3\]",
    ):
        minigrad.zeros(3).add_(minigrad.ones(2, 3))


def _chain_inplace(a, b):
    y = a * 1.0
    y.add_(b)
    y.mul_(b)
    y.sub_(a, alpha=0.5)
    y.div_(b + 3.0)
    y += a
    y *= 2.0
    y -= b
    y /= 1.5
    return y


INPLACE_GRAD = [
    case(
        "add_mul_sub_div_and_augmented",
        _chain_inplace,
        lambda a, b: ((((a + b) * b - 0.5 * a) / (b + 3.0) + a) * 2.0 - b) / 1.5,
        N(2, 3),
        P(2, 3),
    ),
    case("mul_broadcast", lambda a, b: (a * 1.0).mul_(b), lambda a, b: a * b, N(2, 3), N(3)),
    case(
        "clamp_",
        lambda a: (a * 1.0).clamp_(-0.5, 0.5),
        lambda a: np.clip(a, -0.5, 0.5),
        np.array([[-1.0, -0.3, 0.2], [0.45, 0.8, -0.55]]),
    ),
    case(
        "masked_fill_",
        lambda a: (a * 1.0).masked_fill_(minigrad.tensor(MASK[:2, :3]), 0.5),
        lambda a: np.where(MASK[:2, :3], 0.5, a),
        N(2, 3),
    ),
    case("zero_", lambda a: (a * 1.0).zero_() + a * a, lambda a: a * a, N(2, 3)),
    case("setitem", lambda a, b: _setitem(a, b), lambda a, b: np.concatenate([b[None], a[1:]]), N(2, 3), N(3)),
]


def _setitem(a, b):
    y = a * 1.0
    y[0] = b
    return y


@pytest.mark.parametrize("fn, ref, inputs, kwargs", INPLACE_GRAD)
def test_inplace_gradients(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


@pytest.mark.parametrize("name", ["fill_", "copy_"])
def test_fill_and_copy_gradients(name):
    # regression: where(True, ...) called .astype on the Python bool
    if name == "fill_":
        check(lambda a: (a * 1.0).fill_(0.5) * a, lambda a: 0.5 * a, N(2, 3))
    else:
        check(lambda a, b: (a * 1.0).copy_(b) * a, lambda a, b: b * a, N(2, 3), N(3))


def test_zero_clears_inf_nan_and_sign():
    t = minigrad.tensor([np.inf, np.nan, -2.0])
    with np.errstate(invalid="ignore"):
        t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0]
    assert not np.signbit(t.data).any()


def test_inplace_under_no_grad_on_a_leaf_is_allowed():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with minigrad.no_grad():
        w.sub_(minigrad.tensor([0.5, 0.5]))
        w *= 2
    assert w.tolist() == [1.0, 3.0] and w.is_leaf and w.requires_grad


# ---- hypothesis sweeps ------------------------------------------------------------------

try:
    from hypothesis import given
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # a test extra: without it the sweeps skip, the rest of this module runs
    given = None


if given is None:

    def test_hypothesis_sweeps():
        pytest.skip("hypothesis is not installed: the shape sweeps need it (pip install hypothesis)")
else:
    _LOCAL_GRADS = {
        "add": lambda a, b, out: (np.ones_like(out), np.ones_like(out)),
        "sub": lambda a, b, out: (np.ones_like(out), -np.ones_like(out)),
        "mul": lambda a, b, out: (b + 0 * out, a + 0 * out),
        "div": lambda a, b, out: (1 / b + 0 * out, -a / b**2 + 0 * out),
        "pow": lambda a, b, out: (b * a ** (b - 1) + 0 * out, out * np.log(a)),
        "maximum": lambda a, b, out: ((a > b) + 0 * out, (a < b) + 0 * out),
        "minimum": lambda a, b, out: ((a < b) + 0 * out, (a > b) + 0 * out),
    }

    @given(
        shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
        name=st.sampled_from(sorted(BINARY)),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_sweep_broadcasting_binary_ops(shapes, name, seed):
        rng = np.random.default_rng(seed)
        sa, sb = shapes.input_shapes
        if name == "pow":
            a, b = rng.uniform(0.5, 2.0, sa), rng.standard_normal(sb)
        elif name == "div":
            a, b = rng.standard_normal(sa), rng.uniform(0.5, 2.0, sb) * rng.choice([-1, 1], sb)
        elif name in ("maximum", "minimum"):
            a = rng.standard_normal(sa)
            b = rng.standard_normal(sb)
            b = (
                np.where(np.abs(np.broadcast_to(a, np.broadcast_shapes(sa, sb)).min() - b) < 1e-3, b + 0.5, b)
                if b.size
                else b
            )
        else:
            a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        fn, ref = BINARY[name]
        x = minigrad.tensor(a, requires_grad=True)
        y = minigrad.tensor(b, requires_grad=True)
        out = fn(x, y)
        expected = ref(a, b)
        assert out.shape == shapes.result_shape
        assert_close(out, np.asarray(expected))
        w = rng.standard_normal(out.shape)
        (out * minigrad.tensor(w)).sum().backward()
        da, db = _LOCAL_GRADS[name](a, b, np.asarray(expected))
        assert x.grad.shape == sa and y.grad.shape == sb
        if name in ("maximum", "minimum") and np.any(np.broadcast_to(a, out.shape) == np.broadcast_to(b, out.shape)):
            return  # a tie: the split gradient is tested elsewhere
        assert_close(x.grad, sum_to(w * da, sa).reshape(sa), rtol=1e-10, atol=1e-10)
        assert_close(y.grad, sum_to(w * db, sb).reshape(sb), rtol=1e-10, atol=1e-10)

    @st.composite
    def _reduction_case(draw):
        shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
        ndim = len(shape)
        dim = draw(
            st.one_of(
                st.none(),
                st.integers(-ndim, ndim - 1),
                st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple),
            )
        )
        keepdim = draw(st.booleans())
        return shape, dim, keepdim

    def _axes(dim, ndim):
        if dim is None:
            return tuple(range(ndim))
        return tuple(sorted(d % ndim for d in ((dim,) if isinstance(dim, int) else dim)))

    @given(
        case_=_reduction_case(),
        name=st.sampled_from(["sum", "mean", "var", "std", "amax", "amin", "logsumexp"]),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_sweep_reductions(case_, name, seed):
        shape, dim, keepdim = case_
        rng = np.random.default_rng(seed)
        a = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.3 + rng.uniform(0, 0.1)
        axes = _axes(dim, len(shape))
        count = int(np.prod([shape[i] for i in axes]))
        if name in ("var", "std") and count < 2:
            return
        if name == "logsumexp" and dim is None:
            dim = axes
        x = minigrad.tensor(a, requires_grad=True)
        out = getattr(x, name)(dim, keepdim=keepdim) if dim is not None else getattr(x, name)(keepdim=keepdim)
        kept = {
            "sum": lambda: a.sum(axes, keepdims=True),
            "mean": lambda: a.mean(axes, keepdims=True),
            "var": lambda: a.var(axes, ddof=1, keepdims=True),
            "std": lambda: a.std(axes, ddof=1, keepdims=True),
            "amax": lambda: a.max(axes, keepdims=True),
            "amin": lambda: a.min(axes, keepdims=True),
            "logsumexp": lambda: _logsumexp(a, axes, True),
        }[name]()
        expected = kept if keepdim else kept.reshape([s for i, s in enumerate(shape) if i not in axes])
        assert out.shape == expected.shape
        assert_close(out, expected, rtol=1e-9, atol=1e-9)
        w = rng.standard_normal(out.shape)
        (out * minigrad.tensor(w)).sum().backward()
        wk = w.reshape(kept.shape)
        local = {
            "sum": lambda: np.ones_like(a),
            "mean": lambda: np.full_like(a, 1.0 / count),
            "var": lambda: 2 * (a - a.mean(axes, keepdims=True)) / (count - 1),
            "std": lambda: (a - a.mean(axes, keepdims=True)) / ((count - 1) * kept),
            "amax": lambda: (a == kept).astype(float),
            "amin": lambda: (a == kept).astype(float),
            "logsumexp": lambda: np.exp(a - kept),
        }[name]()
        assert x.grad.shape == shape
        assert_close(x.grad, wk * local, rtol=1e-8, atol=1e-10)

    @given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), seed=st.integers(0, 2**32 - 1), data=st.data())
    def test_sweep_permute_and_reshape_round_trip(shape, seed, data):
        rng = np.random.default_rng(seed)
        a = rng.standard_normal(shape)
        perm = data.draw(st.permutations(range(len(shape))))
        x = minigrad.tensor(a, requires_grad=True)
        y = x.permute(*perm).reshape(-1)
        assert_close(y, a.transpose(perm).reshape(-1))
        w = rng.standard_normal(y.shape)
        (y * minigrad.tensor(w)).sum().backward()
        assert_close(x.grad, w.reshape(a.transpose(perm).shape).transpose(np.argsort(perm)))

    @st.composite
    def _matmul_shapes(draw):
        """Operand shapes numpy's matmul accepts: 1-D vectors, matrices, broadcast batches."""
        n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
        batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
        ba, bb = batch.input_shapes
        a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
        sa = (k,) if a_vector else ba + (n, k)
        sb = (k,) if b_vector else bb + (k, m)
        return sa, sb

    @given(shapes=_matmul_shapes(), seed=st.integers(0, 2**32 - 1))
    def test_sweep_matmul_shapes(shapes, seed):
        sa, sb = shapes
        rng = np.random.default_rng(seed)
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        x, y = minigrad.tensor(a, requires_grad=True), minigrad.tensor(b, requires_grad=True)
        out = x @ y
        expected = np.matmul(a, b)
        assert out.shape == expected.shape
        assert_close(out, np.asarray(expected), rtol=1e-10, atol=1e-12)
        w = rng.standard_normal(expected.shape)
        (out * minigrad.tensor(w)).sum().backward()
        # reference gradients: promote vectors to matrices, then sum broadcast batches away
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        w2 = w
        if b.ndim == 1:
            w2 = w2[..., None]
        if a.ndim == 1:
            w2 = w2[..., None, :]
        ga = np.matmul(w2, np.swapaxes(b2, -1, -2))
        gb = np.matmul(np.swapaxes(a2, -1, -2), w2)
        ga = sum_to(ga, a2.shape).reshape(sa)
        gb = sum_to(gb, b2.shape).reshape(sb)
        assert x.grad.shape == sa and y.grad.shape == sb
        assert_close(x.grad, ga, rtol=1e-9, atol=1e-12)
        assert_close(y.grad, gb, rtol=1e-9, atol=1e-12)

    @st.composite
    def _basic_index(draw):
        shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
        index = draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
        return shape, index

    @given(case_=_basic_index(), seed=st.integers(0, 2**32 - 1))
    def test_sweep_basic_indexing(case_, seed):
        shape, index = case_
        rng = np.random.default_rng(seed)
        a = rng.standard_normal(shape)
        x = minigrad.tensor(a, requires_grad=True)
        out = x[index]
        expected = a[index]
        assert out.shape == np.shape(expected)
        assert_close(out, np.asarray(expected))
        assert np.shares_memory(out.data, x.data) or out.data.size == 0
        w = rng.standard_normal(np.shape(expected))
        (out * minigrad.tensor(w)).sum().backward()
        reference = np.zeros(shape)
        view = reference[index]
        if np.ndim(view):
            view += w  # basic indexing never repeats an element
        else:
            reference[index] = w
        assert_close(x.grad, reference)

    @given(
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
        seed=st.integers(0, 2**32 - 1),
        data=st.data(),
    )
    def test_sweep_integer_array_indexing(shape, seed, data):
        rng = np.random.default_rng(seed)
        a = rng.standard_normal(shape)
        n = data.draw(st.integers(1, len(shape)))  # index the first n dims with arrays
        count = data.draw(st.integers(1, 5))
        arrays = tuple(rng.integers(-shape[d], shape[d], count) for d in range(n))
        x = minigrad.tensor(a, requires_grad=True)
        out = x[tuple(minigrad.tensor(i) for i in arrays)]
        expected = a[arrays]
        assert_close(out, expected)
        w = rng.standard_normal(expected.shape)
        (out * minigrad.tensor(w)).sum().backward()
        reference = np.zeros(shape)
        np.add.at(reference, arrays, w)  # repeated indices accumulate
        assert_close(x.grad, reference, rtol=1e-12, atol=1e-12)


# ---- double backward through ops that save their 0-d output ------------------------------


@pytest.mark.parametrize("op", ["exp", "tanh", "sqrt"])
def test_double_backward_of_ops_on_0d_tensors(op):
    check(lambda a: getattr(a, op)(), getattr(np, op), P())


@pytest.mark.parametrize("op", ["exp", "tanh", "sqrt", "sigmoid"])
def test_double_backward_of_ops_on_1_element_tensors(op):
    ref = _sigmoid if op == "sigmoid" else getattr(np, op)
    check(lambda a: getattr(a, op)(), ref, P(1))
