"""``minigrad.nn``: Module, Parameter, layers, losses, ``functional`` and ``init``, with PyTorch's names."""

from . import functional, init, modules, parallel, utils
from .modules import *  # noqa: F403  (every layer, from minigrad.nn.modules.__all__)
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter

# Extended with += (not [*...]) so that type checkers see the layers as exported names too.
__all__ = ["functional", "init", "parallel", "utils", "Parameter", "UninitializedParameter", "UninitializedBuffer"]
__all__ += modules.__all__
