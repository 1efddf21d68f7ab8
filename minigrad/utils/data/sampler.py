"""Samplers: which indices a DataLoader reads, and in which order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Sequence, Sized

from ...random import rng_of

if TYPE_CHECKING:
    from ...random import Generator

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: an iterable of dataset indices (``__iter__``, optionally ``__len__``).

    Example:
        >>> class EvenIndices(Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...
        ...     def __iter__(self):
        ...         return iter(range(0, self.n, 2))
        >>> list(EvenIndices(5))
        [0, 2, 4]
    """

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1.

    Args:
        data_source (Sized): the dataset (only its length is read).

    Example:
        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation of the indices at every iteration (or draws with replacement).

    Args:
        data_source (Dataset): the dataset to sample from.
        replacement (bool): draw ``num_samples`` indices with replacement. Default: False.
        num_samples (int, optional): how many indices to draw; the dataset size by default.
        generator (Generator, optional): the random source; the global one (seeded by
            ``minigrad.manual_seed``) when omitted.

    Example:
        >>> sampler = RandomSampler(range(5), generator=minigrad.Generator().manual_seed(0))
        >>> sorted(sampler), len(sampler)
        ([0, 1, 2, 3, 4], 5)
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """How many indices an iteration yields: ``num_samples``, or the dataset's size."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        rng, n = rng_of(self.generator), len(self.data_source)
        if self.replacement:
            return iter(rng.integers(0, n, size=self.num_samples).tolist())
        order = []
        while len(order) < self.num_samples:
            order.extend(rng.permutation(n).tolist())
        return iter(order[: self.num_samples])

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a fresh random order at every iteration.

    Args:
        indices (sequence of int): the indices to sample.
        generator (Generator, optional): the random source; the global one when
            omitted. Default: None.

    Example:
        >>> sampler = SubsetRandomSampler([10, 20, 30])
        >>> sorted(sampler), len(sampler)
        ([10, 20, 30], 3)
    """

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        return (self.indices[i] for i in rng_of(self.generator).permutation(len(self.indices)).tolist())

    def __len__(self) -> int:
        return len(self.indices)


class InfiniteConstantSampler(Sampler):
    """``None`` for ever: the DataLoader's sampler for an ``IterableDataset``, whose samples
    come from the dataset's own iterator (batched, only the count of indices matters)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler (Sampler or iterable of int): the indices to group.
        batch_size (int): the size of each list.
        drop_last (bool): drop the last list when it is shorter than ``batch_size``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
        >>> len(BatchSampler(range(5), batch_size=2, drop_last=True))
        2
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
