"""Fetchers: turn what the sampler yields into a batch, in the main process or in a worker.

A map-style dataset is read at the given indices (a list of them when batching, one index
otherwise). An iterable dataset ignores the indices: the sampler only says how many
samples make a batch, and the fetcher draws them from its own iterator of the dataset.
"""

from __future__ import annotations

from typing import Any, Callable

from ..dataset import IterableDataset


class MapDatasetFetcher:
    """``collate_fn([dataset[i] for i in indices])``, or ``collate_fn(dataset[index])`` unbatched."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(index) if getitems else [self.dataset[i] for i in index]
        return self.collate_fn(samples)


class IterableDatasetFetcher:
    """The next ``len(indices)`` samples of ``iter(dataset)`` (fewer at the end), collated;
    ``StopIteration`` once the dataset is exhausted (or before a short last batch with
    ``drop_last``)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        samples = []
        for _ in index:
            try:
                samples.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return self.collate_fn(samples)


def create_fetcher(
    dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool
) -> MapDatasetFetcher | IterableDatasetFetcher:
    """The fetcher for ``dataset``'s kind (an ``IterableDataset`` or a map-style one)."""
    kind = IterableDatasetFetcher if isinstance(dataset, IterableDataset) else MapDatasetFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)
