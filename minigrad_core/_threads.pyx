"""OpenMP thread count of the compiled kernels, one for the whole process.

OpenMP keeps its thread count (``omp_set_num_threads``) per calling thread, so a count set
in the main thread would not reach kernels called from other Python threads. The count is
kept here instead, and every kernel passes it to its parallel loop (``num_threads=``):
``set_num_threads`` in any thread applies to all of them, as ``torch.set_num_threads`` does.
"""
from minigrad_core import _check

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int mg_openmp_enabled(void) { return 1; }
    static int mg_default_num_threads(void) { return omp_get_max_threads(); }
    #else
    static int mg_openmp_enabled(void) { return 0; }
    static int mg_default_num_threads(void) { return 1; }
    #endif
    """
    int mg_openmp_enabled() nogil
    int mg_default_num_threads() nogil


# OMP_NUM_THREADS, or one per core, until set_num_threads changes it.
cdef int _num_threads = mg_default_num_threads()


cdef int kernel_threads() noexcept nogil:
    return _num_threads


def openmp_enabled():
    """True when the kernels were compiled with OpenMP."""
    return bool(mg_openmp_enabled())


def get_num_threads():
    """Number of OpenMP threads the kernels use."""
    return _num_threads


def set_num_threads(n):
    """Set the number of OpenMP threads the kernels use (n >= 1; 1 without OpenMP)."""
    global _num_threads
    n = _check.integer("set_num_threads", "n", n, 1)
    _num_threads = min(n, 2**31 - 1) if mg_openmp_enabled() else 1
