"""softmax, log_softmax and logsumexp through ``opcheck.check``, their stability on large
inputs and their errors."""

import numpy as np
import pytest
from opcheck import N, case, check, logsumexp

import minigrad
from minigrad.testing import assert_close

# ---- softmax family ---------------------------------------------------------------------


def _softmax(a, axis):
    e = np.exp(a - a.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


SOFTMAX = [
    case("softmax_last", lambda a: a.softmax(-1), lambda a: _softmax(a, -1), N(2, 3, 4)),
    case("softmax_first", lambda a: minigrad.softmax(a, 0), lambda a: _softmax(a, 0), N(2, 3, 4)),
    case("softmax_1d", lambda a: a.softmax(0), lambda a: _softmax(a, 0), N(5)),
    case("log_softmax_last", lambda a: a.log_softmax(-1), lambda a: np.log(_softmax(a, -1)), N(2, 3, 4)),
    case("log_softmax_mid", lambda a: minigrad.log_softmax(a, 1), lambda a: np.log(_softmax(a, 1)), N(2, 3, 4)),
    case("logsumexp", lambda a: a.logsumexp(1), lambda a: logsumexp(a, 1), N(2, 3, 4)),
    case(
        "logsumexp_fn_keepdim",
        lambda a: minigrad.logsumexp(a, -1, keepdim=True),
        lambda a: logsumexp(a, -1, True),
        N(2, 3, 4),
    ),
    case("logsumexp_dims", lambda a: a.logsumexp((0, 2)), lambda a: logsumexp(a, (0, 2)), N(2, 3, 4)),
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
    exact = x._array.astype(np.float64)
    exact = exact - exact.max(-1, keepdims=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        sm, lsm, lse = x.softmax(-1), x.log_softmax(-1), x.logsumexp(-1)
    assert sm.dtype is lsm.dtype is lse.dtype is minigrad.from_numpy(np.zeros(0, dtype)).dtype
    assert_close(sm, _softmax(exact, -1).astype(dtype), rtol=1e-5, atol=1e-6)
    assert_close(lsm, (exact - logsumexp(exact, -1, True)).astype(dtype), rtol=1e-5, atol=1e-5)
    assert np.isfinite(lse._array).all() and np.isfinite(lsm._array).all()
    if shift < 1e30:
        rtol = 1e-12 if dtype == np.float64 else 1e-6
        assert_close(lse, (logsumexp(base, -1) + shift).astype(dtype), rtol=rtol, atol=0.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        (sm[:, 0].sum() + lsm.sum() + lse[0]).backward()
    assert np.isfinite(x.grad._array).all()


def test_logsumexp_of_minus_infinity(recwarn):
    x = minigrad.tensor([[-np.inf, -np.inf], [-np.inf, 0.0]], dtype=minigrad.float64, requires_grad=True)
    out = x.logsumexp(1)
    assert out._array[0] == -np.inf and out._array[1] == 0.0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)], "no numpy warning leaks"
    out.sum().backward()
    # as torch: exp(-inf - -inf) is nan in an all -inf row; a finite row gets its softmax
    assert np.isnan(x.grad._array[0]).all()
    assert x.grad._array[1].tolist() == [0.0, 1.0]


def test_softmax_rows_sum_to_one_and_need_a_dim():
    x = minigrad.randn(4, 5)
    assert_close(x.softmax(1).sum(1), np.ones(4, dtype=np.float32))
    with pytest.raises(TypeError, match="softmax\\(\\) missing required argument 'dim'"):
        minigrad.softmax(x)
