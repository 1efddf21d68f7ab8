# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""conv2d forward and weight gradient as im2col + GEMM, a block of columns at a time.

Notation as in conv.pyx: N batch; C input channels, H W input size; O output channels;
KH KW kernel size; OH OW output size; G groups, Cg = C // G, Og = O // G; sh sw stride,
ph pw padding, dh dw dilation; NCHW, C-contiguous, one fused float type per call.

The forward convolution is the indexed sum of the notes,
    out[n, o, y, x] = bias[o] + sum_{c, a, b} w[o, c, a, b] * x[n, g*Cg + c, y*sh - ph + a*dh, x*sw - pw + b*dw].
im2col lays the patches of x out as the columns of a (Cg*KH*KW, OH*OW) matrix per group,
so the sum is one GEMM, out[n, g] = w[g] (Og, Cg*KH*KW) @ cols; the weight gradient is
the same product the other way round, gw[g] = sum_n gy[n, g] @ cols^T.

Each call is one OpenMP parallel region over (images, block of output rows) items; every
thread has its own scratch and calls a single-threaded GEMM (see minigrad.parallel). The
block plan below is shared with the flipped-kernel and Winograd kernels.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.string cimport memcpy, memset

from minigrad_core._blas cimport _gemm
from minigrad_core._index cimport _ceildiv, _clip, _floordiv
from minigrad_core._omp cimport _items_threads

from minigrad_core import _scratch

cdef extern from "gemm_avx512.h":
    int mg_gemm_avx512_available() noexcept nogil
    void mg_sgemm_avx512(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, const float* a, Py_ssize_t lda,
                         const float* b, Py_ssize_t ldb, float* c, Py_ssize_t ldc, const float* bias,
                         int accumulate) noexcept nogil

cdef extern from "im2col_panels.h":
    Py_ssize_t MG_PANEL
    void mg_im2col_panels(const float* x, float* dst, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                          Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                          Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t col0,
                          Py_ssize_t ncols) noexcept nogil
    void mg_phase_planes(const float* x, float* xq, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                         Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                         Py_ssize_t Hq, Py_ssize_t Wq) noexcept nogil
    void mg_conv_flat(const float* w, Py_ssize_t ldw, Py_ssize_t m, Py_ssize_t k, const float* xq,
                      const Py_ssize_t* off, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t Wq,
                      float* out, Py_ssize_t ldo, const float* bias) noexcept nogil
    void mg_wgrad_flat(const float* x, const Py_ssize_t* off, Py_ssize_t k, const float* gyT,
                       Py_ssize_t n, Py_ssize_t L, float* gw, Py_ssize_t ldw) noexcept nogil

# The forward's float32 GEMMs run on gemm_avx512.h where the processor has AVX-512, and
# on SciPy's BLAS otherwise (and for float64). _set_forward_gemm switches (tests run both).
cdef bint _avx512 = mg_gemm_avx512_available()
cdef bint _use_avx512 = _avx512


def _set_forward_gemm(name):
    """"avx512" (where available) or "blas" for the forward's float32 GEMMs; returns the
    old choice."""
    global _use_avx512
    old = "avx512" if _use_avx512 else "blas"
    if name not in ("avx512", "blas"):
        raise ValueError(f"_set_forward_gemm: name must be 'avx512' or 'blas', got {name!r}")
    _use_avx512 = name == "avx512" and _avx512
    return old


cdef bint _avx512_on() noexcept nogil:
    """Whether the float32 kernels take their AVX-512 paths (the forward GEMM, Winograd's
    input transform): the processor has it and _set_forward_gemm has not turned it off."""
    return _use_avx512


# The float32 forward on the AVX-512 GEMM reads its column matrix in one of three layouts
# (docs/kernels.md): "implicit", never written, read from x or its phase planes in place
# (_conv2d_implicit); "panels", written 48 columns at a time across the batch
# (_conv2d_panels); "rows", the row blocks of _plan_blocks (also the BLAS's, float64 and
# processors without AVX-512). "auto" picks per conv (_forward_layout); tests force each.
LAYOUTS = ("auto", "implicit", "panels", "rows")
cdef int _layout = 0


def _set_forward_layout(name):
    """One of LAYOUTS for the float32 forward on the AVX-512 GEMM (a forced layout still
    runs only where it applies); returns the old one."""
    global _layout
    if name not in LAYOUTS:
        raise ValueError(f"_set_forward_layout: name must be one of {LAYOUTS}, got {name!r}")
    old = LAYOUTS[_layout]
    _layout = LAYOUTS.index(name)
    return old


cdef inline int _forward_layout(bint pointwise, bint flat, bint planes_fit, Py_ssize_t N, Py_ssize_t OH,
                                Py_ssize_t OW, Py_ssize_t K, Py_ssize_t KW, Py_ssize_t sh,
                                Py_ssize_t sw, Py_ssize_t dw) noexcept nogil:
    """The float32 forward's layout, as an index into LAYOUTS (1, 2 or 3).

    1x1 convs and the BLAS keep the rows (for 1x1, x is its own column matrix). Implicit
    needs at most 4 x 4 phase planes per channel (strides up to 4) and planes_fit (one
    image's planes at most 4 times its input and output: a padding far larger than the
    image would make them huge), panels a stride whose 16 lanes fit a gather's int32
    indices. Auto, as measured (one thread, float32; see
    docs/kernels.md): implicit at stride 1 when an image has at least two panels of flat
    columns and the depth K (Cg*KH*KW) is under 1024 (LeNet's second conv, K = 150: 0.45 ->
    0.31 ms; at larger strides the planes' reads lose to the panels: ResNet's 3x3 stride-2
    forward 12.5 -> 16.2 ms; so do deep convs: AlexNet's 13x13 3x3 convs at batch 1, K =
    1728-3456, 1.40-1.50x PyTorch's time against 1.12-1.21 on the panels); panels otherwise
    when the batch has two panels of columns and the rows are not flat; else the rows (one
    image of 4x4 or 8x8 at batch 1)."""
    cdef bint implicit_fits = sh <= 4 and sw <= 4 and planes_fit, panels_fit = sw < (1 << 26)
    if not _use_avx512 or pointwise or _layout == 3:
        return 3
    if _layout == 1:
        return 1 if implicit_fits else 3
    if _layout == 2:
        return 2 if panels_fit else 3
    if implicit_fits and sh == 1 and sw == 1 and K < 1024 and OH * (OW + (KW - 1) * dw) >= 2 * MG_PANEL:
        return 1
    if not flat and N * OH * OW >= 2 * MG_PANEL and panels_fit:
        return 2
    return 3


def _forward_gemm_available():
    """Whether this processor runs gemm_avx512.h."""
    return bool(_avx512)


cdef void _gemm_forward(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, const floating* a,
                        Py_ssize_t lda, const floating* b, Py_ssize_t ldb, floating* c,
                        Py_ssize_t ldc, const floating* bias) noexcept nogil:
    """Row-major c (m x n) = a @ b + bias[i] per row (bias may be NULL)."""
    cdef Py_ssize_t i, j
    if floating is float:
        if _use_avx512:
            mg_sgemm_avx512(m, n, k, a, lda, b, ldb, c, ldc, bias, 0)
            return
    if bias != NULL:
        for i in range(m):
            for j in range(n):
                c[i * ldc + j] = bias[i]
    _gemm(False, False, m, n, k, a, lda, b, ldb, 1 if bias != NULL else 0, c, ldc)

# The column scratch is filled and multiplied a block at a time, so that the block stays
# near the core (L2 is 1 MB here) between im2col and the GEMM, and the scratch never grows
# with the batch or the image. A block is some output rows of one image or, when images
# have fewer than _group_cols columns, several whole images side by side: one GEMM over
# them instead of several thin ones (ResNet's 8x8 and 4x4 stages give 64 and 16 columns
# per image). Measured on VGG/ResNet/dilated 3x3 shapes: 256 KB to 4 MB blocks all run
# within a few percent; 1.5 MB was at the top.
cdef Py_ssize_t _block_bytes = 1536 * 1024
# The forward's panels (_conv2d_panels) come in smaller blocks, so that the weight, read
# once per panel, stays in L2 beside them: 256-512 KB ran 7-10% faster than 1.5 MB on
# ResNet's stride-2 convs (128 -> 256 at 28x28: 13.4 -> 12.1 ms) and AlexNet's first.
cdef Py_ssize_t _panel_block_bytes = 512 * 1024
cdef Py_ssize_t _min_block_cols = 128
cdef Py_ssize_t _group_cols = 256
# Unpadded stride-1 convs with output rows of at most _flat_max_width columns lay each
# column-matrix row out flat (see _plan_blocks): LeNet's 10- and 28-wide rows.
cdef Py_ssize_t _flat_max_width = 32


def _set_blocking(Py_ssize_t block_bytes, Py_ssize_t min_block_cols, Py_ssize_t group_cols=256):
    """Change the block size and the most columns whole images are grouped to (tests use
    tiny blocks to exercise the block edges); returns the old values."""
    global _block_bytes, _min_block_cols, _group_cols
    old = (_block_bytes, _min_block_cols, _group_cols)
    _block_bytes, _min_block_cols = max(1, block_bytes), max(1, min_block_cols)
    _group_cols = max(1, group_cols)
    return old


cdef inline Py_ssize_t _block_cols(Py_ssize_t depth, Py_ssize_t itemsize) noexcept nogil:
    """Columns of a depth-deep scratch block."""
    cdef Py_ssize_t cols = _block_bytes // (depth * itemsize + 1)
    return cols if cols > _min_block_cols else _min_block_cols


cdef Py_ssize_t _rows_per_block(Py_ssize_t rows, Py_ssize_t row_len, Py_ssize_t depth,
                                       Py_ssize_t itemsize) noexcept nogil:
    """Output rows per block for a depth x (rows*row_len) scratch (at least one row)."""
    cdef Py_ssize_t r = _block_cols(depth, itemsize) // row_len
    if r < 1:
        return 1
    return r if r < rows else rows


cdef Py_ssize_t _images_per_block(Py_ssize_t N, Py_ssize_t P, Py_ssize_t depth,
                                         Py_ssize_t itemsize) noexcept nogil:
    """Whole images of P columns per block, in [1, N]; above 1 only when an image fits
    twice in a block, so that then _rows_per_block gives all the rows."""
    cdef Py_ssize_t cols = _block_cols(depth, itemsize)
    cdef Py_ssize_t k = (cols if cols < _group_cols else _group_cols) // P if P > 0 else 1
    if k < 1:
        return 1
    return k if k < N else N


def _set_flat_max_width(Py_ssize_t width):
    """Lay the columns out flat for unpadded stride-1 convs whose output rows have at most
    ``width`` columns (0: never; tests and benchmarks compare both); returns the old value."""
    global _flat_max_width
    old = _flat_max_width
    _flat_max_width = max(0, width)
    return old


cdef bint _flat_fits(Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t KH,
                     Py_ssize_t KW, Py_ssize_t OW) noexcept nogil:
    """Whether the flat column layout serves this conv (see _plan_blocks): unpadded, stride 1,
    not 1x1, output rows at most _flat_max_width wide."""
    return (sh == 1 and sw == 1 and ph == 0 and pw == 0 and KH * KW > 1
            and OW <= _flat_max_width)


def _scratch_shape(direct, threads, size):
    """Per-thread scratch: (threads, 1, size), or a dummy when the input is used directly."""
    return (1, 1, 1) if direct else (max(1, threads), 1, size)


cdef inline void _to_batched(const floating* src, floating* dst, Py_ssize_t O, Py_ssize_t ni,
                             Py_ssize_t nb, Py_ssize_t OH, Py_ssize_t OW,
                             Py_ssize_t rl) noexcept nogil:
    """dst (O, ni*nb*rl)[o, (i*nb + y)*rl + x] = src (ni, O, OH, OW)[i, o, y, x] (x < OW; 0 for
    OW <= x < rl): nb rows of ni images as one GEMM operand, rows rl >= OW apart."""
    cdef Py_ssize_t i, o, y
    cdef floating* d
    for i in range(ni):
        for o in range(O):
            d = dst + (o * ni + i) * nb * rl
            if rl == OW:
                memcpy(d, src + (i * O + o) * OH * OW, nb * OW * sizeof(floating))
                continue
            for y in range(nb):
                memcpy(d + y * rl, src + ((i * O + o) * OH + y) * OW, OW * sizeof(floating))
                memset(d + y * rl + OW, 0, (rl - OW) * sizeof(floating))


cdef inline void _from_batched(const floating* src, floating* dst, const floating* bias,
                               Py_ssize_t O, Py_ssize_t ni, Py_ssize_t nb, Py_ssize_t OH,
                               Py_ssize_t OW, Py_ssize_t rl) noexcept nogil:
    """dst (ni, O, OH, OW)[i, o, y, x] = src (O, ni*nb*rl)[o, (i*nb + y)*rl + x] (+ bias[o] when
    bias is not NULL), for the nb rows from dst's row 0 (dst points at the block's first row):
    the inverse of _to_batched."""
    cdef Py_ssize_t i, o, y, x, n = OW if rl != OW else nb * OW
    cdef floating* d
    cdef const floating* s
    for i in range(ni):
        for o in range(O):
            for y in range(nb if rl != OW else 1):
                d = dst + ((i * O + o) * OH + y) * OW
                s = src + ((o * ni + i) * nb + y) * rl
                if bias == NULL:
                    memcpy(d, s, n * sizeof(floating))
                else:
                    for x in range(n):
                        d[x] = s[x] + bias[o]

# Forward and weight gradient walk the same blocks of im2col columns: an item is a block
# of output rows of one image, or (small images) several whole images side by side.
ctypedef struct _Plan:
    Py_ssize_t ipc      # whole images per block (1: a block is rows of one image)
    Py_ssize_t rb       # output rows per block
    Py_ssize_t rl       # columns per output row in the column matrix: OW, or W when flat
    bint flat           # each column-matrix row is one span of x (see _plan_blocks)
    Py_ssize_t nblk     # row blocks per image
    Py_ssize_t items    # blocks in all: ceil(N / ipc) * nblk
    bint direct         # 1x1, stride 1, no padding, one image a block: x is its own columns
    int nt              # threads


ctypedef struct _Block:
    Py_ssize_t n, ni    # first image of the block, number of images
    Py_ssize_t oy0, nb  # first output row, number of rows (all OH when ni > 1)
    Py_ssize_t Pb, L    # columns per image (nb * rl), columns in all (ni * Pb)
    Py_ssize_t ld       # leading dimension of the column matrix


cdef inline _Plan _plan_blocks(Py_ssize_t N, Py_ssize_t depth, Py_ssize_t OH, Py_ssize_t OW,
                               Py_ssize_t W, bint pointwise, bint flat,
                               Py_ssize_t itemsize) noexcept nogil:
    """How to cut N images' (depth, OH*OW) column matrices into blocks (see _Plan).
    ``pointwise``: a 1x1 unpadded stride-1 conv, whose column matrix is x itself;
    ``flat``: the flat layout below (_flat_fits, and for the weight gradient a finite x).

    Flat layout: without padding and at stride 1, the row (c, a, b) of output rows
    oy0..oy0+nb is x[c] read from (oy0 + a*dh, b*dw) on, W columns per output row, of
    which the first OW count. Copied as one span ((nb - 1)*W + OW values, the rest zero)
    instead of nb pieces of OW: on LeNet's 10-wide rows the pieces' bookkeeping took twice
    the GEMM's time, while the GEMM grows only by W/OW (the extra columns are dropped)."""
    cdef _Plan p
    p.flat = flat
    p.rl = W if p.flat else OW
    p.ipc = _images_per_block(N, OH * p.rl, depth, itemsize)
    p.rb = _rows_per_block(OH, p.rl, depth, itemsize)
    p.nblk = (OH + p.rb - 1) // p.rb
    p.items = ((N + p.ipc - 1) // p.ipc) * p.nblk
    p.direct = pointwise and p.ipc == 1
    p.nt = _items_threads(p.items, N * depth * OH * OW)
    return p


cdef inline _Block _block(const _Plan* p, Py_ssize_t it, Py_ssize_t N, Py_ssize_t OH,
                          Py_ssize_t OW) noexcept nogil:
    """Which images and output rows block ``it`` covers."""
    cdef _Block b
    b.n = (it // p.nblk) * p.ipc
    b.ni = p.ipc if b.n + p.ipc <= N else N - b.n
    b.oy0 = (it % p.nblk) * p.rb
    b.nb = p.rb if b.oy0 + p.rb <= OH else OH - b.oy0
    b.Pb = b.nb * p.rl
    b.L = b.ni * b.Pb
    b.ld = OH * OW if p.direct else b.L
    return b


cdef const floating* _block_columns(const floating* x, floating* scratch, const _Plan* p,
                                    const _Block* b, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                                    Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OW, Py_ssize_t sh,
                                    Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                                    Py_ssize_t dw) noexcept nogil:
    """The column matrix of block ``b`` of x (N, C, H, W), (C*KH*KW, b.L) with leading
    dimension b.ld: x itself when p.direct, else its im2col written into ``scratch``."""
    cdef Py_ssize_t i, c, a, k, span = (b.nb - 1) * W + OW
    cdef floating* dst
    if p.direct:
        return x + (b.n * C * H + b.oy0) * W
    if p.flat:
        for i in range(b.ni):
            for c in range(C):
                for a in range(KH):
                    for k in range(KW):
                        dst = scratch + ((c * KH + a) * KW + k) * b.L + i * b.Pb
                        memcpy(dst, x + (((b.n + i) * C + c) * H + b.oy0 + a * dh) * W + k * dw,
                               span * sizeof(floating))
                        memset(dst + span, 0, (b.Pb - span) * sizeof(floating))
        return scratch
    for i in range(b.ni):
        _im2col(x + (b.n + i) * C * H * W, scratch + i * b.Pb, b.L, C, H, W, KH, KW,
                b.oy0, b.nb, OW, sh, sw, ph, pw, dh, dw, 1)
    return scratch


# ----------------------------------------------------------------------------------------
# im2col / col2im on one image

cdef inline Py_ssize_t _lo(Py_ssize_t off, Py_ssize_t s, Py_ssize_t n) noexcept nogil:
    """The first of n output columns x whose input column x*s + off is >= 0. No division at
    stride 1: these run once per kernel tap and channel, and on small images (LeNet's)
    the divisions cost more than the copies."""
    return _clip(-off, 0, n) if s == 1 else _clip(_ceildiv(-off, s), 0, n)


cdef inline Py_ssize_t _hi(Py_ssize_t off, Py_ssize_t s, Py_ssize_t size, Py_ssize_t n,
                           Py_ssize_t lo) noexcept nogil:
    """One past the last of n output columns x whose input column x*s + off is < size (>= lo)."""
    return _clip(size - off, lo, n) if s == 1 else _clip(_floordiv(size - 1 - off, s) + 1, lo, n)


cdef inline void _im2col_row(const floating* x, floating* cols, Py_ssize_t ld, Py_ssize_t c,
                             Py_ssize_t a, Py_ssize_t b, Py_ssize_t H, Py_ssize_t W,
                             Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb,
                             Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                             Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw) noexcept nogil:
    """Row (c*KH + a)*KW + b of _im2col's columns."""
    cdef Py_ssize_t off = b * dw - pw, oy, ox, iy
    # the x range whose column x*sw + off falls inside [0, W)
    cdef Py_ssize_t lo = _lo(off, sw, OW)
    cdef Py_ssize_t hi = _hi(off, sw, W, OW, lo)
    cdef floating* dst = cols + ((c * KH + a) * KW + b) * ld
    cdef const floating* src
    if OW <= 16:  # short rows (small maps at batch 1): one memset, no libc call per row piece
        memset(dst, 0, OHb * OW * sizeof(floating))
        for oy in range(oy0, oy0 + OHb):
            iy = oy * sh - ph + a * dh
            if 0 <= iy < H:
                src = x + (c * H + iy) * W + off
                for ox in range(lo, hi):
                    dst[ox] = src[ox * sw]
            dst += OW
        return
    for oy in range(oy0, oy0 + OHb):
        iy = oy * sh - ph + a * dh
        if iy < 0 or iy >= H or hi == lo:
            memset(dst, 0, OW * sizeof(floating))
        else:
            src = x + (c * H + iy) * W + off
            if lo > 0:
                memset(dst, 0, lo * sizeof(floating))
            if sw == 1:
                memcpy(dst + lo, src + lo, (hi - lo) * sizeof(floating))
            elif sw == 2:                   # a constant stride: the compiler vectorizes it
                for ox in range(lo, hi):
                    dst[ox] = src[2 * ox]
            elif sw == 4:                   # AlexNet's first conv
                for ox in range(lo, hi):
                    dst[ox] = src[4 * ox]
            else:
                for ox in range(lo, hi):
                    dst[ox] = src[ox * sw]
            if hi < OW:
                memset(dst + hi, 0, (OW - hi) * sizeof(floating))
        dst += OW


cdef void _im2col(const floating* x, floating* cols, Py_ssize_t ld, Py_ssize_t C, Py_ssize_t H,
                  Py_ssize_t W, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb,
                  Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                  Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil:
    """cols[(c*KH + a)*KW + b, (y - oy0)*OW + x] = x[c, y*sh - ph + a*dh, x*sw - pw + b*dw]
    (0 outside) for the output rows y in [oy0, oy0 + OHb); cols rows are ld >= OHb*OW apart.
    nt == 1 (the conv kernels' own blocks) runs a plain loop, no parallel region: on small
    images (LeNet's 10x10 outputs) the region's setup cost as much as the copies."""
    cdef Py_ssize_t r, c, a, b
    if nt <= 1:
        for c in range(C):
            for a in range(KH):
                for b in range(KW):
                    _im2col_row(x, cols, ld, c, a, b, H, W, KH, KW, oy0, OHb, OW, sh, sw, ph,
                                pw, dh, dw)
        return
    for r in prange(C * KH * KW, num_threads=nt, schedule='static'):
        _im2col_row(x, cols, ld, r // (KH * KW), (r // KW) % KH, r % KW, H, W, KH, KW, oy0,
                    OHb, OW, sh, sw, ph, pw, dh, dw)


cdef inline void _col2im_channel(const floating* cols, floating* x, Py_ssize_t c, Py_ssize_t H,
                                 Py_ssize_t W, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0,
                                 Py_ssize_t OHb, Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw,
                                 Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                                 Py_ssize_t dw) noexcept nogil:
    """Channel c of _col2im."""
    cdef Py_ssize_t a, b, r, oy, ox, iy, lo, hi, off
    cdef Py_ssize_t P = OHb * OW
    cdef const floating* src
    cdef floating* dst
    for a in range(KH):
        for b in range(KW):
            r = (c * KH + a) * KW + b
            off = b * dw - pw
            lo = _lo(off, sw, OW)
            hi = _hi(off, sw, W, OW, lo)
            for oy in range(oy0, oy0 + OHb):
                iy = oy * sh - ph + a * dh
                if iy < 0 or iy >= H:
                    continue
                src = cols + r * P + (oy - oy0) * OW
                dst = x + (c * H + iy) * W + off
                if sw == 1:                 # contiguous: the compiler vectorizes it
                    for ox in range(lo, hi):
                        dst[ox] += src[ox]
                else:
                    for ox in range(lo, hi):
                        dst[ox * sw] += src[ox]


cdef void _col2im(const floating* cols, floating* x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb, Py_ssize_t OW,
                  Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                  Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil:
    """The adjoint of _im2col: x[c, y*sh - ph + a*dh, x*sw - pw + b*dw] += cols[...] (x pre-set);
    a plain loop when nt == 1, as _im2col."""
    cdef Py_ssize_t c
    if nt <= 1:
        for c in range(C):
            _col2im_channel(cols, x, c, H, W, KH, KW, oy0, OHb, OW, sh, sw, ph, pw, dh, dw)
        return
    for c in prange(C, num_threads=nt, schedule='static'):
        _col2im_channel(cols, x, c, H, W, KH, KW, oy0, OHb, OW, sh, sw, ph, pw, dh, dw)


cdef bint _all_finite(const floating* a, Py_ssize_t n) noexcept nogil:
    """Whether a[0..n) holds no inf or NaN (x - x is 0 exactly then)."""
    cdef Py_ssize_t i
    cdef int ok = 1
    for i in range(n):
        ok &= (a[i] - a[i]) == 0
    return ok


# ----------------------------------------------------------------------------------------
# conv2d forward and weight gradient: im2col + GEMM per block (some rows of one image, or
# several whole images) and group. The caller (conv.pyx) has checked the shapes and
# handled the empty ones.

cdef conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
            const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t sh, Py_ssize_t sw,
            Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """out[n, g] = w[g] (Og, Cg*KH*KW) @ im2col(x[n, g]) + bias (bias may be NULL)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = weight.shape[0], KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, P = OH * OW
    cdef bint has_bias = bias != NULL
    cdef bint pointwise = KH == 1 and KW == 1 and sh == 1 and sw == 1 and ph == 0 and pw == 0
    cdef bint flat = _flat_fits(sh, sw, ph, pw, KH, KW, OW)
    cdef int layout
    if floating is float:
        layout = _forward_layout(pointwise, flat, _planes_fit(C, H, W, O, OH, OW, KH, KW, sh, sw, dh, dw), N,
                                 OH, OW, K, KW, sh, sw, dw)
        if layout == 1:
            _conv2d_implicit(x, weight, bias, out, sh, sw, ph, pw, dh, dw, G)
            return
        if layout == 2:
            _conv2d_panels(x, weight, bias, out, sh, sw, ph, pw, dh, dw, G)
            return
    cdef _Plan p = _plan_blocks(N, C * KH * KW, OH, OW, W, pointwise, flat, sizeof(floating))
    cdef bint batched = p.ipc > 1 or p.flat
    cdef floating[:, :, ::1] cols, res
    cdef Py_ssize_t it, n, ni, g, i, oy0, Pb, L, ld
    cdef _Block b
    cdef const floating* colp
    # the im2col columns, and the GEMM result of several images or of flat columns
    # (O, ipc*rb*rl) before it goes back to NCHW; reused from call to call (_scratch)
    with _scratch.arrays(np.float32 if floating is float else np.float64,
                         _scratch_shape(p.direct, p.nt, C * KH * KW * p.ipc * p.rb * p.rl),
                         _scratch_shape(not batched, p.nt, O * p.ipc * p.rb * p.rl)) as (cols, res), nogil:
        # one parallel region: each thread takes (images, block of output rows) items, with
        # its own scratch and a one-thread GEMM (see minigrad.parallel)
        for it in prange(p.items, num_threads=p.nt, schedule='static'):
            b = _block(&p, it, N, OH, OW)  # assigned in the loop: private to each thread
            colp = _block_columns(&x[0, 0, 0, 0], NULL if p.direct else &cols[threadid(), 0, 0], &p,
                                  &b, C, H, W, KH, KW, OW, sh, sw, ph, pw, dh, dw)
            n, ni, oy0, Pb, L, ld = b.n, b.ni, b.oy0, b.Pb, b.L, b.ld
            if ni > 1 and not p.flat and floating is float and _use_avx512 and Og * K <= 65536:
                # whole images, each image's columns straight into its output (no copy
                # back to NCHW): this GEMM reads the weight in place, so while the weight
                # stays in L2 (256 KB here) one call per image costs what one call over
                # all of them does
                for i in range(ni):
                    for g in range(G):
                        _gemm_forward(Og, P, K, &weight[g * Og, 0, 0, 0], K, colp + g * K * L + i * P, L,
                                      &out[n + i, g * Og, 0, 0], P, bias + g * Og if has_bias else NULL)
                continue
            if batched:                        # several whole images, or flat columns
                for g in range(G):
                    _gemm_forward(Og, L, K, &weight[g * Og, 0, 0, 0], K, colp + g * K * L, L,
                                  &res[threadid(), 0, g * Og * L], L, NULL)
                _from_batched(&res[threadid(), 0, 0], &out[n, 0, oy0, 0], bias, O, ni, b.nb, OH,
                              OW, p.rl)
                continue
            for g in range(G):
                _gemm_forward(Og, Pb, K, &weight[g * Og, 0, 0, 0], K, colp + g * K * ld, ld,
                              &out[n, g * Og, oy0, 0], P, bias + g * Og if has_bias else NULL)


cdef _conv2d_panels(const float[:, :, :, ::1] x, const float[:, :, :, ::1] weight,
                    const float* bias, float[:, :, :, ::1] out, Py_ssize_t sh, Py_ssize_t sw,
                    Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """conv2d on the AVX-512 GEMM with the columns in 48-column panels (im2col_panels.h).

    The N*OH*OW columns of the batch, image after image, are cut into panels of 48; an item
    is a block of panels (about _panel_block_bytes of them), filled by mg_im2col_panels and then
    multiplied panel by panel, out[n, g*Og.., cols] = w[g] @ panel rows of group g. A panel
    inside one image is written straight into out (its columns are contiguous there); one
    that spans images goes through a 48-column scratch and is copied to each image."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = weight.shape[0], KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, Kg = Cg * KH * KW, K = C * KH * KW, P = OH * OW
    cdef Py_ssize_t total = N * P, panels = (total + MG_PANEL - 1) // MG_PANEL
    cdef Py_ssize_t per_block = min(_block_bytes, _panel_block_bytes) // (K * MG_PANEL * sizeof(float))
    per_block = max(1, min(per_block, panels))
    cdef Py_ssize_t items = (panels + per_block - 1) // per_block
    cdef int nt = _items_threads(items, total * K)
    cdef float[:, :, ::1] cols, tmp
    cdef Py_ssize_t it, col0, ncols, q, j, nc, n, rem, g, t, part, o
    cdef float* panel
    cdef float* res
    with _scratch.arrays(np.float32, (max(nt, 1), 1, per_block * K * MG_PANEL),
                         (max(nt, 1), 1, O * MG_PANEL)) as (cols, tmp), nogil:
        for it in prange(items, num_threads=nt, schedule='static'):
            col0 = it * per_block * MG_PANEL
            ncols = total - col0
            if ncols > per_block * MG_PANEL:
                ncols = per_block * MG_PANEL
            mg_im2col_panels(&x[0, 0, 0, 0], &cols[threadid(), 0, 0], C, H, W, KH, KW, OH, OW,
                             sh, sw, ph, pw, dh, dw, col0, ncols)
            for q in range((ncols + MG_PANEL - 1) // MG_PANEL):
                j = col0 + q * MG_PANEL
                nc = total - j
                if nc > MG_PANEL:
                    nc = MG_PANEL
                n = j // P
                rem = j - n * P
                panel = &cols[threadid(), 0, q * K * MG_PANEL]
                if rem + nc <= P:            # inside image n: straight into out
                    for g in range(G):
                        mg_sgemm_avx512(Og, nc, Kg, &weight[g * Og, 0, 0, 0], Kg,
                                        panel + g * Kg * MG_PANEL, MG_PANEL,
                                        &out[n, g * Og, 0, 0] + rem, P,
                                        bias + g * Og if bias != NULL else NULL, 0)
                    continue
                res = &tmp[threadid(), 0, 0]
                for g in range(G):
                    mg_sgemm_avx512(Og, nc, Kg, &weight[g * Og, 0, 0, 0], Kg,
                                    panel + g * Kg * MG_PANEL, MG_PANEL, res + g * Og * MG_PANEL,
                                    MG_PANEL, bias + g * Og if bias != NULL else NULL, 0)
                t = 0
                while t < nc:                # the part of the panel in each image
                    n = (j + t) // P
                    rem = j + t - n * P
                    part = P - rem if P - rem < nc - t else nc - t
                    for o in range(O):
                        memcpy(&out[n, o, 0, 0] + rem, res + o * MG_PANEL + t, part * sizeof(float))
                    t = t + part


cdef inline bint _planes_fit(Py_ssize_t C, Py_ssize_t H, Py_ssize_t W, Py_ssize_t O, Py_ssize_t OH,
                             Py_ssize_t OW, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw,
                             Py_ssize_t dh, Py_ssize_t dw) noexcept nogil:
    """Whether one image's phase planes (_conv2d_implicit) hold at most 4 times its input and
    output values (small strides only: sh, sw <= 4, so no product overflows)."""
    if sh > 4 or sw > 4:
        return False
    return (C * sh * sw * (OH + (KH - 1) * dh // sh) * (OW + (KW - 1) * dw // sw)
            <= 4 * (C * H * W + O * OH * OW))


cdef _conv2d_implicit(const float[:, :, :, ::1] x, const float[:, :, :, ::1] weight,
                      const float* bias, float[:, :, :, ::1] out, Py_ssize_t sh, Py_ssize_t sw,
                      Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """conv2d with the column matrix read in place (implicit GEMM, im2col_panels.h).

    An item is one image: x itself when unpadded at stride 1, else its sh*sw phase planes
    (Hq x Wq, zero-padded) copied into the thread's scratch; then per group one
    mg_conv_flat, whose operand row (c, a, b) starts at off[(c*KH + a)*KW + b] in them."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = weight.shape[0], KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, Kg = Cg * KH * KW, P = OH * OW
    cdef bint direct = sh == 1 and sw == 1 and ph == 0 and pw == 0
    cdef Py_ssize_t Hq = OH + (KH - 1) * dh // sh, Wq = OW + (KW - 1) * dw // sw
    cdef Py_ssize_t plane = Hq * Wq, image = C * sh * sw * plane
    cdef Py_ssize_t[::1] off = np.empty(Kg, dtype=np.intp)
    cdef Py_ssize_t c, a, b, n, g
    cdef int nt = _items_threads(N, N * Kg * P)
    cdef float[:, ::1] xq = np.empty((max(nt, 1), 1 if direct else image), dtype=np.float32)
    cdef const float* base
    for c in range(Cg):
        for a in range(KH):
            for b in range(KW):
                off[(c * KH + a) * KW + b] = (((c * sh + a * dh % sh) * sw + b * dw % sw) * plane
                                              + (a * dh // sh) * Wq + b * dw // sw)
    with nogil:
        for n in prange(N, num_threads=nt, schedule='static'):
            if direct:
                base = &x[n, 0, 0, 0]
            else:
                mg_phase_planes(&x[n, 0, 0, 0], &xq[threadid(), 0], C, H, W, sh, sw, ph, pw, Hq, Wq)
                base = &xq[threadid(), 0]
            for g in range(G):
                mg_conv_flat(&weight[g * Og, 0, 0, 0], Kg, Og, Kg, base + g * Cg * sh * sw * plane, &off[0],
                             OH, OW, Wq, &out[n, g * Og, 0, 0], P, bias + g * Og if bias != NULL else NULL)


cdef _conv2d_weight_flat(const float[:, :, :, ::1] x, const float[:, :, :, ::1] grad_output,
                         float[:, :, :, ::1] grad_weight, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """The flat conv's weight gradient (unpadded, stride 1, finite x) with x read in place:
    per image and group, gy transposed into the flat columns (0 in the dropped ones) and
    gw[g]^T (Kg, Og) += (rows of x at off) @ gyT (mg_wgrad_flat), into one partial per
    thread, added and transposed at the end."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = grad_weight.shape[0], KH = grad_weight.shape[2], KW = grad_weight.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, Kg = Cg * KH * KW
    cdef Py_ssize_t L = (OH - 1) * W + OW      # up to the last output pixel
    cdef Py_ssize_t[::1] off = np.empty(Kg, dtype=np.intp)
    cdef int nt = _items_threads(N, N * Kg * O * L)
    cdef float[:, ::1] gyT = np.zeros((max(nt, 1), L * Og), dtype=np.float32)
    cdef float[:, ::1] partial = np.zeros((max(nt, 1), G * Kg * Og), dtype=np.float32)
    cdef Py_ssize_t c, a, b, n, g, o, y, xx, t, i
    cdef float* gt
    for c in range(Cg):
        for a in range(KH):
            for b in range(KW):
                off[(c * KH + a) * KW + b] = c * H * W + a * dh * W + b * dw
    with nogil:
        for n in prange(N, num_threads=nt, schedule='static'):
            gt = &gyT[threadid(), 0]           # its dropped columns stay 0
            for g in range(G):
                for o in range(Og):
                    for y in range(OH):
                        for xx in range(OW):
                            gt[(y * W + xx) * Og + o] = grad_output[n, g * Og + o, y, xx]
                mg_wgrad_flat(&x[n, g * Cg, 0, 0], &off[0], Kg, gt, Og, L,
                              &partial[threadid(), g * Kg * Og], Og)
        for t in range(1, max(nt, 1)):
            for i in range(G * Kg * Og):
                partial[0, i] += partial[t, i]
        for g in range(G):
            for o in range(Og):
                for i in range(Kg):
                    (&grad_weight[0, 0, 0, 0])[(g * Og + o) * Kg + i] = partial[0, (g * Kg + i) * Og + o]


cdef conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
                   floating[:, :, :, ::1] grad_weight, Py_ssize_t sh, Py_ssize_t sw,
                   Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """grad_weight[g] (Og, Cg*KH*KW) = sum_n gy[n, g] (Og, OH*OW) @ im2col(x[n, g])^T.

    The flat layout multiplies the zeros it adds to gy by values of x: it runs on finite x
    only, so that an inf or NaN in x reaches only the taps that read it (as the direct sum)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = grad_weight.shape[0], KH = grad_weight.shape[2], KW = grad_weight.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, P = OH * OW
    cdef bint pointwise = KH == 1 and KW == 1 and sh == 1 and sw == 1 and ph == 0 and pw == 0
    cdef bint flat = _flat_fits(sh, sw, ph, pw, KH, KW, OW) and _all_finite(&x[0, 0, 0, 0], N * C * H * W)
    if floating is float:
        # in place on the AVX-512 kernels where its vectors of 16 output channels are at least
        # half full (LeNet's second conv, 16 channels: 0.80 -> 0.38 ms; its first, 6: 0.41 ->
        # 0.54, so it keeps the BLAS)
        if flat and _use_avx512 and _layout != 3 and O // G >= 8:
            _conv2d_weight_flat(x, grad_output, grad_weight, dh, dw, G)
            return
    cdef _Plan p = _plan_blocks(N, C * KH * KW, OH, OW, W, pointwise, flat, sizeof(floating))
    dtype = np.float32 if floating is float else np.float64
    # the im2col columns, and grad_output as one GEMM operand, (O, ipc*rb*rl), for several
    # images or flat columns (zero in the columns the flat layout adds); both reused from
    # call to call (_scratch)
    cdef bint batched = p.ipc > 1 or p.flat
    cdef floating[:, :, ::1] cols, gyb
    # each thread sums into its own copy of the gradient; the copies are added at the end.
    # With few output channels the copy holds gw[g]^T (G, K, Og), computed as cols @ gy^T,
    # whose large operand BLAS packs without a transpose: 20-30% faster on LeNet's
    # 150 x 16 x 100 products, but slower on ResNet's 2304 x 512 x 256.
    cdef bint transposed = Og <= 32
    cdef floating[:, ::1] partial = np.zeros((max(p.nt, 1), O * K), dtype=dtype)
    cdef Py_ssize_t it, n, ni, g, oy0, L, ld, gld, t, i, j
    cdef _Block b
    cdef const floating* colp
    cdef const floating* gyp
    cdef floating* gw
    with _scratch.arrays(dtype, _scratch_shape(p.direct, p.nt, C * KH * KW * p.ipc * p.rb * p.rl),
                         _scratch_shape(not batched, p.nt, O * p.ipc * p.rb * p.rl)) as (cols, gyb), nogil:
        for it in prange(p.items, num_threads=p.nt, schedule='static'):
            b = _block(&p, it, N, OH, OW)  # assigned in the loop: private to each thread
            colp = _block_columns(&x[0, 0, 0, 0], NULL if p.direct else &cols[threadid(), 0, 0], &p,
                                  &b, C, H, W, KH, KW, OW, sh, sw, ph, pw, dh, dw)
            n, ni, oy0, L, ld = b.n, b.ni, b.oy0, b.L, b.ld
            if batched:
                _to_batched(&grad_output[n, 0, oy0, 0], &gyb[threadid(), 0, 0], O, ni, b.nb, OH, OW,
                            p.rl)
                gyp = &gyb[threadid(), 0, 0]
                gld = L
            else:
                gyp = &grad_output[n, 0, oy0, 0]
                gld = P
            for g in range(G):
                if transposed:
                    _gemm(False, True, K, Og, L, colp + g * K * ld, ld, gyp + g * Og * gld, gld,
                          1, &partial[threadid(), g * K * Og], Og)
                else:
                    _gemm(False, True, Og, K, L, gyp + g * Og * gld, gld, colp + g * K * ld, ld,
                          1, &partial[threadid(), g * Og * K], K)
        for t in range(1, max(p.nt, 1)):
            for i in range(O * K):
                partial[0, i] += partial[t, i]
        gw = &grad_weight[0, 0, 0, 0]
        for g in range(G):
            for j in range(Og):
                for i in range(K):
                    gw[(g * Og + j) * K + i] = (partial[0, (g * K + i) * Og + j] if transposed
                                                else partial[0, (g * Og + j) * K + i])
