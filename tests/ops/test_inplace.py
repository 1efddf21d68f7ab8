"""In-place ops: forward, the augmented assignment operators, writes through views, setitem,
and gradients through chains of in-place ops."""

import numpy as np
import pytest
from opcheck import MASK, N, P, case, check

import minigrad
from minigrad.testing import assert_close

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
    data = t._array
    result = op(t)
    assert result is t and t._array is data, "in-place ops return self and write into its memory"
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
    assert not np.signbit(t._array).any()


def test_inplace_under_no_grad_on_a_leaf_is_allowed():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with minigrad.no_grad():
        w.sub_(minigrad.tensor([0.5, 0.5]))
        w *= 2
    assert w.tolist() == [1.0, 3.0] and w.is_leaf and w.requires_grad
