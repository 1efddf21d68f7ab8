"""Thread count of minigrad's compute: the Cython kernels' OpenMP threads; BLAS stays on one.

``set_num_threads(n)`` sets the kernels' threads, as ``torch.set_num_threads`` sets
PyTorch's. The convolution kernels (``minigrad_core``) call SciPy's BLAS from inside
their own OpenMP loops, one GEMM per (image, block of rows) item on each thread, so that
a kernel call is a single parallel region: on a shared two-core machine every extra
synchronization between two thread pools can cost a scheduler time slice, and a conv
made of dozens of OpenMP regions and multi-threaded GEMMs ran up to a hundred times
slower at two threads than at one. Both BLAS libraries, SciPy's and numpy's (matmul,
linear layers), are therefore kept single-threaded: an OpenBLAS thread pool spins for
about a tenth of a second after each call, on the cores the kernels' threads need, and
with numpy's BLAS at two threads LeNet-5's step took 74-81 ms instead of 11-18 ms, and
AlexNet's 0.9-1.4 s instead of 0.6-0.8 s (kernels at two threads in both). This module
is the one place that policy lives, applied when minigrad is imported (below), through
threadpoolctl; the kernel modules themselves set nothing.

Until ``set_num_threads`` is called (or ``OMP_NUM_THREADS`` is set), the count adapts to
the load: the kernels use one thread per core that other processes leave free, looked at
every 0.2 s (``minigrad_core._threads``). On a machine where another process keeps a
core busy, a team of two threads waits at every barrier for the one that shares its
core. An explicit count is kept whatever the load, as in PyTorch.
"""

from __future__ import annotations

import os

import scipy.linalg.cython_blas  # noqa: F401  (loads the kernels' BLAS, so threadpoolctl sees it)
from threadpoolctl import ThreadpoolController

from minigrad_core import _threads

__all__ = ["set_num_threads", "get_num_threads", "use_default_threads"]


def _single_threaded_blas():
    """Every BLAS library loaded (SciPy's, numpy's) to one thread."""
    for lib in ThreadpoolController().lib_controllers:
        if lib.user_api == "blas":
            lib.set_num_threads(1)


# OpenMP starts one thread per count on the first parallel loop: a count in the millions
# exhausts the process (the interpreter dies), so counts are refused past this one.
MAX_THREADS = 1024


def set_num_threads(n: int) -> None:
    """Set the number of threads the kernels use, kept whatever the machine's load.

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


def use_default_threads() -> None:
    """Go back to the default thread count: ``OMP_NUM_THREADS`` if set, else one thread
    per core, using fewer while other processes keep cores busy (the state after import).

    Example:
        >>> import minigrad
        >>> from minigrad.parallel import set_num_threads, use_default_threads
        >>> set_num_threads(1); use_default_threads()
    """
    _threads.use_default_threads("OMP_NUM_THREADS" not in os.environ)


def get_num_threads() -> int:
    """The number of threads the kernels use (as set by :func:`set_num_threads`); by
    default the most they use, fewer while other processes keep cores busy.

    Example:
        >>> minigrad.get_num_threads() >= 1
        True
    """
    return _threads.get_num_threads()


# The GEMMs run inside the kernels' OpenMP threads, so their BLAS must stay single-threaded
# from the first kernel call on: an OpenBLAS built with pthreads, asked for several
# threads from inside an OpenMP region, oversubscribes the cores and may hang ("Detect
# OpenMP Loop"). Importing minigrad imports this module, so this runs once, before any op.
_single_threaded_blas()
use_default_threads()
