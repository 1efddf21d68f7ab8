"""inf and NaN propagate through every conv path as through the direct convolution
(issue 11, item 4): im2col + GEMM, Winograd (forward, input and weight gradients),
depthwise loops, the flipped-kernel convolution and col2im.

The oracle below is the direct convolution written from its formula, tap by tap over the
zero-padded input: out = sum w * x_pad, gw = sum gy * x_pad, and gx scattered back from
every output through every tap (the padding's share dropped). A path agrees when it has
NaN, +inf and -inf exactly where the oracle does and close values elsewhere. PyTorch is
the second oracle.
"""

import numpy as np
import pytest

from minigrad_core import conv, winograd


def _pad(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))


def _taps(KH, KW, OH, OW, s, d):
    """(a, b, rows, cols): each tap and the padded-input slices its outputs read."""
    for a in range(KH):
        for b in range(KW):
            rows = slice(a * d[0], a * d[0] + s[0] * (OH - 1) + 1, s[0])
            cols = slice(b * d[1], b * d[1] + s[1] * (OW - 1) + 1, s[1])
            yield a, b, rows, cols


def direct_forward(x, w, s, p, d, G):
    N, (O, Cg, KH, KW) = x.shape[0], w.shape
    xp, Og = _pad(x, p), O // G
    OH = (xp.shape[2] - d[0] * (KH - 1) - 1) // s[0] + 1
    OW = (xp.shape[3] - d[1] * (KW - 1) - 1) // s[1] + 1
    out = np.zeros((N, O, OH, OW))
    with np.errstate(invalid="ignore"):
        for g in range(G):
            xs, ws = xp[:, g * Cg : (g + 1) * Cg], w[g * Og : (g + 1) * Og]
            for a, b, rows, cols in _taps(KH, KW, OH, OW, s, d):
                out[:, g * Og : (g + 1) * Og] += np.einsum("nchw,oc->nohw", xs[:, :, rows, cols], ws[:, :, a, b])
    return out


def direct_weight_grad(x, gy, w_shape, s, p, d, G):
    (O, Cg, KH, KW), (_, _, OH, OW) = w_shape, gy.shape
    xp, Og = _pad(x, p), O // G
    gw = np.zeros(w_shape)
    with np.errstate(invalid="ignore"):
        for g in range(G):
            xs, gs = xp[:, g * Cg : (g + 1) * Cg], gy[:, g * Og : (g + 1) * Og]
            for a, b, rows, cols in _taps(KH, KW, OH, OW, s, d):
                gw[g * Og : (g + 1) * Og, :, a, b] = np.einsum("nchw,nohw->oc", xs[:, :, rows, cols], gs)
    return gw


def direct_input_grad(x_shape, w, gy, s, p, d, G):
    (N, C, H, W), (O, Cg, KH, KW), (_, _, OH, OW) = x_shape, w.shape, gy.shape
    Og = O // G
    gxp = np.zeros((N, C, H + 2 * p[0] + s[0] + d[0] * KH, W + 2 * p[1] + s[1] + d[1] * KW))
    with np.errstate(invalid="ignore"):
        for g in range(G):
            gs, ws = gy[:, g * Og : (g + 1) * Og], w[g * Og : (g + 1) * Og]
            for a, b, rows, cols in _taps(KH, KW, OH, OW, s, d):
                gxp[:, g * Cg : (g + 1) * Cg, rows, cols] += np.einsum("nohw,oc->nchw", gs, ws[:, :, a, b])
    return gxp[:, :, p[0] : p[0] + H, p[1] : p[1] + W]


def assert_same_nonfinite(got, want):
    """NaN, +inf and -inf at the same places; the finite values close."""
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-9, atol=1e-9)


@pytest.fixture
def winograd_on_small_shapes():
    """Let the Winograd path run on these few channels (as tests/test_kernels.py does)."""
    old = winograd._set_winograd_min_channels(1), winograd._set_winograd_min_tiles(1)
    yield
    winograd._set_winograd_min_channels(old[0])
    winograd._set_winograd_min_tiles(old[1])


# (name, C, O, groups, stride, padding, dilation): the path each takes for the forward and
# weight gradient, with Winograd allowed on small shapes
SHAPES = [
    ("winograd", 3, 4, 1, (1, 1), (1, 1), (1, 1)),
    ("im2col", 3, 4, 1, (2, 1), (1, 2), (1, 2)),
    ("im2col 1x1-like stride", 2, 6, 2, (3, 2), (0, 1), (2, 1)),
    ("depthwise", 3, 3, 3, (1, 1), (1, 1), (1, 1)),
    ("depthwise strided", 3, 6, 3, (2, 2), (2, 1), (1, 2)),
]
BAD = [np.inf, -np.inf, np.nan]


def _data(rng, C, O, G, where, bad):
    x, w = rng.standard_normal((2, C, 7, 8)), rng.standard_normal((O, C // G, 3, 3))
    if where == "x":
        x[1, C - 1, 3, 4] = bad
    elif where == "w":
        w[O - 1, 0, 1, 2] = bad
    elif where == "x corner":
        x[0, 0, 0, 0] = bad
    return x, w


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("where", ["x", "x corner", "w"])
@pytest.mark.parametrize("name, C, O, G, s, p, d", SHAPES)
def test_forward_and_weight_gradient_propagate_like_the_direct_convolution(
    winograd_on_small_shapes, rng, name, C, O, G, s, p, d, bad, where
):
    x, w = _data(rng, C, O, G, where, bad)
    want = direct_forward(x, w, s, p, d, G)
    out = np.empty(want.shape)
    conv.conv2d_forward(x, w, None, out, s, p, d, G)
    assert_same_nonfinite(out, want)
    gy = rng.standard_normal(want.shape)
    flat = np.arange(gy.size).reshape(gy.shape)
    for g in (gy, np.where(flat == 7, bad, gy), np.where(flat == gy.size - 1, bad, gy)):
        gw = np.empty(w.shape)
        conv.conv2d_backward_weight(x, g, gw, s, p, d, G)
        assert_same_nonfinite(gw, direct_weight_grad(x, g, w.shape, s, p, d, G))


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("where", ["gy", "w"])
@pytest.mark.parametrize("name, C, O, G, s, p, d", SHAPES)
def test_every_input_gradient_path_propagates_like_the_direct_convolution(
    winograd_on_small_shapes, rng, name, C, O, G, s, p, d, bad, where
):
    x, w = _data(rng, C, O, G, where, bad)
    gy = rng.standard_normal(direct_forward(x, np.zeros_like(w), s, p, d, G).shape)
    if where == "gy":
        gy[1, O - 1, -1, -1] = bad
    want = direct_input_grad(x.shape, w, gy, s, p, d, G)
    for path in conv.PATHS:
        gx = np.empty(x.shape)
        try:
            ran = conv.conv_transpose2d(gy, w, None, gx, s, p, d, G, path=path)
        except ValueError:  # winograd or depthwise where they do not apply
            continue
        assert_same_nonfinite(gx, want)
        if where == "w":
            assert ran == "col2im"  # the flipped forms would multiply the zero padding by inf
        elif path == "winograd":
            assert ran == "flipped"  # Winograd's transforms would give inf - inf = NaN


def test_one_inf_pixel_keeps_winograds_weight_gradient_finite_where_the_taps_miss_it(rng):
    """The issue's repro, with Winograd's default threshold (32 channels): one inf pixel in
    the corner of x gave NaN on all 9 taps of the weight gradient."""
    x, gy = rng.standard_normal((1, 32, 8, 8)), np.ones((1, 32, 8, 8))
    x[0, 5, 0, 0] = np.inf
    gw = np.empty((32, 32, 3, 3))
    conv.conv2d_backward_weight(x, gy, gw, (1, 1), (1, 1), (1, 1), 1)
    want = direct_weight_grad(x, gy, gw.shape, (1, 1), (1, 1), (1, 1), 1)
    assert_same_nonfinite(gw, want)
    # channel 5's taps (0..1, 0..1) read the corner pixel (inf); its others never do
    assert np.isposinf(gw[:, 5, :2, :2]).all() and np.isfinite(gw[:, 5, 2, :]).all()
    assert np.isfinite(np.delete(gw, 5, axis=1)).all()


@pytest.mark.parametrize("bad", BAD)
def test_against_pytorch(winograd_on_small_shapes, rng, bad):
    torch = pytest.importorskip("torch")
    for _, C, O, G, s, p, d in SHAPES:
        x, w = _data(rng, C, O, G, "x", bad)
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        ty = torch.nn.functional.conv2d(tx, tw, None, s, p, d, G)
        gy = rng.standard_normal(ty.shape)
        gy.flat[5] = bad
        ty.backward(torch.tensor(gy))
        out, gx, gw = np.empty(ty.shape), np.empty(x.shape), np.empty(w.shape)
        conv.conv2d_forward(x, w, None, out, s, p, d, G)
        conv.conv2d_backward_weight(x, gy, gw, s, p, d, G)
        conv.conv_transpose2d(gy, w, None, gx, s, p, d, G)
        assert_same_nonfinite(out, ty.detach().numpy())
        assert_same_nonfinite(gw, tw.grad.numpy())
        assert_same_nonfinite(gx, tx.grad.numpy())
