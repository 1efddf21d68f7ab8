"""Scratch buffers that the kernels reuse from one call to the next.

A kernel's scratch (im2col columns, Winograd's transformed tiles) is a few megabytes that
live for one call. Taken fresh from np.empty, such a buffer costs a page fault per 4 KB
on its first touch, every call: malloc hands blocks this large back to the system when
they are freed. At batch 1 that was a third of a Winograd conv's time. Here the freed
buffers are kept for the next call instead.

A buffer is taken out of the cache while a call uses it, so calls from several Python
threads never share one. The cache keeps at most KEEP buffers and KEEP_BYTES bytes; a
request no cached buffer fits drops the largest one too small before allocating, so the
cache holds about one call's scratch, not the sum of every shape seen.
"""

import contextlib
import threading

import numpy as np

KEEP = 8
KEEP_BYTES = 64 << 20

_lock = threading.Lock()
_free = []  # uint8 buffers not in use, by size


def _take(nbytes):
    """A uint8 buffer of at least nbytes."""
    with _lock:
        for i, buf in enumerate(_free):
            if buf.nbytes >= nbytes:
                return _free.pop(i)
        if _free:
            _free.pop()  # the largest, still too small: it would never be taken again
    return np.empty(max(nbytes, 1), np.uint8)


def _give(buf):
    with _lock:
        _free.append(buf)
        _free.sort(key=len)
        while len(_free) > KEEP or sum(b.nbytes for b in _free) > KEEP_BYTES:
            _free.pop(0)


@contextlib.contextmanager
def arrays(dtype, *shapes):
    """Uninitialized C-contiguous arrays of dtype, one per shape, for the duration of the
    block; afterwards their memory goes back to the cache (do not keep them)."""
    dtype = np.dtype(dtype)
    sizes = [int(np.prod(shape)) * dtype.itemsize for shape in shapes]
    bufs = [_take(n) for n in sizes]
    try:
        yield [buf[:n].view(dtype).reshape(shape) for buf, n, shape in zip(bufs, sizes, shapes)]
    finally:
        for buf in bufs:
            _give(buf)


def clear():
    """Free every cached buffer."""
    with _lock:
        _free.clear()
