"""``minigrad.nn``: Module, Parameter, layers, losses, ``functional`` and ``init``, with PyTorch's names."""

from . import functional, init, modules
from .modules import *  # noqa: F403  (every layer, from minigrad.nn.modules.__all__)
from .parameter import Parameter

__all__ = ["functional", "init", "Parameter", *modules.__all__]
