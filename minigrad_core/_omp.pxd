# The kernels' view of OpenMP: how many threads a parallel loop gets. The count is
# minigrad.set_num_threads's, one for the process (minigrad_core._threads), 1 without OpenMP.
# mg_threads_for(work) keeps small loops on one thread: a parallel region costs a few
# microseconds, and far more when the other core is busy and the team must wait for it.

from minigrad_core._threads cimport kernel_threads


cdef inline int mg_threads_for(Py_ssize_t work) noexcept nogil:
    return 1 if work < 65536 else kernel_threads()


cdef inline int _items_threads(Py_ssize_t items, Py_ssize_t work) noexcept nogil:
    """Threads for a parallel loop over items: none beyond the items, one for small work."""
    cdef int nt = mg_threads_for(work)
    return <int>items if items < nt else nt
