# The kernels' view of OpenMP: the current thread count, and 1 when built without OpenMP.
# (minigrad_core._threads sets the count; minigrad.set_num_threads calls it.)

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int mg_kernel_threads(void) { return omp_get_max_threads(); }
    #else
    static int mg_kernel_threads(void) { return 1; }
    #endif
    """
    int mg_kernel_threads() noexcept nogil
