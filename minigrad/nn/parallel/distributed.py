"""DistributedDataParallel: every rank trains a replica; gradients are averaged during backward.

How a step runs, on each of the world size W ranks:

1. construction: rank 0's parameters and buffers are broadcast, so the replicas start equal;
   the parameters that require grad are cut into buckets of about ``bucket_cap_mb`` (the
   first one 1 MB, so that communication starts early), in reverse registration order,
   roughly the order in which backward produces their gradients;
2. forward: with ``broadcast_buffers``, rank 0's buffers (batch-norm running statistics)
   are broadcast first, then the wrapped module runs on this rank's batch;
3. backward: a hook on each parameter copies its gradient (plus any ``.grad`` accumulated
   under ``no_sync()``) into its bucket; when a bucket is full it is summed over the ranks
   with a non-blocking ``Iallreduce``, while backward goes on with the layers below.
   Buckets start in index order on every rank, as MPI requires the same order everywhere;
4. end of backward: a final callback of the backward pass (``autograd.engine.queue_callback``,
   PyTorch's ``queue_callback`` in its autograd engine) waits for the allreduces (polling,
   with 0.1 ms sleeps), divides by W, and writes the averages into the ``.grad`` of the
   parameters.

After ``loss.backward()`` every rank holds the same averaged gradients, so the optimizers,
stepping identically, keep the replicas equal.
"""

from __future__ import annotations

import contextlib
import functools
import time
from typing import Any, Iterator

import numpy as np

from ... import distributed as dist
from ...autograd.engine import queue_callback
from ...autograd.function import AccumulateGrad
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    """A flat array holding the gradients of some parameters, reduced with one allreduce."""

    def __init__(self, indices: list[int], params: list[Tensor]) -> None:
        self.indices = indices
        self.flat = np.zeros(sum(params[i]._array.size for i in indices), dtype=params[indices[0]]._array.dtype)
        self.views = {}  # parameter index -> its slice of flat, in the parameter's shape
        offset = 0
        for i in indices:
            size = params[i]._array.size
            self.views[i] = self.flat[offset : offset + size].reshape(params[i]._array.shape)
            offset += size
        self.pending = len(indices)


def _assign_buckets(params: list[Tensor], cap_bytes: int) -> list[list[int]]:
    """Parameter indices in buckets: reverse order, one dtype each, the first at most 1 MB, then ``cap_bytes``."""
    buckets, open_by_dtype = [], {}
    for i in reversed(range(len(params))):
        array = params[i]._array
        bucket = open_by_dtype.get(array.dtype)
        if bucket is None:
            bucket = open_by_dtype[array.dtype] = ([], [0])
            buckets.append(bucket[0])
        bucket[0].append(i)
        bucket[1][0] += array.nbytes
        if bucket[1][0] >= (min(FIRST_BUCKET_BYTES, cap_bytes) if len(buckets) == 1 else cap_bytes):
            del open_by_dtype[array.dtype]
    return buckets


def _broadcast_coalesced(tensors: list[Tensor], comm) -> None:
    """Copy rank 0's values into ``tensors`` on every rank: one broadcast per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._array.dtype, []).append(t)
    for group in by_dtype.values():
        flat = np.concatenate([t._array.ravel() for t in group])
        comm.Bcast(flat, root=0)
        offset = 0
        for t in group:
            t._array[...] = flat[offset : offset + t._array.size].reshape(t._array.shape)
            offset += t._array.size


class DistributedDataParallel(Module):
    """Train ``module`` on several processes, each on its own part of every batch.

    Each rank runs forward and backward on its own batch; the gradients are averaged over
    the ranks while backward runs, so that after ``loss.backward()`` every rank holds the
    gradient of the mean loss over all ranks' samples. Needs
    ``minigrad.distributed.init_process_group()`` first (mpi4py and an MPI launcher). See
    :doc:`/distributed`.

    A script run as ``mpiexec -n 2 python train.py``::

        dist.init_process_group("mpi")
        model = DistributedDataParallel(nn.Linear(4, 2))
        model(x).sum().backward()  # model.module.weight.grad: the mean over both ranks

    Args:
        module (Module): the model, built identically on every rank.
        device_ids: for devices in PyTorch; must be None (the default).
        output_device: for devices in PyTorch; must be None (the default).
        dim (int): the batch dimension, kept for PyTorch's signature (each rank brings its own
            batch, nothing is scattered). Default: 0.
        broadcast_buffers (bool): copy rank 0's buffers (batch-norm running statistics)
            to every rank at the start of each forward. Default: True.
        process_group: only None (the default group) is supported.
        bucket_cap_mb (float): the size of a gradient bucket, one allreduce each. Default: None
            (25).
        find_unused_parameters (bool): after each forward, walk the graph from the
            outputs and count the parameters it does not reach as ready (their gradient
            zero on this rank); without it, such a parameter stops the next forward with
            an error. Default: False.

    Shape:
        input and output: those of ``module``, per rank.

    Example:
        Without a process group (a plain ``python`` or ``pytest`` run) it refuses, as
        PyTorch's does; the script above shows the real use.

        >>> nn.parallel.DistributedDataParallel(nn.Linear(4, 2))
        Traceback (most recent call last):
        ...
        ValueError: Default process group has not been initialized, please make sure to call init_process_group.
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
    ) -> None:
        super().__init__()
        if process_group is not None:
            raise NotImplementedError("DistributedDataParallel: only the default process group is supported")
        if device_ids is not None or output_device is not None:
            raise ValueError("DistributedDataParallel: device_ids and output_device are for devices; leave them None")
        self._comm = dist._comm()
        self.module = module
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        self.require_backward_grad_sync = True
        self._params = [p for p in module.parameters() if p.requires_grad]
        _broadcast_coalesced(list(module.parameters()) + list(module.buffers()), self._comm)
        cap_bytes = int(self.bucket_cap_mb * 1024 * 1024)
        self._buckets = [_Bucket(ix, self._params) for ix in _assign_buckets(self._params, cap_bytes)]
        self._bucket_of = {i: b for b, bucket in enumerate(self._buckets) for i in bucket.indices}
        self._ready = [False] * len(self._params)
        self._locally_unused: list[int] = []
        self._requests: list = []
        self._in_backward = False
        self._unfinished: list[int] = []  # parameters that got no gradient in the last synced backward
        self._wait_seconds = 0.0  # time backward's end spent waiting for allreduces (read by bench/)
        for i, p in enumerate(self._params):
            p.register_hook(functools.partial(self._grad_ready, i))

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, backward only accumulates local gradients; the next synced backward averages
        them all (gradient accumulation over several micro-batches with one allreduce).

        The pattern, on every rank of an ``mpiexec`` run::

            with model.no_sync():
                model(x1).sum().backward()  # local only
            model(x2).sum().backward()  # averages the gradients of x1 and x2 over the ranks

        Example:
            A DistributedDataParallel needs a process group, which only an MPI launch provides
            (see the pattern above); in a plain run there is none:

            >>> import minigrad.distributed as dist
            >>> dist.is_initialized()
            False
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Run the wrapped module on this rank's batch; first, with ``broadcast_buffers``, copy
        rank 0's buffers to every rank, and with ``find_unused_parameters`` note the parameters
        the output does not reach.

        Args:
            inputs: the module's positional inputs (this rank's part of the batch).
            kwargs: the module's keyword inputs.

        Example:
            Under ``mpiexec -n 2``, ``model(x)`` is ``model.module(x)`` on each rank's own ``x``;
            in a plain run there is no process group to build the wrapper with:

            >>> import minigrad.distributed as dist
            >>> dist.is_initialized()
            False
        """
        if self._unfinished:
            self._raise_unfinished()
        if self.broadcast_buffers and self._comm.Get_size() > 1:
            buffers = list(self.module.buffers())
            if buffers:
                _broadcast_coalesced(buffers, self._comm)
        output = self.module(*inputs, **kwargs)
        if self.find_unused_parameters and self.require_backward_grad_sync and is_grad_enabled():
            reached = _leaves_reached(output)
            self._locally_unused = [i for i, p in enumerate(self._params) if id(p) not in reached]
        return output

    # ---- backward ------------------------------------------------------------------------
    def _grad_ready(self, index: int, grad: Tensor) -> None:
        """Parameter hook: put the gradient into its bucket; start the bucket when full."""
        if not self.require_backward_grad_sync:
            return None
        if not self._in_backward:
            self._in_backward = True
            queue_callback(self._finish_backward)
            for unused in self._locally_unused:
                self._mark_ready(unused, None)
        if self._ready[index]:
            raise RuntimeError("Expected to mark a variable ready only once.")
        self._mark_ready(index, grad._array)
        return None

    def _mark_ready(self, index: int, grad) -> None:
        bucket = self._buckets[self._bucket_of[index]]
        view = bucket.views[index]
        accumulated = self._params[index].grad
        if grad is None:
            view[...] = 0 if accumulated is None else accumulated._array
        elif accumulated is None:
            view[...] = grad
        else:
            np.add(accumulated._array, grad, out=view)
        self._ready[index] = True
        bucket.pending -= 1
        if bucket.pending == 0:
            self._start_ready_buckets()
        elif self._requests:
            dist._mpi().Request.Testall(self._requests)  # lets MPI progress the allreduces under way

    def _start_ready_buckets(self) -> None:
        """Start every full bucket whose predecessors have started: the same order on all ranks."""
        MPI = dist._mpi()
        while len(self._requests) < len(self._buckets) and self._buckets[len(self._requests)].pending == 0:
            flat = self._buckets[len(self._requests)].flat
            self._requests.append(self._comm.Iallreduce(MPI.IN_PLACE, flat, MPI.SUM))

    def _finish_backward(self) -> None:
        """Final callback of backward: wait for the allreduces, write the averages into ``.grad``."""
        start = time.perf_counter()
        Request = dist._mpi().Request
        # Poll with short sleeps rather than Waitall, which spins: a rank that finished
        # backward first then leaves the core to the ranks still computing (and to other
        # processes on a shared machine); on 2 busy cores this halved LeNet-5's step time.
        while not Request.Testall(self._requests):
            time.sleep(1e-4)
        self._wait_seconds += time.perf_counter() - start
        complete = len(self._requests) == len(self._buckets)
        globally_used = self._globally_used() if self.find_unused_parameters and complete else None
        world = self._comm.Get_size()
        for bucket in self._buckets[: len(self._requests)]:
            bucket.flat /= world
            for i, view in bucket.views.items():
                if globally_used is not None and not globally_used[i]:
                    continue
                p = self._params[i]
                if p.grad is None or p.grad._array.shape != view.shape:
                    p.grad = Tensor._make(view.copy())
                else:
                    p.grad._array[...] = view
        self._unfinished = [] if complete else [i for i, ready in enumerate(self._ready) if not ready]
        for bucket in self._buckets:
            bucket.pending = len(bucket.indices)
        self._ready = [False] * len(self._params)
        self._requests = []
        self._in_backward = False

    def _globally_used(self) -> np.ndarray:
        """Which parameters got a gradient on at least one rank."""
        used = np.ones(len(self._params), dtype=np.uint8)
        used[self._locally_unused] = 0
        self._comm.Allreduce(dist._mpi().IN_PLACE, used, dist._mpi().MAX)
        return used

    def _raise_unfinished(self) -> None:
        unfinished, self._unfinished = self._unfinished, []
        raise RuntimeError(
            "Expected to have finished reduction in the prior iteration before starting a new one. "
            "This error indicates that your module has parameters that were not used in producing loss. "
            "You can enable unused parameter detection by passing the keyword argument "
            "`find_unused_parameters=True` to `minigrad.nn.parallel.DistributedDataParallel`, and by \n"
            "making sure all `forward` function outputs participate in calculating loss. \n"
            f"Parameter indices which did not receive grad for rank {self._comm.Get_rank()}: "
            + " ".join(str(i) for i in unfinished)
        )


def _leaves_reached(output: Any) -> set[int]:
    """``id`` of every leaf tensor the graph of ``output`` (tensors, nested in lists, tuples, dicts) reaches."""
    stack, seen, leaves = [], set(), set()
    pending = [output]
    while pending:
        item = pending.pop()
        if isinstance(item, Tensor):
            if item.grad_fn is not None:
                stack.append(item.grad_fn)
            elif item.requires_grad:
                leaves.add(id(item))
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            leaves.add(id(node.variable))
        else:
            stack.extend(next_node for next_node, _ in node.next_functions)
    return leaves
