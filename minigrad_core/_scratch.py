"""Scratch buffers that the kernels reuse from one call to the next.

A kernel's scratch (im2col columns, Winograd's transformed tiles) is a few megabytes that
live for one call. Taken fresh from np.empty, such a buffer costs a page fault per 4 KB
on its first touch, every call: malloc hands blocks this large back to the system when
they are freed. At batch 1 that was a third of a Winograd conv's time. Here the freed
buffers are kept for the next call instead.

A buffer is taken out of the cache while a call uses it, so calls from several Python
threads never share one. The cache keeps at most KEEP buffers and KEEP_BYTES bytes; a
request no cached buffer fits drops the largest one too small before allocating, so the
cache holds about one call's scratch, not the sum of every shape seen. Buffers of at most
SMALL bytes are not cached: malloc reuses those itself, and the cache would only cost
time on the small convs of batch 1.
"""

import math
import threading

import numpy as np

KEEP = 8
KEEP_BYTES = 64 << 20
SMALL = 64 << 10  # smaller buffers come from np.empty: malloc reuses those without faults

_lock = threading.Lock()
_free = []  # uint8 buffers not in use, smallest first
_free_bytes = 0


def _take(nbytes):
    """A uint8 buffer of at least nbytes."""
    global _free_bytes
    with _lock:
        for i, buf in enumerate(_free):
            if buf.nbytes >= nbytes:
                _free_bytes -= buf.nbytes
                return _free.pop(i)
        if _free:  # the largest, still too small: it would never be taken again
            _free_bytes -= _free.pop().nbytes
    return np.empty(nbytes, np.uint8)


def _give(buf):
    global _free_bytes
    with _lock:
        i = 0
        while i < len(_free) and _free[i].nbytes < buf.nbytes:
            i += 1
        _free.insert(i, buf)
        _free_bytes += buf.nbytes
        while len(_free) > KEEP or _free_bytes > KEEP_BYTES:
            _free_bytes -= _free.pop(0).nbytes


class arrays:
    """``with arrays(dtype, *shapes) as views``: uninitialized C-contiguous arrays of dtype,
    one per shape, for the duration of the block; afterwards their memory goes back to
    the cache (do not keep them)."""

    __slots__ = ("_bufs", "_views")

    def __init__(self, dtype, *shapes):
        dtype = np.dtype(dtype)
        self._bufs, self._views = [], []
        for shape in shapes:
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes <= SMALL:
                self._views.append(np.empty(shape, dtype))
                continue
            buf = _take(nbytes)
            self._bufs.append(buf)
            self._views.append(buf[:nbytes].view(dtype).reshape(shape))

    def __enter__(self):
        return self._views

    def __exit__(self, *exc):
        for buf in self._bufs:
            _give(buf)
        self._bufs = self._views = ()
        return False


def clear():
    """Free every cached buffer."""
    global _free_bytes
    with _lock:
        _free.clear()
        _free_bytes = 0
