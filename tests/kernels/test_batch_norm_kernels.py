"""The kernels of minigrad_core.batch_norm against references written from the formulas:
training batch norm forward (mean, biased variance, invstd, output) and backward (dw, db,
dx), on both walks (a channel at a time for long rows, a block of channels row by row
for short ones; each forced on every shape too), and ReLU's backward (PyTorch's threshold_backward).
Hypothesis sweeps N, C, the spatial sizes (1x1 and non-square included), dtypes and
weight / bias; NaN propagation, thread counts and argument checks."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference import DTYPES, close

import minigrad
from minigrad_core import batch_norm as kernels

EPS = 1e-5


def reference_forward(x, weight, bias, eps):
    """(out, mean, var, invstd) in float64, channel by channel: mean = sum(x) / n,
    var = sum((x - mean)^2) / n, out = (x - mean) / sqrt(var + eps) * weight + bias."""
    x = x.astype(np.float64)
    channels = x.shape[1]
    out = np.empty_like(x)
    mean, var, invstd = np.empty(channels), np.empty(channels), np.empty(channels)
    for c in range(channels):
        values = x[:, c].ravel()
        mean[c] = math.fsum(values) / values.size
        var[c] = math.fsum((v - mean[c]) ** 2 for v in values) / values.size
        invstd[c] = 1 / math.sqrt(var[c] + eps)
        w = 1.0 if weight is None else float(weight[c])
        b = 0.0 if bias is None else float(bias[c])
        out[:, c] = (x[:, c] - mean[c]) * invstd[c] * w + b
    return out, mean, var, invstd


def reference_backward(g, x, weight, eps):
    """(dx, dw, db) in float64: with xhat = (x - mean) invstd over each channel's n values,
    db = sum(g), dw = sum(g xhat), dx = weight invstd (g - db / n - xhat dw / n)."""
    _, mean, _, invstd = reference_forward(x, None, None, eps)
    g, x = g.astype(np.float64), x.astype(np.float64)
    channels = x.shape[1]
    dx, dw, db = np.empty_like(x), np.empty(channels), np.empty(channels)
    for c in range(channels):
        n = x[:, c].size
        xhat = (x[:, c] - mean[c]) * invstd[c]
        db[c] = math.fsum(g[:, c].ravel())
        dw[c] = math.fsum((g[:, c] * xhat).ravel())
        w = 1.0 if weight is None else float(weight[c])
        dx[:, c] = w * invstd[c] * (g[:, c] - db[c] / n - xhat * dw[c] / n)
    return dx, dw, db


def run_forward(x, weight, bias, eps=EPS):
    """The kernel on x (N, C, *) viewed as (N, C, L): (out, mean, var, invstd)."""
    channels = x.shape[1]
    out = np.empty_like(x)
    mean, var, invstd = np.empty(channels), np.empty(channels), np.empty(channels)
    view = (x.shape[0], channels, -1)
    kernels.batch_norm_forward(x.reshape(view), weight, bias, eps, out.reshape(view), mean, var, invstd)
    return out, mean, var, invstd


def run_backward(g, x, weight, input_grad=True):
    """The kernel's (dx or None, dw, db) after run_forward's statistics."""
    _, mean, _, invstd = run_forward(x, weight, None)
    channels = x.shape[1]
    dw, db = np.empty(channels), np.empty(channels)
    dx = np.empty_like(x) if input_grad else None
    view = (x.shape[0], channels, -1)
    kernels.batch_norm_backward(
        g.reshape(view), x.reshape(view), mean, invstd, weight, dw, db, None if dx is None else dx.reshape(view)
    )
    return dx, dw, db


@st.composite
def batch_norm_cases(draw):
    """(x, g, weight or None, bias or None, dtype): 2-D, 3-D or 4-D, at least 2 values per channel."""
    dtype = draw(DTYPES)
    batch, channels = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    spatial = draw(
        st.one_of(
            st.just(()),
            st.tuples(st.integers(1, 40)),
            st.tuples(st.integers(1, 7), st.integers(1, 7)),
        )
    )
    if batch * math.prod(spatial) < 2:
        batch = 2
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    shape = (batch, channels) + spatial
    x = rng.standard_normal(shape) * 3 + rng.standard_normal(channels).reshape((1, channels) + (1,) * len(spatial))
    g = rng.standard_normal(shape)
    weight = rng.standard_normal(channels).astype(dtype) if draw(st.booleans()) else None
    bias = rng.standard_normal(channels).astype(dtype) if draw(st.booleans()) else None
    return x.astype(dtype), g.astype(dtype), weight, bias, dtype


@given(case=batch_norm_cases())
def test_forward_matches_the_formula(case):
    x, _, weight, bias, dtype = case
    out, mean, var, invstd = run_forward(x, weight, bias)
    r_out, r_mean, r_var, r_invstd = reference_forward(x, weight, bias, EPS)
    assert out.dtype == dtype
    close(out, r_out, dtype)
    close(mean, r_mean, dtype)
    close(var, r_var, dtype)
    np.testing.assert_allclose(invstd, r_invstd, rtol=1e-4 if dtype == np.float32 else 1e-10)


@given(case=batch_norm_cases())
def test_backward_matches_the_formula(case):
    x, g, weight, _, dtype = case
    dx, dw, db = run_backward(g, x, weight)
    r_dx, r_dw, r_db = reference_backward(g, x, weight, EPS)
    assert dx.dtype == dtype
    close(dx, r_dx, dtype)
    close(dw, r_dw, dtype)
    close(db, r_db, dtype)
    no_dx, dw_alone, db_alone = run_backward(g, x, weight, input_grad=False)
    assert no_dx is None
    np.testing.assert_array_equal(dw_alone, dw)
    np.testing.assert_array_equal(db_alone, db)


@pytest.fixture(params=["default", "rows", "channels"])
def walk(request):
    """Force each walk (rows of any length walked row by row, or a channel at a time), or keep
    the default bound; restored afterwards."""
    bound = {"default": None, "rows": 2**40, "channels": 1}[request.param]
    previous = kernels._set_short_rows(bound) if bound is not None else None
    yield request.param
    if previous is not None:
        kernels._set_short_rows(previous)


@pytest.mark.parametrize(
    "shape",
    [
        (3, 300, 2, 2),  # rows walk by default: blocks of 256 channels, the last one partial
        (4, 1500),  # (N, C): L = 1, two blocks
        (2, 3, 5, 7),  # a channel at a time by default: rows of 35 values (two groups of 16 and a tail)
        (5, 2, 48),  # exactly three groups of 16
        (2, 3, 1100),  # rows longer than a block of the rows walk
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_both_walks_match_the_formula(rng, shape, dtype, walk):
    x = (rng.standard_normal(shape) + 5).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    weight, bias = rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
    for got, expected in zip(run_forward(x, weight, bias), reference_forward(x, weight, bias, EPS)):
        close(got, expected, dtype)
    for got, expected in zip(run_backward(g, x, weight), reference_backward(g, x, weight, EPS)):
        close(got, expected, dtype)


def test_float32_statistics_are_accurate_far_from_zero(rng):
    """A large mean and a small spread: sums in float64 and two passes keep the variance."""
    x = (1e4 + rng.standard_normal((16, 3, 8, 8))).astype(np.float32)
    _, mean, var, _ = run_forward(x, None, None)
    _, r_mean, r_var, _ = reference_forward(x, None, None, EPS)
    np.testing.assert_allclose(mean, r_mean, rtol=1e-12)
    np.testing.assert_allclose(var, r_var, rtol=1e-9)


@pytest.mark.parametrize("shape", [(4, 3, 5, 5), (4, 3, 2, 2), (6, 3)])
def test_nan_and_inf_spread_over_their_channel_only(shape, walk):
    x = np.arange(math.prod(shape), dtype=np.float64).reshape(shape) % 7
    x[(1, 0) + (0,) * (len(shape) - 2)] = np.nan
    x[(2, 1) + (0,) * (len(shape) - 2)] = np.inf
    out, mean, var, invstd = run_forward(x, None, None)
    assert np.isnan(out[:, 0]).all() and np.isnan(out[:, 1]).all()  # inf - inf in channel 1
    assert np.isfinite(out[:, 2]).all()
    r_out = reference_forward(x[:, 2:], None, None, EPS)[0]
    close(out[:, 2:], r_out, np.float64)
    g = np.ones(shape)
    dx, dw, db = run_backward(g, x, None)
    assert np.isnan(dx[:, :2]).all() and np.isfinite(dx[:, 2]).all()


@pytest.mark.parametrize("shape", [(8, 64, 6, 6), (8, 64, 3, 3), (64, 1200)])
def test_two_threads_give_the_one_thread_numbers(rng, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    weight = rng.standard_normal(shape[1]).astype(np.float32)
    threads = minigrad.get_num_threads()
    try:
        minigrad.set_num_threads(1)
        one = run_forward(x, weight, weight) + run_backward(g, x, weight)
        minigrad.set_num_threads(2)
        two = run_forward(x, weight, weight) + run_backward(g, x, weight)
    finally:
        minigrad.set_num_threads(threads)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


# ---- ReLU's backward -----------------------------------------------------------------------------


def reference_relu_backward(g, out):
    """threshold_backward(g, out, 0), value by value: 0 where out <= 0, else g (NaN out included)."""
    flat = [0.0 if o <= 0 else v for v, o in zip(g.ravel().tolist(), out.ravel().tolist())]
    return np.array(flat, dtype=g.dtype).reshape(g.shape)


@given(
    size=st.integers(1, 70000),
    dtype=DTYPES,
    seed=st.integers(0, 2**31),
)
def test_relu_backward_is_threshold_backward(size, dtype, seed):
    rng = np.random.default_rng(seed)
    out = np.maximum(rng.standard_normal(size), 0).astype(dtype)
    g = rng.standard_normal(size).astype(dtype)
    special = rng.integers(0, size, size=min(size, 8))
    out[special[:4]] = [np.nan, np.inf, 0.0, -0.0][: len(special[:4])]
    g[special[4:]] = [np.nan, np.inf, -np.inf, np.nan][: len(special[4:])]
    dx = np.empty_like(g)
    kernels.relu_backward(g, out, dx)
    np.testing.assert_array_equal(dx, reference_relu_backward(g, out))


def test_relu_backward_keeps_the_shape():
    out = np.array([[0.0, 1.0, np.nan], [2.0, 0.0, 3.0]], dtype=np.float32)
    g = np.array([[np.inf, np.nan, 5.0], [6.0, np.nan, 7.0]], dtype=np.float32)
    dx = np.empty_like(g)
    kernels.relu_backward(g, out, dx)
    np.testing.assert_array_equal(dx, [[0.0, np.nan, 5.0], [6.0, 0.0, 7.0]])


# ---- argument checks -----------------------------------------------------------------------------


def _stats(channels):
    return np.empty(channels), np.empty(channels), np.empty(channels)


def test_forward_refuses_bad_arguments():
    x = np.ones((2, 3, 4), np.float32)
    out = np.empty_like(x)
    with pytest.raises(TypeError, match="batch_norm_forward: x must be float32 or float64, but got int64"):
        kernels.batch_norm_forward(np.ones((2, 3, 4), np.int64), None, None, 1e-5, out, *_stats(3))
    with pytest.raises(ValueError, match="batch_norm_forward: x must be 3-D"):
        kernels.batch_norm_forward(np.ones((2, 3), np.float32), None, None, 1e-5, out, *_stats(3))
    with pytest.raises(ValueError, match="batch_norm_forward: x must be C-contiguous"):
        kernels.batch_norm_forward(np.ones((4, 3, 2), np.float32).transpose(2, 1, 0), None, None, 1e-5, out, *_stats(3))
    with pytest.raises(TypeError, match="batch_norm_forward: out must have the dtype of x"):
        kernels.batch_norm_forward(x, None, None, 1e-5, np.empty(x.shape), *_stats(3))
    with pytest.raises(ValueError, match=r"batch_norm_forward: weight must be \(3,\), but got \(2,\)"):
        kernels.batch_norm_forward(x, np.ones(2, np.float32), None, 1e-5, out, *_stats(3))
    with pytest.raises(TypeError, match="batch_norm_forward: bias must have the dtype of x"):
        kernels.batch_norm_forward(x, None, np.ones(3), 1e-5, out, *_stats(3))
    with pytest.raises(TypeError, match="batch_norm_forward: mean must be float64"):
        kernels.batch_norm_forward(x, None, None, 1e-5, out, np.empty(3, np.float32), *_stats(3)[1:])
    with pytest.raises(ValueError, match="batch_norm_forward: eps must be at least 0"):
        kernels.batch_norm_forward(x, None, None, -1.0, out, *_stats(3))
    with pytest.raises(TypeError, match="batch_norm_forward: eps must be a float"):
        kernels.batch_norm_forward(x, None, None, "1e-5", out, *_stats(3))
    out.flags.writeable = False
    with pytest.raises(ValueError, match="batch_norm_forward: out is read-only"):
        kernels.batch_norm_forward(x, None, None, 1e-5, out, *_stats(3))


def test_backward_and_relu_refuse_bad_arguments():
    x = np.ones((2, 3, 4))
    stats = np.zeros(3), np.ones(3)
    with pytest.raises(ValueError, match=r"batch_norm_backward: g must be \(2, 3, 4\), but got \(2, 3, 5\)"):
        kernels.batch_norm_backward(np.ones((2, 3, 5)), x, *stats, None, np.empty(3), np.empty(3), None)
    with pytest.raises(ValueError, match=r"batch_norm_backward: grad_input must be \(2, 3, 4\)"):
        kernels.batch_norm_backward(x, x, *stats, None, np.empty(3), np.empty(3), np.empty((2, 3, 3)))
    with pytest.raises(ValueError, match=r"batch_norm_backward: invstd must be \(3,\)"):
        kernels.batch_norm_backward(x, x, np.zeros(3), np.ones(2), None, np.empty(3), np.empty(3), None)
    with pytest.raises(TypeError, match="relu_backward: g must have the dtype of out"):
        kernels.relu_backward(np.ones(3, np.float32), np.ones(3), np.empty(3))
    with pytest.raises(ValueError, match=r"relu_backward: grad_input must be \(3,\), but got \(4,\)"):
        kernels.relu_backward(np.ones(3), np.ones(3), np.empty(4))
    with pytest.raises(TypeError, match="relu_backward: out must be a numpy array"):
        kernels.relu_backward(np.ones(3), [1.0, 2.0, 3.0], np.empty(3))
