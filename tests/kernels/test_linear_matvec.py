"""The batch-1 linear kernel (minigrad_core.linear.matvec, AVX-512) against numpy in
float64, over row counts and depths that leave every tail (rows past a multiple of 4,
columns past a multiple of 32 and of 16); F.linear on one float32 row gives what the
np.matmul path gives for the same row inside a batch; the entry point's checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad_core import linear

pytestmark = pytest.mark.skipif(not linear.available(), reason="the processor has no AVX-512")


@settings(max_examples=60)
@given(m=st.integers(0, 13), k=st.integers(0, 100), bias=st.booleans(), seed=st.integers(0, 2**31))
def test_matvec_matches_float64_numpy(m, k, bias, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((m, k)).astype(np.float32)
    x = rng.standard_normal(k).astype(np.float32)
    b = rng.standard_normal(m).astype(np.float32) if bias else None
    out = np.full(m, np.nan, np.float32)
    linear.matvec(w, x, b, out)
    expected = w.astype(np.float64) @ x.astype(np.float64) + (0 if b is None else b)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * max(1, np.sqrt(k)))


def test_matvec_carries_inf_and_nan():
    w = np.ones((5, 40), np.float32)
    x = np.ones(40, np.float32)
    x[3], w[1, 7], w[2, 39] = np.inf, np.nan, -np.inf
    out = np.empty(5, np.float32)
    linear.matvec(w, x, None, out)
    with np.errstate(invalid="ignore"):  # row 2 adds inf and -inf
        expected = w @ x
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("shape", [(1, 70), (70,), (1, 1, 70)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_on_one_row_agrees_with_the_batched_path(shape, bias):
    weight, b = minigrad.randn(9, 70), (minigrad.randn(9) if bias else None)
    x = minigrad.randn(*shape)
    batch = minigrad.cat([x.reshape(1, 70), minigrad.randn(3, 70)])  # four rows: np.matmul
    one, rows = F.linear(x, weight, b), F.linear(batch, weight, b)
    assert one.shape == shape[:-1] + (9,)
    np.testing.assert_allclose(one.numpy().reshape(9), rows.numpy()[0], rtol=1e-5, atol=1e-5)


def test_linear_on_one_row_still_records_and_differentiates():
    weight = minigrad.randn(4, 6, requires_grad=True)
    x = minigrad.randn(1, 6, requires_grad=True)
    F.linear(x, weight).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), weight.detach().numpy().sum(0, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(weight.grad.numpy(), np.repeat(x.detach().numpy(), 4, 0), rtol=1e-6)


@pytest.mark.parametrize(
    "args, error, message",
    [
        (dict(w=np.zeros((3, 4))), TypeError, "matvec: weight must be float32, but got float64"),
        (dict(x=np.zeros(5, np.float32)), ValueError, r"matvec: x must be \(4,\), but got \(5,\)"),
        (dict(out=np.zeros(2, np.float32)), ValueError, r"matvec: out must be \(3,\), but got \(2,\)"),
        (dict(bias=np.zeros(4, np.float32)), ValueError, r"matvec: bias must be \(3,\), but got \(4,\)"),
        (dict(w=np.zeros((4, 3), np.float32).T), ValueError, "matvec: weight must be C-contiguous"),
        (dict(x=[0.0] * 4), TypeError, "matvec: x must be a numpy array, but got list"),
    ],
)
def test_matvec_checks_its_arguments(args, error, message):
    call = dict(w=np.zeros((3, 4), np.float32), x=np.zeros(4, np.float32), bias=None, out=np.zeros(3, np.float32))
    call.update(args)
    with pytest.raises(error, match=message):
        linear.matvec(call["w"], call["x"], call["bias"], call["out"])


def test_matvec_refuses_a_read_only_output():
    out = np.zeros(3, np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        linear.matvec(np.zeros((3, 4), np.float32), np.zeros(4, np.float32), None, out)
