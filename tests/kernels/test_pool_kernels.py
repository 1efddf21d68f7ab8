"""The pooling kernels of minigrad_core.pool against the naive references of tests/reference.py:
max, average and adaptive pools forward and backward; hypothesis sweeps sizes, stride, padding,
dilation, ceil_mode, count_include_pad and dtypes; ties, nan, and windows over the padding."""

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import DTYPES, close

from minigrad_core import pool

# ---- pooling -------------------------------------------------------------------------------------


@st.composite
def pool_configs(draw, dilation=True):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    p = tuple(draw(st.integers(0, (di * (ki - 1) + 1) // 2 if dilation else ki // 2)) for ki, di in zip(k, d))
    sizes = tuple(max(1, di * (ki - 1) + 1 - 2 * pi) + draw(st.integers(0, 5)) for ki, di, pi in zip(k, d, p))
    return dict(
        shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3))) + sizes,
        kernel_size=k,
        stride=s,
        padding=p,
        dilation=d,
        ceil_mode=draw(st.booleans()),
        dtype=draw(DTYPES),
        seed=draw(st.integers(0, 2**31)),
    )


def _pool_out_shape(cfg):
    return cfg["shape"][:2] + tuple(
        ref.pool_out_size(n, k, s, p, d, cfg["ceil_mode"])
        for n, k, s, p, d in zip(cfg["shape"][2:], cfg["kernel_size"], cfg["stride"], cfg["padding"], cfg["dilation"])
    )


@settings(max_examples=40)
@given(cfg=pool_configs())
def test_max_pool2d_forward_and_backward_match_reference(cfg):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.permutation(np.prod(cfg["shape"])).reshape(cfg["shape"]).astype(cfg["dtype"])  # no ties
    shape = _pool_out_shape(cfg)
    out, idx = np.empty(shape, cfg["dtype"]), np.empty(shape, np.int64)
    args = (cfg["kernel_size"], cfg["stride"], cfg["padding"], cfg["dilation"])
    pool.max_pool2d_forward(x, out, idx, *args)
    r_out, r_idx = ref.max_pool2d(x, *args, cfg["ceil_mode"])
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(idx, r_idx)
    gy = rng.standard_normal(shape).astype(cfg["dtype"])
    gx = np.empty_like(x)
    pool.max_pool2d_backward(gy, idx, gx)
    close(gx, ref.max_pool2d_grad(gy, r_idx, x.shape), cfg["dtype"])
    again = np.empty(shape, cfg["dtype"])
    pool.gather_planes(x, idx, again)
    np.testing.assert_array_equal(again, np.where(idx >= 0, out, 0))


def test_max_pool2d_propagates_nan_and_takes_the_first_maximum_on_ties():
    x = np.array([[[[1.0, 3.0], [3.0, 2.0]]]])
    out, idx = np.empty((1, 1, 1, 1)), np.empty((1, 1, 1, 1), np.int64)
    pool.max_pool2d_forward(x, out, idx, (2, 2), (2, 2), (0, 0), (1, 1))
    assert out[0, 0, 0, 0] == 3.0 and idx[0, 0, 0, 0] == 1
    x[0, 0, 1, 0] = np.nan
    pool.max_pool2d_forward(x, out, idx, (2, 2), (2, 2), (0, 0), (1, 1))
    assert np.isnan(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 2


@settings(max_examples=40)
@given(
    cfg=pool_configs(dilation=False),
    count_include_pad=st.booleans(),
    divisor_override=st.sampled_from([None, None, 1, 5]),
)
def test_avg_pool2d_forward_and_backward_match_reference(cfg, count_include_pad, divisor_override):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal(cfg["shape"]).astype(cfg["dtype"])
    shape = _pool_out_shape(cfg)
    args = (cfg["kernel_size"], cfg["stride"], cfg["padding"])
    out = np.empty(shape, cfg["dtype"])
    pool.avg_pool2d_forward(x, out, *args, count_include_pad, divisor_override or 0)
    close(out, ref.avg_pool2d(x, *args, cfg["ceil_mode"], count_include_pad, divisor_override), cfg["dtype"])
    gy = rng.standard_normal(shape).astype(cfg["dtype"])
    gx = np.empty_like(x)
    pool.avg_pool2d_backward(gy, gx, *args, count_include_pad, divisor_override or 0)
    close(gx, ref.avg_pool2d_grad(gy, x.shape, *args, count_include_pad, divisor_override), cfg["dtype"])


@pytest.mark.parametrize(
    "shape, k, ceil_mode",
    [
        ((2, 3, 8, 8), (2, 2), False),
        ((1, 2, 7, 9), (2, 2), True),
        ((1, 2, 7, 9), (2, 2), False),
        ((1, 1, 10, 11), (3, 2), True),
        ((2, 1, 5, 5), (1, 3), True),
    ],
)
@pytest.mark.parametrize("count_include_pad, divisor_override", [(True, None), (False, None), (True, 3)])
def test_avg_pool2d_backward_of_tiling_windows(shape, k, ceil_mode, count_include_pad, divisor_override):
    """stride == kernel, no padding: the backward writes each input once (its fast path)."""
    rng = np.random.default_rng(0)
    out_shape = shape[:2] + tuple(ref.pool_out_size(n, ki, ki, 0, 1, ceil_mode) for n, ki in zip(shape[2:], k))
    gy = rng.standard_normal(out_shape)
    gx = np.full(shape, np.nan)  # every element must be written
    pool.avg_pool2d_backward(gy, gx, k, k, (0, 0), count_include_pad, divisor_override or 0)
    np.testing.assert_allclose(
        gx, ref.avg_pool2d_grad(gy, shape, k, k, (0, 0), count_include_pad, divisor_override), rtol=1e-12, atol=1e-12
    )


def test_avg_pool2d_ceil_mode_window_over_the_padding_divides_by_its_clipped_size():
    """6x6 ones, kernel 3, stride 2, pad 1, ceil_mode: 4 windows a side, the last starting
    at row 5 and spanning rows 5 (input), 6 (padding) and 7 (past the padding). With
    count_include_pad it divides by the rows inside input + padding, 2, not by 3 (PyTorch:
    the corner is 1/4, an edge 2/4, the first corner 4/9)."""
    x = np.ones((1, 1, 6, 6))
    shape = (1, 1) + (ref.pool_out_size(6, 3, 2, 1, 1, True),) * 2
    assert shape[2:] == (4, 4)
    out = np.empty(shape)
    pool.avg_pool2d_forward(x, out, (3, 3), (2, 2), (1, 1), True, 0)
    assert out[0, 0, 3, 3] == pytest.approx(1 / 4)
    assert out[0, 0, 1, 3] == pytest.approx(2 / 4)
    assert out[0, 0, 0, 0] == pytest.approx(4 / 9)
    np.testing.assert_allclose(out, ref.avg_pool2d(x, (3, 3), (2, 2), (1, 1), True, True))
    pool.avg_pool2d_forward(x, out, (3, 3), (2, 2), (1, 1), False, 0)
    np.testing.assert_allclose(out, 1.0)


@settings(max_examples=30)
@given(
    shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 9), st.integers(1, 9)),
    out=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    dtype=DTYPES,
    seed=st.integers(0, 2**31),
)
def test_adaptive_pools_match_reference(shape, out, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.prod(shape)).reshape(shape).astype(dtype)
    out_shape = shape[:2] + out
    avg = np.empty(out_shape, dtype)
    pool.adaptive_avg_pool2d_forward(x, avg)
    close(avg, ref.adaptive_avg_pool2d(x, out), dtype)
    mx, idx = np.empty(out_shape, dtype), np.empty(out_shape, np.int64)
    pool.adaptive_max_pool2d_forward(x, mx, idx)
    r_mx, r_idx = ref.adaptive_max_pool2d(x, out)
    np.testing.assert_array_equal(mx, r_mx)
    np.testing.assert_array_equal(idx, r_idx)
    gy = rng.standard_normal(out_shape).astype(dtype)
    gx = np.empty_like(x)
    pool.adaptive_avg_pool2d_backward(gy, gx)
    # adjoint: <avg(x'), gy> == <x', gx>
    x2 = rng.standard_normal(shape)
    lhs = float((ref.adaptive_avg_pool2d(x2, out) * gy).sum())
    assert lhs == pytest.approx(float((x2 * gx).sum()), rel=1e-4, abs=1e-4)


def test_adaptive_windows_that_do_not_divide_overlap():
    assert ref.adaptive_windows(5, 3) == [(0, 2), (1, 4), (3, 5)]
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    out = np.empty((1, 1, 1, 3))
    pool.adaptive_avg_pool2d_forward(x, out)
    np.testing.assert_allclose(out[0, 0, 0], [0.5, 2.0, 3.5])
