# Fast paths of the def entry points' argument checks (minigrad_core._check), shared by
# the conv and pool kernels. Each says, without a Python call, whether an argument is one
# the general check passes unchanged: an exact ndarray, a tuple of plain ints. When one
# says no, the entry point runs the general checks, which raise with their messages; so
# a fast path changes what a call costs, never what it does.
#
# The bounds: window parameters below 2**20 and array sizes below 2**40 keep every index
# the loops form (a sum of a few products of the two) below 2**62, so a call within them
# needs no span check (_check.span).

cimport numpy as cnp


cdef inline bint small_param(value, Py_ssize_t low):
    """value is an int (not a bool) in [low, 2**20)."""
    return type(value) is int and low <= <object>value < (1 << 20)


cdef inline bint small_pair(value, Py_ssize_t low):
    """value is a tuple of 2 ints in [low, 2**20): what _check.pair returns unchanged."""
    if type(value) is not tuple or len(<tuple>value) != 2:
        return False
    return small_param((<tuple>value)[0], low) and small_param((<tuple>value)[1], low)


cdef inline bint plain_array(value, int ndim, int typenum, bint out):
    """value is exactly an ndarray of ndim dimensions, each below 2**40, and of dtype
    typenum in native byte order, C-contiguous, and writable if out: what _check.array
    passes (for a dtype it lists)."""
    if type(value) is not cnp.ndarray:
        return False
    cdef cnp.ndarray a = <cnp.ndarray>value
    cdef int i
    if not (cnp.PyArray_NDIM(a) == ndim and cnp.PyArray_TYPE(a) == typenum and cnp.PyArray_ISNOTSWAPPED(a)
            and cnp.PyArray_IS_C_CONTIGUOUS(a) and (not out or cnp.PyArray_ISWRITEABLE(a))):
        return False
    for i in range(ndim):
        if cnp.PyArray_DIMS(a)[i] >= (<Py_ssize_t>1 << 40):
            return False
    return True


cdef inline int float_type(value):
    """The typenum of value when it is exactly a float32 or float64 ndarray, else -1."""
    if type(value) is not cnp.ndarray:
        return -1
    cdef int typenum = cnp.PyArray_TYPE(<cnp.ndarray>value)
    return typenum if typenum == cnp.NPY_FLOAT or typenum == cnp.NPY_DOUBLE else -1


cdef inline Py_ssize_t dim(value, int i):
    """Size i of an ndarray that passed plain_array."""
    return cnp.PyArray_DIMS(<cnp.ndarray>value)[i]
