# The BLAS calls of the kernels, on fused float/double (one wrapper, two BLAS routines).
# They are SciPy's BLAS (scipy.linalg.cython_blas), which is column-major: a row-major
# C = A @ B is issued as C^T = B^T A^T. The kernels call them from inside their own
# OpenMP threads, so this BLAS must run single-threaded: minigrad.parallel keeps it so.
# Inline, so each kernel module compiles them in (no call through another module).

from cython cimport floating
from scipy.linalg.cython_blas cimport daxpy, ddot, dgemm, saxpy, sdot, sgemm


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
