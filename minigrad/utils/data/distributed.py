"""DistributedSampler: each rank of a data-parallel job reads its own shard of the dataset."""

from __future__ import annotations

import math
from typing import Iterator, Sized

from ... import distributed as dist
from ...creation import randperm
from ...random import Generator
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """The indices of rank ``rank``'s shard: every ``num_replicas``-th index from ``rank`` on.

    The (shuffled) index list is first padded by repeating its start until its length
    divides by ``num_replicas`` (or cut down, with ``drop_last``), so that every rank gets
    the same number of samples, hence of batches. Call ``set_epoch(epoch)`` before each
    epoch: the shuffle is seeded with ``seed + epoch``, the same on all ranks.

    Args:
        dataset (Dataset): the dataset to shard.
        num_replicas (int, optional): how many ranks; ``dist.get_world_size()`` by default.
        rank (int, optional): this rank; ``dist.get_rank()`` by default.
        shuffle (bool): a new permutation each epoch. Default: True.
        seed (int): the shuffle's seed, the same on every rank. Default: 0.
        drop_last (bool): drop the tail instead of padding. Default: False.
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None:
            num_replicas = dist.get_world_size()
        if rank is None:
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if drop_last and len(dataset) % num_replicas != 0:
            self.num_samples = math.ceil((len(dataset) - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(len(dataset) / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            generator = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=generator).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if self.drop_last:
            indices = indices[: self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the permutation of ``epoch`` (``seed + epoch``) in the next iteration."""
        self.epoch = epoch
