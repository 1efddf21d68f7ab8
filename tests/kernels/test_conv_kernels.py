"""The convolution kernels of minigrad_core against the naive references of tests/reference.py:
each algorithm module (im2col_gemm, winograd, depthwise, conv_transpose's flipped-kernel
and col2im paths) through conv's entry points, with ``path=`` forcing each input-gradient
path. (The pooling kernels: test_pool_kernels.py.)

Hypothesis sweeps sizes, stride, padding, dilation, groups and dtypes, and draws the GEMM
block size (default, one row, or a few columns) so that the block edges and the blocks of
several whole images are exercised. Plus the notes' output-size examples, the flipped-kernel
identity, numerically, and the kernels refusing buffers that do not fit.
"""

import contextlib

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import DTYPES, close

from minigrad_core import conv, im2col_gemm, pool, winograd


@contextlib.contextmanager
def blocks(cols):
    """GEMM blocks of at least ``cols`` columns (1: one output row per block; a few: some
    rows, or several whole images and a shorter last block), or the default L2-sized
    blocks (None: whole images, all of a test's batch in one block), so that the block
    edges are exercised on small shapes."""
    old = im2col_gemm._set_blocking(1, cols) if cols else None
    try:
        yield
    finally:
        if old is not None:
            im2col_gemm._set_blocking(*old)


@st.composite
def conv_configs(draw):
    groups = draw(st.integers(1, 3))
    Cg, Og = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    sizes = []
    for k, p, d in zip((KH, KW), padding, dilation):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        sizes.append(smallest + draw(st.integers(0, 5)))
    N = draw(st.integers(1, 3))
    return dict(
        x_shape=(N, Cg * groups) + tuple(sizes),
        w_shape=(Og * groups, Cg, KH, KW),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        dtype=draw(DTYPES),
        seed=draw(st.integers(0, 2**31)),
        block_cols=draw(st.sampled_from([None, 1, 7])),
    )


def _conv_data(cfg):
    rng = np.random.default_rng(cfg["seed"])
    dt = cfg["dtype"]
    x = rng.standard_normal(cfg["x_shape"]).astype(dt)
    w = rng.standard_normal(cfg["w_shape"]).astype(dt)
    b = rng.standard_normal(cfg["w_shape"][0]).astype(dt)
    H, W = cfg["x_shape"][2:]
    _, _, KH, KW = cfg["w_shape"]
    OH = ref.out_size(H, KH, cfg["stride"][0], cfg["padding"][0], cfg["dilation"][0])
    OW = ref.out_size(W, KW, cfg["stride"][1], cfg["padding"][1], cfg["dilation"][1])
    gy = rng.standard_normal((x.shape[0], w.shape[0], OH, OW)).astype(dt)
    return x, w, b, gy


def _hyper(cfg):
    return cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"]


# ---- convolution ----------------------------------------------------------------------------


@settings(max_examples=30)
@given(cfg=conv_configs())
def test_conv2d_forward_matches_reference(cfg):
    with blocks(cfg["block_cols"]):
        x, w, b, gy = _conv_data(cfg)
        out = np.empty(gy.shape, dtype=cfg["dtype"])
        conv.conv2d_forward(x, w, b, out, *_hyper(cfg))
        close(out, ref.conv2d(x, w, b, *_hyper(cfg)), cfg["dtype"])


@settings(max_examples=30)
@given(cfg=conv_configs())
def test_conv2d_backward_weight_is_the_cross_correlation_of_input_and_grad(cfg):
    with blocks(cfg["block_cols"]):
        x, w, b, gy = _conv_data(cfg)
        gw = np.empty_like(w)
        conv.conv2d_backward_weight(x, gy, gw, *_hyper(cfg))
        close(gw, ref.conv2d_grad_weight(x, gy, w.shape, *_hyper(cfg)), cfg["dtype"])


@settings(max_examples=30)
@given(cfg=conv_configs(), path=st.sampled_from(["flipped", "col2im", None]))
def test_conv2d_input_gradient_matches_reference(cfg, path):
    with blocks(cfg["block_cols"]):
        x, w, b, gy = _conv_data(cfg)
        gx = np.empty_like(x)
        conv.conv_transpose2d(gy, w, None, gx, *_hyper(cfg), path=path)
        close(gx, ref.conv2d_grad_input(x.shape, w, gy, *_hyper(cfg)), cfg["dtype"])


@settings(max_examples=30)
@given(
    cfg=conv_configs(),
    extra=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    path=st.sampled_from(["flipped", "col2im"]),
)
def test_conv_transpose2d_matches_reference(cfg, extra, path):
    with blocks(cfg["block_cols"]):
        x, w, b, gy = _conv_data(cfg)
        s, p, d, g = _hyper(cfg)
        output_padding = tuple(e % max(si, di) for e, si, di in zip(extra, s, d))
        # conv_transpose2d's input is gy's shape, its weight (C_in, C_out/G, KH, KW) is w
        expected = ref.conv_transpose2d(gy, w, None, s, p, output_padding, d, g)
        if min(expected.shape[2:]) < 1:
            return
        bias = np.linspace(-1, 1, expected.shape[1]).astype(cfg["dtype"])
        out = np.empty(expected.shape, dtype=cfg["dtype"])
        conv.conv_transpose2d(gy, w, bias, out, s, p, d, g, path=path)
        close(out, expected + bias[None, :, None, None], cfg["dtype"])


@st.composite
def depthwise_configs(draw):
    """One input channel per group (depthwise, or a channel multiplier Og > 1)."""
    cfg = draw(conv_configs())
    groups = draw(st.integers(2, 4))
    Og = draw(st.integers(1, 2))
    N, _, H, W = cfg["x_shape"]
    cfg.update(x_shape=(N, groups, H, W), w_shape=(Og * groups, 1) + cfg["w_shape"][2:], groups=groups)
    return cfg


@settings(max_examples=30)
@given(cfg=depthwise_configs(), path=st.sampled_from(["depthwise", "flipped", "col2im"]))
def test_depthwise_conv_and_both_gradients_match_reference(cfg, path):
    """The depthwise module's loops (stride 1: the flat form; else the strided one)."""
    x, w, b, gy = _conv_data(cfg)
    out, gw, gx = np.empty(gy.shape, dtype=cfg["dtype"]), np.empty_like(w), np.empty_like(x)
    conv.conv2d_forward(x, w, b, out, *_hyper(cfg))
    close(out, ref.conv2d(x, w, b, *_hyper(cfg)), cfg["dtype"])
    conv.conv2d_backward_weight(x, gy, gw, *_hyper(cfg))
    close(gw, ref.conv2d_grad_weight(x, gy, w.shape, *_hyper(cfg)), cfg["dtype"])
    assert conv.conv_transpose2d(gy, w, None, gx, *_hyper(cfg), path=path) == path
    close(gx, ref.conv2d_grad_input(x.shape, w, gy, *_hyper(cfg)), cfg["dtype"])


def test_default_input_gradient_path_is_the_flipped_kernel_convolution_unless_measured_faster():
    """Winograd and the depthwise loops compute the flipped-kernel correlation too; col2im
    runs by default only on the shapes where it was measured >= 1.2x faster: one group, a
    kernel larger than 1x1, at most 64 input channels and at least twice as many outputs."""

    def default(N, C, O, H, K, s=1, p=0, g=1):
        OH = (H + 2 * p - K) // s + 1
        return conv.conv_transpose2d_path(N, C, H, H, O, OH, OH, K, K, (s, s), (p, p), (1, 1), g)

    assert default(8, 64, 64, 56, 3, p=1) == "winograd"
    assert default(16, 128, 128, 28, 3, p=1, g=128) == "depthwise"
    for lenet in [(64, 1, 6, 32, 5), (64, 6, 16, 14, 5), (1, 1, 6, 32, 5), (1, 6, 16, 14, 5)]:
        assert default(*lenet) == "col2im"
    assert default(16, 64, 128, 32, 3, s=2, p=1) == "col2im"
    assert default(4, 3, 64, 224, 7, s=2, p=3) == "col2im"
    assert default(8, 64, 192, 27, 5, p=2) == "col2im"
    assert default(16, 128, 256, 28, 3, s=2, p=1) == "flipped"  # 128 input channels
    assert default(4, 256, 512, 28, 1, s=2) == "flipped"  # 1x1
    assert default(16, 64, 16, 32, 3, p=1) == "flipped"  # narrowing
    assert default(16, 64, 64, 32, 3, s=2, p=1) == "flipped"  # equal channels
    assert default(16, 4, 16, 32, 3, p=1, g=2) == "flipped"  # two groups


@pytest.mark.parametrize("groups, Og", [(1, 32), (1, 40), (2, 33)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_backward_weight_with_many_output_channels(groups, Og, dtype):
    """Past 32 output channels per group the weight gradient's GEMM is laid out the
    other way round (gw[g] rather than gw[g]^T); the sweeps above draw at most 3."""
    cfg = dict(
        x_shape=(3, 2 * groups, 7, 6),
        w_shape=(Og * groups, 2, 3, 2),
        stride=(2, 1),
        padding=(1, 0),
        dilation=(1, 1),
        groups=groups,
        dtype=dtype,
        seed=5,
    )
    x, w, b, gy = _conv_data(cfg)
    gw = np.empty_like(w)
    conv.conv2d_backward_weight(x, gy, gw, *_hyper(cfg))
    close(gw, ref.conv2d_grad_weight(x, gy, w.shape, *_hyper(cfg)), dtype)


@contextlib.contextmanager
def winograd_always():
    """Winograd for every 3x3 stride-1 conv, however few its channels and tiles."""
    old = winograd._set_winograd_min_channels(1), winograd._set_winograd_min_tiles(1)
    try:
        yield
    finally:
        winograd._set_winograd_min_channels(old[0])
        winograd._set_winograd_min_tiles(old[1])


@st.composite
def winograd_configs(draw):
    """3x3, stride 1, dilation 1, one group: the convs Winograd's F(2x2, 3x3) computes;
    odd and even output sizes, so that tiles are cut at the bottom and right edges."""
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    sizes = tuple(max(1, 3 - 2 * p) + draw(st.integers(0, 6)) for p in padding)
    C, O = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return dict(
        x_shape=(draw(st.integers(1, 3)), C) + sizes,
        w_shape=(O, C, 3, 3),
        stride=(1, 1),
        padding=padding,
        dilation=(1, 1),
        groups=1,
        dtype=draw(DTYPES),
        seed=draw(st.integers(0, 2**31)),
        block_cols=draw(st.sampled_from([None, 1, 7])),
    )


@settings(max_examples=30)
@given(cfg=winograd_configs())
def test_winograd_forward_and_both_gradients_match_reference(cfg):
    with blocks(cfg["block_cols"]), winograd_always():
        x, w, b, gy = _conv_data(cfg)
        out = np.empty(gy.shape, dtype=cfg["dtype"])
        conv.conv2d_forward(x, w, b, out, *_hyper(cfg))
        close(out, ref.conv2d(x, w, b, *_hyper(cfg)), cfg["dtype"])
        gw = np.empty_like(w)
        conv.conv2d_backward_weight(x, gy, gw, *_hyper(cfg))
        close(gw, ref.conv2d_grad_weight(x, gy, w.shape, *_hyper(cfg)), cfg["dtype"])
        gx = np.empty_like(x)
        assert conv.conv_transpose2d(gy, w, None, gx, *_hyper(cfg), path="winograd") == "winograd"
        close(gx, ref.conv2d_grad_input(x.shape, w, gy, *_hyper(cfg)), cfg["dtype"])
        # picked by default too (no output_padding at stride 1)
        out_t = np.empty_like(x)
        assert conv.conv_transpose2d(gy, w, None, out_t, *_hyper(cfg)) == "winograd"
        close(out_t, ref.conv_transpose2d(gy, w, None, *_hyper(cfg)[:2]), cfg["dtype"])


def test_winograd_and_depthwise_paths_are_refused_where_they_do_not_apply():
    gy, w = np.ones((1, 2, 3, 3)), np.ones((2, 2, 3, 3))
    with pytest.raises(ValueError, match="winograd"):
        conv.conv_transpose2d(gy, w, None, np.empty((1, 2, 7, 7)), (2, 2), (1, 1), (1, 1), 1, path="winograd")
    with pytest.raises(ValueError, match="depthwise"):
        conv.conv_transpose2d(gy, w, None, np.empty((1, 2, 7, 7)), (2, 2), (1, 1), (1, 1), 1, path="depthwise")


@settings(max_examples=20)
@given(cfg=conv_configs())
def test_im2col_and_col2im_are_adjoint(cfg):
    x, w, b, gy = _conv_data(cfg)
    s, p, d, _ = _hyper(cfg)
    k = w.shape[2:]
    cols = np.empty((x.shape[0], x.shape[1] * k[0] * k[1], gy.shape[2] * gy.shape[3]), dtype=cfg["dtype"])
    conv.im2col(x, cols, k, s, p, d)
    close(cols, ref.unfold(x, k, d, p, s), cfg["dtype"])
    # <im2col(x), c> == <x, col2im(c)>
    c = np.random.default_rng(1).standard_normal(cols.shape).astype(cfg["dtype"])
    back = np.empty_like(x)
    conv.col2im(c, back, k, s, p, d)
    lhs, rhs = float((cols.astype(np.float64) * c).sum()), float((x.astype(np.float64) * back).sum())
    assert abs(lhs - rhs) <= 1e-3 * max(1.0, abs(lhs))


@pytest.mark.parametrize(
    "x_shape, w_shape, groups",
    [
        ((3, 8, 40, 36), (6, 4, 3, 3), 2),
        ((2, 16, 40, 40), (16, 1, 3, 3), 16),  # depthwise, flat stride-1 path
    ],
)
def test_kernels_give_the_same_result_on_two_threads(x_shape, w_shape, groups):
    """Shapes above the one-thread cut-off (mg_threads_for), so two threads really run."""
    from minigrad.parallel import get_num_threads, set_num_threads

    for stride in ((1, 1), (2, 1)):
        cfg = dict(
            x_shape=x_shape,
            w_shape=w_shape,
            stride=stride,
            padding=(1, 1),
            dilation=(1, 2),
            groups=groups,
            dtype=np.float64,
            seed=3,
        )
        x, w, b, gy = _conv_data(cfg)
        before = get_num_threads()
        results = []
        try:
            for n in (1, 2):
                set_num_threads(n)
                assert get_num_threads() == n
                out, gx, gw = np.empty(gy.shape), np.empty_like(x), np.empty_like(w)
                conv.conv2d_forward(x, w, b, out, *_hyper(cfg))
                conv.conv_transpose2d(gy, w, None, gx, *_hyper(cfg))
                conv.conv2d_backward_weight(x, gy, gw, *_hyper(cfg))
                pooled, idx = (
                    np.empty((x.shape[0], x.shape[1], 20, 18)),
                    np.empty((x.shape[0], x.shape[1], 20, 18), np.int64),
                )
                pool.max_pool2d_forward(x, pooled, idx, (2, 2), (2, 2), (0, 0), (1, 1))
                results.append((out, gx, gw, pooled, idx))
        finally:
            set_num_threads(before)
        for a, b_ in zip(*results):
            np.testing.assert_allclose(a, b_, rtol=1e-12, atol=1e-12)


# ---- the flipped-kernel identity (notes 004) --------------------------------------------------


def _flip_and_swap(w, groups):
    """w (O, C/G, KH, KW) -> (C, O/G, KH, KW) rotated by 180 degrees, channels swapped per group."""
    O, Cg, KH, KW = w.shape
    Og = O // groups
    w = w.reshape(groups, Og, Cg, KH, KW).transpose(0, 2, 1, 3, 4).reshape(groups * Cg, Og, KH, KW)
    return w[:, :, ::-1, ::-1].copy()


def test_input_gradient_is_the_full_correlation_with_the_rotated_kernel():
    """Stride 1: dx = correlate(dy padded by d(K-1) - p, rot180(w), channels swapped)."""
    rng = np.random.default_rng(0)
    groups, p, d = 2, (1, 0), (1, 2)
    x = rng.standard_normal((2, 4, 7, 8))
    w = rng.standard_normal((6, 2, 3, 2))
    gy_shape = (2, 6, ref.out_size(7, 3, 1, p[0], d[0]), ref.out_size(8, 2, 1, p[1], d[1]))
    gy = rng.standard_normal(gy_shape)
    gx = np.empty_like(x)
    conv.conv_transpose2d(gy, w, None, gx, (1, 1), p, d, groups)
    full = tuple(di * (k - 1) - pi for di, k, pi in zip(d, w.shape[2:], p))
    expected = ref.conv2d(gy, _flip_and_swap(w, groups), None, (1, 1), full, d, groups)
    np.testing.assert_allclose(gx, expected, rtol=1e-12, atol=1e-12)


def test_strided_input_gradient_is_the_rotated_kernel_on_the_zero_inserted_gradient():
    """Stride s: insert s-1 zeros between the rows/columns of dy, pad by K-1-p on the left
    (and up to x's size on the right), then correlate with the rotated kernel as for
    stride 1. The kernel computes the same sum phase by phase, without the zeros."""
    rng = np.random.default_rng(1)
    s, p, K, H, W = (2, 3), (1, 1), 3, 9, 10
    w = rng.standard_normal((4, 3, K, K))
    OH, OW = ref.out_size(H, K, s[0], p[0]), ref.out_size(W, K, s[1], p[1])
    gy = rng.standard_normal((1, 4, OH, OW))
    gx = np.empty((1, 3, H, W))
    conv.conv_transpose2d(gy, w, None, gx, s, p, (1, 1), 1, path="flipped")
    lead = (K - 1 - p[0], K - 1 - p[1])
    z = np.zeros((1, 4, H + K - 1, W + K - 1))  # zero-inserted and padded dy
    z[:, :, lead[0] : lead[0] + (OH - 1) * s[0] + 1 : s[0], lead[1] : lead[1] + (OW - 1) * s[1] + 1 : s[1]] = gy
    expected = ref.conv2d(z, _flip_and_swap(w, 1))
    assert expected.shape == gx.shape
    np.testing.assert_allclose(gx, expected, rtol=1e-12, atol=1e-12)


# ---- the notes' output sizes --------------------------------------------------------------------


def _conv_shape(H, K, stride=1, padding=0, C=1, O=2):
    x = np.ones((1, C, H, H), dtype=np.float32)
    w = np.ones((O, C, K, K), dtype=np.float32)
    OH = ref.out_size(H, K, stride, padding)
    out = np.empty((1, O, OH, OH), dtype=np.float32)
    conv.conv2d_forward(x, w, None, out, (stride, stride), (padding, padding), (1, 1), 1)
    return out.shape[2:]


def test_notes_5x5_input_3x3_kernel_pad_1():
    assert _conv_shape(5, 3, stride=1, padding=1) == (5, 5)  # (5 - 3 + 2*1)/1 + 1
    assert _conv_shape(5, 3, stride=2, padding=1) == (3, 3)  # (5 - 3 + 2*1)/2 + 1
    assert _conv_shape(32, 5) == (28, 28)  # 32x32x3 image, 5x5 filters


def test_notes_7x7_with_stride_3_does_not_fit_without_padding():
    assert (7 - 3) % 3 != 0  # (N - F)/S + 1 = 2.33
    assert _conv_shape(7, 3, stride=3) == (2, 2)  # floored: the last column is unused
    x = np.random.default_rng(0).standard_normal((1, 1, 7, 7))
    gx = np.empty_like(x)
    conv.conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), None, gx, (3, 3), (0, 0), (1, 1), 1)
    assert (gx[0, 0, 6, :] == 0).all() and (gx[0, 0, :, 6] == 0).all()  # never seen by any window
    assert (7 - 3 + 2 * 1) % 3 == 0 and _conv_shape(7, 3, stride=3, padding=1) == (3, 3)


def test_notes_alexnet_shapes_227_55_27_13_6():
    assert _conv_shape(227, 11, stride=4) == (55, 55)
    x = np.random.default_rng(0).standard_normal((1, 1, 55, 55)).astype(np.float32)
    sizes = [55]
    for conv_k, conv_p in ((5, 2), (3, 1)):
        size = sizes[-1]
        pooled = ref.pool_out_size(size, 3, 2)
        out, idx = np.empty((1, 1, pooled, pooled), np.float32), np.empty((1, 1, pooled, pooled), np.int64)
        pool.max_pool2d_forward(np.ascontiguousarray(x[:, :, :size, :size]), out, idx, (3, 3), (2, 2), (0, 0), (1, 1))
        sizes.append(out.shape[2])
        sizes.append(_conv_shape(out.shape[2], conv_k, padding=conv_p)[0])
    sizes.append(ref.pool_out_size(sizes[-1], 3, 2))
    assert sizes == [55, 27, 27, 13, 13, 6]


# ---- the kernels refuse buffers that do not fit --------------------------------------------------


def test_kernels_reject_mismatched_buffers_instead_of_writing_out_of_bounds():
    x, w = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))
    with pytest.raises(ValueError, match="output-side buffer"):
        conv.conv2d_forward(x, w, None, np.empty((1, 3, 4, 4)), (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError, match="does not fit"):
        conv.conv2d_forward(x, np.ones((3, 1, 3, 3)), None, np.empty((1, 3, 3, 3)), (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError, match="kernel larger"):
        conv.conv2d_forward(x, np.ones((3, 2, 7, 7)), None, np.empty((1, 3, 1, 1)), (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError, match="stride"):
        conv.conv2d_forward(x, w, None, np.empty((1, 3, 3, 3)), (0, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError, match="bias"):
        conv.conv2d_forward(x, w, np.ones(2), np.empty((1, 3, 3, 3)), (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError):
        conv.conv2d_forward(x[:, :, ::2], w, None, np.empty((1, 3, 1, 1)), (1, 1), (0, 0), (1, 1), 1)
    with pytest.raises(ValueError, match="indices"):
        pool.max_pool2d_backward(np.ones((1, 2, 2, 2)), np.zeros((1, 2, 3, 3), np.int64), np.empty((1, 2, 5, 5)))
    # an index outside the plane is skipped, not written
    gx = np.empty((1, 1, 2, 2))
    pool.max_pool2d_backward(np.ones((1, 1, 1, 1)), np.full((1, 1, 1, 1), 99, np.int64), gx)
    assert (gx == 0).all()
