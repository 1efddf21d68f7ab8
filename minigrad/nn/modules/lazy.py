"""LazyModuleMixin: layers whose parameter shapes come from their first input.

A lazy layer (``nn.LazyLinear(10)``, ``nn.LazyConv2d(6, 5)``, ``nn.LazyBatchNorm2d()``)
starts with ``UninitializedParameter`` / ``UninitializedBuffer`` placeholders. A forward
pre-hook runs once, on the first call: ``initialize_parameters(input)`` reads the input
size (``in_features``, ``in_channels``, ``num_features``), gives each placeholder its
shape (the same objects, now plain Parameters and Tensors, so an optimizer made before
still updates them), initializes them as the eager layer would, and the layer becomes
that eager class (``type(layer)`` is ``Linear`` afterwards), as in PyTorch.

The random draws happen then, in the eager layer's order, so a model built from lazy
layers and run once equals the eager model built with the same seed when no other draw
comes between (e.g. ``manual_seed``, build, dry run, as the d2l book does).
"""

from __future__ import annotations

from collections import OrderedDict
from itertools import chain
from typing import Any

from ...tensor import Tensor
from ..parameter import UninitializedTensorMixin

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mixed in before an eager layer class: ``class LazyLinear(LazyModuleMixin, Linear)``.

    A forward pre-hook calls ``initialize_parameters`` on the first call, then the layer's
    class becomes ``cls_to_become``. Subclasses implement ``initialize_parameters(*args)`` and
    set ``cls_to_become``.

    Args:
        args: passed on to the eager layer's constructor.
        kwargs: passed on to the eager layer's constructor.

    Attributes:
        cls_to_become (type): the eager class the layer becomes after its first call
            (None here; ``Linear`` for LazyLinear).

    Example:
        >>> conv = nn.LazyConv2d(8, kernel_size=3)
        >>> isinstance(conv, nn.LazyModuleMixin), conv.has_uninitialized_params()
        (True, True)
        >>> _ = conv(minigrad.ones(1, 3, 8, 8))
        >>> type(conv).__name__, conv.weight.shape
        ('Conv2d', minigrad.Size([8, 3, 3, 3]))
    """

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module still waits for its shape.

        Example:
            >>> layer = nn.LazyLinear(3)
            >>> layer.has_uninitialized_params()
            True
            >>> _ = layer(minigrad.ones(1, 5))
            >>> isinstance(layer, nn.LazyModuleMixin)  # it is a Linear now
            False
        """
        tensors = chain(self._parameters.values(), self._buffers.values())
        return any(isinstance(t, UninitializedTensorMixin) for t in tensors)

    def initialize_parameters(self, *args: Any) -> None:
        """Give the placeholders their shapes from the forward arguments, then initialize them;
        called by the first forward (each lazy layer implements it).

        Args:
            args: the first forward's positional inputs.

        Example:
            >>> layer = nn.LazyLinear(3)
            >>> layer.initialize_parameters(minigrad.ones(2, 5))
            >>> layer.weight.shape, layer.in_features
            (minigrad.Size([3, 5]), 5)
        """
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self).__name__}")

    def state_dict(
        self, destination: dict[str, Tensor] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Tensor]:
        """As :meth:`Module.state_dict`; a placeholder is saved as it is (it has no values to
        detach), so a lazy model can load a checkpoint before its first call.

        Args:
            destination: a dict to fill and return; default None (a new OrderedDict).
            prefix: prepended to every key; default ``''``.
            keep_vars: return the Parameters themselves instead of detached tensors; default False.

        Example:
            >>> lazy = nn.LazyLinear(3)
            >>> list(lazy.state_dict())
            ['weight', 'bias']
            >>> source = nn.Linear(5, 3)
            >>> lazy.load_state_dict(source.state_dict())
            <All keys matched successfully>
            >>> lazy.weight.shape
            minigrad.Size([3, 5])
        """
        if destination is None:
            destination = OrderedDict()
        super().state_dict(destination, prefix, keep_vars=True)
        if not keep_vars:
            for name in chain(self._parameters, self._buffers):
                key = prefix + name
                if key in destination and not isinstance(destination[key], UninitializedTensorMixin):
                    destination[key] = destination[key].detach()
        return destination


def _infer_parameters(module: LazyModuleMixin, args: tuple[Any, ...]) -> None:
    """The forward pre-hook of a lazy layer: runs once, then the layer becomes its eager class."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become
