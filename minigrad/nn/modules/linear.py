"""Linear (fully connected) layer, its lazy form LazyLinear, and Identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ... import dtypes
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module

if TYPE_CHECKING:
    from ...tensor import Tensor

__all__ = ["Identity", "Linear", "LazyLinear"]


def empty_parameter(shape: tuple[int, ...], dtype: dtypes.dtype | None = None) -> Parameter:
    """An uninitialized Parameter of ``shape`` (the default float dtype when ``dtype`` is None)."""
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.get_default_dtype().np_dtype
    return Parameter(np.empty(shape, dtype=np_dtype))


def init_weight_and_bias(
    module: Module, weight_shape: tuple[int, ...], bias_size: int, bias: bool, dtype: dtypes.dtype | None
) -> None:
    """Register ``weight`` and ``bias`` (None unless ``bias``) on ``module`` and initialize them."""
    module.weight = empty_parameter(weight_shape, dtype)
    if bias:
        module.bias = empty_parameter((bias_size,), dtype)
    else:
        module.register_parameter("bias", None)
    module.reset_parameters()


class Identity(Module):
    """Returns its input unchanged: a placeholder where a layer is optional (ResNet-CIFAR's
    max pool, a removed classifier head).

    Args:
        args: ignored (accepted so that it can replace any layer).
        kwargs: ignored.

    Shape:
        input: any shape (*); output: the same tensor.

    Example:
        >>> x = minigrad.ones(2, 3)
        >>> nn.Identity(54, unused="yes")(x) is x
        True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input`` itself.

        Args:
            input: anything.

        Example:
            >>> x = minigrad.ones(2)
            >>> nn.Identity()(x) is x
            True
        """
        return input


class Linear(Module):
    """Fully connected layer: ``y = x W^T + b``.

    The weight (out_features, in_features) and the bias (out_features,) are initialized from
    U(-k, k) with k = 1 / sqrt(in_features), as PyTorch does (``kaiming_uniform_`` with
    a = sqrt(5) for the weight).

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias; default True.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (*, in_features), any number of leading dimensions; output: (*, out_features).

    Example:
        >>> fc = nn.Linear(400, 120)
        >>> fc(minigrad.zeros(2, 400)).shape
        minigrad.Size([2, 120])
        >>> fc.weight.shape, fc.bias.shape
        (minigrad.Size([120, 400]), minigrad.Size([120]))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        init_weight_and_bias(self, (out_features, in_features), out_features, bias, dtype)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again from U(-k, k), k = 1 / sqrt(in_features) (the
        constructor's initialization).

        Example:
            >>> fc = nn.Linear(4, 2)
            >>> before = fc.weight.detach().clone()
            >>> fc.reset_parameters()
            >>> bool((fc.weight == before).all()), bool((fc.weight.abs() <= 0.5).all())
            (False, True)
        """
        init.reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """``input @ weight.T + bias`` (``F.linear``).

        Args:
            input: (*, in_features).

        Example:
            >>> fc = nn.Linear(3, 2)
            >>> bool(minigrad.allclose(fc(minigrad.ones(3)), fc.weight.sum(1) + fc.bias))
            True
        """
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.Linear(3, 2, bias=False)
            Linear(in_features=3, out_features=2, bias=False)
        """
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class LazyLinear(LazyModuleMixin, Linear):
    """A Linear layer whose ``in_features`` is the last size of its first input.

    Until the first call the weight and bias are ``UninitializedParameter`` placeholders;
    that call gives them their shapes, initializes them as ``Linear`` does, and the layer
    becomes a ``Linear`` (see :class:`LazyModuleMixin`).

    Args:
        out_features: size of each output sample.
        bias: learn an additive bias; default True.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of the parameters; default None, the default dtype (float32).

    Shape:
        input: (*, in_features); output: (*, out_features).

    Example:
        >>> layer = nn.LazyLinear(120)
        >>> layer(minigrad.zeros(2, 400)).shape
        minigrad.Size([2, 120])
        >>> layer
        Linear(in_features=400, out_features=120, bias=True)
    """

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: str | None = None, dtype: dtypes.dtype | None = None
    ) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        """Initialize the weight and bias as Linear does, once their shapes are known (no effect
        before).

        Example:
            >>> layer = nn.LazyLinear(2)
            >>> layer.reset_parameters()  # nothing to initialize yet
            >>> layer.has_uninitialized_params()
            True
        """
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Give the weight and bias their shapes from ``input``'s last size, then initialize them.

        Args:
            input: (*, in_features).

        Example:
            >>> layer = nn.LazyLinear(2)
            >>> layer.initialize_parameters(minigrad.ones(4, 7))
            >>> layer.in_features, layer.weight.shape
            (7, minigrad.Size([2, 7]))
        """
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()
        self.in_features = self.weight.shape[-1]  # also when a state_dict gave the shapes
