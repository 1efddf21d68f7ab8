# conv2d with one input channel per group by direct loops (depthwise.pyx).

from cython cimport floating


cdef conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
            const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t sh, Py_ssize_t sw,
            Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw)
cdef conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
                   floating[:, :, :, ::1] grad_weight, Py_ssize_t sh, Py_ssize_t sw,
                   Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw)
cdef conv_transpose2d(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                      floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                      Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw)
