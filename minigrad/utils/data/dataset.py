"""Datasets: the map-style Dataset protocol, TensorDataset, Subset, ConcatDataset, random_split."""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from ...creation import randperm

if TYPE_CHECKING:
    from ...random import Generator
    from ...tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "ChainDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split"]


class Dataset:
    """A map-style dataset: subclasses implement ``__getitem__(index)`` and ``__len__()``.

    ``a + b`` concatenates two datasets.

    Example:
        >>> class Squares(Dataset):
        ...     def __getitem__(self, index):
        ...         return index**2
        ...
        ...     def __len__(self):
        ...         return 4
        >>> ds = Squares()
        >>> len(ds), ds[3], len(ds + ds)
        (4, 9, 8)
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses implement ``__iter__()``, yielding samples.

    A DataLoader draws its batches from ``iter(dataset)``. With ``num_workers > 0`` every
    worker iterates its own copy of the dataset, so without further care each sample comes
    once per worker; ``__iter__`` can call ``minigrad.utils.data.get_worker_info()`` to
    yield only its worker's share (``None`` in the main process). Batches then arrive
    taking turns between the workers: worker 0's first batch, worker 1's first, ...

    Example:
        >>> from minigrad.utils.data import DataLoader, get_worker_info
        >>> class Range(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         info = get_worker_info()
        ...         if info is None:  # the main process reads everything
        ...             return iter(range(self.n))
        ...         return iter(range(info.id, self.n, info.num_workers))
        >>> [b.tolist() for b in DataLoader(Range(5), batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: IterableDataset) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other (also ``a + b`` of two iterable datasets).

    Args:
        datasets (iterable of IterableDataset): the datasets to chain.

    Example:
        >>> class Count(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(ChainDataset([Count(2), Count(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[IterableDataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)


class TensorDataset(Dataset):
    """Samples are the ``index``-th rows of the given tensors: ``(x[i], y[i], ...)``.

    Args:
        *tensors (Tensor): tensors with the same size of the first dimension.

    Example:
        >>> ds = TensorDataset(minigrad.zeros(10, 3), minigrad.arange(10))
        >>> len(ds), ds[4][1].item()
        (10, 4)
    """

    def __init__(self, *tensors: Tensor) -> None:
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ValueError("Size mismatch between tensors: " + ", ".join(str(list(t.shape)) for t in tensors))
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence of int): the indices of the samples to keep.

    Example:
        >>> ds = TensorDataset(minigrad.arange(10))
        >>> part = Subset(ds, [7, 2])
        >>> len(part), part[0]
        (2, (tensor(7),))
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int | list[int]) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of several datasets, one after the other.

    Args:
        datasets (iterable of Dataset): the map-style datasets, at least one.

    Example:
        >>> a, b = TensorDataset(minigrad.zeros(3)), TensorDataset(minigrad.ones(2))
        >>> ds = ConcatDataset([a, b])
        >>> len(ds), ds[3]
        (5, (tensor(1.),))
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


def random_split(
    dataset: Dataset | Sequence[Any], lengths: Sequence[int | float], generator: Generator | None = None
) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping Subsets of the given lengths.

    Args:
        dataset (Dataset): the dataset to split.
        lengths (sequence): sizes of the splits, or fractions summing to 1; the samples
            left over by rounding the fractions down go one each to the first splits.
        generator (Generator, optional): source of the permutation; the global one
            (``minigrad.manual_seed``) when omitted.

    Returns:
        list of Subset: one per length.

    Example:
        >>> train, val = random_split(range(10), [0.8, 0.2], generator=minigrad.Generator().manual_seed(0))
        >>> len(train), len(val)
        (8, 2)
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * fraction)) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(n, generator=generator).tolist()
    splits, start = [], 0
    for length in lengths:
        splits.append(Subset(dataset, order[start : start + length]))
        start += length
    return splits
