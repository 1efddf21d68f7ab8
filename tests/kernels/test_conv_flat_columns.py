"""im2col + GEMM's flat column layout (minigrad_core/im2col_gemm.pyx, _plan_blocks): for
unpadded stride-1 convs with narrow output rows, each column-matrix row is one span of the
input, W columns per output row of which OW count. Forward, weight gradient and the col2im
input gradient (conv_transpose.pyx), with the flat layout and without it, against the
naive references of tests/reference.py; the block edges (one row per block, a few columns,
whole images) as in test_conv_kernels.py.
"""

import contextlib

import numpy as np
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import DTYPES, close

from minigrad_core import conv, im2col_gemm


@contextlib.contextmanager
def layout(flat, block_cols):
    """The flat layout on every narrow-enough conv (flat) or never, and blocks of at least
    ``block_cols`` columns (None: the default blocks)."""
    old_width = im2col_gemm._set_flat_max_width(1 << 20 if flat else 0)
    old_blocks = im2col_gemm._set_blocking(1, block_cols) if block_cols else None
    try:
        yield
    finally:
        im2col_gemm._set_flat_max_width(old_width)
        if old_blocks is not None:
            im2col_gemm._set_blocking(*old_blocks)


@st.composite
def unpadded_configs(draw):
    groups = draw(st.integers(1, 2))
    KH, KW = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    H, W = (d * (k - 1) + 1 + draw(st.integers(0, 6)) for k, d in zip((KH, KW), dilation))
    return dict(
        x_shape=(draw(st.integers(1, 3)), draw(st.integers(1, 3)) * groups, H, W),
        w_shape=(draw(st.integers(1, 3)) * groups, None, KH, KW),
        dilation=dilation,
        groups=groups,
        dtype=draw(DTYPES),
        seed=draw(st.integers(0, 2**31)),
        block_cols=draw(st.sampled_from([None, 1, 7])),
        flat=draw(st.booleans()),
    )


@settings(max_examples=40)
@given(cfg=unpadded_configs())
def test_flat_and_row_layouts_match_the_reference(cfg):
    rng = np.random.default_rng(cfg["seed"])
    dt = cfg["dtype"]
    N, C, H, W = cfg["x_shape"]
    O, _, KH, KW = cfg["w_shape"]
    hyper = (1, 1), (0, 0), cfg["dilation"], cfg["groups"]
    x = rng.standard_normal(cfg["x_shape"]).astype(dt)
    w = rng.standard_normal((O, C // cfg["groups"], KH, KW)).astype(dt)
    b = rng.standard_normal(O).astype(dt)
    OH, OW = ref.out_size(H, KH, d=cfg["dilation"][0]), ref.out_size(W, KW, d=cfg["dilation"][1])
    gy = rng.standard_normal((N, O, OH, OW)).astype(dt)
    with layout(cfg["flat"], cfg["block_cols"]):
        out = np.empty(gy.shape, dtype=dt)
        conv.conv2d_forward(x, w, b, out, *hyper)
        close(out, ref.conv2d(x, w, b, *hyper), dt)
        gw = np.empty_like(w)
        conv.conv2d_backward_weight(x, gy, gw, *hyper)
        close(gw, ref.conv2d_grad_weight(x, gy, w.shape, *hyper), dt)
        gx = np.empty_like(x)
        assert conv.conv_transpose2d(gy, w, None, gx, *hyper, path="col2im") == "col2im"
        close(gx, ref.conv2d_grad_input(x.shape, w, gy, *hyper), dt)


def test_an_inf_in_x_reaches_only_the_weight_gradient_taps_that_read_it():
    # the flat layout would multiply its zero columns by x's inf: it is not used then
    x = np.ones((1, 1, 6, 6))
    x[0, 0, 0, 5] = np.inf  # read by tap (0, 2) only, at output (0, 3)
    gy = np.ones((1, 1, 4, 4))
    gw = np.empty((1, 1, 3, 3))
    conv.conv2d_backward_weight(x, gy, gw, (1, 1), (0, 0), (1, 1), 1)
    expected = ref.conv2d_grad_weight(x, gy, gw.shape)
    assert np.isinf(gw[0, 0, 0, 2]) and np.isfinite(np.delete(gw.ravel(), 2)).all()
    np.testing.assert_array_equal(gw, expected)


def test_an_inf_weight_reaches_only_the_input_gradient_pixels_its_tap_reads():
    # the flat col2im would multiply the zeros it adds to gy by the inf: it is not used then
    w = np.ones((1, 1, 3, 3))
    w[0, 0, 2, 2] = np.inf
    gy = np.ones((1, 1, 4, 4))
    gx = np.empty((1, 1, 6, 6))
    assert conv.conv_transpose2d(gy, w, None, gx, (1, 1), (0, 0), (1, 1), 1) == "col2im"
    expected = ref.conv2d_grad_input(gx.shape, w, gy)
    np.testing.assert_array_equal(np.isinf(gx), np.isinf(expected))
    np.testing.assert_array_equal(gx[np.isfinite(gx)], expected[np.isfinite(expected)])
