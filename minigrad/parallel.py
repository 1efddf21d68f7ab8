"""Thread count of minigrad's compute: the Cython kernels' OpenMP threads and BLAS's.

As in PyTorch, ``set_num_threads(n)`` sets both pools at once, so that an OpenMP region
of a kernel and the BLAS call that follows it never compete with more threads than
asked for. BLAS is reached through threadpoolctl, which finds every BLAS library loaded
in the process (numpy's OpenBLAS and SciPy's, which the kernels call).
"""
from threadpoolctl import ThreadpoolController

from minigrad_core import _threads
import minigrad_core.conv  # noqa: F401  (loads SciPy's BLAS so the controller sees it)

__all__ = ["set_num_threads", "get_num_threads"]


def set_num_threads(n):
    """Set the number of threads used by the kernels (OpenMP) and by BLAS.

    Args:
        n (int): a positive number of threads.

    Example:
        >>> import minigrad
        >>> from minigrad.parallel import set_num_threads, get_num_threads
        >>> set_num_threads(1); get_num_threads()
        1
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads(): argument 'n' must be int, not {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads(): expected a positive number of threads, but got {n}")
    _threads.set_num_threads(n)
    # a fresh controller each time: it sees BLAS libraries loaded since the last call
    ThreadpoolController().limit(limits=n, user_api="blas")


def get_num_threads():
    """The number of threads the kernels use (as set by :func:`set_num_threads`)."""
    return _threads.get_num_threads()
