# The kernels' thread count, one for the whole process: what minigrad.set_num_threads set
# (see _threads.pyx). The kernels cimport it through _omp.pxd.

cdef int kernel_threads() noexcept nogil
