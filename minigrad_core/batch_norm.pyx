# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""Batch norm in training, forward and backward, and ReLU's backward: the memory-bound
passes of a conv / batch norm / ReLU block, each fused into as few passes over the
tensor as the formulas allow.

Notation: N batch, C channels, L the values of one channel in one sample (H W for an
image, 1 for an (N, C) input); each channel has n = N L values. Arrays are (N, C, L) and
C-contiguous (the caller reshapes), float32 or float64; the per-channel statistics are
float64. Each channel is independent, so the loops run in parallel over channels, and a
channel is read again right after its first pass, while it is still in the core's cache.

    forward   mean = sum(x) / n,  var = sum((x - mean)^2) / n  (two passes, in double),
              invstd = 1 / sqrt(var + eps),
              y = (x - mean) * (invstd w) + b                  (one write pass)
    backward  sum_g = sum(g),  sum_gx = sum(g (x - mean))       (one pass, in double),
              dw = sum_gx invstd,  db = sum_g,
              dx = (g - sum_g / n - (x - mean) invstd^2 sum_gx / n) invstd w   (one pass)
    relu      dx = g where out > 0 or out is NaN, else 0       (one pass)

The loops are C, in batch_norm.h. The def entry points check types, dtypes, shapes and
layout (minigrad_core._check) before any typed or nogil code; the callers
(minigrad.ops.normalization, minigrad.ops.activation) choose when to call them.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.math cimport sqrt
from libc.string cimport memset

from minigrad_core._omp cimport _items_threads

from minigrad_core import _check

cdef extern from "batch_norm.h":
    double mg_bn_sum_f(const float* x, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride) noexcept nogil
    double mg_bn_sum_d(const double* x, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride) noexcept nogil
    double mg_bn_sqdev_f(const float* x, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,
                         double mean) noexcept nogil
    double mg_bn_sqdev_d(const double* x, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,
                         double mean) noexcept nogil
    void mg_bn_normalize_f(const float* x, float* y, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,
                           float mean, float scale, float shift) noexcept nogil
    void mg_bn_normalize_d(const double* x, double* y, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,
                           double mean, double scale, double shift) noexcept nogil
    void mg_bn_sums_f(const float* g, const float* x, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,
                      double mean, double* sum_g, double* sum_gx) noexcept nogil
    void mg_bn_sums_d(const double* g, const double* x, Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,
                      double mean, double* sum_g, double* sum_gx) noexcept nogil
    void mg_bn_dx_f(const float* g, const float* x, float* dx, Py_ssize_t N, Py_ssize_t L,
                    Py_ssize_t stride, float mean, float k, float gmean, float scale) noexcept nogil
    void mg_bn_dx_d(const double* g, const double* x, double* dx, Py_ssize_t N, Py_ssize_t L,
                    Py_ssize_t stride, double mean, double k, double gmean, double scale) noexcept nogil
    void mg_bn_rows_sum_f(const float* x, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride, double* acc) noexcept nogil
    void mg_bn_rows_sum_d(const double* x, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride, double* acc) noexcept nogil
    void mg_bn_rows_sqdev_f(const float* x, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride, const double* mean,
                            double* acc) noexcept nogil
    void mg_bn_rows_sqdev_d(const double* x, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride, const double* mean,
                            double* acc) noexcept nogil
    void mg_bn_rows_sums_f(const float* g, const float* x, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride,
                           const double* mean, double* acc_g, double* acc_gx) noexcept nogil
    void mg_bn_rows_sums_d(const double* g, const double* x, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride,
                           const double* mean, double* acc_g, double* acc_gx) noexcept nogil
    void mg_bn_rows_affine_f(const float* x, float* y, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride,
                             const double* a, const double* b) noexcept nogil
    void mg_bn_rows_affine_d(const double* x, double* y, Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride,
                             const double* a, const double* b) noexcept nogil
    void mg_bn_rows_dx_f(const float* g, const float* x, float* dx, Py_ssize_t N, Py_ssize_t M,
                         Py_ssize_t stride, const double* mean, const double* k, const double* gmean,
                         const double* scale) noexcept nogil
    void mg_bn_rows_dx_d(const double* g, const double* x, double* dx, Py_ssize_t N, Py_ssize_t M,
                         Py_ssize_t stride, const double* mean, const double* k, const double* gmean,
                         const double* scale) noexcept nogil
    void mg_relu_backward_f(const float* g, const float* out, float* dx, Py_ssize_t n) noexcept nogil
    void mg_relu_backward_d(const double* g, const double* out, double* dx, Py_ssize_t n) noexcept nogil

FLOAT64 = (np.dtype(np.float64),)
cdef Py_ssize_t RELU_BLOCK = 16384  # values per parallel work item of relu_backward
cdef Py_ssize_t SHORT_ROWS = 32  # rows of fewer values (L) are walked a block of channels at a time
cdef Py_ssize_t BLOCK_COLUMNS = 1024  # about this many columns (channels x L) per block of that walk


def _set_short_rows(values):
    """Walk rows of fewer than `values` values (L) a block of channels at a time, the longer
    ones a channel at a time; returns the previous bound. For tests and measurements."""
    global SHORT_ROWS
    previous, SHORT_ROWS = SHORT_ROWS, values
    return previous


def _channels_arg(name, arg, value, channels, dtypes=_check.FLOATS, out=False):
    """value: a C-contiguous 1-D array of `channels` values of one of dtypes."""
    _check.array(name, arg, value, 1, dtypes=dtypes, out=out)
    _check.shape(name, arg, value, (channels,))
    return value


def _affine_arg(name, arg, value, x, fill):
    """weight or bias: a (C,) array of x's dtype, or None for a constant fill."""
    if value is None:
        return np.full(x.shape[1], fill, dtype=x.dtype)
    _channels_arg(name, arg, value, x.shape[1])
    _check.same_dtype(name, x=x, **{arg: value})
    return value


def batch_norm_forward(x, weight, bias, eps, out, mean, var, invstd):
    """Training batch norm: out = (x - mean) * invstd * weight + bias per channel, with the
    batch's mean and biased variance var, and invstd = 1 / sqrt(var + eps).

    x, out (N, C, L) of one float dtype; weight, bias (C,) of that dtype or None (1 and 0);
    eps a float >= 0; mean, var, invstd float64 (C,), written."""
    name = "batch_norm_forward"
    x = _check.array(name, "x", x, 3)
    out = _check.array(name, "out", out, 3, out=True)
    _check.same_dtype(name, x=x, out=out)
    _check.shape(name, "out", out, x.shape)
    weight = _affine_arg(name, "weight", weight, x, 1)
    bias = _affine_arg(name, "bias", bias, x, 0)
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: eps must be a float, but got {type(eps).__name__}")
    if not eps >= 0:
        raise ValueError(f"{name}: eps must be at least 0, but got {eps}")
    for arg, value in (("mean", mean), ("var", var), ("invstd", invstd)):
        _channels_arg(name, arg, value, x.shape[1], dtypes=FLOAT64, out=True)
    if x.size == 0:
        for value in (mean, var, invstd):
            value[...] = np.nan
        return
    if x.dtype == np.float32:
        _forward[float](x, weight, bias, float(eps), out, mean, var, invstd)
    else:
        _forward[double](x, weight, bias, float(eps), out, mean, var, invstd)


cdef void _forward(const floating[:, :, ::1] x, const floating[::1] weight, const floating[::1] bias,
                   double eps, floating[:, :, ::1] out, double[::1] mean, double[::1] var,
                   double[::1] invstd) noexcept:
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], L = x.shape[2], c
    cdef Py_ssize_t stride = C * L
    cdef double n = <double>N * L, m, v, inv
    cdef const floating* px = &x[0, 0, 0]
    cdef floating* po = &out[0, 0, 0]
    cdef int nt = _items_threads(C, N * C * L)
    if L < SHORT_ROWS:
        _forward_rows(x, weight, bias, eps, out, mean, var, invstd)
        return
    with nogil:
        for c in prange(C, num_threads=nt, schedule='static'):
            if floating is float:
                m = mg_bn_sum_f(px + c * L, N, L, stride) / n
                v = mg_bn_sqdev_f(px + c * L, N, L, stride, m) / n
            else:
                m = mg_bn_sum_d(px + c * L, N, L, stride) / n
                v = mg_bn_sqdev_d(px + c * L, N, L, stride, m) / n
            inv = 1 / sqrt(v + eps)
            mean[c] = m
            var[c] = v
            invstd[c] = inv
            if floating is float:
                mg_bn_normalize_f(px + c * L, po + c * L, N, L, stride, <float>m, <float>(inv * weight[c]),
                                  bias[c])
            else:
                mg_bn_normalize_d(px + c * L, po + c * L, N, L, stride, m, inv * weight[c], bias[c])


def batch_norm_backward(g, x, mean, invstd, weight, grad_weight, grad_bias, grad_input):
    """The gradients of batch_norm_forward, given its mean and invstd: grad_bias = sum(g),
    grad_weight = sum(g (x - mean)) invstd per channel, and, unless grad_input is None,
    grad_input = (g - sum(g) / n - (x - mean) invstd^2 sum(g (x - mean)) / n) invstd weight.

    g, x, grad_input (N, C, L) of one float dtype; mean, invstd float64 (C,); weight (C,)
    of x's dtype or None (1); grad_weight, grad_bias float64 (C,), written."""
    name = "batch_norm_backward"
    g = _check.array(name, "g", g, 3)
    x = _check.array(name, "x", x, 3)
    _check.same_dtype(name, x=x, g=g)
    _check.shape(name, "g", g, x.shape)
    channels = x.shape[1]
    weight = _affine_arg(name, "weight", weight, x, 1)
    _channels_arg(name, "mean", mean, channels, dtypes=FLOAT64)
    _channels_arg(name, "invstd", invstd, channels, dtypes=FLOAT64)
    _channels_arg(name, "grad_weight", grad_weight, channels, dtypes=FLOAT64, out=True)
    _channels_arg(name, "grad_bias", grad_bias, channels, dtypes=FLOAT64, out=True)
    if grad_input is not None:
        _check.array(name, "grad_input", grad_input, 3, out=True)
        _check.same_dtype(name, x=x, grad_input=grad_input)
        _check.shape(name, "grad_input", grad_input, x.shape)
    if x.size == 0:
        grad_weight[...] = 0
        grad_bias[...] = 0
        return
    if x.dtype == np.float32:
        _backward[float](g, x, mean, invstd, weight, grad_weight, grad_bias, grad_input)
    else:
        _backward[double](g, x, mean, invstd, weight, grad_weight, grad_bias, grad_input)


cdef void _backward(const floating[:, :, ::1] g, const floating[:, :, ::1] x, const double[::1] mean,
                    const double[::1] invstd, const floating[::1] weight, double[::1] grad_weight,
                    double[::1] grad_bias, floating[:, :, ::1] grad_input) noexcept:
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], L = x.shape[2], c
    cdef Py_ssize_t stride = C * L
    cdef double n = <double>N * L, sum_g, sum_gx, inv
    cdef const floating* pg = &g[0, 0, 0]
    cdef const floating* px = &x[0, 0, 0]
    cdef floating* pd = NULL
    cdef int nt = _items_threads(C, N * C * L)
    if grad_input is not None:
        pd = &grad_input[0, 0, 0]
    if L < SHORT_ROWS:
        _backward_rows(g, x, mean, invstd, weight, grad_weight, grad_bias, pd)
        return
    with nogil:
        for c in prange(C, num_threads=nt, schedule='static'):
            if floating is float:
                mg_bn_sums_f(pg + c * L, px + c * L, N, L, stride, mean[c], &sum_g, &sum_gx)
            else:
                mg_bn_sums_d(pg + c * L, px + c * L, N, L, stride, mean[c], &sum_g, &sum_gx)
            inv = invstd[c]
            grad_bias[c] = sum_g
            grad_weight[c] = sum_gx * inv
            if pd != NULL:
                if floating is float:
                    mg_bn_dx_f(pg + c * L, px + c * L, pd + c * L, N, L, stride, <float>mean[c],
                               <float>(inv * inv * sum_gx / n), <float>(sum_g / n), <float>(inv * weight[c]))
                else:
                    mg_bn_dx_d(pg + c * L, px + c * L, pd + c * L, N, L, stride, mean[c],
                               inv * inv * sum_gx / n, sum_g / n, inv * weight[c])


# ---- short rows (L < SHORT_ROWS): a block of channels at a time, row by row -------------
# Columns m = (c - c0) L + l of the block c0 <= c < c1; cols holds, for each thread, rows
# of per-column scratch (accumulators, then the coefficients of the write pass), one
# block's columns each. (At 4x4 maps this walk measured 20-30% faster than a channel at
# a time: the rows of a channel are 64 bytes each, C L values apart.)

cdef void _forward_rows(const floating[:, :, ::1] x, const floating[::1] weight, const floating[::1] bias,
                        double eps, floating[:, :, ::1] out, double[::1] mean, double[::1] var,
                        double[::1] invstd) noexcept:
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], L = x.shape[2], block, c0
    cdef Py_ssize_t per_block = max(1, BLOCK_COLUMNS // L), blocks = (C + per_block - 1) // per_block
    cdef int nt = _items_threads(blocks, N * C * L)
    cdef double[:, :, ::1] cols = np.empty((nt, 3, per_block * L))
    with nogil:
        for block in prange(blocks, num_threads=nt, schedule='static'):
            c0 = block * per_block
            _forward_rows_block(&x[0, 0, 0], &out[0, 0, 0], N, C, L, c0, min(C, c0 + per_block), &weight[0],
                                &bias[0], eps, &mean[0], &var[0], &invstd[0], &cols[threadid(), 0, 0],
                                per_block * L)


cdef void _forward_rows_block(const floating* x, floating* out, Py_ssize_t N, Py_ssize_t C, Py_ssize_t L,
                              Py_ssize_t c0, Py_ssize_t c1, const floating* weight, const floating* bias,
                              double eps, double* mean, double* var, double* invstd,
                              double* cols, Py_ssize_t cols_stride) noexcept nogil:
    cdef Py_ssize_t M = (c1 - c0) * L, stride = C * L, c, l, j
    cdef double n = <double>N * L, s, inv, scale
    cdef double* acc = cols
    cdef double* a = acc + cols_stride
    cdef double* b = a + cols_stride
    memset(acc, 0, M * sizeof(double))
    if floating is float:
        mg_bn_rows_sum_f(x + c0 * L, N, M, stride, acc)
    else:
        mg_bn_rows_sum_d(x + c0 * L, N, M, stride, acc)
    for c in range(c0, c1):
        j = (c - c0) * L
        s = 0
        for l in range(L):
            s += acc[j + l]
        mean[c] = s / n
        for l in range(L):
            a[j + l] = mean[c]
    memset(acc, 0, M * sizeof(double))
    if floating is float:
        mg_bn_rows_sqdev_f(x + c0 * L, N, M, stride, a, acc)
    else:
        mg_bn_rows_sqdev_d(x + c0 * L, N, M, stride, a, acc)
    for c in range(c0, c1):
        j = (c - c0) * L
        s = 0
        for l in range(L):
            s += acc[j + l]
        var[c] = s / n
        inv = 1 / sqrt(var[c] + eps)
        invstd[c] = inv
        scale = inv * weight[c]
        for l in range(L):
            a[j + l] = scale
            b[j + l] = bias[c] - mean[c] * scale
    if floating is float:
        mg_bn_rows_affine_f(x + c0 * L, out + c0 * L, N, M, stride, a, b)
    else:
        mg_bn_rows_affine_d(x + c0 * L, out + c0 * L, N, M, stride, a, b)


cdef void _backward_rows(const floating[:, :, ::1] g, const floating[:, :, ::1] x, const double[::1] mean,
                         const double[::1] invstd, const floating[::1] weight, double[::1] grad_weight,
                         double[::1] grad_bias, floating* grad_input) noexcept:
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], L = x.shape[2], block, c0
    cdef Py_ssize_t per_block = max(1, BLOCK_COLUMNS // L), blocks = (C + per_block - 1) // per_block
    cdef int nt = _items_threads(blocks, N * C * L)
    cdef double[:, :, ::1] cols = np.empty((nt, 4, per_block * L))
    with nogil:
        for block in prange(blocks, num_threads=nt, schedule='static'):
            c0 = block * per_block
            _backward_rows_block(&g[0, 0, 0], &x[0, 0, 0], N, C, L, c0, min(C, c0 + per_block), &mean[0],
                                 &invstd[0], &weight[0], &grad_weight[0], &grad_bias[0], grad_input,
                                 &cols[threadid(), 0, 0], per_block * L)


cdef void _backward_rows_block(const floating* g, const floating* x, Py_ssize_t N, Py_ssize_t C,
                               Py_ssize_t L, Py_ssize_t c0, Py_ssize_t c1, const double* mean,
                               const double* invstd, const floating* weight, double* grad_weight,
                               double* grad_bias, floating* grad_input, double* cols,
                               Py_ssize_t cols_stride) noexcept nogil:
    """dx = (g - gmean - (x - mean) k) scale, as the channel walk computes it."""
    cdef Py_ssize_t M = (c1 - c0) * L, stride = C * L, c, l, j
    cdef double n = <double>N * L, sum_g, sum_gx, inv
    cdef double* acc_g = cols
    cdef double* acc_gx = acc_g + cols_stride
    cdef double* m_col = acc_gx + cols_stride
    cdef double* scale_col = m_col + cols_stride
    memset(acc_g, 0, M * sizeof(double))
    memset(acc_gx, 0, M * sizeof(double))
    for c in range(c0, c1):
        for l in range((c - c0) * L, (c - c0 + 1) * L):
            m_col[l] = mean[c]
    if floating is float:
        mg_bn_rows_sums_f(g + c0 * L, x + c0 * L, N, M, stride, m_col, acc_g, acc_gx)
    else:
        mg_bn_rows_sums_d(g + c0 * L, x + c0 * L, N, M, stride, m_col, acc_g, acc_gx)
    for c in range(c0, c1):
        j = (c - c0) * L
        sum_g = 0
        sum_gx = 0
        for l in range(L):
            sum_g += acc_g[j + l]
            sum_gx += acc_gx[j + l]
        inv = invstd[c]
        grad_bias[c] = sum_g
        grad_weight[c] = sum_gx * inv
        for l in range(L):  # k and gmean over the accumulators just read
            acc_gx[j + l] = inv * inv * sum_gx / n
            acc_g[j + l] = sum_g / n
            scale_col[j + l] = inv * weight[c]
    if grad_input != NULL:
        if floating is float:
            mg_bn_rows_dx_f(g + c0 * L, x + c0 * L, grad_input + c0 * L, N, M, stride, m_col, acc_gx, acc_g,
                            scale_col)
        else:
            mg_bn_rows_dx_d(g + c0 * L, x + c0 * L, grad_input + c0 * L, N, M, stride, m_col, acc_gx, acc_g,
                            scale_col)

def relu_backward(g, out, grad_input):
    """grad_input = g where out > 0 or out is NaN, else 0 (PyTorch's threshold_backward at
    0: where out <= 0 the result is 0 even for a NaN or inf g).

    g, out, grad_input: C-contiguous arrays of one shape and float dtype."""
    name = "relu_backward"
    out = _check.array(name, "out", out, getattr(out, "ndim", 0))
    g = _check.array(name, "g", g, out.ndim)
    grad_input = _check.array(name, "grad_input", grad_input, out.ndim, out=True)
    _check.same_dtype(name, out=out, g=g, grad_input=grad_input)
    _check.shape(name, "g", g, out.shape)
    _check.shape(name, "grad_input", grad_input, out.shape)
    if out.size == 0:
        return
    if out.dtype == np.float32:
        _relu_backward[float](g.reshape(-1), out.reshape(-1), grad_input.reshape(-1))
    else:
        _relu_backward[double](g.reshape(-1), out.reshape(-1), grad_input.reshape(-1))


cdef void _relu_backward(const floating[::1] g, const floating[::1] out, floating[::1] grad_input) noexcept:
    cdef Py_ssize_t n = out.shape[0], blocks = (n + RELU_BLOCK - 1) // RELU_BLOCK, b, lo
    cdef const floating* pg = &g[0]
    cdef const floating* po = &out[0]
    cdef floating* pd = &grad_input[0]
    cdef int nt = _items_threads(blocks, n)
    with nogil:
        for b in prange(blocks, num_threads=nt, schedule='static'):
            lo = b * RELU_BLOCK
            if floating is float:
                mg_relu_backward_f(pg + lo, po + lo, pd + lo, min(RELU_BLOCK, n - lo))
            else:
                mg_relu_backward_d(pg + lo, po + lo, pd + lo, min(RELU_BLOCK, n - lo))
