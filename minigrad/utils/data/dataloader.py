"""DataLoader: batches of samples from a dataset, in order or shuffled, collated into tensors."""

from __future__ import annotations

import collections.abc
import numbers
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ...tensor import Tensor
from .sampler import BatchSampler, RandomSampler, SequentialSampler

if TYPE_CHECKING:
    from ...random import Generator
    from .dataset import Dataset
    from .sampler import Sampler

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and numpy arrays are stacked along a new first dimension; Python floats
    become a float64 tensor, ints an int64 tensor; strings stay a list; dicts, tuples
    and lists are collated field by field (a tuple sample gives a list of batches).
    The stacked tensors are new leaves: collation is never recorded.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor._make(np.stack([sample._array for sample in batch]))
    if isinstance(elem, (np.ndarray, np.generic)) and elem.dtype.kind in "biuf":
        return Tensor._make(np.stack(batch))
    if isinstance(elem, bool):
        return Tensor._make(np.array(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return Tensor._make(np.array(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(elem, str):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return type(elem)({key: default_collate([sample[key] for sample in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(field)) for field in zip(*batch)]
        return fields if isinstance(elem, tuple) else type(elem)(fields)
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset (Dataset): where the samples come from (``dataset[i]``, ``len(dataset)``).
        batch_size (int): samples per batch. Default: 1.
        shuffle (bool): a new random order every epoch, drawn from ``generator`` (or the
            global generator that ``minigrad.manual_seed`` seeds). Default: False.
        sampler (Sampler or iterable, optional): the indices to read; excludes ``shuffle``.
        batch_sampler (Sampler or iterable, optional): lists of indices, one per batch;
            excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int): must be 0: samples are loaded in the main process.
        collate_fn (callable, optional): merges a list of samples into a batch;
            :func:`default_collate` when omitted.
        drop_last (bool): drop the last batch when it is short. Default: False.
        generator (Generator, optional): random source for ``shuffle``.

    Example::

        >>> import minigrad
        >>> from minigrad.utils.data import TensorDataset
        >>> ds = TensorDataset(minigrad.randn(10, 3), minigrad.arange(10))
        >>> loader = DataLoader(ds, batch_size=4, shuffle=True, drop_last=True)
        >>> [tuple(x.shape) for x, y in loader], len(loader)
        ([(4, 3), (4, 3)], 2)
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[int] | None = None,
        batch_sampler: Sampler | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        drop_last: bool = False,
        generator: Generator | None = None,
    ) -> None:
        if num_workers != 0:
            raise ValueError(
                f"num_workers={num_workers}: minigrad's DataLoader loads samples in the main process; use num_workers=0"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
        else:
            if sampler is None:
                sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = None if sampler is None else batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.generator = generator

    def __iter__(self) -> Iterator[Any]:
        for indices in self.batch_sampler:
            yield self.collate_fn([self.dataset[i] for i in indices])

    def __len__(self) -> int:
        return len(self.batch_sampler)
