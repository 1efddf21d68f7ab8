# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""Convolution kernels: conv2d forward, its two gradients, conv_transpose2d, im2col/col2im.

Notation: N batch; C input channels, H W input height and width; O output channels;
KH KW kernel size; OH OW output size; G groups, Cg = C // G and Og = O // G channels per
group; sh sw stride, ph pw padding, dh dw dilation. All arrays are NCHW, C-contiguous,
float32 or float64 (one fused type per call); weights are (O, Cg, KH, KW).

The forward convolution is the indexed sum of the notes,
    out[n, o, y, x] = bias[o] + sum_{c, a, b} w[o, c, a, b] * x[n, g*Cg + c, y*sh - ph + a*dh, x*sw - pw + b*dw]
computed as im2col + GEMM (BLAS through scipy.linalg.cython_blas, column-major, so a
row-major C = A @ B is issued as C^T = B^T A^T), or, for 3x3 stride-1 kernels with enough
channels, by Winograd's F(2x2, 3x3) (16 GEMMs over transformed tiles).

The callers (minigrad.ops) validate every argument. The def wrappers here only check
that the buffers' shapes agree with the hyper-parameters, so that no call, however
malformed, reads or writes out of bounds; the cdef helpers assume they do.
Output buffers are allocated by the caller; scratch is allocated here before the GIL is
released. Each call is one OpenMP parallel region on up to mg_kernel_threads() threads
(minigrad.set_num_threads), one for small work (mg_threads_for); inside it every thread
takes whole items (some output rows of one image, several whole images, or a block of
Winograd tiles) with its own scratch and single-threaded GEMMs, so the two thread pools
never hand work to each other.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.string cimport memcpy, memset
from scipy.linalg.cython_blas cimport daxpy, ddot, dgemm, saxpy, sdot, sgemm

from minigrad_core._omp cimport mg_threads_for


cdef inline tuple _dims(Py_ssize_t* shape, int n):
    """The first n sizes of a typed memoryview, as a tuple (for the shape checks)."""
    return tuple([shape[i] for i in range(n)])


# ----------------------------------------------------------------------------------------
# The GEMMs run inside the kernels' OpenMP threads (one per (image, block) item), so the
# BLAS they call, SciPy's, must itself stay single-threaded: an OpenBLAS built with
# pthreads, asked for several threads from inside an OpenMP region, oversubscribes the
# cores and may hang ("Detect OpenMP Loop"). minigrad.parallel.set_num_threads keeps it so.

def kernel_blas_libraries(controller):
    """threadpoolctl controllers of the BLAS these kernels call (SciPy's OpenBLAS); all the
    BLAS libraries when SciPy's cannot be told apart (it then shares one with numpy)."""
    import os
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    own = [lib for lib in blas if os.path.basename(os.path.dirname(lib.filepath)) == "scipy.libs"]
    return own or blas


def _single_threaded_kernel_blas():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:             # pragma: no cover  (a dependency of minigrad)
        return
    for lib in kernel_blas_libraries(ThreadpoolController()):
        lib.set_num_threads(1)


_single_threaded_kernel_blas()


# ----------------------------------------------------------------------------------------
# small helpers

cdef inline Py_ssize_t _floordiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """floor(a / b) for b > 0 (C division truncates toward zero)."""
    cdef Py_ssize_t q = a // b
    if a % b != 0 and a < 0:
        q -= 1
    return q


cdef inline Py_ssize_t _ceildiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """ceil(a / b) for b > 0."""
    return -_floordiv(-a, b)


cdef inline Py_ssize_t _clip(Py_ssize_t v, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


cdef inline void _gemm(bint trans_a, bint trans_b, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                       const floating* a, Py_ssize_t lda, const floating* b, Py_ssize_t ldb,
                       floating beta, floating* c, Py_ssize_t ldc) noexcept nogil:
    """Row-major c (m x n) = op(a) @ op(b) + beta * c, through column-major BLAS."""
    cdef char ta = b'T' if trans_a else b'N'
    cdef char tb = b'T' if trans_b else b'N'
    cdef int im = <int>m, in_ = <int>n, ik = <int>k
    cdef int ilda = <int>lda, ildb = <int>ldb, ildc = <int>ldc
    cdef float one_s = 1.0, beta_s
    cdef double one_d = 1.0, beta_d
    if m == 0 or n == 0:
        return
    if floating is float:
        beta_s = beta
        sgemm(&tb, &ta, &in_, &im, &ik, &one_s, <float*>b, &ildb, <float*>a, &ilda,
              &beta_s, <float*>c, &ildc)
    else:
        beta_d = beta
        dgemm(&tb, &ta, &in_, &im, &ik, &one_d, <double*>b, &ildb, <double*>a, &ilda,
              &beta_d, <double*>c, &ildc)


def _scratch_shape(direct, threads, size):
    """Per-thread scratch: (threads, 1, size), or a dummy when the input is used directly."""
    return (1, 1, 1) if direct else (max(1, threads), 1, size)


cdef inline int _items_threads(Py_ssize_t items, Py_ssize_t work) noexcept nogil:
    """Threads for a parallel loop over items: none beyond the items, one for small work."""
    cdef int nt = mg_threads_for(work)
    return <int>items if items < nt else nt


# The column scratch is filled and multiplied a block at a time, so that the block stays
# near the core (L2 is 1 MB here) between im2col and the GEMM, and the scratch never grows
# with the batch or the image. A block is some output rows of one image or, when images
# have fewer than _group_cols columns, several whole images side by side: one GEMM over
# them instead of several thin ones (ResNet's 8x8 and 4x4 stages give 64 and 16 columns
# per image). Measured on VGG/ResNet/dilated 3x3 shapes: 256 KB to 4 MB blocks all run
# within a few percent; 1.5 MB was at the top.
cdef Py_ssize_t _block_bytes = 1536 * 1024
cdef Py_ssize_t _min_block_cols = 128
cdef Py_ssize_t _group_cols = 256


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


cdef inline Py_ssize_t _rows_per_block(Py_ssize_t rows, Py_ssize_t row_len, Py_ssize_t depth,
                                       Py_ssize_t itemsize) noexcept nogil:
    """Output rows per block for a depth x (rows*row_len) scratch (at least one row)."""
    cdef Py_ssize_t r = _block_cols(depth, itemsize) // row_len
    if r < 1:
        return 1
    return r if r < rows else rows


cdef inline Py_ssize_t _images_per_block(Py_ssize_t N, Py_ssize_t P, Py_ssize_t depth,
                                         Py_ssize_t itemsize) noexcept nogil:
    """Whole images of P columns per block, in [1, N]; above 1 only when an image fits
    twice in a block, so that then _rows_per_block gives all the rows."""
    cdef Py_ssize_t cols = _block_cols(depth, itemsize)
    cdef Py_ssize_t k = (cols if cols < _group_cols else _group_cols) // P if P > 0 else 1
    if k < 1:
        return 1
    return k if k < N else N


cdef inline void _to_batched(const floating* src, floating* dst, Py_ssize_t O, Py_ssize_t ni,
                             Py_ssize_t P) noexcept nogil:
    """dst (O, ni*P)[o, i*P + p] = src (ni, O, P)[i, o, p]: ni images as one GEMM operand."""
    cdef Py_ssize_t i, o
    for i in range(ni):
        for o in range(O):
            memcpy(dst + o * ni * P + i * P, src + (i * O + o) * P, P * sizeof(floating))


cdef inline void _from_batched(const floating* src, floating* dst, const floating* bias,
                               Py_ssize_t O, Py_ssize_t ni, Py_ssize_t P) noexcept nogil:
    """dst (ni, O, P)[i, o, p] = src (O, ni*P)[o, i*P + p] (+ bias[o] when bias is not NULL)."""
    cdef Py_ssize_t i, o, p
    cdef floating* d
    cdef const floating* s
    for i in range(ni):
        for o in range(O):
            d = dst + (i * O + o) * P
            s = src + o * ni * P + i * P
            if bias == NULL:
                memcpy(d, s, P * sizeof(floating))
            else:
                for p in range(P):
                    d[p] = s[p] + bias[o]

# Forward and weight gradient walk the same blocks of im2col columns: an item is a block
# of output rows of one image, or (small images) several whole images side by side.
ctypedef struct _Plan:
    Py_ssize_t ipc      # whole images per block (1: a block is rows of one image)
    Py_ssize_t rb       # output rows per block
    Py_ssize_t nblk     # row blocks per image
    Py_ssize_t items    # blocks in all: ceil(N / ipc) * nblk
    bint direct         # 1x1, stride 1, no padding, one image a block: x is its own columns
    int nt              # threads


ctypedef struct _Block:
    Py_ssize_t n, ni    # first image of the block, number of images
    Py_ssize_t oy0, nb  # first output row, number of rows (all OH when ni > 1)
    Py_ssize_t Pb, L    # columns per image, columns in all (ni * Pb)
    Py_ssize_t ld       # leading dimension of the column matrix


cdef inline _Plan _plan_blocks(Py_ssize_t N, Py_ssize_t depth, Py_ssize_t OH, Py_ssize_t OW,
                               bint pointwise, Py_ssize_t itemsize) noexcept nogil:
    """How to cut N images' (depth, OH*OW) column matrices into blocks (see _Plan)."""
    cdef _Plan p
    p.ipc = _images_per_block(N, OH * OW, depth, itemsize)
    p.rb = _rows_per_block(OH, OW, depth, itemsize)
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
    b.Pb = b.nb * OW
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
    cdef Py_ssize_t i
    if p.direct:
        return x + (b.n * C * H + b.oy0) * W
    for i in range(b.ni):
        _im2col(x + (b.n + i) * C * H * W, scratch + i * b.Pb, b.L, C, H, W, KH, KW,
                b.oy0, b.nb, OW, sh, sw, ph, pw, dh, dw, 1)
    return scratch



cdef inline void _axpy(Py_ssize_t n, floating a, const floating* x, floating* y) noexcept nogil:
    """y += a * x over n contiguous elements (BLAS level 1: its vector kernels are chosen
    for the processor at run time, wider than what this build may assume)."""
    cdef int n_ = <int>n, one = 1
    cdef float a_s
    cdef double a_d
    if floating is float:
        a_s = a
        saxpy(&n_, &a_s, <float*>x, &one, <float*>y, &one)
    else:
        a_d = a
        daxpy(&n_, &a_d, <double*>x, &one, <double*>y, &one)


cdef inline floating _dot(Py_ssize_t n, const floating* x, const floating* y) noexcept nogil:
    """sum x * y over n contiguous elements (BLAS level 1)."""
    cdef int n_ = <int>n, one = 1
    if floating is float:
        return sdot(&n_, <float*>x, &one, <float*>y, &one)
    else:
        return ddot(&n_, <double*>x, &one, <double*>y, &one)


def _shape_error(name, what, expected, got):
    return ValueError(f"{name}: {what} must be {tuple(expected)}, got {tuple(got)}")


def _conv_out_size(size, k, s, p, d):
    # untyped on purpose: Python's floor division (cdivision would truncate a negative size)
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _check_hyper(name, stride, padding, dilation, Py_ssize_t groups):
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or groups < 1:
        raise ValueError(f"{name}: stride, dilation and groups must be positive and padding "
                         f"non-negative, got stride={stride}, padding={padding}, "
                         f"dilation={dilation}, groups={groups}")


def _check_conv_shapes(name, x_shape, w_shape, y_shape, stride, padding, dilation,
                       Py_ssize_t groups, bint exact):
    """x (N, C, H, W), w (O, C // groups, KH, KW), y (N, O, OH, OW) agree.

    exact: OH OW must be the conv output size of H W; otherwise (the flipped-kernel
    kernels) any sizes are safe, since they bound every index by both H W and OH OW.
    """
    _check_hyper(name, stride, padding, dilation, groups)
    N, C, H, W = x_shape
    O, Cg, KH, KW = w_shape
    if C != Cg * groups or O % groups != 0 or KH < 1 or KW < 1:
        raise ValueError(f"{name}: weight {tuple(w_shape)} does not fit input "
                         f"{tuple(x_shape)} with groups={groups}")
    if exact:
        OH = _conv_out_size(H, KH, stride[0], padding[0], dilation[0])
        OW = _conv_out_size(W, KW, stride[1], padding[1], dilation[1])
        if OH < 1 or OW < 1:
            raise ValueError(f"{name}: kernel larger than the padded input")
        expected = (N, O, OH, OW)
    else:
        expected = (N, O, y_shape[2], y_shape[3])
    if tuple(y_shape) != expected:
        raise _shape_error(name, "the output-side buffer", expected, y_shape)


# ----------------------------------------------------------------------------------------
# im2col / col2im on one image

cdef void _im2col(const floating* x, floating* cols, Py_ssize_t ld, Py_ssize_t C, Py_ssize_t H,
                  Py_ssize_t W, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb,
                  Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                  Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil:
    """cols[(c*KH + a)*KW + b, (y - oy0)*OW + x] = x[c, y*sh - ph + a*dh, x*sw - pw + b*dw]
    (0 outside) for the output rows y in [oy0, oy0 + OHb); cols rows are ld >= OHb*OW apart."""
    cdef Py_ssize_t r, c, a, b, oy, ox, iy, lo, hi, off
    cdef floating* dst
    cdef const floating* src
    for r in prange(C * KH * KW, num_threads=nt, schedule='static'):
        c = r // (KH * KW)
        a = (r // KW) % KH
        b = r % KW
        off = b * dw - pw
        # the x range whose column x*sw + off falls inside [0, W)
        lo = _clip(_ceildiv(-off, sw), 0, OW)
        hi = _clip(_floordiv(W - 1 - off, sw) + 1, lo, OW)
        for oy in range(oy0, oy0 + OHb):
            dst = cols + r * ld + (oy - oy0) * OW
            iy = oy * sh - ph + a * dh
            if iy < 0 or iy >= H or hi == lo:
                memset(dst, 0, OW * sizeof(floating))
                continue
            src = x + (c * H + iy) * W + off
            if lo > 0:
                memset(dst, 0, lo * sizeof(floating))
            if sw == 1:
                memcpy(dst + lo, src + lo, (hi - lo) * sizeof(floating))
            else:
                for ox in range(lo, hi):
                    dst[ox] = src[ox * sw]
            if hi < OW:
                memset(dst + hi, 0, (OW - hi) * sizeof(floating))


cdef void _col2im(const floating* cols, floating* x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb, Py_ssize_t OW,
                  Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                  Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil:
    """The adjoint of _im2col: x[c, y*sh - ph + a*dh, x*sw - pw + b*dw] += cols[...] (x pre-set)."""
    cdef Py_ssize_t c, a, b, r, oy, ox, iy, lo, hi, off
    cdef Py_ssize_t P = OHb * OW
    cdef const floating* src
    cdef floating* dst
    for c in prange(C, num_threads=nt, schedule='static'):
        for a in range(KH):
            for b in range(KW):
                r = (c * KH + a) * KW + b
                off = b * dw - pw
                lo = _clip(_ceildiv(-off, sw), 0, OW)
                hi = _clip(_floordiv(W - 1 - off, sw) + 1, lo, OW)
                for oy in range(oy0, oy0 + OHb):
                    iy = oy * sh - ph + a * dh
                    if iy < 0 or iy >= H:
                        continue
                    src = cols + r * P + (oy - oy0) * OW
                    dst = x + (c * H + iy) * W + off
                    for ox in range(lo, hi):
                        dst[ox * sw] += src[ox]


def im2col(const floating[:, :, :, ::1] x, floating[:, :, ::1] out, kernel_size, stride,
           padding, dilation):
    """out (N, C*KH*KW, OH*OW) = the patches of x (N, C, H, W); F.unfold."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    _check_hyper("im2col", stride, padding, dilation, 1)
    cdef Py_ssize_t OH = _conv_out_size(H, KH, sh, ph, dh), OW = _conv_out_size(W, KW, sw, pw, dw)
    if KH < 1 or KW < 1 or OH < 1 or OW < 1:
        raise ValueError("im2col: kernel larger than the padded input")
    if _dims(out.shape, 3) != (N, C * KH * KW, OH * OW):
        raise _shape_error("im2col", "out", (N, C * KH * KW, OH * OW), _dims(out.shape, 3))
    cdef int nt = mg_threads_for(C * KH * KW * OH * OW)
    cdef Py_ssize_t n
    if N == 0 or C == 0:
        return
    with nogil:
        for n in range(N):
            _im2col(&x[n, 0, 0, 0], &out[n, 0, 0], OH * OW, C, H, W, KH, KW, 0, OH, OW,
                    sh, sw, ph, pw, dh, dw, nt)


def col2im(const floating[:, :, ::1] cols, floating[:, :, :, ::1] out, kernel_size, stride,
           padding, dilation):
    """out (N, C, H, W) = the sum of the patches in cols (N, C*KH*KW, OH*OW); F.fold."""
    cdef Py_ssize_t N = out.shape[0], C = out.shape[1], H = out.shape[2], W = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    _check_hyper("col2im", stride, padding, dilation, 1)
    cdef Py_ssize_t OH = _conv_out_size(H, KH, sh, ph, dh), OW = _conv_out_size(W, KW, sw, pw, dw)
    if KH < 1 or KW < 1 or OH < 1 or OW < 1:
        raise ValueError("col2im: kernel larger than the padded output")
    if _dims(cols.shape, 3) != (N, C * KH * KW, OH * OW):
        raise _shape_error("col2im", "cols", (N, C * KH * KW, OH * OW), _dims(cols.shape, 3))
    cdef int nt = mg_threads_for(C * KH * KW * OH * OW)
    cdef Py_ssize_t n
    if N == 0 or C == 0:
        return
    with nogil:
        memset(&out[0, 0, 0, 0], 0, N * C * H * W * sizeof(floating))
        for n in range(N):
            _col2im(&cols[n, 0, 0], &out[n, 0, 0, 0], C, H, W, KH, KW, 0, OH, OW,
                    sh, sw, ph, pw, dh, dw, nt)


# ----------------------------------------------------------------------------------------
# conv2d forward and weight gradient: im2col + GEMM per block (some rows of one image, or
# several whole images) and group

def conv2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
                   const floating[::1] bias, floating[:, :, :, ::1] out,
                   stride, padding, dilation, Py_ssize_t groups):
    """out = conv2d(x, weight, bias): out[n, g] = w[g] (Og, Cg*KH*KW) @ im2col(x[n, g]) + bias."""
    _check_conv_shapes("conv2d_forward", _dims(x.shape, 4), _dims(weight.shape, 4), _dims(out.shape, 4),
                       stride, padding, dilation, groups, True)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = weight.shape[0], KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3], G = groups
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, P = OH * OW
    cdef bint has_bias = bias is not None
    if has_bias and bias.shape[0] != O:
        raise _shape_error("conv2d_forward", "bias", (O,), (bias.shape[0],))
    if N == 0 or O == 0:
        return
    if C == 0:
        out[...] = 0
        if has_bias:
            np.asarray(out)[...] += np.asarray(bias)[:, None, None]
        return
    if _winograd_fits(KH, KW, stride, dilation, G) and min(C, O) >= _winograd_min_channels:
        _winograd3x3(x, weight, &bias[0] if has_bias else NULL, out, ph, pw, False)
        return
    cdef int dnt
    cdef Py_ssize_t Wp, xsize
    cdef floating[::1] scratch
    if Cg == 1 and G > 1:
        dnt = mg_threads_for(N * O * OH * OW * KH * KW)
        if sh == 1 and sw == 1:
            Wp, xsize, scratch = _dw_scratch(H, W, KW, OH, ph, pw, dw, 0, dnt,
                                             np.float32 if floating is float else np.float64)
            with nogil:
                _dw_flat_forward(&x[0, 0, 0, 0], &weight[0, 0, 0, 0], &bias[0] if has_bias else NULL,
                                 &out[0, 0, 0, 0], &scratch[0], N, C, H, W, O, KH, KW, OH, OW,
                                 ph, pw, dh, dw, Wp, xsize, dnt)
            return
        with nogil:
            _depthwise_forward(&x[0, 0, 0, 0], &weight[0, 0, 0, 0], &bias[0] if has_bias else NULL,
                               &out[0, 0, 0, 0], N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw,
                               dnt)
        return
    cdef _Plan p = _plan_blocks(N, C * KH * KW, OH, OW, KH == 1 and KW == 1 and sh == 1 and sw == 1
                                and ph == 0 and pw == 0, sizeof(floating))
    dtype = np.float32 if floating is float else np.float64
    cdef floating[:, :, ::1] cols = np.empty(_scratch_shape(p.direct, p.nt, C * KH * KW * p.ipc * p.rb * OW),
                                             dtype=dtype)
    # several images' GEMM result, (O, ipc*P), before it goes back to NCHW
    cdef floating[:, :, ::1] res = np.empty(_scratch_shape(p.ipc == 1, p.nt, O * p.ipc * P), dtype=dtype)
    cdef Py_ssize_t it, n, ni, g, o, i, oy0, Pb, L, ld
    cdef _Block b
    cdef const floating* colp
    cdef floating* dst
    cdef floating beta = 1 if has_bias else 0
    with nogil:
        # one parallel region: each thread takes (images, block of output rows) items, with
        # its own scratch and a one-thread GEMM (see minigrad.parallel)
        for it in prange(p.items, num_threads=p.nt, schedule='static'):
            b = _block(&p, it, N, OH, OW)  # assigned in the loop: private to each thread
            colp = _block_columns(&x[0, 0, 0, 0], NULL if p.direct else &cols[threadid(), 0, 0], &p,
                                  &b, C, H, W, KH, KW, OW, sh, sw, ph, pw, dh, dw)
            n, ni, oy0, Pb, L, ld = b.n, b.ni, b.oy0, b.Pb, b.L, b.ld
            if ni > 1:                         # whole images: nb == OH, Pb == P
                for g in range(G):
                    _gemm(False, False, Og, L, K, &weight[g * Og, 0, 0, 0], K, colp + g * K * L, L,
                          0, &res[threadid(), 0, g * Og * L], L)
                _from_batched(&res[threadid(), 0, 0], &out[n, 0, 0, 0],
                              &bias[0] if has_bias else NULL, O, ni, P)
                continue
            if has_bias:
                for o in range(O):
                    dst = &out[n, o, oy0, 0]
                    for i in range(Pb):
                        dst[i] = bias[o]
            for g in range(G):
                _gemm(False, False, Og, Pb, K, &weight[g * Og, 0, 0, 0], K, colp + g * K * ld, ld,
                      beta, &out[n, g * Og, oy0, 0], P)


def conv2d_backward_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
                           floating[:, :, :, ::1] grad_weight, stride, padding, dilation,
                           Py_ssize_t groups):
    """grad_weight = the cross-correlation of x with grad_output:

    gw[o, c, a, b] = sum_{n, y, x} gy[n, o, y, x] * x[n, g*Cg + c, y*sh - ph + a*dh, x*sw - pw + b*dw],
    i.e. gw[g] (Og, Cg*KH*KW) = sum_n gy[n, g] (Og, OH*OW) @ im2col(x[n, g])^T; by
    Winograd for 3x3 stride-1 kernels with enough channels (_winograd3x3_weight).
    """
    _check_conv_shapes("conv2d_backward_weight", _dims(x.shape, 4), _dims(grad_weight.shape, 4),
                       _dims(grad_output.shape, 4), stride, padding, dilation, groups, True)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = grad_weight.shape[0], KH = grad_weight.shape[2], KW = grad_weight.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3], G = groups
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, P = OH * OW
    grad_weight[...] = 0
    if N == 0 or O == 0 or C == 0:
        return
    if _winograd_fits(KH, KW, stride, dilation, G) and min(C, O) >= _winograd_min_channels:
        _winograd3x3_weight(x, grad_output, grad_weight, ph, pw)
        return
    cdef floating[:, ::1] acc
    cdef floating[::1] scratch
    cdef int dnt
    cdef Py_ssize_t Wp, xsize
    if Cg == 1 and G > 1:
        dnt = mg_threads_for(N * O * OH * OW * KH * KW)
        if sh == 1 and sw == 1:
            Wp, xsize, scratch = _dw_scratch(H, W, KW, OH, ph, pw, dw, KH * KW,
                                             dnt, np.float32 if floating is float else np.float64)
            with nogil:
                _dw_flat_backward_weight(&x[0, 0, 0, 0], &grad_output[0, 0, 0, 0],
                                         &grad_weight[0, 0, 0, 0], &scratch[0], N, C, H, W, O, KH, KW,
                                         OH, OW, ph, pw, dh, dw, Wp, xsize, dnt)
            return
        acc = np.empty((O, OW), dtype=np.float32 if floating is float else np.float64)
        with nogil:
            _depthwise_backward_weight(&x[0, 0, 0, 0], &grad_output[0, 0, 0, 0], &grad_weight[0, 0, 0, 0],
                                       &acc[0, 0], N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw,
                                       dnt)
        return
    cdef _Plan p = _plan_blocks(N, C * KH * KW, OH, OW, KH == 1 and KW == 1 and sh == 1 and sw == 1
                                and ph == 0 and pw == 0, sizeof(floating))
    dtype = np.float32 if floating is float else np.float64
    cdef floating[:, :, ::1] cols = np.empty(_scratch_shape(p.direct, p.nt, C * KH * KW * p.ipc * p.rb * OW),
                                             dtype=dtype)
    # several images' grad_output as one GEMM operand, (O, ipc*P)
    cdef floating[:, :, ::1] gyb = np.empty(_scratch_shape(p.ipc == 1, p.nt, O * p.ipc * P), dtype=dtype)
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
    with nogil:
        for it in prange(p.items, num_threads=p.nt, schedule='static'):
            b = _block(&p, it, N, OH, OW)  # assigned in the loop: private to each thread
            colp = _block_columns(&x[0, 0, 0, 0], NULL if p.direct else &cols[threadid(), 0, 0], &p,
                                  &b, C, H, W, KH, KW, OW, sh, sw, ph, pw, dh, dw)
            n, ni, oy0, L, ld = b.n, b.ni, b.oy0, b.L, b.ld
            if ni > 1:                         # whole images: nb == OH, Pb == P
                _to_batched(&grad_output[n, 0, 0, 0], &gyb[threadid(), 0, 0], O, ni, P)
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


# ----------------------------------------------------------------------------------------
# 3x3, stride 1, dilation 1, one group: Winograd's minimal filtering F(2x2, 3x3) (Lavin and
# Gray, 2015). Each 2x2 output tile is Y = A^T [(G g G^T) * (B^T d B)] A, with d the 4x4
# input tile under it and g the 3x3 kernel: 16 products per tile and channel pair instead
# of 36. Summed over the input channels, the 16 elementwise products become 16 GEMMs,
#     M[e] (O, T) = U[e] (O, C) @ V[e] (C, T),  U = G g G^T,  V = B^T d B,
# over a block of T tiles. The transforms only add, subtract and halve, so the result is
# the same correlation up to rounding. The input gradient of such a conv, the correlation
# of the upstream gradient with the flipped kernel, is again one (see _backward_input);
# the weight gradient runs the same product backward (_winograd3x3_weight). Below 32
# channels the transforms cost more than they save.

cdef Py_ssize_t _winograd_min_channels = 32


def _set_winograd_min_channels(Py_ssize_t n):
    """Use Winograd for 3x3 stride-1 convs with at least n input and output channels
    (tests lower it to 1 to run it on small shapes); returns the old value."""
    global _winograd_min_channels
    old = _winograd_min_channels
    _winograd_min_channels = max(1, n)
    return old


def _winograd_fits(Py_ssize_t KH, Py_ssize_t KW, stride, dilation, Py_ssize_t groups):
    """Whether _winograd3x3 computes this conv (3x3, stride 1, dilation 1, one group)."""
    return (KH == 3 and KW == 3 and tuple(stride) == (1, 1) and tuple(dilation) == (1, 1)
            and groups == 1)




# The transforms run a row of tiles at a time, in C, so that `restrict` lets the compiler
# vectorize across the tiles of the row. The 4 input rows are first copied, zero-padded,
# and split into their even and odd columns (TW + 1 each), so that every access is
# contiguous: tile x reads columns 2x..2x+3 = even[x], odd[x], even[x+1], odd[x+1]. The
# output rows are written the same way, even and odd columns apart, then interleaved.
cdef extern from *:
    """
    #define MG_WINO(T, S)                                                                   \
    static void mg_wino_split_##S(const T *restrict row, T *restrict even, T *restrict odd, \
                                  Py_ssize_t n) {                                           \
        for (Py_ssize_t x = 0; x < n; x++) { even[x] = row[2 * x]; odd[x] = row[2 * x + 1]; } \
    }                                                                                       \
    static void mg_wino_input_##S(const T *restrict r, Py_ssize_t rs, T *restrict t,       \
                                  T *restrict v, Py_ssize_t vs, Py_ssize_t tw) {            \
        for (int p = 0; p < 2; p++) {               /* t = B^T d on the even, odd columns */ \
            const T *restrict d0 = r + p * rs, *restrict d1 = r + (2 + p) * rs;             \
            const T *restrict d2 = r + (4 + p) * rs, *restrict d3 = r + (6 + p) * rs;       \
            T *restrict t0 = t + p * rs, *restrict t1 = t + (2 + p) * rs;                   \
            T *restrict t2 = t + (4 + p) * rs, *restrict t3 = t + (6 + p) * rs;             \
            for (Py_ssize_t x = 0; x < rs; x++) {                                           \
                t0[x] = d0[x] - d2[x]; t1[x] = d1[x] + d2[x];                               \
                t2[x] = d2[x] - d1[x]; t3[x] = d1[x] - d3[x];                               \
            }                                                                               \
        }                                                                                   \
        for (int i = 0; i < 4; i++) {               /* v = t B, tile x on columns 2x.. */   \
            const T *restrict e = t + 2 * i * rs, *restrict o = t + (2 * i + 1) * rs;       \
            T *restrict v0 = v + 4 * i * vs, *restrict v1 = v + (4 * i + 1) * vs;           \
            T *restrict v2 = v + (4 * i + 2) * vs, *restrict v3 = v + (4 * i + 3) * vs;     \
            for (Py_ssize_t x = 0; x < tw; x++) {                                           \
                v0[x] = e[x] - e[x + 1]; v1[x] = o[x] + e[x + 1];                           \
                v2[x] = e[x + 1] - o[x]; v3[x] = o[x] - o[x + 1];                           \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    static void mg_wino_output_##S(const T *restrict m, Py_ssize_t ms, T *restrict y,       \
                                   Py_ssize_t tw, T b) {                                    \
        for (Py_ssize_t x = 0; x < tw; x++) {                                               \
            T s[8];                                                                         \
            for (int j = 0; j < 4; j++) {                                                   \
                T m1 = m[(4 + j) * ms + x], m2 = m[(8 + j) * ms + x];                       \
                s[j] = m[j * ms + x] + m1 + m2;                                             \
                s[4 + j] = m1 - m2 - m[(12 + j) * ms + x];                                  \
            }                                                                               \
            for (int i = 0; i < 2; i++) {                                                   \
                y[(2 * i) * tw + x] = s[4 * i] + s[4 * i + 1] + s[4 * i + 2] + b;           \
                y[(2 * i + 1) * tw + x] = s[4 * i + 1] - s[4 * i + 2] - s[4 * i + 3] + b;   \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    static void mg_wino_grad_##S(const T *restrict r, Py_ssize_t tw, T *restrict z,         \
                                 Py_ssize_t zs) {                                           \
        const T *restrict e0 = r, *restrict o0 = r + tw;                                    \
        const T *restrict e1 = r + 2 * tw, *restrict o1 = r + 3 * tw;                       \
        for (int i = 0; i < 4; i++) {         /* row i of A g: g0, g0 + g1, g0 - g1, -g1 */ \
            T a = i == 3 ? 0 : 1, b = i == 0 ? 0 : (i == 1 ? 1 : -1);                       \
            T *restrict z0 = z + 4 * i * zs, *restrict z1 = z + (4 * i + 1) * zs;           \
            T *restrict z2 = z + (4 * i + 2) * zs, *restrict z3 = z + (4 * i + 3) * zs;     \
            for (Py_ssize_t x = 0; x < tw; x++) {                                           \
                T e = a * e0[x] + b * e1[x], o = a * o0[x] + b * o1[x];                     \
                z0[x] = e; z1[x] = e + o; z2[x] = e - o; z3[x] = -o;                        \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
    static void mg_wino_merge_##S(const T *restrict even, const T *restrict odd,            \
                                  T *restrict row, Py_ssize_t n) {                          \
        for (Py_ssize_t x = 0; x < n; x++) { row[2 * x] = even[x]; row[2 * x + 1] = odd[x]; } \
    }
    MG_WINO(float, f)
    MG_WINO(double, d)
    """
    void mg_wino_split_f(const float* row, float* even, float* odd, Py_ssize_t n) noexcept nogil
    void mg_wino_split_d(const double* row, double* even, double* odd, Py_ssize_t n) noexcept nogil
    void mg_wino_input_f(const float* r, Py_ssize_t rs, float* t, float* v, Py_ssize_t vs,
                         Py_ssize_t tw) noexcept nogil
    void mg_wino_input_d(const double* r, Py_ssize_t rs, double* t, double* v, Py_ssize_t vs,
                         Py_ssize_t tw) noexcept nogil
    void mg_wino_output_f(const float* m, Py_ssize_t ms, float* y, Py_ssize_t tw, float b) noexcept nogil
    void mg_wino_output_d(const double* m, Py_ssize_t ms, double* y, Py_ssize_t tw, double b) noexcept nogil
    void mg_wino_grad_f(const float* r, Py_ssize_t tw, float* z, Py_ssize_t zs) noexcept nogil
    void mg_wino_grad_d(const double* r, Py_ssize_t tw, double* z, Py_ssize_t zs) noexcept nogil
    void mg_wino_merge_f(const float* even, const float* odd, float* row, Py_ssize_t n) noexcept nogil
    void mg_wino_merge_d(const double* even, const double* odd, double* row, Py_ssize_t n) noexcept nogil


cdef inline void _wino_input_row(const floating* xc, Py_ssize_t H, Py_ssize_t W, Py_ssize_t y0,
                                 Py_ssize_t x0, Py_ssize_t TW, floating* r, floating* v,
                                 Py_ssize_t vs) noexcept nogil:
    """v[e*vs + x] = (B^T d_x B)[e] for the TW tiles d_x of the plane xc (H, W) at rows
    y0..y0+3, columns x0 + 2x..x0 + 2x + 3 (zero outside); r is an 18*(TW + 1) scratch."""
    cdef Py_ssize_t rs = TW + 1, n = 2 * TW + 2, i, iy
    cdef Py_ssize_t lo = -x0 if x0 < 0 else 0
    cdef Py_ssize_t hi = W - x0 if W - x0 < n else n
    cdef floating* row = r + 8 * rs
    for i in range(4):
        iy = y0 + i
        if iy < 0 or iy >= H or hi <= lo:
            memset(r + 2 * i * rs, 0, 2 * rs * sizeof(floating))
            continue
        memset(row, 0, n * sizeof(floating))
        memcpy(row + lo, xc + iy * W + x0 + lo, (hi - lo) * sizeof(floating))
        if floating is float:
            mg_wino_split_f(row, r + 2 * i * rs, r + (2 * i + 1) * rs, rs)
        else:
            mg_wino_split_d(row, r + 2 * i * rs, r + (2 * i + 1) * rs, rs)
    if floating is float:
        mg_wino_input_f(r, rs, r + 10 * rs, v, vs, TW)
    else:
        mg_wino_input_d(r, rs, r + 10 * rs, v, vs, TW)


cdef inline void _wino_output_row(const floating* m, Py_ssize_t ms, floating* yc, Py_ssize_t OH,
                                  Py_ssize_t OW, Py_ssize_t y0, Py_ssize_t TW, floating b,
                                  floating* r) noexcept nogil:
    """Rows y0, y0+1 (those < OH) of the plane yc (OH, OW) from the TW tiles' products
    m[e*ms + x], plus b; r is a 6*TW scratch."""
    cdef Py_ssize_t i
    if floating is float:
        mg_wino_output_f(m, ms, r, TW, b)
    else:
        mg_wino_output_d(m, ms, r, TW, b)
    for i in range(2):
        if y0 + i >= OH:
            break
        if floating is float:
            mg_wino_merge_f(r + 2 * i * TW, r + (2 * i + 1) * TW, r + 4 * TW, TW)
        else:
            mg_wino_merge_d(r + 2 * i * TW, r + (2 * i + 1) * TW, r + 4 * TW, TW)
        memcpy(yc + (y0 + i) * OW, r + 4 * TW, OW * sizeof(floating))


cdef inline void _wino_grad_row(const floating* gc, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t y0,
                                Py_ssize_t TW, floating* r, floating* z, Py_ssize_t zs) noexcept nogil:
    """z[e*zs + x] = (A g_x A^T)[e] for the TW 2x2 tiles g_x of the plane gc (OH, OW) at rows
    y0, y0+1 (zero outside), A = [[1,0],[1,1],[1,-1],[0,-1]]: the adjoint of the output
    transform; r is a 6*TW scratch."""
    cdef Py_ssize_t i
    cdef floating* row = r + 4 * TW
    for i in range(2):
        if y0 + i >= OH:
            memset(r + 2 * i * TW, 0, 2 * TW * sizeof(floating))
            continue
        memcpy(row, gc + (y0 + i) * OW, OW * sizeof(floating))
        if OW < 2 * TW:
            row[OW] = 0
        if floating is float:
            mg_wino_split_f(row, r + 2 * i * TW, r + (2 * i + 1) * TW, TW)
        else:
            mg_wino_split_d(row, r + 2 * i * TW, r + (2 * i + 1) * TW, TW)
    if floating is float:
        mg_wino_grad_f(r, TW, z, zs)
    else:
        mg_wino_grad_d(r, TW, z, zs)


def _wino_gk(dtype):
    """Gk (16, 9), Gk[(a, b), (i, j)] = G[a, i] G[b, j]: U = G g G^T for every kernel g at once."""
    G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    return np.kron(G, G).astype(dtype)


cdef inline void _wino_input_rows(const floating[:, :, :, ::1] x, Py_ssize_t TH, Py_ssize_t TW,
                                  Py_ssize_t q0, Py_ssize_t nq, Py_ssize_t ph, Py_ssize_t pw,
                                  floating* r, floating* v, Py_ssize_t Tb) noexcept nogil:
    """V (16, C, Tb) of the tile rows q0..q0+nq (row q = (n, ty)) of x padded by (ph, pw)."""
    cdef Py_ssize_t C = x.shape[1], H = x.shape[2], W = x.shape[3], c, q, n, ty
    for c in range(C):
        for q in range(nq):
            n = (q0 + q) // TH
            ty = (q0 + q) % TH
            _wino_input_row(&x[n, c, 0, 0], H, W, 2 * ty - ph, -pw, TW, r, v + c * Tb + q * TW,
                            C * Tb)


cdef _winograd3x3(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
                  const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t ph, Py_ssize_t pw,
                  bint flipped):
    """out (N, O, OH, OW) = conv2d(x (N, C, H, W), k, padding (ph, pw)) + bias at stride 1, by
    F(2x2, 3x3), with k = weight (O, C, 3, 3) or, flipped, the flipped, channel-swapped
    weight (C, O, 3, 3): k[o, c, a, b] = weight[c, o, 2 - a, 2 - b] (the input gradient,
    padding 2 - p). The caller has checked the shapes. A block is some whole rows of tiles
    (of one image or several), the tiles numbered (n, ty, tx).

    Flipping a kernel reverses the rows of G (G J = P G, P swapping rows 0 and 3), so the
    flipped kernel's U[(a, b)] is the weight's U[(P a, P b)], used transposed."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = out.shape[1], OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t TH = (OH + 1) // 2, TW = (OW + 1) // 2, R = N * TH
    # tile rows per block: V (16, C, tiles) and M (16, O, tiles) of about a block each
    cdef Py_ssize_t rb = _rows_per_block(R, TW, 16 * max(C, O), sizeof(floating))
    cdef Py_ssize_t nblk = (R + rb - 1) // rb, Tb = rb * TW
    cdef int nt = _items_threads(nblk, 16 * N * TH * TW * (C + O))
    dtype = np.float32 if floating is float else np.float64
    # U[e] (O, C) = the transformed kernels, Gk @ w^T
    cdef floating[:, ::1] gk = _wino_gk(dtype)
    cdef floating[:, ::1] u = np.empty((16, O * C), dtype=dtype)
    cdef Py_ssize_t[::1] ue = np.arange(16, dtype=np.intp)
    if flipped:
        ue = np.array([4 * a + b for a in (3, 1, 2, 0) for b in (3, 1, 2, 0)], dtype=np.intp)
    cdef floating[:, ::1] v = np.empty((max(nt, 1), 16 * C * Tb), dtype=dtype)
    cdef floating[:, ::1] m = np.empty((max(nt, 1), 16 * O * Tb), dtype=dtype)
    cdef floating[:, ::1] rows = np.empty((max(nt, 1), 18 * TW + 18), dtype=dtype)
    cdef Py_ssize_t blk, q0, nq, q, n, ty, c, o
    cdef floating* vp
    cdef floating* mp
    cdef floating* rp
    with nogil:
        _gemm(False, True, 16, O * C, 9, &gk[0, 0], 9, &weight[0, 0, 0, 0], 9, 0, &u[0, 0], O * C)
        for blk in prange(nblk, num_threads=nt, schedule='static'):
            vp = &v[threadid(), 0]
            mp = &m[threadid(), 0]
            rp = &rows[threadid(), 0]
            q0 = blk * rb
            nq = rb if q0 + rb <= R else R - q0
            _wino_input_rows(x, TH, TW, q0, nq, ph, pw, rp, vp, Tb)
            for c in range(16):
                _gemm(flipped, False, O, nq * TW, C, &u[ue[c], 0], O if flipped else C,
                      vp + c * C * Tb, Tb, 0, mp + c * O * Tb, Tb)
            for o in range(O):
                for q in range(nq):
                    n = (q0 + q) // TH
                    ty = (q0 + q) % TH
                    _wino_output_row(mp + o * Tb + q * TW, O * Tb, &out[n, o, 0, 0], OH, OW,
                                     2 * ty, TW, bias[o] if bias != NULL else 0, rp)


cdef _winograd3x3_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] gy,
                         floating[:, :, :, ::1] gw, Py_ssize_t ph, Py_ssize_t pw):
    """gw (O, C, 3, 3) = the weight gradient of the stride-1 conv of x (N, C, H, W) padded by
    (ph, pw), whose output gradient is gy (N, O, OH, OW), by F(2x2, 3x3) run backward: with
    y = A^T [U * V] A per tile, dL/dU[e] = sum over tiles of (A gy A^T)[e] V[e] (16 GEMMs
    (O, T) @ (T, C)) and gw = G^T (dL/dU) G. The caller has checked the shapes."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1]
    cdef Py_ssize_t O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t TH = (OH + 1) // 2, TW = (OW + 1) // 2, R = N * TH
    cdef Py_ssize_t rb = _rows_per_block(R, TW, 16 * max(C, O), sizeof(floating))
    cdef Py_ssize_t nblk = (R + rb - 1) // rb, Tb = rb * TW
    cdef int nt = _items_threads(nblk, 16 * N * TH * TW * (C + O))
    dtype = np.float32 if floating is float else np.float64
    cdef floating[:, ::1] gk = _wino_gk(dtype)
    cdef floating[:, ::1] v = np.empty((max(nt, 1), 16 * C * Tb), dtype=dtype)
    cdef floating[:, ::1] z = np.empty((max(nt, 1), 16 * O * Tb), dtype=dtype)
    cdef floating[:, ::1] rows = np.empty((max(nt, 1), 18 * TW + 18), dtype=dtype)
    # each thread sums dL/dU (16, O*C) into its own copy; the copies are added at the end
    cdef floating[:, ::1] du = np.zeros((max(nt, 1), 16 * O * C), dtype=dtype)
    cdef Py_ssize_t blk, q0, nq, q, n, ty, o, e, t, i
    cdef floating* vp
    cdef floating* zp
    cdef floating* rp
    with nogil:
        for blk in prange(nblk, num_threads=nt, schedule='static'):
            vp = &v[threadid(), 0]
            zp = &z[threadid(), 0]
            rp = &rows[threadid(), 0]
            q0 = blk * rb
            nq = rb if q0 + rb <= R else R - q0
            _wino_input_rows(x, TH, TW, q0, nq, ph, pw, rp, vp, Tb)
            for o in range(O):
                for q in range(nq):
                    n = (q0 + q) // TH
                    ty = (q0 + q) % TH
                    _wino_grad_row(&gy[n, o, 0, 0], OH, OW, 2 * ty, TW, rp, zp + o * Tb + q * TW,
                                   O * Tb)
            for e in range(16):
                _gemm(False, True, O, C, nq * TW, zp + e * O * Tb, Tb, vp + e * C * Tb, Tb, 1,
                      &du[threadid(), e * O * C], C)
        for t in range(1, max(nt, 1)):
            for i in range(16 * O * C):
                du[0, i] += du[t, i]
        # gw (O*C, 9) = dU^T (O*C, 16) @ Gk (16, 9)
        _gemm(True, False, O * C, 9, 16, &du[0, 0], O * C, &gk[0, 0], 9, 0, &gw[0, 0, 0, 0], 9)


# ----------------------------------------------------------------------------------------
# Cg == 1 (depthwise, or a one-channel input): each output channel o reads one input
# channel c = o // Og, so the GEMMs would be matrix-vector products of depth KH*KW. These
# direct loops instead accumulate tap by tap over whole output rows (vectorized when the
# stride is 1), one plane per parallel iteration.

cdef inline Py_ssize_t _tap_lo(Py_ssize_t off, Py_ssize_t s, Py_ssize_t n_out) noexcept nogil:
    """First output x whose input column x*s + off is >= 0. (Values are returned, not
    written through pointers: a variable only set through its address inside a prange
    body would be shared between the threads.)"""
    return _clip(_ceildiv(-off, s), 0, n_out)


cdef inline Py_ssize_t _tap_hi(Py_ssize_t off, Py_ssize_t s, Py_ssize_t size, Py_ssize_t n_out,
                               Py_ssize_t lo) noexcept nogil:
    """One past the last output x whose input column x*s + off is < size (>= lo)."""
    return _clip(_floordiv(size - 1 - off, s) + 1, lo, n_out)


cdef void _depthwise_forward(const floating* x, const floating* w, const floating* bias,
                             floating* out, Py_ssize_t N, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                             Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OH, Py_ssize_t OW,
                             Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                             Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil:
    """out[n, o] = bias[o] + sum_{a, b} w[o, 0, a, b] * x[n, o // (O/C), y*sh - ph + a*dh, x*sw - pw + b*dw]."""
    cdef Py_ssize_t p, n, o, c, a, b, oy, ox, iy, off, lo, hi, i
    cdef Py_ssize_t Og = O // C
    cdef floating wv
    cdef floating* dst
    cdef const floating* src
    for p in prange(N * O, num_threads=nt, schedule='static'):
        n = p // O
        o = p % O
        c = o // Og
        dst = out + p * OH * OW
        for i in range(OH * OW):
            dst[i] = bias[o] if bias != NULL else 0
        for a in range(KH):
            for b in range(KW):
                wv = w[(o * KH + a) * KW + b]
                off = b * dw - pw
                lo = _tap_lo(off, sw, OW)
                hi = _tap_hi(off, sw, W, OW, lo)
                for oy in range(OH):
                    iy = oy * sh - ph + a * dh
                    if iy < 0 or iy >= H:
                        continue
                    src = x + ((n * C + c) * H + iy) * W + off
                    if sw == 1:
                        for ox in range(lo, hi):
                            dst[oy * OW + ox] += wv * src[ox]
                    else:
                        for ox in range(lo, hi):
                            dst[oy * OW + ox] += wv * src[ox * sw]


cdef void _depthwise_backward_input(const floating* gy, const floating* w, floating* gx,
                                    Py_ssize_t N, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                                    Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OH,
                                    Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                                    Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil:
    """gx[n, c] = the sum over the Og output channels of c of gy[n, o] spread back through
    the flipped taps: gx[n, c, y*sh - ph + a*dh, x*sw - pw + b*dw] += w[o, 0, a, b] * gy[n, o, y, x]."""
    cdef Py_ssize_t p, n, c, j, o, a, b, oy, ox, iy, off, lo, hi, i
    cdef Py_ssize_t Og = O // C
    cdef floating wv
    cdef floating* dst
    cdef const floating* src
    for p in prange(N * C, num_threads=nt, schedule='static'):
        n = p // C
        c = p % C
        for i in range(H * W):
            gx[p * H * W + i] = 0
        for j in range(Og):
            o = c * Og + j
            for a in range(KH):
                for b in range(KW):
                    wv = w[(o * KH + a) * KW + b]
                    off = b * dw - pw
                    lo = _tap_lo(off, sw, OW)
                    hi = _tap_hi(off, sw, W, OW, lo)
                    for oy in range(OH):
                        iy = oy * sh - ph + a * dh
                        if iy < 0 or iy >= H:
                            continue
                        dst = gx + (p * H + iy) * W + off
                        src = gy + ((n * O + o) * OH + oy) * OW
                        if sw == 1:
                            for ox in range(lo, hi):
                                dst[ox] += wv * src[ox]
                        else:
                            for ox in range(lo, hi):
                                dst[ox * sw] += wv * src[ox]


cdef void _depthwise_backward_weight(const floating* x, const floating* gy, floating* gw,
                                     floating* acc, Py_ssize_t N, Py_ssize_t C, Py_ssize_t H,
                                     Py_ssize_t W, Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW,
                                     Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw,
                                     Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw,
                                     int nt) noexcept nogil:
    """gw[o, 0, a, b] = sum_{n, y, x} gy[n, o, y, x] * x[n, c, y*sh - ph + a*dh, x*sw - pw + b*dw];
    acc (O, OW) holds per-column partial sums, so the inner loop is elementwise (vectorized)."""
    cdef Py_ssize_t o, n, c, a, b, oy, ox, iy, off, lo, hi
    cdef Py_ssize_t Og = O // C
    cdef floating total
    cdef floating* row
    cdef const floating* src
    cdef const floating* g
    for o in prange(O, num_threads=nt, schedule='static'):
        c = o // Og
        row = acc + o * OW
        for a in range(KH):
            for b in range(KW):
                off = b * dw - pw
                lo = _tap_lo(off, sw, OW)
                hi = _tap_hi(off, sw, W, OW, lo)
                for ox in range(OW):
                    row[ox] = 0
                for n in range(N):
                    for oy in range(OH):
                        iy = oy * sh - ph + a * dh
                        if iy < 0 or iy >= H:
                            continue
                        src = x + ((n * C + c) * H + iy) * W + off
                        g = gy + ((n * O + o) * OH + oy) * OW
                        if sw == 1:
                            for ox in range(lo, hi):
                                row[ox] += g[ox] * src[ox]
                        else:
                            for ox in range(lo, hi):
                                row[ox] += g[ox] * src[ox * sw]
                total = 0
                for ox in range(OW):
                    total = total + row[ox]
                gw[(o * KH + a) * KW + b] = total


# With stride 1 the loops above run over rows as short as the image is wide; padding each
# plane once into a scratch of row length Wp = W + 2*pw makes every tap one long loop over
# the flat plane (out_p[f] += w * x_p[f + a*dh*Wp + b*dw]), whose last dw*(KW-1) columns
# per row are junk and dropped. One scratch per thread (threadid()).

cdef inline void _pad_plane(const floating* src, floating* dst, Py_ssize_t H, Py_ssize_t W,
                            Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t Wp, Py_ssize_t total) noexcept nogil:
    """dst (total elements, row length Wp) = src (H x W) at (ph, pw), zeros around."""
    cdef Py_ssize_t i
    memset(dst, 0, total * sizeof(floating))
    for i in range(H):
        memcpy(dst + (i + ph) * Wp + pw, src + i * W, W * sizeof(floating))


cdef void _dw_flat_forward(const floating* x, const floating* w, const floating* bias, floating* out,
                           floating* scratch, Py_ssize_t N, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                           Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OH, Py_ssize_t OW,
                           Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw,
                           Py_ssize_t Wp, Py_ssize_t xsize, int nt) noexcept nogil:
    """Stride-1 _depthwise_forward on padded planes; scratch holds nt * (xsize + OH*Wp)."""
    cdef Py_ssize_t p, n, o, c, a, b, f, i, shift
    cdef Py_ssize_t Og = O // C, F = OH * Wp
    cdef floating wv
    cdef floating* xp
    cdef floating* op
    for p in prange(N * O, num_threads=nt, schedule='static'):
        xp = scratch + threadid() * (xsize + F)
        op = xp + xsize
        n = p // O
        o = p % O
        c = o // Og
        _pad_plane(x + (n * C + c) * H * W, xp, H, W, ph, pw, Wp, xsize)
        for f in range(F):
            op[f] = bias[o] if bias != NULL else 0
        for a in range(KH):
            for b in range(KW):
                wv = w[(o * KH + a) * KW + b]
                shift = a * dh * Wp + b * dw
                _axpy(F, wv, xp + shift, op)
        for i in range(OH):
            memcpy(out + (p * OH + i) * OW, op + i * Wp, OW * sizeof(floating))


cdef void _dw_flat_backward_input(const floating* gy, const floating* w, floating* gx,
                                  floating* scratch, Py_ssize_t N, Py_ssize_t C, Py_ssize_t H,
                                  Py_ssize_t W, Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW,
                                  Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t ph, Py_ssize_t pw,
                                  Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t Wp, Py_ssize_t xsize,
                                  int nt) noexcept nogil:
    """Stride-1 _depthwise_backward_input: gx_p[f + shift(a, b)] += w[o, a, b] * gy_p[f], the
    flipped-kernel correlation written as a scatter; gy_p has zero junk columns."""
    cdef Py_ssize_t p, n, c, j, o, a, b, f, i, shift
    cdef Py_ssize_t Og = O // C, F = OH * Wp
    cdef floating wv
    cdef floating* gp
    cdef floating* yp
    for p in prange(N * C, num_threads=nt, schedule='static'):
        gp = scratch + threadid() * (xsize + F)
        yp = gp + xsize
        n = p // C
        c = p % C
        memset(gp, 0, xsize * sizeof(floating))
        for j in range(Og):
            o = c * Og + j
            _pad_plane(gy + (n * O + o) * OH * OW, yp, OH, OW, 0, 0, Wp, F)
            for a in range(KH):
                for b in range(KW):
                    wv = w[(o * KH + a) * KW + b]
                    shift = a * dh * Wp + b * dw
                    _axpy(F, wv, yp, gp + shift)
        for i in range(H):
            memcpy(gx + (p * H + i) * W, gp + (i + ph) * Wp + pw, W * sizeof(floating))


cdef void _dw_flat_backward_weight(const floating* x, const floating* gy, floating* gw,
                                   floating* scratch, Py_ssize_t N, Py_ssize_t C, Py_ssize_t H,
                                   Py_ssize_t W, Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW,
                                   Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t ph, Py_ssize_t pw,
                                   Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t Wp, Py_ssize_t xsize,
                                   int nt) noexcept nogil:
    """Stride-1 _depthwise_backward_weight: gw[o, t] = sum_n dot(gy_p, x_p shifted by tap t)."""
    cdef Py_ssize_t o, n, c, a, b, t, shift
    cdef Py_ssize_t Og = O // C, F = OH * Wp, T = KH * KW
    cdef floating* xp
    cdef floating* yp
    cdef floating* acc
    for o in prange(O, num_threads=nt, schedule='static'):
        xp = scratch + threadid() * (xsize + F + T)
        yp = xp + xsize
        acc = yp + F
        c = o // Og
        for t in range(T):
            acc[t] = 0
        for n in range(N):
            _pad_plane(x + (n * C + c) * H * W, xp, H, W, ph, pw, Wp, xsize)
            _pad_plane(gy + (n * O + o) * OH * OW, yp, OH, OW, 0, 0, Wp, F)
            for a in range(KH):
                for b in range(KW):
                    shift = a * dh * Wp + b * dw
                    t = a * KW + b
                    acc[t] = acc[t] + _dot(F, yp, xp + shift)
        for t in range(T):
            gw[o * T + t] = acc[t]


def _dw_scratch(Py_ssize_t H, Py_ssize_t W, Py_ssize_t KW, Py_ssize_t OH, Py_ssize_t ph,
                Py_ssize_t pw, Py_ssize_t dw, Py_ssize_t per_thread_extra, int nt, dtype):
    """Row length Wp, padded-plane size and a per-thread scratch for the flat kernels."""
    Wp = W + 2 * pw
    xsize = (H + 2 * ph) * Wp + dw * (KW - 1) + 1
    return Wp, xsize, np.empty(max(1, nt) * (xsize + OH * Wp + per_thread_extra), dtype=dtype)


# ----------------------------------------------------------------------------------------
# conv2d input gradient = conv_transpose2d: the upstream gradient correlated with the
# flipped (180-degree rotated), channel-swapped kernel.
#
# In one dimension, y[o] = sum_a x[o*s - p + a*d] w[a] gives
#     dx[i] = sum_{a : (i + p - a*d) = o*s, 0 <= o < OH} dy[o] w[a].
# Split the rows i by their phase r = (i + p) mod s, i = r - p + s*m. Only the taps with
# a*d = r (mod s) reach phase r, each at o = m - q_a with q_a = (a*d - r) / s, so
#     dx[r - p + s*m] = sum_t dy[m - q_{a_t}] w[a_t]
# is a stride-1 correlation of dy with that phase's sub-kernel taken in reverse order:
# the flipped kernel. For s = d = 1 there is one phase, q_a = a, and it is the full
# correlation of dy (padded by K-1-p) with the rotated kernel. Splitting by phase is
# zero-insertion without the zeros. Channels: dx channel c of group g sums over the
# output channels j of g, so the kernel is re-laid (Cg, Og*taps) per group: the swap.


cdef void _phase_cols(const floating* gy, floating* cols, Py_ssize_t ld, Py_ssize_t O,
                      Py_ssize_t OH, Py_ssize_t OW, const Py_ssize_t* qy, Py_ssize_t ny,
                      const Py_ssize_t* qx, Py_ssize_t nx, Py_ssize_t my0, Py_ssize_t My,
                      Py_ssize_t mx0, Py_ssize_t Mx, int nt) noexcept nogil:
    # (called per block of rows: my0 is the block's first m, My its row count)
    """cols[(j*ny + ty)*nx + tx, my*Mx + mx] = gy[j, my0 + my - qy[ty], mx0 + mx - qx[tx]], 0 outside;
    cols rows are ld >= My*Mx apart."""
    cdef Py_ssize_t r, j, ty, tx, my, oy, off, lo, hi
    cdef floating* dst
    for r in prange(O * ny * nx, num_threads=nt, schedule='static'):
        j = r // (ny * nx)
        ty = (r // nx) % ny
        tx = r % nx
        off = mx0 - qx[tx]                  # gy column of mx is mx + off
        lo = _clip(-off, 0, Mx)
        hi = _clip(OW - off, lo, Mx)
        for my in range(My):
            dst = cols + r * ld + my * Mx
            oy = my0 + my - qy[ty]
            if oy < 0 or oy >= OH or hi == lo:
                memset(dst, 0, Mx * sizeof(floating))
                continue
            if lo > 0:
                memset(dst, 0, lo * sizeof(floating))
            memcpy(dst + lo, gy + (j * OH + oy) * OW + off + lo, (hi - lo) * sizeof(floating))
            if hi < Mx:
                memset(dst + hi, 0, (Mx - hi) * sizeof(floating))


cdef void _phase_scatter(const floating* tmp, Py_ssize_t ld, floating* gx, Py_ssize_t C,
                         Py_ssize_t H, Py_ssize_t W, Py_ssize_t y0, Py_ssize_t My, Py_ssize_t x0,
                         Py_ssize_t Mx, Py_ssize_t sh, Py_ssize_t sw, int nt) noexcept nogil:
    """gx[c, y0 + sh*my, x0 + sw*mx] = tmp[c, my*Mx + mx], tmp rows ld >= My*Mx apart."""
    cdef Py_ssize_t c, my, mx
    cdef floating* dst
    cdef const floating* src
    for c in prange(C, num_threads=nt, schedule='static'):
        for my in range(My):
            dst = gx + (c * H + y0 + sh * my) * W + x0
            src = tmp + c * ld + my * Mx
            if sw == 1:
                memcpy(dst, src, Mx * sizeof(floating))
            else:
                for mx in range(Mx):
                    dst[sw * mx] = src[mx]


def _phase_taps(r, K, s, d):
    """Taps a of phase r in flipped (descending) order, and their offsets q_a."""
    taps = [a for a in range(K - 1, -1, -1) if (a * d) % s == r]
    return taps, np.array([(a * d - r) // s for a in taps] or [0], dtype=np.intp)


cdef void _flip_kernel(const floating* w, floating* wp, Py_ssize_t G, Py_ssize_t Og,
                       Py_ssize_t Cg, Py_ssize_t KH, Py_ssize_t KW, const Py_ssize_t* ay,
                       Py_ssize_t ny, const Py_ssize_t* bx, Py_ssize_t nx, int nt) noexcept nogil:
    """wp[g, c, (j*ny + ty)*nx + tx] = w[g*Og + j, c, ay[ty], bx[tx]]: a phase's sub-kernel,
    flipped (the taps come in descending order) and channel-swapped, (G, Cg, Og*ny*nx)."""
    cdef Py_ssize_t gc, c, j, ty, tx
    cdef floating* dst
    cdef const floating* src
    for gc in prange(G * Cg, num_threads=nt, schedule='static'):
        c = gc % Cg
        dst = wp + gc * Og * ny * nx
        for j in range(Og):
            src = w + (((gc - c) // Cg * Og + j) * Cg + c) * KH * KW
            for ty in range(ny):
                for tx in range(nx):
                    dst[(j * ny + ty) * nx + tx] = src[ay[ty] * KW + bx[tx]]


def _phase_rows(r, size, s, p):
    """First m and count of the rows i = r - p + s*m inside [0, size).

    Untyped on purpose: these are Python's floor divisions, not C's (cdivision)."""
    m0 = -((r - p) // s)                  # ceil((p - r) / s), >= 0 since r < s
    m1 = (size - 1 + p - r) // s          # floor
    return m0, max(0, m1 - m0 + 1)


cdef _flipped_kernel_gather(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                            floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw,
                            Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw,
                            Py_ssize_t G):
    """gx = conv_transpose(gy, weight) phase by phase (see the comment above)."""
    cdef Py_ssize_t N = gy.shape[0], O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G
    cdef Py_ssize_t ry, rx, ny, nx, my0, My, mx0, Mx, n, ni, i, g, Kp, rb, m, nb, it, nblk
    cdef Py_ssize_t ipc, nchunk, Pb, L
    cdef Py_ssize_t[::1] qy, qx, ay, bx
    cdef floating[:, :, ::1] wp
    cdef floating[:, ::1] cols, tmp
    cdef floating* colp
    cdef floating* tmpp
    cdef int nt
    dtype = np.float32 if floating is float else np.float64
    for ry in range(sh):
        taps_y, qy = _phase_taps(ry, KH, sh, dh)
        ay = np.array(taps_y or [0], dtype=np.intp)
        my0, My = _phase_rows(ry, H, sh, ph)
        for rx in range(sw):
            taps_x, qx = _phase_taps(rx, KW, sw, dw)
            bx = np.array(taps_x or [0], dtype=np.intp)
            mx0, Mx = _phase_rows(rx, W, sw, pw)
            ny, nx = len(taps_y), len(taps_x)
            if ny == 0 or nx == 0 or My == 0 or Mx == 0:
                continue                  # these pixels touch no output: gx stays 0
            Kp = Og * ny * nx
            wp = np.empty((G, Cg, Kp), dtype=dtype)
            with nogil:
                _flip_kernel(&weight[0, 0, 0, 0], &wp[0, 0, 0], G, Og, Cg, KH, KW, &ay[0], ny,
                             &bx[0], nx, mg_threads_for(G * Cg * Kp))
            ipc = _images_per_block(N, My * Mx, O * ny * nx, sizeof(floating))
            rb = _rows_per_block(My, Mx, O * ny * nx, sizeof(floating))
            nblk, nchunk = (My + rb - 1) // rb, (N + ipc - 1) // ipc
            nt = _items_threads(nchunk * nblk, N * O * ny * nx * My * Mx)
            # per-thread scratch; each (images, block) item writes its own pixels of gx
            cols = np.empty((max(nt, 1), O * ny * nx * ipc * rb * Mx), dtype=dtype)
            tmp = np.empty((max(nt, 1), C * ipc * rb * Mx), dtype=dtype)
            with nogil:
                for it in prange(nchunk * nblk, num_threads=nt, schedule='static'):
                    n = (it // nblk) * ipc
                    ni = ipc if n + ipc <= N else N - n
                    m = (it % nblk) * rb
                    nb = rb if m + rb <= My else My - m
                    Pb = nb * Mx
                    L = ni * Pb
                    colp = &cols[threadid(), 0]
                    tmpp = &tmp[threadid(), 0]
                    for i in range(ni):
                        _phase_cols(&gy[n + i, 0, 0, 0], colp + i * Pb, L, O, OH, OW, &qy[0], ny,
                                    &qx[0], nx, my0 + m, nb, mx0, Mx, 1)
                    for g in range(G):
                        _gemm(False, False, Cg, L, Kp, &wp[g, 0, 0], Kp,
                              colp + g * Kp * L, L, 0, tmpp + g * Cg * L, L)
                    for i in range(ni):
                        _phase_scatter(tmpp + i * Pb, L, &gx[n + i, 0, 0, 0], C, H, W,
                                       ry - ph + sh * (my0 + m), nb, rx - pw + sw * mx0, Mx,
                                       sh, sw, 1)


cdef _adjoint_scatter(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                      floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw,
                      Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """The same gx as the adjoint of im2col + GEMM: col2im(w[g]^T @ gy[n, g]).

    Chosen when it moves less memory (Og > Cg, e.g. a channel-widening or an RGB layer):
    its scratch is Cg*KH*KW x OH*OW per group instead of Og*KH*KW x H*W / (sh*sw).
    """
    cdef Py_ssize_t N = gy.shape[0], O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, P = OH * OW
    cdef Py_ssize_t rb = _rows_per_block(OH, OW, C * KH * KW, sizeof(floating))
    cdef int nt = _items_threads(N, N * C * KH * KW * P)
    cdef floating[:, :, ::1] cols = np.empty((max(nt, 1), 1, C * KH * KW * rb * OW),
                                             dtype=np.float32 if floating is float else np.float64)
    cdef Py_ssize_t n, g, oy0, nb, Pb
    cdef floating* colp
    with nogil:
        # parallel over images only: blocks of one image add into overlapping rows of gx
        for n in prange(N, num_threads=nt, schedule='static'):
            colp = &cols[threadid(), 0, 0]
            oy0 = 0
            while oy0 < OH:
                nb = rb if oy0 + rb <= OH else OH - oy0
                Pb = nb * OW
                for g in range(G):
                    _gemm(True, False, K, Pb, Og, &weight[g * Og, 0, 0, 0], K,
                          &gy[n, g * Og, oy0, 0], P, 0, colp + g * K * Pb, Pb)
                _col2im(colp, &gx[n, 0, 0, 0], C, H, W, KH, KW, oy0, nb, OW,
                        sh, sw, ph, pw, dh, dw, 1)
                oy0 = oy0 + rb


def _gather_cost(O, H, W, KH, KW, stride, padding, dilation):
    """Scratch elements the phase-by-phase gather writes for one image."""
    total = 0
    for ry in range(stride[0]):
        ny = len(_phase_taps(ry, KH, stride[0], dilation[0])[0])
        My = _phase_rows(ry, H, stride[0], padding[0])[1]
        for rx in range(stride[1]):
            nx = len(_phase_taps(rx, KW, stride[1], dilation[1])[0])
            Mx = _phase_rows(rx, W, stride[1], padding[1])[1]
            total += O * ny * nx * My * Mx
    return total


cdef _depthwise_input(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                      floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                      Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw):
    cdef Py_ssize_t N = gy.shape[0], O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef int dnt = mg_threads_for(N * O * OH * OW * KH * KW)
    cdef Py_ssize_t Wp, xsize
    cdef floating[::1] scratch
    # the flat form needs every gy row to land inside gx's padded plane (no output_padding)
    if sh == 1 and sw == 1 and OH + dh * (KH - 1) == H + 2 * ph and OW + dw * (KW - 1) == W + 2 * pw:
        Wp, xsize, scratch = _dw_scratch(H, W, KW, OH, ph, pw, dw, 0, dnt,
                                         np.float32 if floating is float else np.float64)
        with nogil:
            _dw_flat_backward_input(&gy[0, 0, 0, 0], &weight[0, 0, 0, 0], &gx[0, 0, 0, 0], &scratch[0],
                                    N, C, H, W, O, KH, KW, OH, OW, ph, pw, dh, dw, Wp, xsize, dnt)
        return
    with nogil:
        _depthwise_backward_input(&gy[0, 0, 0, 0], &weight[0, 0, 0, 0], &gx[0, 0, 0, 0],
                                  N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, dnt)


def _backward_input(name, const floating[:, :, :, ::1] grad_output,
                    const floating[:, :, :, ::1] weight, floating[:, :, :, ::1] grad_input,
                    stride, padding, dilation, Py_ssize_t groups, method):
    _check_conv_shapes(name, _dims(grad_input.shape, 4), _dims(weight.shape, 4), _dims(grad_output.shape, 4),
                       stride, padding, dilation, groups, False)
    cdef Py_ssize_t N = grad_output.shape[0], O = grad_output.shape[1]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t C = grad_input.shape[1], H = grad_input.shape[2], W = grad_input.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1], G = groups
    # Winograd needs the sizes of a conv2d input gradient (no output_padding)
    cdef bint winograd = (_winograd_fits(KH, KW, stride, dilation, G) and ph <= 2 and pw <= 2
                          and H == OH + 2 - 2 * ph and W == OW + 2 - 2 * pw)
    if method is None and winograd and min(C, O) >= _winograd_min_channels:
        method = "winograd"
    if method == "winograd" and winograd and min(N, C, O) > 0:
        _winograd3x3(grad_output, weight, NULL, grad_input, 2 - ph, 2 - pw, True)
        return
    grad_input[...] = 0
    if N == 0 or C == 0 or O == 0 or H == 0 or W == 0 or OH == 0 or OW == 0:
        return
    if method is None and C // G == 1 and G > 1:
        method = "depthwise"
    if method is None:
        gather = _gather_cost(O, H, W, KH, KW, stride, padding, dilation)
        scatter = 2 * C * KH * KW * OH * OW   # the col2im pass reads and writes
        method = "gather" if gather <= scatter else "scatter"
    if method == "gather":
        _flipped_kernel_gather(grad_output, weight, grad_input, sh, sw, ph, pw, dh, dw, G)
    elif method == "scatter":
        _adjoint_scatter(grad_output, weight, grad_input, sh, sw, ph, pw, dh, dw, G)
    elif method == "depthwise" and C // G == 1:
        _depthwise_input(grad_output, weight, grad_input, sh, sw, ph, pw, dh, dw)
    else:
        raise ValueError(f"{name}: method must be None, 'gather', 'scatter', (when C == groups) "
                         f"'depthwise' or (3x3, stride 1, one group) 'winograd', got {method!r}")


def conv2d_backward_input(const floating[:, :, :, ::1] grad_output,
                          const floating[:, :, :, ::1] weight, floating[:, :, :, ::1] grad_input,
                          stride, padding, dilation, Py_ssize_t groups, method=None):
    """grad_input (N, C, H, W) = grad_output (N, O, OH, OW) convolved with weight (O, C/G, KH, KW):

    the correlation of grad_output with the flipped, channel-swapped kernel, phase by phase
    for stride > 1 ("gather"), by Winograd for 3x3 stride-1 kernels with enough channels
    ("winograd"); or, when that moves more memory, the same sum computed as
    col2im(w^T @ grad_output) ("scatter"). method forces one of them (for tests).
    H and W are taken from grad_input, so any output_padding is allowed.
    """
    _backward_input("conv2d_backward_input", grad_output, weight, grad_input,
                    stride, padding, dilation, groups, method)


def conv_transpose2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
                             const floating[::1] bias, floating[:, :, :, ::1] out, stride,
                             padding, dilation, Py_ssize_t groups, method=None):
    """out = conv_transpose2d(x, weight (C_in, C_out/G, KH, KW), bias): the input gradient
    of the conv2d that maps out's shape to x's, plus bias. out's size carries output_padding."""
    _backward_input("conv_transpose2d_forward", x, weight, out, stride, padding, dilation,
                    groups, method)
    if bias is not None:
        if bias.shape[0] != out.shape[1]:
            raise _shape_error("conv_transpose2d_forward", "bias", (out.shape[1],), (bias.shape[0],))
        np.asarray(out)[...] += np.asarray(bias)[:, None, None]
