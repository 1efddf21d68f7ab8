# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""Pooling kernels: max, average, adaptive average and adaptive max, forward and backward.

Notation: N batch, C channels, H W input size, OH OW output size, KH KW window size,
sh sw stride, ph pw padding, dh dw dilation. Arrays are NCHW, C-contiguous, float32 or
float64; indices are int64 offsets into one H*W plane (as PyTorch's). Each of the N*C
planes is independent, so the loops run in parallel over planes.

The output size (ceil_mode included) is the caller's: the kernels take it from the output
buffer, and bound every window by the input, so no size can make them read or write out
of bounds; the callers (minigrad.ops.pool) validate arguments with PyTorch's rules.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY
from libc.stdint cimport int64_t
from libc.string cimport memset

from minigrad_core._index cimport _dims, _max, _min, _tap_hi, _tap_lo
from minigrad_core._omp cimport mg_threads_for


def _check_planes(name, in_shape, out_shape):
    if tuple(in_shape[:2]) != tuple(out_shape[:2]):
        raise ValueError(f"{name}: input {tuple(in_shape)} and output {tuple(out_shape)} "
                         f"differ in batch or channels")


def _check_window(name, kernel_size, stride, padding, dilation):
    if min(kernel_size) < 1 or min(stride) < 1 or min(padding) < 0 or min(dilation) < 1:
        raise ValueError(f"{name}: kernel_size, stride and dilation must be positive and "
                         f"padding non-negative, got kernel_size={kernel_size}, "
                         f"stride={stride}, padding={padding}, dilation={dilation}")


# ----------------------------------------------------------------------------------------
# max pooling

def max_pool2d_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                       int64_t[:, :, :, ::1] indices, kernel_size, stride, padding, dilation):
    """out[n, c, y, x] = max over the window at (y*sh - ph, x*sw - pw) with taps dh, dw apart;
    indices = the first arg max's offset in the plane (the last NaN wins, as in PyTorch); a window
    that misses the input entirely gives -inf and index -1.

    Tap-major: each tap (a, b) updates a whole output row, branch-free, in the taps' row-major
    order, so "first maximum" is kept as in a window-by-window scan. The winning tap is kept
    as an int32 per output (same lane width as float32, so the loop vectorizes) and turned
    into a plane offset at the end of the row."""
    _check_planes("max_pool2d_forward", _dims(x.shape, 4), _dims(out.shape, 4))
    _check_window("max_pool2d_forward", kernel_size, stride, padding, dilation)
    if _dims(indices.shape, 4) != _dims(out.shape, 4):
        raise ValueError("max_pool2d_forward: indices and out differ in shape")
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1], sh = stride[0], sw = stride[1]
    cdef Py_ssize_t ph = padding[0], pw = padding[1], dh = dilation[0], dw = dilation[1]
    cdef Py_ssize_t p, oy, ox, a, b, iy, off, lo, hi, y0
    cdef int t, bt
    cdef floating bv, v
    cdef bint take
    cdef const floating* src
    cdef const floating* row
    cdef floating* dst
    cdef int* tap
    cdef int64_t* idx
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or OH == 0 or OW == 0:
        return
    cdef int[:, ::1] taps = np.empty((max(nt, 1), OW), dtype=np.intc)
    # plane offset of tap t = a*KW + b relative to the window's corner
    cdef Py_ssize_t[::1] tap_off = np.array([a_ * dh * W + b_ * dw for a_ in range(KH) for b_ in range(KW)],
                                            dtype=np.intp)
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            src = &x[0, 0, 0, 0] + p * H * W
            tap = &taps[0, 0] + threadid() * OW
            for oy in range(OH):
                dst = &out[0, 0, 0, 0] + (p * OH + oy) * OW
                idx = &indices[0, 0, 0, 0] + (p * OH + oy) * OW
                for ox in range(OW):
                    dst[ox] = -INFINITY
                    tap[ox] = -1
                y0 = oy * sh - ph
                for a in range(KH):
                    iy = y0 + a * dh
                    if iy < 0 or iy >= H:
                        continue
                    for b in range(KW):
                        off = b * dw - pw
                        lo = _tap_lo(off, sw, OW)
                        hi = _tap_hi(off, sw, W, OW, lo)
                        row = src + iy * W + off
                        t = <int>(a * KW + b)
                        for ox in range(lo, hi):
                            v = row[ox * sw]
                            bv = dst[ox]
                            bt = tap[ox]
                            take = (v > bv) | (v != v) | (bt < 0)
                            dst[ox] = v if take else bv
                            tap[ox] = t if take else bt
                for ox in range(OW):
                    bt = tap[ox]
                    idx[ox] = y0 * W + ox * sw - pw + tap_off[bt] if bt >= 0 else -1


def max_pool2d_backward(const floating[:, :, :, ::1] grad_output,
                        const int64_t[:, :, :, ::1] indices, floating[:, :, :, ::1] grad_input):
    """grad_input[n, c].flat[indices[n, c, y, x]] += grad_output[n, c, y, x] (zeroed first).

    Also the backward of adaptive_max_pool2d; indices outside the plane are skipped."""
    _check_planes("max_pool2d_backward", _dims(grad_input.shape, 4), _dims(grad_output.shape, 4))
    if _dims(indices.shape, 4) != _dims(grad_output.shape, 4):
        raise ValueError("max_pool2d_backward: indices and grad_output differ in shape")
    cdef Py_ssize_t NC = grad_input.shape[0] * grad_input.shape[1]
    cdef Py_ssize_t HW = grad_input.shape[2] * grad_input.shape[3]
    cdef Py_ssize_t OHW = grad_output.shape[2] * grad_output.shape[3]
    cdef Py_ssize_t p, o
    cdef int64_t i
    cdef const floating* src
    cdef const int64_t* idx
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (HW + OHW))
    if NC == 0 or HW == 0:
        return
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            dst = &grad_input[0, 0, 0, 0] + p * HW
            memset(dst, 0, HW * sizeof(floating))
            if OHW == 0:
                continue
            src = &grad_output[0, 0, 0, 0] + p * OHW
            idx = &indices[0, 0, 0, 0] + p * OHW
            for o in range(OHW):
                i = idx[o]
                if 0 <= i < HW:
                    dst[i] += src[o]


def gather_planes(const floating[:, :, :, ::1] x, const int64_t[:, :, :, ::1] indices,
                  floating[:, :, :, ::1] out):
    """out[n, c, y, x] = x[n, c].flat[indices[n, c, y, x]] (0 for an index outside the plane):
    the adjoint of max_pool2d_backward, used for the gradient of a max-pool gradient."""
    _check_planes("gather_planes", _dims(x.shape, 4), _dims(out.shape, 4))
    if _dims(indices.shape, 4) != _dims(out.shape, 4):
        raise ValueError("gather_planes: indices and out differ in shape")
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], HW = x.shape[2] * x.shape[3]
    cdef Py_ssize_t OHW = out.shape[2] * out.shape[3]
    cdef Py_ssize_t p, o
    cdef int64_t i
    cdef const floating* src
    cdef const int64_t* idx
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (HW + OHW))
    if NC == 0 or OHW == 0:
        return
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            src = &x[0, 0, 0, 0] + p * HW
            dst = &out[0, 0, 0, 0] + p * OHW
            idx = &indices[0, 0, 0, 0] + p * OHW
            for o in range(OHW):
                i = idx[o]
                dst[o] = src[i] if 0 <= i < HW else 0


# ----------------------------------------------------------------------------------------
# average pooling (PyTorch's divisor rules)

cdef inline Py_ssize_t _avg_divisor(Py_ssize_t y0, Py_ssize_t x0, Py_ssize_t KH, Py_ssize_t KW,
                                    Py_ssize_t H, Py_ssize_t W, Py_ssize_t ph, Py_ssize_t pw,
                                    bint count_include_pad, Py_ssize_t divisor_override) noexcept nogil:
    """The divisor of the window starting at (y0, x0).

    With count_include_pad the window counts the padding but not what lies beyond it: a
    ceil_mode window hanging over the padding is cut at H + ph, W + pw, as in PyTorch."""
    cdef Py_ssize_t yend, xend
    if divisor_override > 0:
        return divisor_override
    if count_include_pad:
        yend = _min(y0 + KH, H + ph)
        xend = _min(x0 + KW, W + pw)
        return (yend - y0) * (xend - x0)
    return (_min(y0 + KH, H) - _max(y0, 0)) * (_min(x0 + KW, W) - _max(x0, 0))


def avg_pool2d_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                       kernel_size, stride, padding, bint count_include_pad,
                       Py_ssize_t divisor_override=0):
    """out[n, c, y, x] = sum of the window at (y*sh - ph, x*sw - pw) / its divisor;
    divisor_override 0 means none. Tap-major over output rows, as max_pool2d_forward."""
    _check_planes("avg_pool2d_forward", _dims(x.shape, 4), _dims(out.shape, 4))
    _check_window("avg_pool2d_forward", kernel_size, stride, padding, (1, 1))
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1], sh = stride[0], sw = stride[1]
    cdef Py_ssize_t ph = padding[0], pw = padding[1]
    cdef Py_ssize_t p, oy, ox, a, b, iy, off, lo, hi, div
    cdef const floating* src
    cdef const floating* row
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or OH == 0 or OW == 0:
        return
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            src = &x[0, 0, 0, 0] + p * H * W
            for oy in range(OH):
                dst = &out[0, 0, 0, 0] + (p * OH + oy) * OW
                for ox in range(OW):
                    dst[ox] = 0
                for a in range(KH):
                    iy = oy * sh - ph + a
                    if iy < 0 or iy >= H:
                        continue
                    for b in range(KW):
                        off = b - pw
                        lo = _tap_lo(off, sw, OW)
                        hi = _tap_hi(off, sw, W, OW, lo)
                        row = src + iy * W + off
                        if sw == 1:
                            for ox in range(lo, hi):
                                dst[ox] += row[ox]
                        else:
                            for ox in range(lo, hi):
                                dst[ox] += row[ox * sw]
                for ox in range(OW):
                    div = _avg_divisor(oy * sh - ph, ox * sw - pw, KH, KW, H, W, ph, pw,
                                       count_include_pad, divisor_override)
                    dst[ox] = dst[ox] / div if div > 0 else 0


def avg_pool2d_backward(const floating[:, :, :, ::1] grad_output, floating[:, :, :, ::1] grad_input,
                        kernel_size, stride, padding, bint count_include_pad,
                        Py_ssize_t divisor_override=0):
    """grad_input[window of (y, x)] += grad_output[y, x] / divisor (zeroed first), tap-major
    over output rows with the scaled row in a per-thread scratch. When the windows tile the
    plane (stride == kernel, no padding: LeNet's 2x2/2) every input gets at most one value,
    so it is written, not added, and only the uncovered remainder is zeroed."""
    _check_planes("avg_pool2d_backward", _dims(grad_input.shape, 4), _dims(grad_output.shape, 4))
    _check_window("avg_pool2d_backward", kernel_size, stride, padding, (1, 1))
    cdef Py_ssize_t NC = grad_input.shape[0] * grad_input.shape[1]
    cdef Py_ssize_t H = grad_input.shape[2], W = grad_input.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1], sh = stride[0], sw = stride[1]
    cdef Py_ssize_t ph = padding[0], pw = padding[1]
    cdef Py_ssize_t p, oy, ox, a, b, iy, off, lo, hi, div, ix, covered_h, covered_w, full
    cdef const floating* src
    cdef floating* dst
    cdef floating* row
    cdef floating* scaled
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    cdef bint tiled = sh == KH and sw == KW and ph == 0 and pw == 0
    if NC == 0 or H == 0 or W == 0:
        return
    cdef floating[:, ::1] scratch = np.empty((max(nt, 1), max(OW, 1)),
                                             dtype=np.float32 if floating is float else np.float64)
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            dst = &grad_input[0, 0, 0, 0] + p * H * W
            if tiled and OH > 0 and OW > 0:
                scaled = &scratch[0, 0] + threadid() * OW
                covered_h = _min(H, OH * KH)
                covered_w = _min(W, OW * KW)
                full = _min(OW, W // KW)          # windows wholly inside the columns
                for oy in range(OH):
                    src = &grad_output[0, 0, 0, 0] + (p * OH + oy) * OW
                    for ox in range(OW):
                        div = _avg_divisor(oy * KH, ox * KW, KH, KW, H, W, 0, 0,
                                           count_include_pad, divisor_override)
                        scaled[ox] = src[ox] / div if div > 0 else 0
                    for a in range(KH):
                        iy = oy * KH + a
                        if iy >= H:
                            break
                        row = dst + iy * W
                        if KW == 2:
                            for ox in range(full):
                                row[2 * ox] = scaled[ox]
                                row[2 * ox + 1] = scaled[ox]
                        else:
                            for ox in range(full):
                                for b in range(KW):
                                    row[ox * KW + b] = scaled[ox]
                        for ix in range(full * KW, covered_w):
                            row[ix] = scaled[ix // KW]
                        for ix in range(covered_w, W):
                            row[ix] = 0
                if covered_h < H:
                    memset(dst + covered_h * W, 0, (H - covered_h) * W * sizeof(floating))
                continue
            memset(dst, 0, H * W * sizeof(floating))
            if OH == 0 or OW == 0:
                continue
            scaled = &scratch[0, 0] + threadid() * OW
            for oy in range(OH):
                src = &grad_output[0, 0, 0, 0] + (p * OH + oy) * OW
                for ox in range(OW):
                    div = _avg_divisor(oy * sh - ph, ox * sw - pw, KH, KW, H, W, ph, pw,
                                       count_include_pad, divisor_override)
                    scaled[ox] = src[ox] / div if div > 0 else 0
                for a in range(KH):
                    iy = oy * sh - ph + a
                    if iy < 0 or iy >= H:
                        continue
                    for b in range(KW):
                        off = b - pw
                        lo = _tap_lo(off, sw, OW)
                        hi = _tap_hi(off, sw, W, OW, lo)
                        row = dst + iy * W + off
                        if sw == 1:
                            for ox in range(lo, hi):
                                row[ox] += scaled[ox]
                        else:
                            for ox in range(lo, hi):
                                row[ox * sw] += scaled[ox]


# ----------------------------------------------------------------------------------------
# adaptive pooling: window i spans [floor(i*H/OH), ceil((i+1)*H/OH))

def adaptive_avg_pool2d_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out):
    """out[n, c, i, j] = the mean of x over rows [floor(i*H/OH), ceil((i+1)*H/OH)) and
    the columns alike."""
    _check_planes("adaptive_avg_pool2d_forward", _dims(x.shape, 4), _dims(out.shape, 4))
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t p, oy, ox, ylo, yhi, xlo, xhi, iy, ix
    cdef floating acc
    cdef const floating* src
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or OH == 0 or OW == 0:
        return
    if H == 0 or W == 0:
        raise ValueError("adaptive_avg_pool2d_forward: empty input plane")
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            src = &x[0, 0, 0, 0] + p * H * W
            dst = &out[0, 0, 0, 0] + p * OH * OW
            for oy in range(OH):
                ylo = (oy * H) // OH
                yhi = ((oy + 1) * H + OH - 1) // OH
                for ox in range(OW):
                    xlo = (ox * W) // OW
                    xhi = ((ox + 1) * W + OW - 1) // OW
                    acc = 0
                    for iy in range(ylo, yhi):
                        for ix in range(xlo, xhi):
                            acc = acc + src[iy * W + ix]
                    dst[oy * OW + ox] = acc / ((yhi - ylo) * (xhi - xlo))


def adaptive_avg_pool2d_backward(const floating[:, :, :, ::1] grad_output,
                                 floating[:, :, :, ::1] grad_input):
    """grad_input[window of (i, j)] += grad_output[i, j] / window size (zeroed first)."""
    _check_planes("adaptive_avg_pool2d_backward", _dims(grad_input.shape, 4), _dims(grad_output.shape, 4))
    cdef Py_ssize_t NC = grad_input.shape[0] * grad_input.shape[1]
    cdef Py_ssize_t H = grad_input.shape[2], W = grad_input.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t p, oy, ox, ylo, yhi, xlo, xhi, iy, ix
    cdef floating g
    cdef const floating* src
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or H == 0 or W == 0:
        return
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            dst = &grad_input[0, 0, 0, 0] + p * H * W
            memset(dst, 0, H * W * sizeof(floating))
            if OH == 0 or OW == 0:
                continue
            src = &grad_output[0, 0, 0, 0] + p * OH * OW
            for oy in range(OH):
                ylo = (oy * H) // OH
                yhi = ((oy + 1) * H + OH - 1) // OH
                for ox in range(OW):
                    xlo = (ox * W) // OW
                    xhi = ((ox + 1) * W + OW - 1) // OW
                    g = src[oy * OW + ox] / ((yhi - ylo) * (xhi - xlo))
                    for iy in range(ylo, yhi):
                        for ix in range(xlo, xhi):
                            dst[iy * W + ix] += g


def adaptive_max_pool2d_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                                int64_t[:, :, :, ::1] indices):
    """out, indices = the max and its plane offset over the adaptive windows (NaN wins);
    the backward is max_pool2d_backward."""
    _check_planes("adaptive_max_pool2d_forward", _dims(x.shape, 4), _dims(out.shape, 4))
    if _dims(indices.shape, 4) != _dims(out.shape, 4):
        raise ValueError("adaptive_max_pool2d_forward: indices and out differ in shape")
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t p, oy, ox, ylo, yhi, xlo, xhi, iy, ix, best_i, i
    cdef floating best, v
    cdef const floating* src
    cdef floating* dst
    cdef int64_t* idx
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or OH == 0 or OW == 0:
        return
    if H == 0 or W == 0:
        raise ValueError("adaptive_max_pool2d_forward: empty input plane")
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            src = &x[0, 0, 0, 0] + p * H * W
            dst = &out[0, 0, 0, 0] + p * OH * OW
            idx = &indices[0, 0, 0, 0] + p * OH * OW
            for oy in range(OH):
                ylo = (oy * H) // OH
                yhi = ((oy + 1) * H + OH - 1) // OH
                for ox in range(OW):
                    xlo = (ox * W) // OW
                    xhi = ((ox + 1) * W + OW - 1) // OW
                    best = -INFINITY
                    best_i = -1
                    for iy in range(ylo, yhi):
                        for ix in range(xlo, xhi):
                            i = iy * W + ix
                            v = src[i]
                            if v > best or v != v or best_i < 0:
                                best = v
                                best_i = i
                    dst[oy * OW + ox] = best
                    idx[oy * OW + ox] = best_i
