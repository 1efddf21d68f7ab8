"""Flatten: merge a range of dimensions (by default all but the batch)."""

from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Shape: (N, *dims) -> (N, prod(dims)) with the defaults ``start_dim=1, end_dim=-1``."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
