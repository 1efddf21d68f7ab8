"""The fused SGD update (minigrad_core.optim.sgd_step) against SGD's formula written out in
numpy, one op at a time: every flag, both float dtypes, sizes on one thread and past the
kernels' threading threshold on two; and SGD on the arrays the kernel cannot take directly
(float16, a non-contiguous parameter), which go through copies."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad_core import optim as kernels


def formula(param, grad, buf, lr, weight_decay, momentum, dampening, nesterov, maximize, first):
    """SGD's update as numpy ops in the arrays' dtype; returns the new (param, buf)."""
    d = -grad if maximize else grad
    d = d + weight_decay * param
    if momentum:
        buf = d.copy() if first else momentum * buf + (1 - dampening) * d
        d = d + momentum * buf if nesterov else buf
    return param - lr * d, buf


@settings(max_examples=40, deadline=None)
@given(
    n=st.sampled_from([1, 7, 1000, 70_000]),
    dtype=st.sampled_from([np.float32, np.float64]),
    momentum=st.sampled_from([0.0, 0.9]),
    dampening=st.sampled_from([0.0, 0.3]),
    weight_decay=st.sampled_from([0.0, 1e-2]),
    nesterov=st.booleans(),
    maximize=st.booleans(),
    first=st.booleans(),
    threads=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**31),
)
def test_sgd_step_matches_the_formula(
    n, dtype, momentum, dampening, weight_decay, nesterov, maximize, first, threads, seed
):
    rng = np.random.default_rng(seed)
    param, grad, buf = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    args = (0.05, weight_decay, momentum, dampening, nesterov and momentum != 0, maximize, first)
    want_param, want_buf = formula(param, grad, buf, *args)
    got_buf = buf.copy() if momentum else None
    old = minigrad.get_num_threads()
    minigrad.set_num_threads(threads)
    try:
        kernels.sgd_step(param, grad, got_buf, *args)
    finally:
        minigrad.set_num_threads(old)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(param, want_param, rtol=tol, atol=tol)
    if momentum:
        np.testing.assert_allclose(got_buf, want_buf, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_sgd_on_float16_and_non_contiguous_parameters(dtype):
    rng = np.random.default_rng(0)
    init = rng.standard_normal((4, 3)).astype(dtype)
    p = minigrad.tensor(init, requires_grad=True)
    p._array = np.asfortranarray(init)  # not C-contiguous
    opt = minigrad.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    want, buf = init.astype(np.float32), None
    for step in range(3):
        g = rng.standard_normal((4, 3)).astype(dtype)
        p.grad = minigrad.tensor(g)
        opt.step()
        want, buf = formula(want, g.astype(np.float32), buf, 0.1, 0.01, 0.9, 0.0, False, False, step == 0)
    assert p._array.dtype == dtype and not p._array.flags.c_contiguous
    tol = 2e-3 if dtype == np.float16 else 1e-6
    np.testing.assert_allclose(p._array.astype(np.float32), want, rtol=tol, atol=tol)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"]._array.astype(np.float32), buf, rtol=tol, atol=tol)


def test_sgd_step_refuses_mismatched_arrays():
    a = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match=r"sgd_step: grad must be \(4,\), but got \(5,\)"):
        kernels.sgd_step(a, np.zeros(5, np.float32), None, 0.1, 0, 0, 0, False, False, True)
    with pytest.raises(TypeError, match="sgd_step: grad must have the dtype of param"):
        kernels.sgd_step(a, np.zeros(4, np.float64), None, 0.1, 0, 0, 0, False, False, True)
    with pytest.raises(TypeError, match="sgd_step: momentum_buffer must be a numpy array"):
        kernels.sgd_step(a, a.copy(), None, 0.1, 0, 0.9, 0, False, False, True)
    with pytest.raises(ValueError, match="sgd_step: param is read-only"):
        b = a.copy()
        b.flags.writeable = False
        kernels.sgd_step(b, a, None, 0.1, 0, 0, 0, False, False, True)
