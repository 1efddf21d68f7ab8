"""DataLoader: batches of samples from a dataset, in order or shuffled, collated into tensors,
loaded in the main process (``num_workers=0``) or by worker processes.

Each ``iter(loader)`` makes an iterator. ``_SingleProcessDataLoaderIter`` fetches each
batch when asked. ``_MultiProcessingDataLoaderIter`` starts ``num_workers`` processes
(``_utils/worker.py``), sends the batches' indices to them in turn (batch 0 to worker 0,
batch 1 to worker 1, ...), keeping ``prefetch_factor`` batches per worker in flight, and
returns the results in the sampler's order, holding back those that arrive early. Both
draw the indices from the same sampler, so they give the same batches in the same order.
"""

from __future__ import annotations

import atexit
import itertools
import math
import multiprocessing
import multiprocessing.context
import os
import pickle
import queue
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ...random import rng_of
from ._utils.collate import default_collate, default_convert
from ._utils.fetch import create_fetcher
from ._utils.worker import (
    MP_STATUS_CHECK_INTERVAL,
    ExceptionWrapper,
    IterableDatasetStopIteration,
    ResumeIteration,
    worker_loop,
)
from .dataset import IterableDataset
from .sampler import BatchSampler, InfiniteConstantSampler, RandomSampler, SequentialSampler

if TYPE_CHECKING:
    from ...random import Generator
    from .dataset import Dataset
    from .sampler import Sampler

__all__ = ["DataLoader", "default_collate", "default_convert"]


class DataLoader:
    """Iterate over a dataset in batches, in the main process or in worker processes.

    Args:
        dataset (Dataset): a map-style dataset (``dataset[i]``, ``len(dataset)``) or an
            :class:`IterableDataset`.
        batch_size (int or None): samples per batch. ``None`` turns batching off: each
            sample is converted by ``collate_fn`` (:func:`default_convert`) on its own.
            Default: 1.
        shuffle (bool): a new random order every epoch, drawn from ``generator`` (or the
            global generator that ``minigrad.manual_seed`` seeds). Default: False.
        sampler (Sampler or iterable, optional): the indices to read; excludes ``shuffle``.
        batch_sampler (Sampler or iterable, optional): lists of indices, one per batch;
            excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int): worker processes loading batches; 0 loads in the main process.
        collate_fn (callable, optional): merges a list of samples into a batch;
            :func:`default_collate` when batching, :func:`default_convert` otherwise.
        pin_memory (bool): accepted for compatibility; minigrad runs on the CPU, so there
            is no pinned memory (a warning says so, as PyTorch's does without an accelerator).
        drop_last (bool): drop the last batch when it is short. Default: False.
        timeout (float): seconds to wait for a batch from the workers before raising
            ``RuntimeError``; 0 waits for ever. Needs ``num_workers > 0``.
        worker_init_fn (callable, optional): called as ``worker_init_fn(worker_id)`` in
            each worker, after seeding and before loading.
        multiprocessing_context (str or context, optional): the start method of the
            workers (``'fork'``, ``'spawn'``, ``'forkserver'`` or a context object);
            multiprocessing's default when omitted (``'fork'`` on Linux).
        generator (Generator, optional): random source for ``shuffle`` and the workers'
            base seed.
        prefetch_factor (int, optional): batches each worker loads ahead; 2 when
            ``num_workers > 0``, and only allowed then.
        persistent_workers (bool): keep the workers alive from one epoch to the next.
        pin_memory_device (str): accepted and ignored, as ``pin_memory``.
        in_order (bool): return batches in the sampler's order (True) or as the workers
            finish them (False).

    Example:
        >>> from minigrad.utils.data import TensorDataset
        >>> ds = TensorDataset(minigrad.randn(10, 3), minigrad.arange(10))
        >>> loader = DataLoader(ds, batch_size=4, shuffle=True, drop_last=True)
        >>> [tuple(x.shape) for x, y in loader], len(loader)
        ([(4, 3), (4, 3)], 2)
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[int] | None = None,
        batch_sampler: Sampler | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: str | multiprocessing.context.BaseContext | None = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        if isinstance(dataset, IterableDataset):
            if shuffle not in {False, None}:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler}"
                )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if isinstance(dataset, IterableDataset):
                sampler = InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._iterator = None  # the one iterator, kept between epochs with persistent workers
        self._check_worker_number()

    def _check_worker_number(self) -> None:
        """Warn, as PyTorch does, when there are more workers than CPUs this process may use."""
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if cpus is not None and self.num_workers > cpus:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes, more than the {cpus} "
                "CPUs available to this process: the workers compete for them, which can make loading "
                "slower (or even freeze); consider a lower num_workers.",
                stacklevel=3,
            )

    @property
    def multiprocessing_context(self) -> multiprocessing.context.BaseContext | None:
        """The workers' start method as a multiprocessing context (None: the default)."""
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context: str | multiprocessing.context.BaseContext | None) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                    f"but got num_workers={self.num_workers}"
                )
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(
                        f"multiprocessing_context option should specify a valid start method in {methods!r}, "
                        f"but got multiprocessing_context={context!r}"
                    )
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "multiprocessing_context option should be a valid context object or a string specifying "
                    f"the start method, but got multiprocessing_context={context}"
                )
        self._multiprocessing_context = context

    @property
    def _auto_collation(self) -> bool:
        """Whether samples are batched (then the sampler of indices is ``batch_sampler``)."""
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> _BaseDataLoaderIter:
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        if not self.persistent_workers:
            return _MultiProcessingDataLoaderIter(self)
        if self._iterator is None:
            self._iterator = _MultiProcessingDataLoaderIter(self)
        else:
            self._iterator._reset(self)
        return self._iterator

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self._index_sampler)


class _BaseDataLoaderIter:
    """One pass over a DataLoader (several, reset each epoch, with persistent workers)."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._collate_fn = loader.collate_fn
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._persistent_workers = loader.persistent_workers
        if loader.pin_memory:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, "
                "then device pinned memory won't be used.",
                stacklevel=3,
            )
        self._sampler_iter = iter(self._index_sampler)
        # Drawn in both kinds of iterator, so that the shuffling that follows is the same.
        self._base_seed = int(rng_of(loader.generator).integers(2**63))

    def _reset(self, loader: DataLoader) -> None:
        self._sampler_iter = iter(self._index_sampler)

    def __iter__(self) -> _BaseDataLoaderIter:
        return self

    def __next__(self) -> Any:
        return self._next_data()

    def _next_data(self) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Fetches each batch in the main process when it is asked for."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._fetcher = create_fetcher(self._dataset, self._auto_collation, self._collate_fn, self._drop_last)

    def _next_data(self) -> Any:
        return self._fetcher.fetch(next(self._sampler_iter))


# Set when the interpreter exits: the workers are then ended by multiprocessing itself
# (they are daemons), and the iterators must not touch their queues any more.
_python_exiting = False


def _set_python_exiting() -> None:
    global _python_exiting
    _python_exiting = True


atexit.register(_set_python_exiting)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Loads batches in ``num_workers`` worker processes and returns them in order.

    Task ``i`` (the i-th batch of indices) goes to the next active worker in turn, through
    that worker's index pipe (a pipe, written at once: a Queue's background writer may
    already be gone when an iterator is garbage-collected, and the ``None`` that ends a
    worker would never arrive); results come back on one shared queue as ``(i, pickled
    batch)``. ``_task_info[i]`` is ``(worker_id,)`` while task i is out and
    ``(worker_id, batch)`` once it arrived ahead of its turn. ``_rcvd_idx`` is the next
    task to return, ``_send_idx`` the next to send.
    """

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        context = loader.multiprocessing_context or multiprocessing
        self._worker_result_queue = context.Queue()
        self._workers_done_event = context.Event()
        self._index_senders = []
        self._workers = []
        self._shutdown = False
        try:
            for worker_id in range(self._num_workers):
                index_receiver, index_sender = context.Pipe(duplex=False)
                worker = context.Process(
                    target=worker_loop,
                    args=(
                        self._dataset,
                        index_receiver,
                        self._worker_result_queue,
                        self._workers_done_event,
                        self._auto_collation,
                        self._collate_fn,
                        self._drop_last,
                        self._base_seed,
                        loader.worker_init_fn,
                        worker_id,
                        self._num_workers,
                    ),
                    daemon=True,
                )
                worker.start()
                index_receiver.close()  # the worker's end
                self._index_senders.append(index_sender)
                self._workers.append(worker)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._workers_status = [True] * self._num_workers  # False once a worker has no more data
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: start a new epoch, dropping what is left of the last one.
            for index_sender in self._index_senders:
                index_sender.send(ResumeIteration())
            resumed = 0
            while resumed < self._num_workers:
                task_idx, _ = self._get_data()
                resumed += isinstance(task_idx, ResumeIteration)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        """Send the sampler's next batch of indices to the next active worker, if any."""
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker's iterable dataset is exhausted
        self._index_senders[worker_id].send((self._send_idx, indices))
        self._task_info[self._send_idx] = (worker_id,)
        self._send_idx += 1

    def _get_data(self) -> tuple[Any, Any]:
        """The next ``(task index, payload)`` from the workers, waiting at most ``timeout``."""
        if self._timeout > 0:
            try:
                return self._worker_result_queue.get(timeout=self._timeout)
            except queue.Empty:
                self._check_workers_alive()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
        while True:
            try:
                return self._worker_result_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                self._check_workers_alive()

    def _check_workers_alive(self) -> None:
        failed = [w for w, active in zip(self._workers, self._workers_status) if active and not w.is_alive()]
        if failed:
            self._workers_status = [s and w not in failed for w, s in zip(self._workers, self._workers_status)]
            pids = ", ".join(str(w.pid) for w in failed)
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")

    def _next_data(self) -> Any:
        while True:
            # Skip the tasks already returned (in_order=False) or lost with an exhausted worker.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:  # it arrived earlier
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data)

            task_idx, payload = self._get_data()
            data = pickle.loads(payload)
            if isinstance(data, IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                if not self._persistent_workers:
                    self._index_senders[data.worker_id].send(None)
                self._try_put_index()
                continue
            if task_idx == self._rcvd_idx or not self._in_order:
                self._task_info.pop(task_idx)
                self._rcvd_idx += task_idx == self._rcvd_idx
                return self._process_data(data)
            self._task_info[task_idx] += (data,)

    def _process_data(self, data: Any) -> Any:
        self._try_put_index()  # keep prefetch_factor batches per worker in flight
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self) -> None:
        """Tell the workers to stop, wait for them briefly, and end those still running."""
        if self._shutdown or _python_exiting:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for index_sender in self._index_senders:
                try:
                    index_sender.send(None)
                except OSError:
                    pass  # that worker is gone already
            for worker in self._workers:
                worker.join(timeout=MP_STATUS_CHECK_INTERVAL)
            for index_sender in self._index_senders:
                index_sender.close()
            self._worker_result_queue.close()
        finally:
            for worker in self._workers:
                if worker.is_alive():
                    worker.terminate()
                    worker.join(timeout=MP_STATUS_CHECK_INTERVAL)

    def __del__(self) -> None:
        if hasattr(self, "_shutdown"):
            self._shutdown_workers()
