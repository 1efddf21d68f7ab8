# The kernels' view of OpenMP: the current thread count, and 1 when built without OpenMP.
# (minigrad_core._threads sets the count; minigrad.set_num_threads calls it.)
# mg_threads_for(work) keeps small loops on one thread: a parallel region costs a few
# microseconds, and far more when the other core is busy and the team must wait for it.

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int mg_kernel_threads(void) { return omp_get_max_threads(); }
    #else
    static int mg_kernel_threads(void) { return 1; }
    #endif
    static int mg_threads_for(Py_ssize_t work) { return work < 65536 ? 1 : mg_kernel_threads(); }
    """
    int mg_kernel_threads() noexcept nogil
    int mg_threads_for(Py_ssize_t work) noexcept nogil


cdef inline int _items_threads(Py_ssize_t items, Py_ssize_t work) noexcept nogil:
    """Threads for a parallel loop over items: none beyond the items, one for small work."""
    cdef int nt = mg_threads_for(work)
    return <int>items if items < nt else nt
