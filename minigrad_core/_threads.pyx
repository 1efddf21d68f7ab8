"""OpenMP thread count of the compiled kernels."""
from minigrad_core import _check

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int mg_openmp_enabled(void) { return 1; }
    static int mg_get_num_threads(void) { return omp_get_max_threads(); }
    static void mg_set_num_threads(int n) { omp_set_num_threads(n); }
    #else
    static int mg_openmp_enabled(void) { return 0; }
    static int mg_get_num_threads(void) { return 1; }
    static void mg_set_num_threads(int n) { (void)n; }
    #endif
    """
    int mg_openmp_enabled() nogil
    int mg_get_num_threads() nogil
    void mg_set_num_threads(int n) nogil


def openmp_enabled():
    """True when the kernels were compiled with OpenMP."""
    return bool(mg_openmp_enabled())


def get_num_threads():
    """Number of OpenMP threads the kernels use."""
    return mg_get_num_threads()


def set_num_threads(n):
    """Set the number of OpenMP threads the kernels use (n >= 1)."""
    n = _check.integer("set_num_threads", "n", n, 1)
    mg_set_num_threads(min(n, 2**31 - 1))
