# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""A matrix product on the kernels' threads: out = op(a) @ op(b), op a transpose or not.

numpy's matmul runs on numpy's BLAS, which minigrad keeps on one thread (its own thread
pool spins while it waits, which a busy machine pays for; minigrad/parallel.py). Here
the output is cut into one band per thread, of rows or, when it has more columns than
rows, of columns, so that each thread reads its own part of the larger operand (a linear
layer's weight, at small batches), and each band is one single-threaded BLAS call: the
linear layers scale with minigrad.set_num_threads as the convolutions do.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange

from minigrad_core._blas cimport _gemm
from minigrad_core._omp cimport _items_threads

from minigrad_core import _check


def matmul(a, b, out, bint trans_a=False, bint trans_b=False):
    """out (m, n) = op(a) @ op(b): op(a) (m, k) is a, or a^T when trans_a (a is then
    (k, m)); op(b) (k, n) likewise. C-contiguous 2-D arrays of one float dtype."""
    name = "matmul"
    a, b = _check.array(name, "a", a, 2), _check.array(name, "b", b, 2)
    out = _check.array(name, "out", out, 2, out=True)
    _check.same_dtype(name, a=a, b=b, out=out)
    m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
    kb, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
    if k != kb:
        raise ValueError(f"{name}: op(a) is ({m}, {k}) and op(b) is ({kb}, {n}): inner sizes differ")
    _check.shape(name, "out", out, (m, n))
    if max(a.shape + b.shape) >= 2**31:
        raise ValueError(f"{name}: a size of {max(a.shape + b.shape)} is past the BLAS's 32-bit sizes")
    if out.size == 0:
        return
    if k == 0:
        out[...] = 0
    elif a.dtype == np.float32:
        _matmul[float](a, b, out, trans_a, trans_b)
    else:
        _matmul[double](a, b, out, trans_a, trans_b)


cdef void _matmul(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out,
                  bint trans_a, bint trans_b) noexcept:
    cdef Py_ssize_t m = out.shape[0], n = out.shape[1]
    cdef Py_ssize_t k = a.shape[0] if trans_a else a.shape[1]
    cdef Py_ssize_t lda = a.shape[1], ldb = b.shape[1]
    cdef int nt = _items_threads(max(m, n), m * n * k)
    cdef bint by_rows = m >= n
    cdef Py_ssize_t parts = m if by_rows else n
    cdef Py_ssize_t t, lo, hi
    with nogil:
        for t in prange(nt, num_threads=nt, schedule='static'):
            lo = parts * t // nt
            hi = parts * (t + 1) // nt
            if hi <= lo:
                continue
            if by_rows:         # rows lo..hi of op(a): a's rows, or its columns when trans_a
                _gemm(trans_a, trans_b, hi - lo, n, k, &a[0, 0] + (lo if trans_a else lo * lda), lda,
                      &b[0, 0], ldb, 0, &out[lo, 0], n)
            else:               # columns lo..hi of op(b)
                _gemm(trans_a, trans_b, m, hi - lo, k, &a[0, 0], lda,
                      &b[0, 0] + (lo * ldb if trans_b else lo), ldb, 0, &out[0, lo], n)
