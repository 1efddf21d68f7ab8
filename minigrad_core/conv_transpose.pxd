# conv_transpose2d (= conv2d's input gradient) by the flipped-kernel convolution, and the
# col2im alternative (conv_transpose.pyx).

from cython cimport floating


cdef flipped_kernel(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                    floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                    Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G)
cdef col2im_scatter(const floating[:, :, :, ::1] gy, const floating[:, :, :, ::1] weight,
                    floating[:, :, :, ::1] gx, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                    Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G)
