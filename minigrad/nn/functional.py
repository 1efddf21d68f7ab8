"""``minigrad.nn.functional``: the stateless form of every layer and loss (``import ... as F``).

Every function here is an op of ``minigrad.ops``, re-exported from the ``__all__`` of its
family's module (``minigrad/ops/<family>.py``, where its Function lives). The only code
here adapts PyTorch's argument conventions: ``inplace=`` is accepted and ignored
(minigrad computes out of place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ops import LAYER_FAMILIES
from ..ops.activation import *  # noqa: F403

# the ops wrapped below to take PyTorch's inplace=
from ..ops.activation import leaky_relu as _leaky_relu
from ..ops.activation import relu as _relu
from ..ops.conv import *  # noqa: F403
from ..ops.dropout import *  # noqa: F403
from ..ops.dropout import dropout as _dropout
from ..ops.dropout import dropout2d as _dropout2d
from ..ops.index import one_hot
from ..ops.linalg import linear
from ..ops.loss import *  # noqa: F403
from ..ops.normalization import *  # noqa: F403
from ..ops.padding import *  # noqa: F403
from ..ops.pool import *  # noqa: F403
from ..ops.shape import flatten

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [name for family in LAYER_FAMILIES for name in family.__all__] + ["linear", "flatten", "one_hot"]


# ---- PyTorch's argument conventions ---------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)`` elementwise; the gradient is 1 where x > 0 and 0 elsewhere.

    Args:
        input: any shape.
        inplace: accepted, not used: the result is a new tensor; default False.

    Shape:
        output: the input's shape.

    Example:
        >>> F.relu(minigrad.tensor([-1.0, 0.5]))
        tensor([0.0000, 0.5000])
    """
    return _relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``max(0, x) + negative_slope * min(0, x)`` elementwise.

    Args:
        input: any shape.
        negative_slope: the slope for x < 0; default 0.01.
        inplace: accepted, not used; default False.

    Shape:
        output: the input's shape.

    Example:
        >>> F.leaky_relu(minigrad.tensor([-10.0, 2.0]), negative_slope=0.1)
        tensor([-1.,  2.])
    """
    return _leaky_relu(input, negative_slope)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), in training.

    The mask is drawn from ``minigrad.random`` (``manual_seed`` governs it). With
    ``training=False`` the input comes back unchanged, so pass ``self.training`` from a
    module (or use :class:`~minigrad.nn.Dropout`).

    Args:
        input: any shape.
        p: the probability of zeroing an element, in [0, 1]; default 0.5.
        training: apply dropout; default True.
        inplace: accepted, not used; default False.

    Shape:
        output: the input's shape.

    Example:
        >>> F.dropout(minigrad.ones(6), p=0.5)
        tensor([2., 2., 2., 0., 0., 0.])
        >>> F.dropout(minigrad.ones(3), p=0.5, training=False)
        tensor([1., 1., 1.])
    """
    return _dropout(input, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (H, W) map of an (N, C, H, W) or (C, H, W) input is kept with
    probability 1 - p and scaled by 1 / (1 - p), in training.

    Args:
        input: (N, C, H, W) or (C, H, W).
        p: the probability of zeroing a channel, in [0, 1]; default 0.5.
        training: apply dropout; default True.
        inplace: accepted, not used; default False.

    Shape:
        output: the input's shape.

    Example:
        >>> F.dropout2d(minigrad.ones(1, 4, 2, 2)).sum((2, 3))
        tensor([[8., 8., 8., 0.]])
    """
    return _dropout2d(input, p, training)
