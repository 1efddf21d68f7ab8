"""The float32 convs on the AVX-512 GEMM beyond the forward's row blocks: the forward's
implicit GEMM (the column matrix read in place from x or its phase planes) and 48-column
panels (minigrad_core/im2col_panels.h, im2col_gemm._conv2d_implicit / _conv2d_panels), and
the input gradient's GEMMs (the flipped kernel's phases and col2im's w^T @ gy,
conv_transpose.pyx), against the naive reference and against SciPy's BLAS, over strides,
padding, dilation, groups and bias, with the default blocks and with one panel (or one
row) a block."""

import contextlib

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import close

from minigrad_core import conv, im2col_gemm

pytestmark = pytest.mark.skipif(
    not im2col_gemm._forward_gemm_available(), reason="the processor has no AVX-512: the BLAS runs"
)


@contextlib.contextmanager
def gemm(name, layout="auto", tiny_blocks=False):
    """The float32 GEMMs on "avx512" or "blas", the forward's column layout (one of
    im2col_gemm.LAYOUTS), and blocks of one panel (or one output row) when tiny_blocks."""
    old_gemm = im2col_gemm._set_forward_gemm(name)
    old_layout = im2col_gemm._set_forward_layout(layout)
    old_blocks = im2col_gemm._set_blocking(1, 1) if tiny_blocks else None
    try:
        yield
    finally:
        im2col_gemm._set_forward_gemm(old_gemm)
        im2col_gemm._set_forward_layout(old_layout)
        if old_blocks is not None:
            im2col_gemm._set_blocking(*old_blocks)


@st.composite
def conv_configs(draw):
    groups = draw(st.integers(1, 2))
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # at least one output pixel; up to 40 columns a row (panels of 48 span rows and images)
    H = max(1, dilation[0] * (KH - 1) + 1 - 2 * padding[0]) + draw(st.integers(0, 12))
    W = max(1, dilation[1] * (KW - 1) + 1 - 2 * padding[1]) + draw(st.integers(0, 40))
    return dict(
        x_shape=(draw(st.integers(1, 4)), draw(st.integers(1, 4)) * groups, H, W),
        O=draw(st.integers(1, 12)) * groups,
        KH=KH,
        KW=KW,
        hyper=(stride, padding, dilation, groups),
        bias=draw(st.booleans()),
        tiny_blocks=draw(st.booleans()),
        seed=draw(st.integers(0, 2**31)),
    )


def _arrays(cfg):
    rng = np.random.default_rng(cfg["seed"])
    N, C, H, W = cfg["x_shape"]
    stride, padding, dilation, groups = cfg["hyper"]
    x = rng.standard_normal(cfg["x_shape"]).astype(np.float32)
    w = rng.standard_normal((cfg["O"], C // groups, cfg["KH"], cfg["KW"])).astype(np.float32)
    b = rng.standard_normal(cfg["O"]).astype(np.float32) if cfg["bias"] else None
    OH = ref.out_size(H, cfg["KH"], stride[0], padding[0], dilation[0])
    OW = ref.out_size(W, cfg["KW"], stride[1], padding[1], dilation[1])
    gy = rng.standard_normal((N, cfg["O"], OH, OW)).astype(np.float32)
    return x, w, b, gy


@settings(max_examples=80, deadline=None)
@given(cfg=conv_configs())
def test_forward_layouts_match_reference_and_blas(cfg):
    x, w, b, gy = _arrays(cfg)
    outs = {}
    for name, layout in [("avx512", layout) for layout in im2col_gemm.LAYOUTS] + [("blas", "auto")]:
        outs[name, layout] = np.full(gy.shape, np.nan, dtype=np.float32)
        with gemm(name, layout, cfg["tiny_blocks"]):
            conv.conv2d_forward(x, w, b, outs[name, layout], *cfg["hyper"])
    expected = ref.conv2d(x, w, b, *cfg["hyper"])
    for out in outs.values():
        close(out, expected, np.float32)
        np.testing.assert_allclose(out, outs["blas", "auto"], rtol=1e-5, atol=1e-5)


@settings(max_examples=60, deadline=None)
@given(cfg=conv_configs(), path=st.sampled_from(["flipped", "col2im"]))
def test_input_gradient_gemms_on_avx512_match_reference_and_blas(cfg, path):
    x, w, _, gy = _arrays(cfg)
    outs = {}
    for name in ("avx512", "blas"):
        outs[name] = np.full(x.shape, np.nan, dtype=np.float32)
        with gemm(name, tiny_blocks=cfg["tiny_blocks"]):
            assert conv.conv_transpose2d(gy, w, None, outs[name], *cfg["hyper"], path=path) == path
    close(outs["avx512"], ref.conv2d_grad_input(x.shape, w, gy, *cfg["hyper"]), np.float32)
    np.testing.assert_allclose(outs["avx512"], outs["blas"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layout", ["implicit", "panels"])
def test_forward_layouts_on_a_strided_batch_of_several_images(layout):
    """14x14 outputs (196 columns): panels run across image boundaries and the batch's last
    panel is narrower than 48 columns (4 images: 784 = 16 * 48 + 16); the implicit GEMM
    reads the four phase planes of each image, with flat rows of 15 columns (one dropped)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 28, 28)).astype(np.float32)
    w = rng.standard_normal((19, 5, 3, 3)).astype(np.float32)
    b = rng.standard_normal(19).astype(np.float32)
    hyper = ((2, 2), (1, 1), (1, 1), 1)
    out = np.full((4, 19, 14, 14), np.nan, dtype=np.float32)
    with gemm("avx512", layout):
        conv.conv2d_forward(x, w, b, out, *hyper)
    close(out, ref.conv2d(x, w, b, *hyper), np.float32)


def test_forward_layout_switch_refuses_unknown_names():
    with pytest.raises(ValueError, match="implicit"):
        im2col_gemm._set_forward_layout("direct")


@settings(max_examples=60, deadline=None)
@given(
    N=st.integers(1, 3),
    Cg=st.integers(1, 4),
    Og=st.integers(1, 40),  # 1 to 3 vectors of 16 output channels, below and above the rule's 8
    groups=st.integers(1, 2),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    extra=st.tuples(st.integers(0, 8), st.integers(0, 20)),
    seed=st.integers(0, 2**31),
)
def test_flat_weight_gradient_in_place_matches_reference_and_blas(N, Cg, Og, groups, kernel, dilation, extra, seed):
    """Unpadded stride-1 convs with output rows of at most 32 columns: the flat layout, whose
    weight gradient reads x in place on the AVX-512 kernels (mg_wgrad_flat)."""
    rng = np.random.default_rng(seed)
    H, W = (d * (k - 1) + 1 + e for k, d, e in zip(kernel, dilation, extra))
    x = rng.standard_normal((N, Cg * groups, H, W)).astype(np.float32)
    w_shape = (Og * groups, Cg) + kernel
    hyper = ((1, 1), (0, 0), dilation, groups)
    gy = rng.standard_normal((N, Og * groups, H - dilation[0] * (kernel[0] - 1), W - dilation[1] * (kernel[1] - 1)))
    gy = gy.astype(np.float32)
    outs = {}
    for name, layout in (("avx512", "auto"), ("avx512", "rows"), ("blas", "auto")):
        outs[name, layout] = np.full(w_shape, np.nan, dtype=np.float32)
        with gemm(name, layout):
            conv.conv2d_backward_weight(x, gy, outs[name, layout], *hyper)
    expected = ref.conv2d_grad_weight(x, gy, w_shape, *hyper)
    for out in outs.values():
        close(out, expected, np.float32)
        np.testing.assert_allclose(out, outs["blas", "auto"], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["avx512", "blas"])
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pointwise_input_gradient_is_one_gemm_per_image(name, groups, dtype):
    """1x1, unpadded, stride 1: the flipped kernel is w[g]^T @ gy[n, g] written straight into gx."""
    rng = np.random.default_rng(groups)
    x_shape, w = (3, 6 * groups, 5, 7), rng.standard_normal((10 * groups, 6, 1, 1)).astype(dtype)
    gy = rng.standard_normal((3, 10 * groups, 5, 7)).astype(dtype)
    hyper = ((1, 1), (0, 0), (1, 1), groups)
    gx = np.full(x_shape, np.nan, dtype=dtype)
    with gemm(name):
        assert conv.conv_transpose2d(gy, w, None, gx, *hyper, path="flipped") == "flipped"
    close(gx, ref.conv2d_grad_input(x_shape, w, gy, *hyper), dtype)
