# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""Cg == 1 (depthwise, or a one-channel input): conv2d, its weight gradient and its input
gradient (= conv_transpose2d) by direct loops.

Each output channel o reads one input channel c = o // Og, so the GEMMs of im2col_gemm
would be matrix-vector products of depth KH*KW. These loops instead accumulate tap by
tap over whole output rows (vectorized when the stride is 1), one plane per parallel
iteration.

What the input gradient computes: for each tap (a, b) the upstream plane, times
w[o, 0, a, b], is added into gx shifted by the tap's offset, so that each pixel gets
    gx[c, i, j] = sum_{o of c, a, b} w[o, 0, a, b] * gy[o, (i + ph - a*dh) / sh, (j + pw - b*dw) / sw]
over the taps whose division is exact: the upstream gradient correlated with the
flipped kernel, term for term the same sum as conv_transpose's phase-by-phase
flipped-kernel convolution, summed tap by tap instead of as one GEMM. With one channel
per group it is also col2im(w^T g) without the column buffer: for depthwise convs the
two formulations are the same loop.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.string cimport memcpy, memset

from minigrad_core._blas cimport _axpy, _dot
from minigrad_core._index cimport _tap_hi, _tap_lo
from minigrad_core._omp cimport mg_threads_for

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
# per row are junk and dropped. One scratch per thread (threadid()), used only when the
# padded plane is not much larger than the input and output planes (_flat_fits).

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


def _flat_fits(H, W, OH, OW, ph, pw, KW, dw):
    """Whether the flat kernels' padded plane is at most a few times the input and output
    planes. Padding that dominates (8,000 around a 1x1 input) would make the scratch
    grow with the padding, not the sizes: those convs take the direct loops, whose
    scratch is one output row. (Untyped: Python ints, so the products cannot overflow.)"""
    Wp = W + 2 * pw
    return (H + 2 * ph) * Wp + dw * (KW - 1) + OH * Wp <= 4 * (H * W + OH * OW) + 4096


def _dw_scratch(Py_ssize_t H, Py_ssize_t W, Py_ssize_t KW, Py_ssize_t OH, Py_ssize_t ph,
                Py_ssize_t pw, Py_ssize_t dw, Py_ssize_t per_thread_extra, int nt, dtype):
    """Row length Wp, padded-plane size and a per-thread scratch for the flat kernels."""
    Wp = W + 2 * pw
    xsize = (H + 2 * ph) * Wp + dw * (KW - 1) + 1
    return Wp, xsize, np.empty(max(1, nt) * (xsize + OH * Wp + per_thread_extra), dtype=dtype)



# ----------------------------------------------------------------------------------------
# the three entry points (conv.pyx has checked the shapes and handled the empty ones)

cdef conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
            const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t sh, Py_ssize_t sw,
            Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw):
    """out = conv2d(x, weight) + bias (bias may be NULL), for weight (O, 1, KH, KW)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = weight.shape[0], KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef int dnt = mg_threads_for(N * O * OH * OW * KH * KW)
    cdef Py_ssize_t Wp, xsize
    cdef floating[::1] scratch
    if sh == 1 and sw == 1 and _flat_fits(H, W, OH, OW, ph, pw, KW, dw):
        Wp, xsize, scratch = _dw_scratch(H, W, KW, OH, ph, pw, dw, 0, dnt,
                                         np.float32 if floating is float else np.float64)
        with nogil:
            _dw_flat_forward(&x[0, 0, 0, 0], &weight[0, 0, 0, 0], bias, &out[0, 0, 0, 0], &scratch[0],
                             N, C, H, W, O, KH, KW, OH, OW, ph, pw, dh, dw, Wp, xsize, dnt)
        return
    with nogil:
        _depthwise_forward(&x[0, 0, 0, 0], &weight[0, 0, 0, 0], bias, &out[0, 0, 0, 0],
                           N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, dnt)


cdef conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
                   floating[:, :, :, ::1] grad_weight, Py_ssize_t sh, Py_ssize_t sw,
                   Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw):
    """grad_weight (O, 1, KH, KW) of conv2d(x, weight)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = grad_weight.shape[0], KH = grad_weight.shape[2], KW = grad_weight.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef int dnt = mg_threads_for(N * O * OH * OW * KH * KW)
    cdef Py_ssize_t Wp, xsize
    cdef floating[::1] scratch
    cdef floating[:, ::1] acc
    if sh == 1 and sw == 1 and _flat_fits(H, W, OH, OW, ph, pw, KW, dw):
        Wp, xsize, scratch = _dw_scratch(H, W, KW, OH, ph, pw, dw, KH * KW, dnt,
                                         np.float32 if floating is float else np.float64)
        with nogil:
            _dw_flat_backward_weight(&x[0, 0, 0, 0], &grad_output[0, 0, 0, 0], &grad_weight[0, 0, 0, 0],
                                     &scratch[0], N, C, H, W, O, KH, KW, OH, OW, ph, pw, dh, dw, Wp,
                                     xsize, dnt)
        return
    acc = np.empty((O, OW), dtype=np.float32 if floating is float else np.float64)
    with nogil:
        _depthwise_backward_weight(&x[0, 0, 0, 0], &grad_output[0, 0, 0, 0], &grad_weight[0, 0, 0, 0],
                                   &acc[0, 0], N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw,
                                   dnt)


cdef conv_transpose2d(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                      floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                      Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw):
    """gx (N, C, H, W) = the input gradient of conv2d with weight (O, 1, KH, KW), O = C * Og:
    the flipped-kernel correlation of gy (N, O, OH, OW), tap by tap (module docstring)."""
    cdef Py_ssize_t N = gy.shape[0], O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef int dnt = mg_threads_for(N * O * OH * OW * KH * KW)
    cdef Py_ssize_t Wp, xsize
    cdef floating[::1] scratch
    # the flat form needs every gy row to land inside gx's padded plane (no output_padding)
    if (sh == 1 and sw == 1 and OH + dh * (KH - 1) == H + 2 * ph and OW + dw * (KW - 1) == W + 2 * pw
            and _flat_fits(H, W, OH, OW, ph, pw, KW, dw)):
        Wp, xsize, scratch = _dw_scratch(H, W, KW, OH, ph, pw, dw, 0, dnt,
                                         np.float32 if floating is float else np.float64)
        with nogil:
            _dw_flat_backward_input(&gy[0, 0, 0, 0], &weight[0, 0, 0, 0], &gx[0, 0, 0, 0], &scratch[0],
                                    N, C, H, W, O, KH, KW, OH, OW, ph, pw, dh, dw, Wp, xsize, dnt)
        return
    with nogil:
        _depthwise_backward_input(&gy[0, 0, 0, 0], &weight[0, 0, 0, 0], &gx[0, 0, 0, 0],
                                  N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, dnt)

