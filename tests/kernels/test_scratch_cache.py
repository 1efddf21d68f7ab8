"""minigrad_core._scratch: the kernels' scratch buffers are reused between calls, never
shared by two calls at once, and the cache stays bounded."""

import threading

import numpy as np

from minigrad_core import _scratch


def test_a_freed_buffer_is_reused_and_a_busy_one_is_not():
    _scratch.clear()
    with _scratch.arrays(np.float32, (4, 8192)) as (a,):
        first = a.__array_interface__["data"][0]
        with _scratch.arrays(np.float32, (4, 8192)) as (b,):  # a is in use: b is other memory
            assert b.__array_interface__["data"][0] != first
    with _scratch.arrays(np.float64, (2, 8192)) as (c,):  # same bytes, another dtype: reused
        assert c.__array_interface__["data"][0] in (first, b.__array_interface__["data"][0])
        assert c.shape == (2, 8192) and c.dtype == np.float64 and c.flags.c_contiguous


def test_small_buffers_are_left_to_malloc():
    _scratch.clear()
    with _scratch.arrays(np.float32, (_scratch.SMALL // 4,)) as (a,):
        assert a.shape == (_scratch.SMALL // 4,)
    assert not _scratch._free


def test_the_cache_is_bounded():
    _scratch.clear()
    for n in range(1, 3 * _scratch.KEEP):
        with _scratch.arrays(np.float32, (n, 20000)):
            pass
    assert len(_scratch._free) <= _scratch.KEEP
    assert sum(b.nbytes for b in _scratch._free) <= _scratch.KEEP_BYTES
    with _scratch.arrays(np.float32, (_scratch.KEEP_BYTES // 4 + 1,)):
        pass
    assert sum(b.nbytes for b in _scratch._free) <= _scratch.KEEP_BYTES


def test_concurrent_calls_never_share_a_buffer():
    _scratch.clear()
    errors = []
    barrier = threading.Barrier(4)

    def work(value):
        try:
            for _ in range(50):
                with _scratch.arrays(np.float32, (32768,)) as (a,):
                    a[...] = value
                    barrier.wait(timeout=10)  # all four hold a buffer here
                    if not (a == value).all():
                        errors.append(value)
                    barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            errors.append("barrier")

    threads = [threading.Thread(target=work, args=(v,)) for v in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
