"""The DataLoader's worker processes: what runs in each of them, and what they send back.

Each worker is a process of the standard library's ``multiprocessing`` (forked on Linux,
so it starts with a copy of the main process: dataset, collate function and all). It
seeds its random number generators, runs ``worker_init_fn``, then loops: receive a task
``(task index, batch indices)`` on its own index pipe, fetch and collate that batch, and
put ``(task index, pickled batch)`` on the result queue that all workers share. ``None``
on the index pipe ends the loop; ``ResumeIteration`` starts a new epoch in a
persistent worker. An exception while fetching is sent back, as an ``ExceptionWrapper``
carrying the worker's formatted traceback, instead of a batch.
"""

from __future__ import annotations

import os
import pickle
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ....parallel import set_num_threads
from ....random import manual_seed
from .fetch import create_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

# How often (seconds) a waiting worker checks that the main process is still alive, and a
# waiting main process that its workers are.
MP_STATUS_CHECK_INTERVAL = 5.0


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself (``get_worker_info()`` in a worker).

    Attributes:
        id (int): this worker's number, 0 to ``num_workers - 1``.
        num_workers (int): how many workers the DataLoader runs.
        seed (int): the seed of this worker's generators: the iterator's base seed + ``id``.
        dataset: this process's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, its :class:`WorkerInfo`; ``None`` in the main process.

    An ``IterableDataset`` uses it in ``__iter__`` to read only its share of the data
    (every worker otherwise iterates a whole copy), and ``worker_init_fn`` to set each
    worker up (``get_worker_info().dataset`` is the worker's copy of the dataset).

    Example:
        >>> print(get_worker_info())  # in the main process
        None
    """
    return _worker_info


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of each epoch after the first (and echoed back)."""


class KeyErrorMessage(str):
    """A message that ``KeyError`` prints as it is (``KeyError`` prints the repr of its argument)."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker: its type and formatted traceback, which pickle, and
    ``reraise()`` raises the same type in the main process with that traceback in the message."""

    def __init__(self, where: str) -> None:
        exc_type, exc_value, exc_traceback = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc_value, exc_traceback))
        self.where = where

    def reraise(self) -> None:
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            message = KeyErrorMessage(message)
        try:
            exception = self.exc_type(message)
        except Exception:  # a type that does not take one message: say what it was
            raise RuntimeError(message) from None
        raise exception


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed this process's generators for worker ``worker_id``, as PyTorch does; returns the seed.

    Python's ``random`` and minigrad's global generator get ``base_seed + worker_id``;
    numpy's global generator (``np.random.*``) gets a seed derived from both numbers
    through numpy's ``SeedSequence``, so that it differs from the others.
    """
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def worker_loop(
    dataset: Any,
    index_receiver: Any,
    data_queue: Any,
    done_event: Any,
    auto_collation: bool,
    collate_fn: Callable,
    drop_last: bool,
    base_seed: int,
    init_fn: Callable[[int], None] | None,
    worker_id: int,
    num_workers: int,
) -> None:
    """The body of worker process ``worker_id`` (see the module docstring)."""
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    set_num_threads(1)  # the workers are the parallelism; kernel threads would oversubscribe
    seed = seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        init_error = ExceptionWrapper(where)  # reported as the result of every task

    parent = os.getppid()
    iteration_end = False  # this worker's iterable dataset is exhausted: wait for None
    try:
        while os.getppid() == parent:  # stop if the main process died
            if not index_receiver.poll(MP_STATUS_CHECK_INTERVAL):
                continue
            task = index_receiver.recv()
            if task is None:
                break
            if isinstance(task, ResumeIteration):
                data_queue.put((task, None))
                iteration_end = False
                if init_error is None:
                    fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
                continue
            if done_event.is_set() or iteration_end:
                continue  # shutting down or exhausted: skip tasks until None arrives
            task_idx, indices = task
            if init_error is not None:
                data = init_error
            else:
                try:
                    data = fetcher.fetch(indices)
                except StopIteration:
                    data = IterableDatasetStopIteration(worker_id)
                    iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where)
            data_queue.put((task_idx, encode(data, where)))
            del data, task
    except KeyboardInterrupt:
        pass  # the main process gets it too, and ends the workers
    if done_event.is_set():
        # The main process no longer reads the results: exit without flushing them.
        data_queue.cancel_join_thread()
        data_queue.close()


def encode(data: Any, where: str) -> bytes:
    """``data`` pickled here, in the worker, so that a batch that cannot be pickled reaches
    the main process as an error (a Queue pickles in a background thread, where the error
    would only be printed and the main process would wait for ever)."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(ExceptionWrapper(where), protocol=pickle.HIGHEST_PROTOCOL)
