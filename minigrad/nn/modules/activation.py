"""Activation layers: ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax.

``inplace=True`` is accepted for PyTorch compatibility and printed in the repr; minigrad
computes out of place (the memory PyTorch saves this way is small next to what autograd keeps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import functional as F
from .module import Module

if TYPE_CHECKING:
    from ...tensor import Tensor

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """``max(0, x)`` elementwise.

    Args:
        inplace: accepted for PyTorch's signature (and shown in the printout); the result is a
            new tensor either way; default False.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> nn.ReLU()(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """``max(0, input)`` elementwise.

        Args:
            input: any shape.

        Example:
            >>> nn.ReLU()(minigrad.tensor([-1.0, 1.0]))
            tensor([0., 1.])
        """
        return F.relu(input)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.ReLU(inplace=True)
            ReLU(inplace=True)
        """
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``max(0, x) + negative_slope * min(0, x)`` elementwise.

    Args:
        negative_slope: the slope for x < 0; default 0.01.
        inplace: accepted for PyTorch's signature; the result is a new tensor; default False.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> nn.LeakyReLU(0.1)(minigrad.tensor([-2.0, 3.0]))
        tensor([-0.2000,  3.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """The leaky ReLU of ``input``, elementwise.

        Args:
            input: any shape.

        Example:
            >>> nn.LeakyReLU(0.5)(minigrad.tensor([-2.0]))
            tensor([-1.])
        """
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.LeakyReLU(0.2)
            LeakyReLU(negative_slope=0.2)
        """
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> nn.Sigmoid()(minigrad.tensor([0.0, 2.0]))
        tensor([0.5000, 0.8808])
    """

    def forward(self, input: Tensor) -> Tensor:
        """The sigmoid of ``input``, elementwise.

        Args:
            input: any shape.

        Example:
            >>> nn.Sigmoid()(minigrad.zeros(2))
            tensor([0.5000, 0.5000])
        """
        return F.sigmoid(input)


class Tanh(Module):
    """``tanh(x)`` elementwise.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> nn.Tanh()(minigrad.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """

    def forward(self, input: Tensor) -> Tensor:
        """The tanh of ``input``, elementwise.

        Args:
            input: any shape.

        Example:
            >>> nn.Tanh()(minigrad.zeros(2))
            tensor([0., 0.])
        """
        return F.tanh(input)


class _SoftmaxNd(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _dim(self, input):
        """``dim``, or PyTorch's implicit choice when it is None (0 for 0-D, 1-D and 3-D input, else 1)."""
        if self.dim is not None:
            return self.dim
        return 0 if input.ndim in (0, 1, 3) else 1

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.Softmax(dim=1)
            Softmax(dim=1)
        """
        return f"dim={self.dim}"


class Softmax(_SoftmaxNd):
    """``exp(x) / sum(exp(x))`` along ``dim``: each slice along ``dim`` becomes probabilities.

    Args:
        dim: the dimension that sums to 1; default None, PyTorch's implicit (deprecated)
            choice: 0 for 0-D, 1-D and 3-D input, else 1. Give it explicitly.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> nn.Softmax(dim=1)(minigrad.tensor([[1.0, 1.0], [0.0, 2.0]]))
        tensor([[0.5000, 0.5000],
                [0.1192, 0.8808]])
    """

    def forward(self, input: Tensor) -> Tensor:
        """The softmax of ``input`` along ``dim``.

        Args:
            input: any shape.

        Example:
            >>> nn.Softmax(dim=0)(minigrad.zeros(4))
            tensor([0.2500, 0.2500, 0.2500, 0.2500])
        """
        return F.softmax(input, self._dim(input))


class LogSoftmax(_SoftmaxNd):
    """``log(softmax(x))`` along ``dim``, computed stably (``x - logsumexp(x)``); the input that
    :class:`NLLLoss` expects.

    Args:
        dim: the dimension of the softmax; default None, PyTorch's implicit (deprecated)
            choice: 0 for 0-D, 1-D and 3-D input, else 1.

    Shape:
        input: any shape (*); output: the same shape.

    Example:
        >>> nn.LogSoftmax(dim=0)(minigrad.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        """The log-softmax of ``input`` along ``dim``.

        Args:
            input: any shape.

        Example:
            >>> nn.LogSoftmax(dim=0)(minigrad.zeros(2)).exp()
            tensor([0.5000, 0.5000])
        """
        return F.log_softmax(input, self._dim(input))
