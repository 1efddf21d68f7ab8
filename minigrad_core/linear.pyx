# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""The linear layer's matrix-vector product at batch 1, on AVX-512 (gemv_avx512.h).

A linear layer with one input row reads every weight once; on the AVX-512 processor the
kernel streams the weight faster than the BLAS behind np.matmul (docs/kernels.md). The
caller (minigrad.ops.linalg) asks ``available()`` and uses it for one float32 row; every
other call keeps np.matmul. As the other kernels, the def entry point checks its
arguments (minigrad_core._check) before the GIL is released.
"""
import numpy as np

cimport numpy as cnp

from minigrad_core._fastcheck cimport dim, plain_array

from minigrad_core import _check

cnp.import_array()


cdef extern from "gemv_avx512.h":
    int mg_gemv_avx512_available() noexcept nogil
    void mg_gemv_avx512(const float* w, const float* x, const float* bias, float* y, Py_ssize_t m,
                        Py_ssize_t k) noexcept nogil


cdef bint _available = mg_gemv_avx512_available()

FLOAT32 = (np.dtype(np.float32),)


def available():
    """Whether this processor runs matvec (it has AVX-512)."""
    return _available


def matvec(weight, x, bias, out):
    """out (m,) = weight (m, k) @ x (k,) + bias (m,) (bias may be None); float32,
    C-contiguous, on a processor where available() is True."""
    name = "matvec"
    if not _available:
        raise RuntimeError(f"{name}: this processor has no AVX-512")
    if not _plain_matvec(weight, x, bias, out):
        weight, x = _check.array(name, "weight", weight, 2, FLOAT32), _check.array(name, "x", x, 1, FLOAT32)
        out = _check.array(name, "out", out, 1, FLOAT32, out=True)
        if bias is not None:
            _check.array(name, "bias", bias, 1, FLOAT32)
        m, k = weight.shape
        _check.shape(name, "x", x, (k,))
        _check.shape(name, "out", out, (m,))
        if bias is not None:
            _check.shape(name, "bias", bias, (m,))
    _matvec(weight, x, bias, out)


cdef bint _plain_matvec(weight, x, bias, out):
    """The arguments pass matvec's checks: exact float32 arrays (_fastcheck.pxd) whose
    shapes agree; False sends them through the checks, which say what is wrong."""
    cdef int f32 = cnp.NPY_FLOAT
    if not (plain_array(weight, 2, f32, False) and plain_array(x, 1, f32, False) and plain_array(out, 1, f32, True)
            and (bias is None or plain_array(bias, 1, f32, False))):
        return False
    cdef Py_ssize_t m = dim(weight, 0)
    return dim(x, 0) == dim(weight, 1) and dim(out, 0) == m and (bias is None or dim(bias, 0) == m)


cdef _matvec(cnp.ndarray weight, cnp.ndarray x, bias, cnp.ndarray out):
    """The product on checked arrays, read through their data pointers."""
    cdef Py_ssize_t m = cnp.PyArray_DIMS(weight)[0], k = cnp.PyArray_DIMS(weight)[1], i
    cdef const float* w = <const float*>cnp.PyArray_DATA(weight)
    cdef const float* v = <const float*>cnp.PyArray_DATA(x)
    cdef const float* b = NULL if bias is None else <const float*>cnp.PyArray_DATA(<cnp.ndarray>bias)
    cdef float* y = <float*>cnp.PyArray_DATA(out)
    with nogil:
        mg_gemv_avx512(w, v, b, y, m, k)
