# Index arithmetic shared by the conv and pool kernels (inline: they sit in inner loops).
# A window tap at offset `off` reads input column x*s + off for output column x; the
# kernels clip the output range to the columns that land inside the input once per row,
# so the loops below them need no bounds test.


cdef inline Py_ssize_t _floordiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """floor(a / b) for b > 0 (C division truncates toward zero)."""
    cdef Py_ssize_t q = a // b
    if a % b != 0 and a < 0:
        q -= 1
    return q


cdef inline Py_ssize_t _ceildiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """ceil(a / b) for b > 0."""
    return -_floordiv(-a, b)


cdef inline Py_ssize_t _min(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return a if a < b else b


cdef inline Py_ssize_t _max(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return a if a > b else b


cdef inline Py_ssize_t _clip(Py_ssize_t v, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """v limited to [lo, hi]."""
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


cdef inline Py_ssize_t _tap_lo(Py_ssize_t off, Py_ssize_t s, Py_ssize_t n_out) noexcept nogil:
    """First output x whose input column x*s + off is >= 0. (Values are returned, not
    written through pointers: a variable only set through its address inside a prange
    body would be shared between the threads.)"""
    return _clip(_ceildiv(-off, s), 0, n_out)


cdef inline Py_ssize_t _tap_hi(Py_ssize_t off, Py_ssize_t s, Py_ssize_t size, Py_ssize_t n_out,
                               Py_ssize_t lo) noexcept nogil:
    """One past the last output x whose input column x*s + off is < size (>= lo)."""
    return _clip(_floordiv(size - 1 - off, s) + 1, lo, n_out)


cdef inline Py_ssize_t _next_tap(Py_ssize_t b, Py_ssize_t d, Py_ssize_t p, Py_ssize_t s,
                                 Py_ssize_t size, Py_ssize_t n_out, Py_ssize_t K) noexcept nogil:
    """The first tap b' >= b (K if none) whose column x*s - p + b'*d lands in [0, size) for
    some output x < n_out (n_out > 0). A tap that misses jumps to the first one that can
    reach the next output to its left, so a huge window with few taps inside the input
    costs only those taps, and one step per output column."""
    cdef Py_ssize_t lo
    while b < K:
        lo = _tap_lo(b * d - p, s, n_out)   # first x whose column is >= 0
        if lo < n_out and lo * s - p + b * d < size:
            return b
        if lo == 0:
            return K                        # column of x = 0 already past the input
        b = _ceildiv(p - (lo - 1) * s, d)   # the tap where x = lo - 1 reaches column 0
    return K

