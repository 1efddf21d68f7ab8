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
of bounds; the callers (minigrad.ops.pool) validate arguments with PyTorch's rules, and
the def entry points check types, lengths, dtypes, layout and index spans
(minigrad_core._check) before the typed cdef functions run. Only the taps inside the
input are visited, so the window's size costs nothing beyond them.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY
from libc.stdint cimport int64_t
from libc.string cimport memset

cimport numpy as cnp

from minigrad_core._fastcheck cimport dim, float_type, plain_array, small_pair, small_param
from minigrad_core._index cimport _max, _min, _next_tap, _tap_hi, _tap_lo
from minigrad_core._omp cimport mg_threads_for

from minigrad_core import _check

cnp.import_array()

# Array sizes below this bound keep the windows' spans below 2**62 (see _fastcheck.pxd).
DEF SMALL_SIZE = 1 << 40


cdef inline bint _plain_planes(x, out):
    """x and out pass _planes's checks: float32 or float64 alike, same batch and channels."""
    cdef int typenum = float_type(x)
    return (typenum >= 0 and plain_array(x, 4, typenum, False) and plain_array(out, 4, typenum, True)
            and dim(x, 0) == dim(out, 0) and dim(x, 1) == dim(out, 1))


def _planes(name, x, out, out_arg="out", x_arg="x"):
    """x and out: C-contiguous 4-D arrays of one float dtype, out writable, with the same
    batch and channels; returned as arrays."""
    if _plain_planes(x, out):
        return x, out
    x = _check.array(name, x_arg, x, 4)
    out = _check.array(name, out_arg, out, 4, out=True)
    _check.same_dtype(name, **{x_arg: x, out_arg: out})
    if x.shape[:2] != out.shape[:2]:
        raise ValueError(f"{name}: {x_arg} {x.shape} and {out_arg} {out.shape} differ in batch or channels")
    return x, out


def _indices(name, indices, shape, out=False):
    """indices: a C-contiguous int64 array of the given shape (writable if out)."""
    if plain_array(indices, 4, cnp.NPY_INT64, out) and indices.shape == shape:
        return indices
    _check.array(name, "indices", indices, 4, dtypes=(np.dtype(np.int64),), out=out)
    _check.shape(name, "indices", indices, shape)
    return indices


def _window(name, in_shape, out_shape, kernel_size, stride, padding, dilation):
    """The window parameters as pairs of ints (kernel, stride, dilation >= 1, padding >= 0),
    with every index the loops form below 2**62 (minigrad_core._check)."""
    if (small_pair(kernel_size, 1) and small_pair(stride, 1) and small_pair(padding, 0)
            and small_pair(dilation, 1) and max(in_shape[2:] + out_shape[2:]) < SMALL_SIZE):
        return kernel_size, stride, padding, dilation
    kernel_size = _check.pair(name, "kernel_size", kernel_size, 1)
    stride = _check.pair(name, "stride", stride, 1)
    padding = _check.pair(name, "padding", padding, 0)
    dilation = _check.pair(name, "dilation", dilation, 1)
    for i in range(2):
        _check.span(name, "the windows'", i, stride[i] * out_shape[2 + i], padding[i],
                    dilation[i] * kernel_size[i], in_shape[2 + i])
    return kernel_size, stride, padding, dilation


cdef Py_ssize_t _fill_taps(Py_ssize_t* taps, Py_ssize_t K, Py_ssize_t d, Py_ssize_t p, Py_ssize_t s,
                           Py_ssize_t size, Py_ssize_t n_out) noexcept nogil:
    """Count, and write into taps unless NULL, the window columns b < K that land inside
    the input for some output column."""
    cdef Py_ssize_t n = 0
    cdef Py_ssize_t b = _next_tap(0, d, p, s, size, n_out, K) if n_out > 0 else K
    while b < K:
        if taps != NULL:
            taps[n] = b
        n += 1
        b = _next_tap(b + 1, d, p, s, size, n_out, K)
    return n


cdef tuple _column_taps(Py_ssize_t K, Py_ssize_t d, Py_ssize_t p, Py_ssize_t s, Py_ssize_t size,
                        Py_ssize_t n_out):
    """(taps, n): the n window columns that land inside the input for some output column,
    in increasing order; the loops visit only these, so the window's width costs nothing."""
    cdef Py_ssize_t n = _fill_taps(NULL, K, d, p, s, size, n_out)
    cdef Py_ssize_t[::1] taps = np.empty(max(n, 1), dtype=np.intp)
    _fill_taps(&taps[0], K, d, p, s, size, n_out)
    return taps, n


# ----------------------------------------------------------------------------------------
# max pooling

def max_pool2d_forward(x, out, indices, kernel_size, stride, padding, dilation):
    """out[n, c, y, x] = max over the window at (y*sh - ph, x*sw - pw) with taps dh, dw apart;
    indices = the first arg max's offset in the plane (the last NaN wins, as in PyTorch); a window
    that misses the input entirely gives -inf and index -1.

    x (N, C, H, W); out and indices (int64) (N, C, OH, OW), any OH OW (the caller's, with
    ceil_mode or not); the window parameters pairs of ints.

    Tap-major: each tap (a, b) updates a whole output row, branch-free, in the taps' row-major
    order, so "first maximum" is kept as in a window-by-window scan. Only the taps inside the
    input are visited: rows a in the range that row oy reaches, columns b in _column_taps.
    The winning tap is kept as an int32 per output (same lane width as float32, so the loop
    vectorizes): its plane offset from the first visited tap of the window, turned into the
    plane offset at the end of the row."""
    name = "max_pool2d_forward"
    x, out = _planes(name, x, out)
    indices = _indices(name, indices, out.shape, out=True)
    window = _window(name, x.shape, out.shape, kernel_size, stride, padding, dilation)
    if x.dtype == np.float32:
        _max_forward[float](x, out, indices, *window)
    else:
        _max_forward[double](x, out, indices, *window)


cdef _max_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                  int64_t[:, :, :, ::1] indices, kernel_size, stride, padding, dilation):
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1], sh = stride[0], sw = stride[1]
    cdef Py_ssize_t ph = padding[0], pw = padding[1], dh = dilation[0], dw = dilation[1]
    cdef Py_ssize_t p, oy, ox, a, a_lo, a_hi, j, b, iy, off, lo, hi, y0, ncol, first
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
    cdef Py_ssize_t[::1] cols
    cols, ncol = _column_taps(KW, dw, pw, sw, W, OW)
    if ncol > 0 and (H - 1) * W + (cols[ncol - 1] - cols[0]) * dw >= 2**31:
        raise ValueError(f"max_pool2d_forward: windows whose taps inside the input span 2**31 "
                         f"elements or more are not supported (input {H}x{W})")
    cdef int[:, ::1] taps = np.empty((max(nt, 1), OW), dtype=np.intc)
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
                a_lo = _tap_lo(y0, dh, KH)              # the rows a with 0 <= y0 + a*dh < H
                a_hi = _tap_hi(y0, dh, H, KH, a_lo)
                # offset of output 0's first visited tap; output ox's is ox*sw further
                first = (y0 + a_lo * dh) * W + cols[0] * dw - pw
                for a in range(a_lo, a_hi):
                    iy = y0 + a * dh
                    for j in range(ncol):
                        b = cols[j]
                        off = b * dw - pw
                        lo = _tap_lo(off, sw, OW)
                        hi = _tap_hi(off, sw, W, OW, lo)
                        row = src + iy * W + off
                        t = <int>((a - a_lo) * dh * W + (b - cols[0]) * dw)
                        for ox in range(lo, hi):
                            v = row[ox * sw]
                            bv = dst[ox]
                            bt = tap[ox]
                            take = (v > bv) | (v != v) | (bt < 0)
                            dst[ox] = v if take else bv
                            tap[ox] = t if take else bt
                for ox in range(OW):
                    bt = tap[ox]
                    idx[ox] = first + ox * sw + bt if bt >= 0 else -1


def max_pool2d_backward(grad_output, indices, grad_input):
    """grad_input[n, c].flat[indices[n, c, y, x]] += grad_output[n, c, y, x] (zeroed first).

    Also the backward of adaptive_max_pool2d; indices outside the plane are skipped."""
    name = "max_pool2d_backward"
    grad_output, grad_input = _planes(name, grad_output, grad_input, "grad_input", "grad_output")
    indices = _indices(name, indices, grad_output.shape)
    if grad_input.dtype == np.float32:
        _max_backward[float](grad_output, indices, grad_input)
    else:
        _max_backward[double](grad_output, indices, grad_input)


cdef _max_backward(const floating[:, :, :, ::1] grad_output, const int64_t[:, :, :, ::1] indices,
                   floating[:, :, :, ::1] grad_input):
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


def gather_planes(x, indices, out):
    """out[n, c, y, x] = x[n, c].flat[indices[n, c, y, x]] (0 for an index outside the plane):
    the adjoint of max_pool2d_backward, used for the gradient of a max-pool gradient."""
    name = "gather_planes"
    x, out = _planes(name, x, out)
    indices = _indices(name, indices, out.shape)
    if x.dtype == np.float32:
        _gather[float](x, indices, out)
    else:
        _gather[double](x, indices, out)


cdef _gather(const floating[:, :, :, ::1] x, const int64_t[:, :, :, ::1] indices,
             floating[:, :, :, ::1] out):
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

cdef inline Py_ssize_t _counted(Py_ssize_t start, Py_ssize_t K, Py_ssize_t size, Py_ssize_t pad,
                                bint count_include_pad) noexcept nogil:
    """How many of a window's K positions from start count toward its divisor along one
    axis: with count_include_pad those before size + pad (start is >= -pad), so a ceil_mode
    window hanging over the padding is cut there, as in PyTorch; else those inside [0, size)."""
    if count_include_pad:
        return _max(_min(start + K, size + pad) - start, 0)
    return _max(_min(start + K, size) - _max(start, 0), 0)


cdef void _column_divisors(floating[::1] cols, Py_ssize_t OW, Py_ssize_t KW, Py_ssize_t sw,
                           Py_ssize_t W, Py_ssize_t pw, bint count_include_pad,
                           Py_ssize_t divisor_override) noexcept nogil:
    """cols[x] = the column factor of window x's divisor, which is (row factor) * cols[x]
    (divisor_override: the override, with row factor 1). In floating point: a huge
    window's area overflows Py_ssize_t."""
    cdef Py_ssize_t ox
    for ox in range(OW):
        cols[ox] = (divisor_override if divisor_override != 0
                    else _counted(ox * sw - pw, KW, W, pw, count_include_pad))


def _avg_args(name, x_shape, out_shape, kernel_size, stride, padding, count_include_pad,
              divisor_override):
    kernel_size, stride, padding, _ = _window(name, x_shape, out_shape, kernel_size, stride, padding, (1, 1))
    if type(count_include_pad) is bool and small_param(divisor_override, 0):
        return kernel_size, stride, padding, count_include_pad, divisor_override
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"{name}: count_include_pad must be a bool, but got {count_include_pad!r}")
    divisor_override = _check.integer(name, "divisor_override", divisor_override, -_check.INDEX_LIMIT)
    return kernel_size, stride, padding, bool(count_include_pad), divisor_override


def avg_pool2d_forward(x, out, kernel_size, stride, padding, count_include_pad, divisor_override=0):
    """out[n, c, y, x] = sum of the window at (y*sh - ph, x*sw - pw) / its divisor;
    divisor_override 0 means none (any other value divides, as in PyTorch). Tap-major over
    output rows, as max_pool2d_forward, visiting only the taps inside the input."""
    name = "avg_pool2d_forward"
    x, out = _planes(name, x, out)
    args = _avg_args(name, x.shape, out.shape, kernel_size, stride, padding, count_include_pad,
                     divisor_override)
    if x.dtype == np.float32:
        _avg_forward[float](x, out, *args)
    else:
        _avg_forward[double](x, out, *args)


cdef _avg_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out, kernel_size, stride,
                  padding, bint count_include_pad, Py_ssize_t divisor_override):
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1], sh = stride[0], sw = stride[1]
    cdef Py_ssize_t ph = padding[0], pw = padding[1]
    cdef Py_ssize_t p, oy, ox, a, a_lo, a_hi, j, b, y0, iy, off, lo, hi, ncol
    cdef floating rowdiv, div
    cdef const floating* src
    cdef const floating* row
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or OH == 0 or OW == 0:
        return
    cdef Py_ssize_t[::1] cols
    cols, ncol = _column_taps(KW, 1, pw, sw, W, OW)
    cdef floating[::1] coldiv = np.empty(OW, dtype=np.float32 if floating is float else np.float64)
    _column_divisors(coldiv, OW, KW, sw, W, pw, count_include_pad, divisor_override)
    with nogil:
        for p in prange(NC, num_threads=nt, schedule='static'):
            src = &x[0, 0, 0, 0] + p * H * W
            for oy in range(OH):
                dst = &out[0, 0, 0, 0] + (p * OH + oy) * OW
                for ox in range(OW):
                    dst[ox] = 0
                y0 = oy * sh - ph
                a_lo = _tap_lo(y0, 1, KH)               # the rows a with 0 <= y0 + a < H
                a_hi = _tap_hi(y0, 1, H, KH, a_lo)
                for a in range(a_lo, a_hi):
                    iy = y0 + a
                    for j in range(ncol):
                        b = cols[j]
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
                rowdiv = 1 if divisor_override != 0 else _counted(y0, KH, H, ph, count_include_pad)
                for ox in range(OW):
                    div = rowdiv * coldiv[ox]
                    dst[ox] = dst[ox] / div if div != 0 else 0


def avg_pool2d_backward(grad_output, grad_input, kernel_size, stride, padding, count_include_pad,
                        divisor_override=0):
    """grad_input[window of (y, x)] += grad_output[y, x] / divisor (zeroed first), tap-major
    over output rows with the scaled row in a per-thread scratch, visiting only the taps
    inside the input. When the windows tile the plane (stride == kernel, no padding:
    LeNet's 2x2/2) every input gets at most one value, so it is written, not added, and
    only the uncovered remainder is zeroed."""
    name = "avg_pool2d_backward"
    grad_output, grad_input = _planes(name, grad_output, grad_input, "grad_input", "grad_output")
    args = _avg_args(name, grad_input.shape, grad_output.shape, kernel_size, stride, padding,
                     count_include_pad, divisor_override)
    if grad_input.dtype == np.float32:
        _avg_backward[float](grad_output, grad_input, *args)
    else:
        _avg_backward[double](grad_output, grad_input, *args)


cdef _avg_backward(const floating[:, :, :, ::1] grad_output, floating[:, :, :, ::1] grad_input,
                   kernel_size, stride, padding, bint count_include_pad, Py_ssize_t divisor_override):
    cdef Py_ssize_t NC = grad_input.shape[0] * grad_input.shape[1]
    cdef Py_ssize_t H = grad_input.shape[2], W = grad_input.shape[3]
    cdef Py_ssize_t OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1], sh = stride[0], sw = stride[1]
    cdef Py_ssize_t ph = padding[0], pw = padding[1]
    cdef Py_ssize_t p, oy, ox, a, a_lo, a_hi, j, b, y0, iy, off, lo, hi, ix, covered_h, covered_w, full, ncol
    cdef floating rowdiv, div
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
    cdef Py_ssize_t[::1] cols
    cols, ncol = _column_taps(KW, 1, pw, sw, W, OW)
    cdef floating[::1] coldiv = np.empty(max(OW, 1), dtype=np.float32 if floating is float else np.float64)
    _column_divisors(coldiv, OW, KW, sw, W, pw, count_include_pad, divisor_override)
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
                    rowdiv = 1 if divisor_override != 0 else _counted(oy * KH, KH, H, 0, count_include_pad)
                    for ox in range(OW):
                        div = rowdiv * coldiv[ox]
                        scaled[ox] = src[ox] / div if div != 0 else 0
                    for a in range(_min(KH, H - _min(H, oy * KH))):
                        iy = oy * KH + a
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
                y0 = oy * sh - ph
                rowdiv = 1 if divisor_override != 0 else _counted(y0, KH, H, ph, count_include_pad)
                for ox in range(OW):
                    div = rowdiv * coldiv[ox]
                    scaled[ox] = src[ox] / div if div != 0 else 0
                a_lo = _tap_lo(y0, 1, KH)               # the rows a with 0 <= y0 + a < H
                a_hi = _tap_hi(y0, 1, H, KH, a_lo)
                for a in range(a_lo, a_hi):
                    iy = y0 + a
                    for j in range(ncol):
                        b = cols[j]
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

def _adaptive(name, x, out, x_arg="x", out_arg="out"):
    """_planes, and the window bounds i*H (i <= OH) fit in Py_ssize_t; an empty input plane
    has no mean or max."""
    x, out = _planes(name, x, out, out_arg, x_arg)
    if max(x.shape[2:] + out.shape[2:]) < SMALL_SIZE:
        return x, out
    for i in range(2):
        _check.span(name, "the adaptive windows'", i, (x.shape[2 + i] + 1) * (out.shape[2 + i] + 1))
    return x, out


def adaptive_avg_pool2d_forward(x, out):
    """out[n, c, i, j] = the mean of x over rows [floor(i*H/OH), ceil((i+1)*H/OH)) and
    the columns alike."""
    name = "adaptive_avg_pool2d_forward"
    x, out = _adaptive(name, x, out)
    if out.size and not (x.shape[2] and x.shape[3]):
        raise ValueError(f"{name}: empty input plane {x.shape}")
    if x.dtype == np.float32:
        _adaptive_avg_forward[float](x, out)
    else:
        _adaptive_avg_forward[double](x, out)


cdef _adaptive_avg_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out):
    cdef Py_ssize_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t p, oy, ox, ylo, yhi, xlo, xhi, iy, ix
    cdef floating acc
    cdef const floating* src
    cdef floating* dst
    cdef int nt = mg_threads_for(NC * (H * W + OH * OW))
    if NC == 0 or OH == 0 or OW == 0:
        return
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


def adaptive_avg_pool2d_backward(grad_output, grad_input):
    """grad_input[window of (i, j)] += grad_output[i, j] / window size (zeroed first)."""
    name = "adaptive_avg_pool2d_backward"
    grad_output, grad_input = _adaptive(name, grad_output, grad_input, "grad_output", "grad_input")
    if grad_input.dtype == np.float32:
        _adaptive_avg_backward[float](grad_output, grad_input)
    else:
        _adaptive_avg_backward[double](grad_output, grad_input)


cdef _adaptive_avg_backward(const floating[:, :, :, ::1] grad_output, floating[:, :, :, ::1] grad_input):
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


def adaptive_max_pool2d_forward(x, out, indices):
    """out, indices = the max and its plane offset over the adaptive windows (NaN wins);
    the backward is max_pool2d_backward."""
    name = "adaptive_max_pool2d_forward"
    x, out = _adaptive(name, x, out)
    indices = _indices(name, indices, out.shape, out=True)
    if out.size and not (x.shape[2] and x.shape[3]):
        raise ValueError(f"{name}: empty input plane {x.shape}")
    if x.dtype == np.float32:
        _adaptive_max_forward[float](x, out, indices)
    else:
        _adaptive_max_forward[double](x, out, indices)


cdef _adaptive_max_forward(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                           int64_t[:, :, :, ::1] indices):
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
