"""The conv forward's float32 GEMM (minigrad_core/gemm_avx512.h, on processors with
AVX-512) against the naive reference and against SciPy's BLAS, on shapes that reach every
block of the kernel: 8-row panels with fewer rows left, column blocks of 48 with tails of
1-16, 17-32 and 33-47 columns, several images in one block, groups, bias or none; and
Winograd's AVX-512 transforms and its 16 products per block, which run on the kernel too
(forward, the flipped-kernel input gradient, the weight gradient's transforms). float64
and processors without AVX-512 take the BLAS; float64 gradcheck and gradgradcheck of
conv2d (tests/ops) therefore run the BLAS path, and this file covers the other one."""

import contextlib

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import close

import minigrad
from minigrad_core import conv, im2col_gemm, winograd

pytestmark = pytest.mark.skipif(
    not im2col_gemm._forward_gemm_available(), reason="the processor has no AVX-512: the BLAS runs"
)


@contextlib.contextmanager
def forward_gemm(name):
    old = im2col_gemm._set_forward_gemm(name)
    try:
        yield
    finally:
        im2col_gemm._set_forward_gemm(old)


@st.composite
def gemm_configs(draw):
    groups = draw(st.integers(1, 2))
    KH, KW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = KH - 1 + draw(st.integers(1, 9)), KW - 1 + draw(st.integers(1, 60))  # up to 60 columns a row
    return dict(
        N=draw(st.integers(1, 3)),
        C=draw(st.integers(1, 5)) * groups,
        O=draw(st.integers(1, 20)) * groups,  # 8-row panels and what is left of them
        H=H,
        W=W,
        KH=KH,
        KW=KW,
        groups=groups,
        bias=draw(st.booleans()),
        seed=draw(st.integers(0, 2**31)),
        block_cols=draw(st.sampled_from([None, 1, 50])),
    )


@settings(max_examples=60, deadline=None)
@given(cfg=gemm_configs())
def test_avx512_forward_gemm_matches_reference_and_blas(cfg):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal((cfg["N"], cfg["C"], cfg["H"], cfg["W"])).astype(np.float32)
    w = rng.standard_normal((cfg["O"], cfg["C"] // cfg["groups"], cfg["KH"], cfg["KW"])).astype(np.float32)
    b = rng.standard_normal(cfg["O"]).astype(np.float32) if cfg["bias"] else None
    hyper = ((1, 1), (0, 0), (1, 1), cfg["groups"])
    shape = (cfg["N"], cfg["O"], cfg["H"] - cfg["KH"] + 1, cfg["W"] - cfg["KW"] + 1)
    old = im2col_gemm._set_blocking(1, cfg["block_cols"]) if cfg["block_cols"] else None
    try:
        outs = {}
        for name in ("avx512", "blas"):
            outs[name] = np.full(shape, np.nan, dtype=np.float32)
            with forward_gemm(name):
                conv.conv2d_forward(x, w, b, outs[name], *hyper)
    finally:
        if old is not None:
            im2col_gemm._set_blocking(*old)
    close(outs["avx512"], ref.conv2d(x, w, b, *hyper), np.float32)
    np.testing.assert_allclose(outs["avx512"], outs["blas"], rtol=1e-5, atol=1e-5)


def test_forward_gemm_switch_refuses_unknown_names():
    with pytest.raises(ValueError, match="avx512"):
        im2col_gemm._set_forward_gemm("mkl")


def winograd_three(gemm, x, w, gy, hyper):
    """(out, gx, gw): the forward, input gradient and weight gradient of a 3x3 stride-1
    conv by Winograd, with the forward GEMM (and the AVX-512 transforms) switched to gemm."""
    out, gx, gw = (np.full(a.shape, np.nan, np.float32) for a in (gy, x, w))
    with forward_gemm(gemm):
        conv.conv2d_forward(x, w, None, out, *hyper)
        assert conv.conv_transpose2d(gy, w, None, gx, *hyper, path="winograd") == "winograd"
        conv.conv2d_backward_weight(x, gy, gw, *hyper)
    return out, gx, gw


@settings(max_examples=25, deadline=None)
@given(
    N=st.integers(1, 2),
    C=st.integers(1, 20),
    O=st.integers(1, 20),
    padding=st.integers(0, 2),
    size=st.tuples(st.integers(3, 13), st.integers(3, 45)),  # rows of up to 22 tiles
    block_cols=st.sampled_from([None, 1, 40]),
    seed=st.integers(0, 2**31),
)
def test_winograd_on_the_avx512_paths_matches_reference_and_blas(N, C, O, padding, size, block_cols, seed):
    """Winograd's AVX-512 paths (the kernel, input, output and output-gradient transforms,
    16 at a time with the edges masked, and the products on the AVX-512 GEMM) in the
    forward and both gradients, against the portable transforms and SciPy's BLAS."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C) + size).astype(np.float32)
    w = rng.standard_normal((O, C, 3, 3)).astype(np.float32)
    out_size = tuple(ref.out_size(s, 3, 1, padding) for s in size)
    gy = rng.standard_normal((N, O) + out_size).astype(np.float32)
    hyper = ((1, 1), (padding, padding), (1, 1), 1)
    old = winograd._set_winograd_min_channels(1), winograd._set_winograd_min_tiles(1)
    old_blocks = im2col_gemm._set_blocking(1, block_cols) if block_cols else None
    try:
        outs = {name: winograd_three(name, x, w, gy, hyper) for name in ("avx512", "blas")}
    finally:
        winograd._set_winograd_min_channels(old[0])
        winograd._set_winograd_min_tiles(old[1])
        if old_blocks is not None:
            im2col_gemm._set_blocking(*old_blocks)
    close(outs["avx512"][0], ref.conv2d(x, w, None, *hyper), np.float32)
    close(outs["avx512"][1], ref.conv2d_grad_input(x.shape, w, gy, *hyper), np.float32)
    close(outs["avx512"][2], ref.conv2d_grad_weight(x, gy, w.shape, *hyper), np.float32)
    for a, b in zip(outs["avx512"], outs["blas"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("C,O,size,N", [(70, 66, 4, 2), (64, 72, 8, 3)])
def test_winograd_avx512_on_two_threads_matches_one_thread_blas(C, O, size, N):
    """Enough work for two threads: the kernel transform split by rows of U, a few tile rows
    cut into one block per thread; against the portable path on one thread."""
    rng = np.random.default_rng(C)
    x = rng.standard_normal((N, C, size, size)).astype(np.float32)
    w = rng.standard_normal((O, C, 3, 3)).astype(np.float32)
    gy = rng.standard_normal((N, O, size, size)).astype(np.float32)
    hyper = ((1, 1), (1, 1), (1, 1), 1)
    outs = {}
    old = minigrad.get_num_threads()
    try:
        for name, threads in (("avx512", 2), ("blas", 1)):
            minigrad.set_num_threads(threads)
            outs[name] = winograd_three(name, x, w, gy, hyper)
    finally:
        minigrad.set_num_threads(old)
    for a, b in zip(outs["avx512"], outs["blas"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)
