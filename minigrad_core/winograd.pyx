# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""3x3, stride 1, one group: conv2d and its weight gradient by Winograd's minimal filtering
F(2x2, 3x3) (Lavin and Gray, 2015).

Each 2x2 output tile is Y = A^T [(G g G^T) * (B^T d B)] A, with d the 4x4 input tile
under it and g the 3x3 kernel: 16 products per tile and channel pair instead of 36.
Summed over the input channels, the 16 elementwise products become 16 GEMMs,
    M[e] (O, T) = U[e] (O, C) @ V[e] (C, T),  U = G g G^T,  V = B^T d B,
over a block of T tiles. The transforms only add, subtract and halve, so the result is
the same correlation up to rounding. The input gradient of such a conv, the correlation
of the upstream gradient with the flipped kernel, is again one (conv2d with flipped=True):
the flipped-kernel convolution computed by a fast algorithm. The weight gradient runs the
same product backward (conv2d_weight). Below 32 channels the transforms cost more than
they save. The tile transforms are C, in winograd.h.

Dilation (dh, dw): output row y reads input rows y - ph + a*dh, all of y - ph's parity mod
dh, so each of the dh*dw sub-planes x[py::dh, px::dw] is convolved on its own with the
undilated kernel, at padding ph/dh, into out[py::dh, px::dw]. The tiles read and write
the sub-planes in place (row stride dh*W, column stride dw), when every sub-plane has the
same size and padding: dh divides H and ph, dw divides W and pw (fits).
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.string cimport memcpy, memset

from minigrad_core._blas cimport _gemm
from minigrad_core._omp cimport _items_threads, mg_threads_for
from minigrad_core.im2col_gemm cimport _avx512_on, _gemm_forward, _rows_per_block

from minigrad_core import _scratch

cdef extern from "winograd.h":
    void mg_wino_split_f(const float* row, float* even, float* odd, Py_ssize_t n) noexcept nogil
    void mg_wino_split_d(const double* row, double* even, double* odd, Py_ssize_t n) noexcept nogil
    void mg_wino_input_f(const float* d0, const float* d1, const float* d2, const float* d3,
                         Py_ssize_t lo, Py_ssize_t hi, float* t, float* v, Py_ssize_t vs,
                         Py_ssize_t tw) noexcept nogil
    void mg_wino_input_d(const double* d0, const double* d1, const double* d2, const double* d3,
                         Py_ssize_t lo, Py_ssize_t hi, double* t, double* v, Py_ssize_t vs,
                         Py_ssize_t tw) noexcept nogil
    void mg_wino_output_avx512(const float* m, Py_ssize_t ms, float* row0, float* row1,
                               Py_ssize_t ow, Py_ssize_t tw, float b) noexcept nogil
    void mg_wino_kernels_avx512(const float* w, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t rs,
                                Py_ssize_t cs, const Py_ssize_t* plane, float* u,
                                Py_ssize_t n) noexcept nogil
    void mg_wino_grad_avx512(const float* row0, const float* row1, Py_ssize_t ow, Py_ssize_t tw,
                             float* z, Py_ssize_t zs) noexcept nogil
    void mg_wino_input_avx512(const float* d0, const float* d1, const float* d2, const float* d3,
                              Py_ssize_t lo, Py_ssize_t hi, float* v, Py_ssize_t vs,
                              Py_ssize_t tw) noexcept nogil
    void mg_wino_output_f(const float* m, Py_ssize_t ms, float* y, Py_ssize_t tw, float b) noexcept nogil
    void mg_wino_output_d(const double* m, Py_ssize_t ms, double* y, Py_ssize_t tw, double b) noexcept nogil
    void mg_wino_grad_f(const float* r, Py_ssize_t tw, float* z, Py_ssize_t zs) noexcept nogil
    void mg_wino_grad_d(const double* r, Py_ssize_t tw, double* z, Py_ssize_t zs) noexcept nogil
    void mg_wino_merge_f(const float* even, const float* odd, float* row, Py_ssize_t n) noexcept nogil
    void mg_wino_merge_d(const double* even, const double* odd, double* row, Py_ssize_t n) noexcept nogil



cdef Py_ssize_t _winograd_min_channels = 32
# The forward transforms the kernels on every call (16*9 multiply-adds per channel pair, a
# GEMM of depth 9 that runs far below peak) and then reads U, 16/9 the size of the weight,
# in 16 GEMMs of one column per tile: with few tiles (batch 1 and an 8x8 or 4x4 map: 16 or
# 4 tiles) both cost more than the multiplications saved. Measured on ResNet's 3x3 convs
# at 1 thread: 4 tiles 4x slower than im2col + GEMM, 16 tiles 2x, 64 even, 256 tiles 1.2x
# faster (bench/bench_conv.py --mode inference, docs/kernels.md).
cdef Py_ssize_t _winograd_min_tiles = 128


def _set_winograd_min_channels(Py_ssize_t n):
    """Use Winograd for 3x3 stride-1 convs with at least n input and output channels
    (tests lower it to 1 to run it on small shapes); returns the old value."""
    global _winograd_min_channels
    old = _winograd_min_channels
    _winograd_min_channels = max(1, n)
    return old


def _set_winograd_min_tiles(Py_ssize_t n):
    """Let the forward use Winograd from n output tiles (2x2 each, over the whole batch)
    up (tests lower it to 1 to run it on small shapes); returns the old value."""
    global _winograd_min_tiles
    old = _winograd_min_tiles
    _winograd_min_tiles = max(1, n)
    return old


cdef bint fits(Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t dh,
               Py_ssize_t dw, Py_ssize_t G, Py_ssize_t H, Py_ssize_t W, Py_ssize_t ph,
               Py_ssize_t pw) noexcept:
    """Whether conv2d below computes this conv of an (H, W) input padded by (ph, pw): 3x3,
    stride 1, one group, and a dilation that cuts the input into equal sub-planes with the
    same padding (dh divides H and ph, dw divides W and pw; always true at dilation 1)."""
    return (KH == 3 and KW == 3 and sh == 1 and sw == 1 and G == 1 and dh >= 1 and dw >= 1
            and H % dh == 0 and W % dw == 0 and ph % dh == 0 and pw % dw == 0)


cdef bint pays(Py_ssize_t C, Py_ssize_t O) noexcept:
    """Whether the conv has enough channels for the transforms to pay off."""
    return C >= _winograd_min_channels and O >= _winograd_min_channels


cdef bint enough_tiles(Py_ssize_t N, Py_ssize_t OH, Py_ssize_t OW) noexcept:
    """Whether the forward of N images of OH x OW outputs has enough 2x2 tiles to pay for
    transforming the kernels (see _winograd_min_tiles)."""
    return N * ((OH + 1) // 2) * ((OW + 1) // 2) >= _winograd_min_tiles


cdef inline void _wino_input_row(const floating* xc, Py_ssize_t H, Py_ssize_t W, Py_ssize_t ys,
                                 Py_ssize_t xs, Py_ssize_t y0, Py_ssize_t x0, Py_ssize_t TW,
                                 floating* r, floating* v, Py_ssize_t vs) noexcept nogil:
    """v[e*vs + x] = (B^T d_x B)[e] for the TW tiles d_x of the plane xc (H, W; element
    (i, j) at xc[i*ys + j*xs]) at rows y0..y0+3, columns x0 + 2x..x0 + 2x + 3 (zero
    outside); r is a 9*(2*TW + 2) scratch whose last 2*TW + 2 are zero. The AVX-512 path
    runs where the processor has it and im2col_gemm._set_forward_gemm allows it."""
    cdef Py_ssize_t n = 2 * TW + 2, i, iy, j
    cdef const floating* d[4]
    cdef floating* row
    cdef const floating* zeros = r + 8 * n
    cdef Py_ssize_t lo = -x0 if x0 < 0 else 0
    cdef Py_ssize_t hi = W - x0 if W - x0 < n else n
    if hi < lo:
        hi = lo
    for i in range(4):
        iy = y0 + i
        if iy < 0 or iy >= H:
            d[i] = zeros
        elif xs == 1:
            d[i] = xc + iy * ys + x0 + lo
        else:                               # dilation: gather the row's columns first
            row = r + i * n
            for j in range(hi - lo):
                row[j] = xc[iy * ys + (x0 + lo + j) * xs]
            d[i] = row
    if floating is float:
        if _avx512_on():
            mg_wino_input_avx512(d[0], d[1], d[2], d[3], lo, hi, v, vs, TW)
        else:
            mg_wino_input_f(d[0], d[1], d[2], d[3], lo, hi, r + 4 * n, v, vs, TW)
    else:
        mg_wino_input_d(d[0], d[1], d[2], d[3], lo, hi, r + 4 * n, v, vs, TW)


cdef inline void _wino_output_row(const floating* m, Py_ssize_t ms, floating* yc, Py_ssize_t OH,
                                  Py_ssize_t OW, Py_ssize_t ys, Py_ssize_t xs, Py_ssize_t y0,
                                  Py_ssize_t TW, floating b, floating* r) noexcept nogil:
    """Rows y0, y0+1 (those < OH) of the plane yc (OH, OW; element (i, j) at yc[i*ys + j*xs])
    from the TW tiles' products m[e*ms + x], plus b; r is a 6*TW scratch."""
    cdef Py_ssize_t i, j
    cdef floating* dst
    if floating is float:
        if xs == 1 and _avx512_on():
            mg_wino_output_avx512(m, ms, yc + y0 * ys, yc + (y0 + 1) * ys if y0 + 1 < OH else NULL,
                                  OW, TW, b)
            return
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
        dst = yc + (y0 + i) * ys
        if xs == 1:
            memcpy(dst, r + 4 * TW, OW * sizeof(floating))
        elif xs == 2:
            for j in range(OW):
                dst[2 * j] = r[4 * TW + j]
        else:
            for j in range(OW):
                dst[j * xs] = r[4 * TW + j]


cdef inline void _wino_grad_row(const floating* gc, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t ys,
                                Py_ssize_t xs, Py_ssize_t y0, Py_ssize_t TW, floating* r,
                                floating* z, Py_ssize_t zs) noexcept nogil:
    """z[e*zs + x] = (A g_x A^T)[e] for the TW 2x2 tiles g_x of the plane gc (OH, OW; element
    (i, j) at gc[i*ys + j*xs]) at rows y0, y0+1 (zero outside), A = [[1,0],[1,1],[1,-1],[0,-1]]:
    the adjoint of the output transform; r is a 6*TW scratch."""
    cdef Py_ssize_t i, j
    cdef const floating* src
    cdef floating* row = r + 4 * TW
    if floating is float:
        if xs == 1 and _avx512_on():
            mg_wino_grad_avx512(gc + y0 * ys, gc + (y0 + 1) * ys if y0 + 1 < OH else NULL, OW, TW,
                                z, zs)
            return
    for i in range(2):
        if y0 + i >= OH:
            memset(r + 2 * i * TW, 0, 2 * TW * sizeof(floating))
            continue
        src = gc + (y0 + i) * ys
        if xs == 1:
            memcpy(row, src, OW * sizeof(floating))
        elif xs == 2:
            for j in range(OW):
                row[j] = src[2 * j]
        else:
            for j in range(OW):
                row[j] = src[j * xs]
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


cdef void _transpose(const floating* a, Py_ssize_t rows, Py_ssize_t cols, floating* at) noexcept nogil:
    """at (cols, rows) = a (rows, cols)^T, 32x32 blocks at a time (both stay in cache)."""
    cdef Py_ssize_t i0, j0, i, j
    for i0 in range(0, rows, 32):
        for j0 in range(0, cols, 32):
            for j in range(j0, min(j0 + 32, cols)):
                for i in range(i0, min(i0 + 32, rows)):
                    at[j * rows + i] = a[i * cols + j]


def _read_only(a):
    a.flags.writeable = False
    return a


def _gk(dtype):
    """Gk (16, 9), Gk[(a, b), (i, j)] = G[a, i] G[b, j]: U = G g G^T for every kernel g at once."""
    G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    return _read_only(np.kron(G, G).astype(dtype))


_GK = {np.dtype(np.float32): _gk(np.float32), np.dtype(np.float64): _gk(np.float64)}


# The planes e = 4a + b of U, and where the flipped kernel finds its plane (a, b): the
# weight's (P a, P b), P swapping 0 and 3 (conv2d's docstring).
_PLANES = _read_only(np.arange(16, dtype=np.intp))
_FLIPPED_PLANES = _read_only(np.array([4 * a + b for a in (3, 1, 2, 0) for b in (3, 1, 2, 0)], dtype=np.intp))


cdef Py_ssize_t _tile_rows_per_block(Py_ssize_t R, Py_ssize_t TW, Py_ssize_t C, Py_ssize_t O,
                                     Py_ssize_t itemsize) noexcept nogil:
    """Tile rows (of TW tiles) per block, out of R: V (16, C, tiles) and M (16, O, tiles) of
    about a block each, and at least one block per thread (ResNet's 4x4 maps at batch 32
    fit in one block, which left the second thread idle)."""
    cdef Py_ssize_t rb = _rows_per_block(R, TW, 16 * max(C, O), itemsize)
    cdef int nt = mg_threads_for(16 * R * TW * (C + O))
    if (R + rb - 1) // rb < nt:
        rb = max(1, (R + nt - 1) // nt)
    return rb


cdef inline Py_ssize_t _plane(Py_ssize_t q, Py_ssize_t TH, Py_ssize_t dh, Py_ssize_t dw,
                              Py_ssize_t W) noexcept nogil:
    """Tile row q = (n, py, ty, px): the offset py*W + px of its sub-plane in an (H, W) plane.
    px varies fastest, so the dw sub-planes' tile rows that read (and write) the same rows
    of the plane run one after the other, while those rows are in cache."""
    return ((q // (dw * TH)) % dh) * W + q % dw


cdef inline void _wino_input_rows(const floating[:, :, :, ::1] x, Py_ssize_t TH, Py_ssize_t TW,
                                  Py_ssize_t q0, Py_ssize_t nq, Py_ssize_t ph, Py_ssize_t pw,
                                  Py_ssize_t dh, Py_ssize_t dw, floating* r, floating* v,
                                  Py_ssize_t Tb) noexcept nogil:
    """V (16, C, Tb) of the tile rows q0..q0+nq (row q = (n, py, ty, px)) of the sub-planes
    x[n, :, py::dh, px::dw] padded by (ph, pw) (the sub-planes' padding); r is an
    18*(TW + 1) scratch."""
    cdef Py_ssize_t C = x.shape[1], H = x.shape[2], W = x.shape[3], c, q, n, ty
    memset(r + 16 * TW + 16, 0, (2 * TW + 2) * sizeof(floating))     # the padding's zero row
    for c in range(C):
        for q in range(nq):
            n = (q0 + q) // (TH * dh * dw)
            ty = ((q0 + q) // dw) % TH
            _wino_input_row(&x[n, c, 0, 0] + _plane(q0 + q, TH, dh, dw, W), H // dh, W // dw,
                            dh * W, dw, 2 * ty - ph, -pw, TW, r, v + c * Tb + q * TW, C * Tb)


cdef conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
            const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t ph, Py_ssize_t pw,
            Py_ssize_t dh, Py_ssize_t dw, bint flipped):
    """out (N, O, OH, OW) = conv2d(x (N, C, H, W), k, padding (ph, pw), dilation (dh, dw)) +
    bias at stride 1, by F(2x2, 3x3), with k = weight (O, C, 3, 3) or, flipped, the flipped,
    channel-swapped weight (C, O, 3, 3): k[o, c, a, b] = weight[c, o, 2 - a, 2 - b] (the
    input gradient, padding 2*d - p). The caller has checked the shapes and fits(). A block
    is some whole rows of tiles (of one image or several), the tiles numbered
    (n, py, ty, px, tx) over the sub-planes (py, px) of each image.

    Flipping a kernel reverses the rows of G (G J = P G, P swapping rows 0 and 3), so the
    flipped kernel's U[(a, b)] is the weight's U[(P a, P b)], used transposed."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = out.shape[1], OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t TH = (OH // dh + 1) // 2, TW = (OW // dw + 1) // 2, R = N * dh * dw * TH
    cdef Py_ssize_t rb = _tile_rows_per_block(R, TW, C, O, sizeof(floating))
    cdef Py_ssize_t nblk = (R + rb - 1) // rb, Tb = rb * TW
    cdef int nt = _items_threads(nblk, 16 * R * TW * (C + O))
    dtype = np.float32 if floating is float else np.float64
    # U[e] (O, C) = the transformed kernels, Gk @ w^T
    cdef const floating[:, ::1] gk = _GK[np.dtype(dtype)]
    cdef const Py_ssize_t[::1] ue = _FLIPPED_PLANES
    cdef const Py_ssize_t[::1] identity = _PLANES
    cdef floating[:, ::1] u, uw, v, m, rows
    cdef Py_ssize_t blk, q0, nq, q, n, ty, c, o, t, o0, o1
    cdef int nkt = _items_threads(O, 16 * O * C)
    cdef floating* vp
    cdef floating* mp
    cdef floating* rp
    # U, the weight's own U (the BLAS path of the flipped kernel: planes (C, O), transposed
    # into U), and each thread's V, M and row scratch, reused from call to call (_scratch)
    with _scratch.arrays(dtype, (16, O * C), (16, O * C if flipped else 1),
                         (max(nt, 1), 16 * C * Tb), (max(nt, 1), 16 * O * Tb),
                         (max(nt, 1), 18 * TW + 18)) as (u, uw, v, m, rows), nogil:
        if floating is float and _avx512_on():  # (ue is its own inverse: P swaps 0 and 3)
            for t in prange(nkt, num_threads=nkt, schedule='static'):   # rows o0..o1 of each U[e]
                o0, o1 = O * t // nkt, O * (t + 1) // nkt
                mg_wino_kernels_avx512(&weight[0, 0, 0, 0] + 9 * o0 * (1 if flipped else C), o1 - o0, C,
                                       1 if flipped else C, O if flipped else 1,
                                       &ue[0] if flipped else &identity[0], &u[0, o0 * C], O * C)
        elif flipped:
            _gemm(False, True, 16, O * C, 9, &gk[0, 0], 9, &weight[0, 0, 0, 0], 9, 0, &uw[0, 0], O * C)
            for c in range(16):
                _transpose(&uw[ue[c], 0], C, O, &u[c, 0])
        else:
            _gemm(False, True, 16, O * C, 9, &gk[0, 0], 9, &weight[0, 0, 0, 0], 9, 0, &u[0, 0], O * C)
        for blk in prange(nblk, num_threads=nt, schedule='static'):
            vp = &v[threadid(), 0]
            mp = &m[threadid(), 0]
            rp = &rows[threadid(), 0]
            q0 = blk * rb
            nq = rb if q0 + rb <= R else R - q0
            _wino_input_rows(x, TH, TW, q0, nq, ph // dh, pw // dw, dh, dw, rp, vp, Tb)
            for c in range(16):
                _gemm_forward(O, nq * TW, C, &u[c, 0], C,
                              vp + c * C * Tb, Tb, mp + c * O * Tb, Tb, NULL)
            for o in range(O):
                for q in range(nq):
                    n = (q0 + q) // (TH * dh * dw)
                    ty = ((q0 + q) // dw) % TH
                    _wino_output_row(mp + o * Tb + q * TW, O * Tb,
                                     &out[n, o, 0, 0] + _plane(q0 + q, TH, dh, dw, OW), OH // dh,
                                     OW // dw, dh * OW, dw, 2 * ty, TW,
                                     bias[o] if bias != NULL else 0, rp)


cdef conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] gy,
                   floating[:, :, :, ::1] gw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                   Py_ssize_t dw):
    """gw (O, C, 3, 3) = the weight gradient of the stride-1 conv of x (N, C, H, W) padded by
    (ph, pw) with dilation (dh, dw), whose output gradient is gy (N, O, OH, OW), by
    F(2x2, 3x3) run backward: with y = A^T [U * V] A per tile, dL/dU[e] = sum over tiles
    of (A gy A^T)[e] V[e] (16 GEMMs (O, T) @ (T, C)) and gw = G^T (dL/dU) G, the tiles
    taken over every sub-plane. The caller has checked the shapes and fits()."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1]
    cdef Py_ssize_t O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t TH = (OH // dh + 1) // 2, TW = (OW // dw + 1) // 2, R = N * dh * dw * TH
    cdef Py_ssize_t rb = _tile_rows_per_block(R, TW, C, O, sizeof(floating))
    cdef Py_ssize_t nblk = (R + rb - 1) // rb, Tb = rb * TW
    cdef int nt = _items_threads(nblk, 16 * R * TW * (C + O))
    dtype = np.float32 if floating is float else np.float64
    cdef const floating[:, ::1] gk = _GK[np.dtype(dtype)]
    cdef floating[:, ::1] v, z, rows, du
    # each thread sums dL/dU (16, O*C) into its own copy, its first block's GEMMs writing
    # it (started), and the copies are added at the end
    cdef int[::1] started = np.zeros(max(nt, 1), dtype=np.intc)
    cdef Py_ssize_t blk, q0, nq, q, n, ty, o, e, t, i
    cdef floating* vp
    cdef floating* zp
    cdef floating* rp
    with _scratch.arrays(dtype, (max(nt, 1), 16 * C * Tb), (max(nt, 1), 16 * O * Tb),
                         (max(nt, 1), 18 * TW + 18), (max(nt, 1), 16 * O * C)) as (v, z, rows, du), nogil:
        for blk in prange(nblk, num_threads=nt, schedule='static'):
            vp = &v[threadid(), 0]
            zp = &z[threadid(), 0]
            rp = &rows[threadid(), 0]
            q0 = blk * rb
            nq = rb if q0 + rb <= R else R - q0
            _wino_input_rows(x, TH, TW, q0, nq, ph // dh, pw // dw, dh, dw, rp, vp, Tb)
            for o in range(O):
                for q in range(nq):
                    n = (q0 + q) // (TH * dh * dw)
                    ty = ((q0 + q) // dw) % TH
                    _wino_grad_row(&gy[n, o, 0, 0] + _plane(q0 + q, TH, dh, dw, OW), OH // dh,
                                   OW // dw, dh * OW, dw, 2 * ty, TW, rp, zp + o * Tb + q * TW,
                                   O * Tb)
            for e in range(16):
                _gemm(False, True, O, C, nq * TW, zp + e * O * Tb, Tb, vp + e * C * Tb, Tb,
                      started[threadid()], &du[threadid(), e * O * C], C)
            started[threadid()] = 1
        if not started[0]:
            memset(&du[0, 0], 0, 16 * O * C * sizeof(floating))
        for i in prange(16 * O * C, num_threads=nt, schedule='static'):
            for t in range(1, max(nt, 1)):
                if started[t]:
                    du[0, i] += du[t, i]
        # gw (O*C, 9) = dU^T (O*C, 16) @ Gk (16, 9)
        _gemm(True, False, O * C, 9, 16, &du[0, 0], O * C, &gk[0, 0], 9, 0, &gw[0, 0, 0, 0], 9)
