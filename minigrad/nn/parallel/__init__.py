"""``minigrad.nn.parallel``: data-parallel training over processes (DistributedDataParallel)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
