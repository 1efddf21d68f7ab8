# conv2d by im2col + GEMM (im2col_gemm.pyx), its block plan, and im2col / col2im on one image.

from cython cimport floating


cdef Py_ssize_t _rows_per_block(Py_ssize_t rows, Py_ssize_t row_len, Py_ssize_t depth,
                                Py_ssize_t itemsize) noexcept nogil
cdef Py_ssize_t _images_per_block(Py_ssize_t N, Py_ssize_t P, Py_ssize_t depth,
                                  Py_ssize_t itemsize) noexcept nogil

cdef bint _avx512_on() noexcept nogil
cdef void _gemm_forward(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, const floating* a,
                        Py_ssize_t lda, const floating* b, Py_ssize_t ldb, floating* c,
                        Py_ssize_t ldc, const floating* bias) noexcept nogil
cdef bint _flat_fits(Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t KH,
                     Py_ssize_t KW, Py_ssize_t OW) noexcept nogil
cdef bint _all_finite(const floating* a, Py_ssize_t n) noexcept nogil
cdef void _im2col(const floating* x, floating* cols, Py_ssize_t ld, Py_ssize_t C, Py_ssize_t H,
                  Py_ssize_t W, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb,
                  Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                  Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil
cdef void _col2im(const floating* cols, floating* x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t oy0, Py_ssize_t OHb, Py_ssize_t OW,
                  Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                  Py_ssize_t dh, Py_ssize_t dw, int nt) noexcept nogil

cdef conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
            const floating* bias, floating[:, :, :, ::1] out, Py_ssize_t sh, Py_ssize_t sw,
            Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G)
cdef conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
                   floating[:, :, :, ::1] grad_weight, Py_ssize_t sh, Py_ssize_t sw,
                   Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t G)
