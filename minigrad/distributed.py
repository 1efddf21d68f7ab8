"""Collective communication between processes, with ``torch.distributed``'s names, on MPI.

Launch the processes with MPI (``mpiexec -n 2 python train.py``, Slurm's ``srun``), call
``init_process_group(backend="mpi")`` in each, and the collectives below combine tensors
across them. Every collective works in place on the numpy arrays behind the tensors through
mpi4py's buffer interface: nothing is pickled. mpi4py and an MPI library are an optional
install: ``pip install "minigrad[mpi]"``. See docs/distributed.md.

Example (run under ``mpiexec -n 2``)::

    import minigrad
    import minigrad.distributed as dist

    dist.init_process_group(backend="mpi")
    t = minigrad.tensor([float(dist.get_rank())])
    dist.all_reduce(t)  # tensor([1.]) on both ranks
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = [
    "ReduceOp",
    "Work",
    "is_available",
    "init_process_group",
    "is_initialized",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "barrier",
    "all_reduce",
    "broadcast",
    "all_gather",
    "reduce_scatter",
]

INSTALL_HINT = 'minigrad.distributed needs mpi4py and an MPI library: pip install "minigrad[mpi]"'


class ReduceOp:
    """How ``all_reduce`` and ``reduce_scatter`` combine the ranks' values."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MAX = "max"
    MIN = "min"


_OPS = (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PRODUCT, ReduceOp.MAX, ReduceOp.MIN)

# The communicator of the default process group (a duplicate of MPI_COMM_WORLD), or None.
_world = None


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(INSTALL_HINT) from error
    return MPI


def is_available() -> bool:
    """True when mpi4py (with an MPI library) can be imported."""
    try:
        _mpi()
    except RuntimeError:
        return False
    return True


def init_process_group(backend: str | None = "mpi", world_size: int = -1, rank: int = -1, **kwargs) -> None:
    """Join the processes MPI started into the default process group.

    Args:
        backend (str): ``"mpi"``, the only backend.
        world_size, rank (int): the launcher (``mpiexec``, ``srun``) fixes both; when
            given, they must agree with it.
    """
    global _world
    if backend not in ("mpi", None):
        raise ValueError(f"minigrad.distributed supports only the 'mpi' backend, got backend={backend!r}")
    unknown = set(kwargs) - {"init_method", "timeout", "store"}
    if unknown:
        raise TypeError(f"init_process_group() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if _world is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    world = _mpi().COMM_WORLD
    for name, given, actual in (("world_size", world_size, world.Get_size()), ("rank", rank, world.Get_rank())):
        if given not in (-1, actual):
            raise ValueError(f"init_process_group: {name}={given}, but the MPI launcher made it {actual}")
    _world = world.Dup()


def is_initialized() -> bool:
    """True between ``init_process_group`` and ``destroy_process_group``."""
    return _world is not None


def _comm():
    if _world is None:
        raise ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
    return _world


def destroy_process_group() -> None:
    """Leave the default process group (MPI itself stays initialized until exit)."""
    global _world
    _comm().Free()
    _world = None


def get_backend() -> str:
    _comm()
    return "mpi"


def get_rank() -> int:
    """This process's rank, 0 to world size - 1."""
    return _comm().Get_rank()


def get_world_size() -> int:
    """How many processes are in the default process group."""
    return _comm().Get_size()


def barrier() -> None:
    """Wait until every rank has called ``barrier``."""
    _comm().Barrier()


class Work:
    """A collective started with ``async_op=True``; ``wait()`` finishes it."""

    def __init__(self, request, finish=None) -> None:
        self._request = request
        self._finish = finish

    def is_completed(self) -> bool:
        return self._request.Get_status()

    def wait(self) -> bool:
        self._request.Wait()
        if self._finish is not None:
            self._finish()
            self._finish = None
        return True


def _buffer(tensor: Tensor, what: str) -> np.ndarray:
    """The contiguous array behind ``tensor``, which a collective reads or writes in place."""
    array = tensor._array
    if not array.flags.c_contiguous:
        raise ValueError(f"{what}: Tensors must be contiguous")
    return array


def _mpi_op(op: str, what: str):
    if op not in _OPS:
        raise ValueError(f"{what}: unknown reduce op {op!r}; use one of ReduceOp.SUM, AVG, PRODUCT, MAX, MIN")
    MPI = _mpi()
    return {"sum": MPI.SUM, "avg": MPI.SUM, "product": MPI.PROD, "max": MPI.MAX, "min": MPI.MIN}[op]


def all_reduce(tensor: Tensor, op: str = ReduceOp.SUM, group=None, async_op: bool = False) -> Work | None:
    """Combine ``tensor`` over all ranks with ``op``; every rank receives the result in place.

    Args:
        tensor (Tensor): any shape, contiguous; ``AVG`` needs a floating dtype.
        op (ReduceOp): ``SUM`` (default), ``AVG``, ``PRODUCT``, ``MAX`` or ``MIN``.
        async_op (bool): return a ``Work`` at once (``Iallreduce``); the result is in
            ``tensor`` after its ``wait()``.
    """
    comm = _comm_of(group)
    array = _buffer(tensor, "all_reduce")
    mpi_op = _mpi_op(op, "all_reduce")
    if op == ReduceOp.AVG and not np.issubdtype(array.dtype, np.floating):
        raise RuntimeError(f"all_reduce: ReduceOp.AVG needs a floating point tensor, got {tensor.dtype}")
    MPI = _mpi()

    def finish():
        if op == ReduceOp.AVG:
            np.divide(array, comm.Get_size(), out=array)
        tensor._bump_version()

    if async_op:
        return Work(comm.Iallreduce(MPI.IN_PLACE, array, mpi_op), finish)
    comm.Allreduce(MPI.IN_PLACE, array, mpi_op)
    finish()
    return None


def broadcast(tensor: Tensor, src: int, group=None, async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank, in place."""
    comm = _comm_of(group)
    _check_rank(src, comm, "broadcast", "src")
    array = _buffer(tensor, "broadcast")
    if async_op:
        return Work(comm.Ibcast(array, root=src), tensor._bump_version)
    comm.Bcast(array, root=src)
    tensor._bump_version()
    return None


def all_gather(tensor_list: Sequence[Tensor], tensor: Tensor, group=None, async_op: bool = False) -> None:
    """Fill ``tensor_list[r]`` with rank r's ``tensor`` on every rank.

    Args:
        tensor_list (list of Tensor): world size tensors of ``tensor``'s shape and dtype.
        tensor (Tensor): this rank's contribution.
    """
    comm = _comm_of(group)
    if async_op:
        raise NotImplementedError("all_gather(async_op=True) is not supported")
    array = _buffer(tensor, "all_gather")
    _check_peers(tensor_list, array, comm, "all_gather", "tensor_list")
    gathered = np.empty((comm.Get_size(),) + array.shape, dtype=array.dtype)
    comm.Allgather(array, gathered)
    for out, part in zip(tensor_list, gathered):
        out._array[...] = part
        out._bump_version()


def reduce_scatter(
    output: Tensor, input_list: Sequence[Tensor], op: str = ReduceOp.SUM, group=None, async_op: bool = False
) -> None:
    """Reduce ``input_list[r]`` over all ranks with ``op`` into rank r's ``output``.

    Args:
        output (Tensor): receives this rank's reduced part.
        input_list (list of Tensor): world size tensors of ``output``'s shape and dtype.
    """
    comm = _comm_of(group)
    if async_op:
        raise NotImplementedError("reduce_scatter(async_op=True) is not supported")
    array = _buffer(output, "reduce_scatter")
    mpi_op = _mpi_op(op, "reduce_scatter")
    if op == ReduceOp.AVG and not np.issubdtype(array.dtype, np.floating):
        raise RuntimeError(f"reduce_scatter: ReduceOp.AVG needs a floating point tensor, got {output.dtype}")
    _check_peers(input_list, array, comm, "reduce_scatter", "input_list")
    comm.Reduce_scatter_block(np.stack([t._array for t in input_list]), array, mpi_op)
    if op == ReduceOp.AVG:
        array /= comm.Get_size()
    output._bump_version()


def _comm_of(group):
    if group is not None:
        raise NotImplementedError("minigrad.distributed has only the default process group (group=None)")
    return _comm()


def _check_rank(rank, comm, what, name):
    if not 0 <= rank < comm.Get_size():
        raise ValueError(f"{what}: {name}={rank} is not a rank of a world of size {comm.Get_size()}")


def _check_peers(tensors, array, comm, what, name):
    if len(tensors) != comm.Get_size():
        raise ValueError(f"{what}: {name} needs {comm.Get_size()} tensors (the world size), got {len(tensors)}")
    for t in tensors:
        if t._array.shape != array.shape or t._array.dtype != array.dtype:
            expected = f"shape {list(array.shape)} and dtype {array.dtype}"
            raise ValueError(f"{what}: every tensor of {name} must have {expected}")
