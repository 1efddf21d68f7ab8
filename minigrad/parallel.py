"""Thread count of minigrad's compute: the Cython kernels' OpenMP threads and BLAS's.

As in PyTorch, ``set_num_threads(n)`` sets both pools at once. The convolution kernels
(``minigrad_core``) call SciPy's BLAS from inside their own OpenMP loops, one GEMM
per (image, block of rows) item on each thread, so that a kernel call is a single
parallel region: on a shared two-core machine every extra synchronization between two
thread pools can cost a scheduler time slice, and a conv made of dozens of OpenMP
regions and multi-threaded GEMMs ran up to a hundred times slower at two threads than
at one. SciPy's BLAS is therefore kept single-threaded, while numpy's BLAS (matmul,
linear layers) gets the n threads. Both are reached through threadpoolctl. This module
is the one place that policy lives: it is applied when minigrad is imported (below) and
by every ``set_num_threads``; the kernel modules themselves set nothing.

Until ``set_num_threads`` is called (or ``OMP_NUM_THREADS`` is set), the count adapts to
the load: the kernels use one thread per core that other processes leave free, looked at
every 0.2 s (``minigrad_core._threads``), and numpy's BLAS follows. On a machine where
another process keeps a core busy, a team of two threads waits at every barrier for the
one that shares its core, and BLAS threads spin while they wait: training steps took 2 to
10 times as long at two threads as at one. An explicit count is kept whatever the load,
as in PyTorch.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

import scipy.linalg.cython_blas  # noqa: F401  (loads the kernels' BLAS, so threadpoolctl sees it)
from threadpoolctl import ThreadpoolController

from minigrad_core import _threads

__all__ = ["set_num_threads", "get_num_threads", "use_default_threads"]


def kernel_blas_libraries(controller: ThreadpoolController) -> list[Any]:
    """threadpoolctl controllers of the BLAS the kernels call (SciPy's OpenBLAS); all the
    BLAS libraries when SciPy's cannot be told apart (it then shares one with numpy)."""
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    own = [lib for lib in blas if os.path.basename(os.path.dirname(lib.filepath)) == "scipy.libs"]
    return own or blas


def _single_threaded_kernel_blas():
    """The kernels' BLAS to one thread; the other BLAS libraries keep their count."""
    for lib in kernel_blas_libraries(ThreadpoolController()):
        lib.set_num_threads(1)


def _set_blas_threads(n):
    """numpy's BLAS (and any other) to n threads, the kernels' BLAS (SciPy's) to one."""
    controller = ThreadpoolController()
    kernels = kernel_blas_libraries(controller)
    for lib in controller.lib_controllers:
        if lib.user_api == "blas":
            lib.set_num_threads(1 if lib in kernels else n)


def _numpy_blas_setter(controller: ThreadpoolController) -> int:
    """Address of ``openblas_set_num_threads`` of numpy's BLAS, for the kernels to call when
    the adapted count changes; 0 when there is no single pthreads OpenBLAS to follow."""
    kernels = kernel_blas_libraries(controller)
    others = [lib for lib in controller.lib_controllers if lib.user_api == "blas" and lib not in kernels]
    if len(others) != 1 or others[0].internal_api != "openblas" or others[0].threading_layer != "pthreads":
        return 0
    setter = others[0]._get_symbol("openblas_set_num_threads")
    if setter is None:
        return 0
    return ctypes.cast(setter, ctypes.c_void_p).value


# OpenMP starts one thread per count on the first parallel loop: a count in the millions
# exhausts the process (the interpreter dies), so counts are refused past this one.
MAX_THREADS = 1024


def set_num_threads(n: int) -> None:
    """Set the number of threads used by the kernels (OpenMP) and by BLAS.

    Args:
        n (int): a number of threads, from 1 to ``MAX_THREADS`` (1024).

    Example:
        >>> import minigrad
        >>> from minigrad.parallel import set_num_threads, get_num_threads
        >>> set_num_threads(1); get_num_threads()
        1
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads(): argument 'n' must be int, not {type(n).__name__}")
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"set_num_threads(): expected a number of threads from 1 to {MAX_THREADS}, but got {n}")
    _threads.set_num_threads(n)
    _set_blas_threads(n)


def use_default_threads() -> None:
    """Go back to the default thread count: ``OMP_NUM_THREADS`` if set, else one thread
    per core, using fewer while other processes keep cores busy (the state after import).

    Example:
        >>> import minigrad
        >>> from minigrad.parallel import set_num_threads, use_default_threads
        >>> set_num_threads(1); use_default_threads()
    """
    _threads.use_default_threads("OMP_NUM_THREADS" not in os.environ)
    _set_blas_threads(_threads.threads_in_use())


def get_num_threads() -> int:
    """The number of threads the kernels use (as set by :func:`set_num_threads`); by
    default the most they use, fewer while other processes keep cores busy."""
    return _threads.get_num_threads()


# The GEMMs run inside the kernels' OpenMP threads, so their BLAS must stay single-threaded
# from the first kernel call on: an OpenBLAS built with pthreads, asked for several
# threads from inside an OpenMP region, oversubscribes the cores and may hang ("Detect
# OpenMP Loop"). Importing minigrad imports this module, so this runs once, before any op.
_single_threaded_kernel_blas()
_threads.follow_with_blas(_numpy_blas_setter(ThreadpoolController()))
_threads.use_default_threads("OMP_NUM_THREADS" not in os.environ)
