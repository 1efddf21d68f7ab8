# conv2d and its weight gradient by Winograd's F(2x2, 3x3) (winograd.pyx).

from cython cimport floating


cdef bint fits(Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t dh,
               Py_ssize_t dw, Py_ssize_t G, Py_ssize_t H, Py_ssize_t W, Py_ssize_t ph,
               Py_ssize_t pw) noexcept
cdef bint pays(Py_ssize_t C, Py_ssize_t O) noexcept
cdef bint enough_tiles(Py_ssize_t N, Py_ssize_t OH, Py_ssize_t OW) noexcept
cdef conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
            const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t ph, Py_ssize_t pw,
            Py_ssize_t dh, Py_ssize_t dw, bint flipped)
cdef conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] gy,
                   floating[:, :, :, ::1] gw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh,
                   Py_ssize_t dw)
