# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""Optimizer updates in one pass over each parameter, in place.

numpy would run SGD with momentum as four passes over the parameter (scale the buffer, add
the gradient, scale by lr into a temporary, subtract), the temporary as large as the
parameter (AlexNet's first linear layer: 151 MB, a fresh page fault every 4 KB of it,
every step). Here each element is read and written once, on the kernels' threads.
"""
import numpy as np

from cython cimport floating
from cython.parallel cimport prange

from minigrad_core._omp cimport mg_threads_for

from minigrad_core import _check


def sgd_step(param, grad, momentum_buffer, double lr, double weight_decay, double momentum,
             double dampening, bint nesterov, bint maximize, bint first):
    """One step of SGD (minigrad.optim.SGD's formula) on param, in place:

        d = -grad if maximize else grad;  d += weight_decay * param
        b = d (first step) or momentum * b + (1 - dampening) * d;  d = d + momentum * b
            if nesterov else b                                    (momentum != 0)
        param -= lr * d

    param, grad and momentum_buffer (None when momentum is 0; updated in place) are
    C-contiguous 1-D arrays of one float dtype and one length. The scalars are rounded to
    that dtype first, as numpy and PyTorch do with a Python float and a float32 array."""
    name = "sgd_step"
    param = _check.array(name, "param", param, 1, out=True)
    grad = _check.array(name, "grad", grad, 1)
    _check.same_dtype(name, param=param, grad=grad)
    _check.shape(name, "grad", grad, param.shape)
    if momentum != 0:
        momentum_buffer = _check.array(name, "momentum_buffer", momentum_buffer, 1, out=True)
        _check.same_dtype(name, param=param, momentum_buffer=momentum_buffer)
        _check.shape(name, "momentum_buffer", momentum_buffer, param.shape)
    else:
        momentum_buffer = param[:0]
    if param.dtype == np.float32:
        _sgd[float](param, grad, momentum_buffer, lr, weight_decay, momentum, dampening,
                    nesterov, maximize, first)
    else:
        _sgd[double](param, grad, momentum_buffer, lr, weight_decay, momentum, dampening,
                     nesterov, maximize, first)


cdef void _sgd(floating[::1] p, const floating[::1] g, floating[::1] b, floating lr,
               floating weight_decay, floating momentum, floating dampening, bint nesterov,
               bint maximize, bint first) noexcept:
    cdef Py_ssize_t i, n = p.shape[0]
    cdef floating d, bi, keep = 1 - dampening
    cdef bint has_momentum = momentum != 0
    with nogil:
        for i in prange(n, num_threads=mg_threads_for(n), schedule='static'):
            d = -g[i] if maximize else g[i]
            if weight_decay != 0:
                d = d + weight_decay * p[i]
            if has_momentum:
                bi = d if first else momentum * b[i] + keep * d
                b[i] = bi
                d = d + momentum * bi if nesterov else bi
            p[i] = p[i] - lr * d
