"""minigrad_core.matmul (a matrix product cut into one band of rows or columns per thread,
each a BLAS call) against the product written as a sum, every transpose, both float
dtypes, on one and two threads; and the 2-D products of minigrad (matmul, linear) taking
it when several threads run, on transposed views too."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.ops import linalg
from minigrad_core import matmul as kernels


def naive_product(a, b):
    """sum over p of a[i, p] * b[p, j], in float64."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for p in range(a.shape[1]):
        out += np.outer(a[:, p].astype(np.float64), b[p, :].astype(np.float64))
    return out


def threads(n):
    old = minigrad.get_num_threads()
    minigrad.set_num_threads(n)
    return old


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(0, 40),
    n=st.integers(0, 40),
    k=st.integers(0, 30),
    trans_a=st.booleans(),
    trans_b=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    n_threads=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**31),
)
def test_matmul_matches_the_sum(m, n, k, trans_a, trans_b, dtype, n_threads, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    out = np.full((m, n), np.nan, dtype)
    old = threads(n_threads)
    try:
        kernels.matmul(
            np.ascontiguousarray(a.T) if trans_a else a,
            np.ascontiguousarray(b.T) if trans_b else b,
            out,
            trans_a,
            trans_b,
        )
    finally:
        threads(old)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, naive_product(a, b), rtol=tol, atol=tol * max(k, 1))


def test_large_products_split_across_threads_match_numpy(monkeypatch):
    """Above the work threshold, with two threads, linear's forward and weight gradient
    and matmul with a transposed operand take the kernel; a product of two C-contiguous
    matrices stays on numpy's."""
    monkeypatch.setattr(linalg, "_KERNEL_WORK", 1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7)).astype(np.float32)
    w = rng.standard_normal((9, 7)).astype(np.float32)
    calls = []
    real = kernels.matmul
    monkeypatch.setattr(linalg._kernels, "matmul", lambda *args: calls.append(args[3:]) or real(*args))
    old = threads(2)
    try:
        np.testing.assert_allclose(linalg._matmul_arrays(x, w.T), x @ w.T, rtol=1e-5)
        np.testing.assert_allclose(linalg._matmul_arrays(x.T.copy().T, w.T), x @ w.T, rtol=1e-5)
        np.testing.assert_allclose(linalg._matmul_arrays(x, w.T.copy()), x @ w.T, rtol=1e-5)
        assert len(calls) == 2
        xt, wt = minigrad.tensor(x, requires_grad=True), minigrad.tensor(w, requires_grad=True)
        out = minigrad.nn.functional.linear(xt, wt)
        out.backward(minigrad.ones_like(out))
    finally:
        threads(old)
    np.testing.assert_allclose(out.detach().numpy(), x @ w.T, rtol=1e-5)
    np.testing.assert_allclose(xt.grad.numpy(), np.ones((5, 9)) @ w, rtol=1e-5)
    np.testing.assert_allclose(wt.grad.numpy(), np.ones((5, 9)).T @ x, rtol=1e-5)
    assert (False, True) in calls and (True, False) in calls and len(calls) == 4


def test_matmul_refuses_mismatched_arrays():
    a = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"matmul: op\(a\) is \(2, 3\) and op\(b\) is \(4, 5\): inner sizes differ"):
        kernels.matmul(a, np.zeros((4, 5), np.float32), np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"matmul: out must be \(2, 5\), but got \(5, 2\)"):
        kernels.matmul(a, np.zeros((3, 5), np.float32), np.zeros((5, 2), np.float32))
    with pytest.raises(TypeError, match="matmul: b must have the dtype of a"):
        kernels.matmul(a, np.zeros((3, 5)), np.zeros((2, 5), np.float32))
