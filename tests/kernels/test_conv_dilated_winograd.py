"""Winograd's F(2x2, 3x3) on dilated convs: the input cut into dilation-strided sub-planes,
each convolved with the undilated kernel (minigrad_core/winograd.pyx), against the naive
references of tests/reference.py, plus gradcheck and gradgradcheck through F.conv2d.

The sub-planes are read and written in place when the dilation divides the input size and
the padding; the sweep draws such shapes (and odd sub-plane sizes, so that tiles are cut at
the edges), and shapes where it does not divide, which must take another path.
"""

import contextlib

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import DTYPES, close

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad_core import conv, im2col_gemm, winograd


@contextlib.contextmanager
def winograd_always(block_cols=None):
    """Winograd for every 3x3 conv it fits, however few the channels and tiles; optionally
    tiny blocks (a few tiles each) so that block edges cut through the sub-planes."""
    old = winograd._set_winograd_min_channels(1), winograd._set_winograd_min_tiles(1)
    old_blocks = im2col_gemm._set_blocking(1, block_cols) if block_cols else None
    try:
        yield
    finally:
        winograd._set_winograd_min_channels(old[0])
        winograd._set_winograd_min_tiles(old[1])
        if old_blocks is not None:
            im2col_gemm._set_blocking(*old_blocks)


@st.composite
def dilated_configs(draw):
    """3x3, stride 1, one group, dilation 1 to 3 per axis; sizes and padding multiples of
    the dilation (Winograd fits), or a size one more (it does not, unless the dilation is 1)."""
    divides = draw(st.booleans())
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding, sizes = [], []
    for d in dilation:
        p = d * draw(st.integers(0, 2))
        smallest = max(1, -(-(2 * d + 1 - 2 * p) // d))  # sub-planes of at least this size
        sizes.append(d * (smallest + draw(st.integers(0, 4))) + (0 if divides else 1))
        padding.append(p)
    C, O = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return dict(
        x_shape=(draw(st.integers(1, 3)), C) + tuple(sizes),
        w_shape=(O, C, 3, 3),
        stride=(1, 1),
        padding=tuple(padding),
        dilation=dilation,
        groups=1,
        dtype=draw(DTYPES),
        seed=draw(st.integers(0, 2**31)),
        block_cols=draw(st.sampled_from([None, 1, 7])),
    )


def _data(cfg):
    rng = np.random.default_rng(cfg["seed"])
    dt = cfg["dtype"]
    x = rng.standard_normal(cfg["x_shape"]).astype(dt)
    w = rng.standard_normal(cfg["w_shape"]).astype(dt)
    b = rng.standard_normal(cfg["w_shape"][0]).astype(dt)
    OH, OW = (ref.out_size(s, 3, 1, p, d) for s, p, d in zip(x.shape[2:], cfg["padding"], cfg["dilation"]))
    gy = rng.standard_normal((x.shape[0], w.shape[0], OH, OW)).astype(dt)
    return x, w, b, gy


@settings(max_examples=40)
@given(cfg=dilated_configs())
def test_dilated_winograd_forward_and_both_gradients_match_reference(cfg):
    hyper = cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"]
    with winograd_always(cfg["block_cols"]):
        x, w, b, gy = _data(cfg)
        out = np.empty(gy.shape, dtype=cfg["dtype"])
        conv.conv2d_forward(x, w, b, out, *hyper)
        close(out, ref.conv2d(x, w, b, *hyper), cfg["dtype"])
        gw = np.empty_like(w)
        conv.conv2d_backward_weight(x, gy, gw, *hyper)
        close(gw, ref.conv2d_grad_weight(x, gy, w.shape, *hyper), cfg["dtype"])
        gx = np.empty_like(x)
        path = conv.conv_transpose2d(gy, w, None, gx, *hyper)
        close(gx, ref.conv2d_grad_input(x.shape, w, gy, *hyper), cfg["dtype"])
        divides = all(size % d == 0 for size, d in zip(x.shape[2:], cfg["dilation"]))
        assert (path == "winograd") == divides


def test_the_dilated_benchmark_conv_takes_winograd_for_its_input_gradient():
    # bench/bench_conv.py's dilated_3x3: 64 -> 64 channels, 56x56, padding 2, dilation 2
    assert conv.conv_transpose2d_path(8, 64, 56, 56, 64, 56, 56, 3, 3, (1, 1), (2, 2), (2, 2), 1) == "winograd"
    # a padding the dilation does not divide: the sub-planes would differ, the flipped kernel runs
    assert conv.conv_transpose2d_path(8, 64, 56, 56, 64, 54, 54, 3, 3, (1, 1), (1, 1), (2, 2), 1) == "flipped"


def test_winograd_is_refused_as_a_forced_path_where_the_dilation_does_not_divide():
    gy, w = np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 3))
    with pytest.raises(ValueError, match="winograd"):
        conv.conv_transpose2d(gy, w, None, np.empty((1, 2, 7, 7)), (1, 1), (1, 1), (2, 2), 1, path="winograd")


@pytest.mark.parametrize(
    "x_shape, kwargs",
    [
        ((2, 2, 8, 6), dict(padding=2, dilation=2)),
        ((1, 3, 6, 9), dict(padding=(2, 3), dilation=(2, 3))),
        ((1, 2, 9, 4), dict(padding=(3, 0), dilation=(3, 1))),
    ],
)
def test_dilated_winograd_gradcheck_and_gradgradcheck(rng, x_shape, kwargs):
    x = minigrad.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal((3, x_shape[1], 3, 3)), requires_grad=True)
    b = minigrad.tensor(rng.standard_normal(3), requires_grad=True)

    def fn(x, w, b):
        return F.conv2d(x, w, b, **kwargs)

    with winograd_always():
        assert "Winograd" in F.conv2d(x, w, b, **kwargs).grad_fn.graph_note
        assert gradcheck(fn, (x, w, b))
        assert gradgradcheck(fn, (x, w, b))
