# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""conv_transpose2d = conv2d's input gradient = the flipped-kernel convolution.

flipped_kernel computes it as the notes write it: the upstream gradient correlated with
the flipped (180-degree rotated), channel-swapped kernel, phase by phase for stride > 1,
each phase one im2col of the upstream gradient and one GEMM. col2im_scatter computes the
same sum the other way round, as the adjoint of im2col + GEMM, col2im(w^T @ g); conv.pyx
runs it only on the shapes where it was measured faster (docs/kernels.md).

Notation as in conv.pyx; here gy (N, O, OH, OW) is the upstream gradient (the
transposed conv's input) and gx (N, C, H, W) the result, weight (O, C/G, KH, KW).
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.string cimport memcpy, memset

from minigrad_core._index cimport _clip
from minigrad_core._omp cimport _items_threads, mg_threads_for
from minigrad_core.im2col_gemm cimport (_all_finite, _col2im, _flat_fits, _gemm_forward, _images_per_block,
                                        _rows_per_block)

from minigrad_core import _scratch


cdef void _flat_scatter(const floating* gy, const floating* wt, floating* gx, floating* gyw,
                        floating* cols, Py_ssize_t O, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t C,
                        Py_ssize_t H, Py_ssize_t W, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t dh,
                        Py_ssize_t dw, Py_ssize_t G, Py_ssize_t oy0, Py_ssize_t nb) noexcept nogil:
    """col2im(w^T gy) of one image's output rows oy0..oy0+nb in the flat layout (unpadded,
    stride 1): gy (O, OH, OW) widened to gyw (O, nb*W) with zero columns, cols (C*KH*KW,
    nb*W) = wt[g] @ gyw[g] (wt[g] = w[g]^T, (K, Og)), each cols row added to gx (C, H, W) as
    one span."""
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, L = nb * W
    cdef Py_ssize_t span = (nb - 1) * W + OW, o, y, g, c, a, b, j
    cdef floating* dst
    cdef const floating* src
    for o in range(O):
        for y in range(nb):
            memcpy(gyw + o * L + y * W, gy + (o * OH + oy0 + y) * OW, OW * sizeof(floating))
            memset(gyw + o * L + y * W + OW, 0, (W - OW) * sizeof(floating))
    for g in range(G):
        _gemm_forward(K, L, Og, wt + g * K * Og, Og, gyw + g * Og * L, L, cols + g * K * L, L, NULL)
    for c in range(C):
        for a in range(KH):
            for b in range(KW):
                src = cols + ((c * KH + a) * KW + b) * L
                dst = gx + (c * H + oy0 + a * dh) * W + b * dw
                for j in range(span):
                    dst[j] += src[j]


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
            elif sw == 2:                   # a constant stride: a tighter loop
                for mx in range(Mx):
                    dst[2 * mx] = src[mx]
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


def _phases(K, s, d, size, p):
    """The phases r (0 <= r < s) that some tap a < K reaches (a*d = r mod s) and that hold
    some row i in [0, size): at most min(K, size) of them, however large the stride."""
    return sorted(r for r in {(a * d) % s for a in range(K)} if _phase_rows(r, size, s, p)[1] > 0)


def _phase_rows(r, size, s, p):
    """First m and count of the rows i = r - p + s*m inside [0, size).

    Untyped on purpose: these are Python's floor divisions, not C's (cdivision)."""
    m0 = -((r - p) // s)                  # ceil((p - r) / s), >= 0 since r < s
    m1 = (size - 1 + p - r) // s          # floor
    return m0, max(0, m1 - m0 + 1)


cdef _pointwise(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                floating[:, :, :, ::1] gx, Py_ssize_t G):
    """The flipped kernel of a 1x1 unpadded stride-1 conv: gx[n, g] (Cg, H*W) = w[g]^T @ gy[n, g],
    one GEMM per image and group straight into gx (no copy of gy in, none of the result out:
    1x1, 256 -> 64 at 28x28, batch 16, 3.9 ms of which a third were those copies)."""
    cdef Py_ssize_t N = gy.shape[0], O = gy.shape[1], P = gy.shape[2] * gy.shape[3]
    cdef Py_ssize_t C = gx.shape[1], Cg = C // G, Og = O // G, n, g, c, o
    cdef floating[:, :, ::1] wt = np.empty((G, Cg, Og), dtype=np.float32 if floating is float else np.float64)
    cdef int nt = _items_threads(N, N * C * O * P)
    with nogil:
        for g in range(G):
            for c in range(Cg):
                for o in range(Og):
                    wt[g, c, o] = weight[g * Og + o, c, 0, 0]
        for n in prange(N, num_threads=nt, schedule='static'):
            for g in range(G):
                _gemm_forward(Cg, P, Og, &wt[g, 0, 0], Og, &gy[n, g * Og, 0, 0], P, &gx[n, g * Cg, 0, 0], P,
                              NULL)


cdef flipped_kernel(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                    floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                    Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """gx = conv_transpose2d(gy, weight), the flipped-kernel convolution, phase by phase
    (see the comment above); gx is zero on entry (pixels no output reads stay zero). Only
    the phases that hold both a tap and a row cost anything."""
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
    if KH == 1 and KW == 1 and sh == 1 and sw == 1 and ph == 0 and pw == 0:
        _pointwise(gy, weight, gx, G)
        return
    for ry in _phases(KH, sh, dh, H, ph):
        taps_y, qy = _phase_taps(ry, KH, sh, dh)
        ay = np.array(taps_y or [0], dtype=np.intp)
        my0, My = _phase_rows(ry, H, sh, ph)
        for rx in _phases(KW, sw, dw, W, pw):
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
            # per-thread scratch, reused from call to call (_scratch: fresh, its pages were
            # faulted in on every call); each (images, block) item writes its own pixels of gx
            with _scratch.arrays(dtype, (max(nt, 1), O * ny * nx * ipc * rb * Mx),
                                 (max(nt, 1), C * ipc * rb * Mx)) as (cols, tmp), nogil:
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
                        _gemm_forward(Cg, L, Kp, &wp[g, 0, 0], Kp, colp + g * Kp * L, L,
                                      tmpp + g * Cg * L, L, NULL)
                    for i in range(ni):
                        _phase_scatter(tmpp + i * Pb, L, &gx[n + i, 0, 0, 0], C, H, W,
                                       ry - ph + sh * (my0 + m), nb, rx - pw + sw * mx0, Mx,
                                       sh, sw, 1)


cdef col2im_scatter(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                    floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                    Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G):
    """The same gx as the adjoint of im2col + GEMM: col2im(w[g]^T @ gy[n, g]), each product
    scattered back into the pixels its patch came from; gx is zero on entry.

    Its scratch is Cg*KH*KW x OH*OW per group instead of Og*KH*KW x H*W / (sh*sw): it can
    move less memory when Og > Cg (a channel-widening layer, an RGB input).

    Where im2col_gemm lays its columns out flat (unpadded, stride 1, narrow rows: LeNet),
    so does this scatter: gy's rows are widened to W columns with zeros, so that each
    column-matrix row is added back as one span of gx (its extra columns add zeros) instead
    of OW-wide pieces. Only on a finite weight, whose products with those zeros are zero.
    """
    cdef Py_ssize_t N = gy.shape[0], O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t Cg = C // G, Og = O // G, K = Cg * KH * KW, P = OH * OW
    cdef bint flat = (_flat_fits(sh, sw, ph, pw, KH, KW, OW)
                      and _all_finite(&weight[0, 0, 0, 0], O * Cg * KH * KW))
    cdef Py_ssize_t rl = W if flat else OW          # columns per output row
    cdef Py_ssize_t rb = _rows_per_block(OH, rl, C * KH * KW, sizeof(floating))
    cdef int nt = _items_threads(N, N * C * KH * KW * P)
    dtype = np.float32 if floating is float else np.float64
    cdef floating[:, :, ::1] cols = np.empty((max(nt, 1), 1, C * KH * KW * rb * rl), dtype=dtype)
    cdef floating[:, ::1] gyw = np.empty((max(nt, 1), O * rb * rl if flat else 1), dtype=dtype)
    cdef Py_ssize_t n, g, oy0, nb, Pb, o, k
    cdef floating* colp
    # w[g]^T (K, Og) per group, so that the products cols = w[g]^T @ gy read it in place
    # (im2col_gemm._gemm_forward: the AVX-512 GEMM for float32 where there is one)
    cdef floating[:, :, ::1] wt = np.empty((G, K, Og), dtype=dtype)
    with nogil:
        for g in range(G):
            for o in range(Og):
                for k in range(K):
                    wt[g, k, o] = (&weight[0, 0, 0, 0])[(g * Og + o) * K + k]
    if flat:
        with nogil:
            for n in prange(N, num_threads=nt, schedule='static'):
                oy0 = 0
                while oy0 < OH:
                    nb = rb if oy0 + rb <= OH else OH - oy0
                    _flat_scatter(&gy[n, 0, 0, 0], &wt[0, 0, 0], &gx[n, 0, 0, 0],
                                  &gyw[threadid(), 0], &cols[threadid(), 0, 0], O, OH, OW, C, H, W,
                                  KH, KW, dh, dw, G, oy0, nb)
                    oy0 = oy0 + rb
        return
    with nogil:
        # parallel over images only: blocks of one image add into overlapping rows of gx
        for n in prange(N, num_threads=nt, schedule='static'):
            colp = &cols[threadid(), 0, 0]
            oy0 = 0
            while oy0 < OH:
                nb = rb if oy0 + rb <= OH else OH - oy0
                Pb = nb * OW
                for g in range(G):
                    _gemm_forward(K, Pb, Og, &wt[g, 0, 0], Og, &gy[n, g * Og, oy0, 0], P,
                                  colp + g * K * Pb, Pb, NULL)
                _col2im(colp, &gx[n, 0, 0, 0], C, H, W, KH, KW, oy0, nb, OW,
                        sh, sw, ph, pw, dh, dw, 1)
                oy0 = oy0 + rb
