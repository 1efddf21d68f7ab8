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
    """``max(0, x)`` elementwise (``inplace`` is accepted, not used: the result is a new tensor)."""
    return _relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``max(0, x) + negative_slope * min(0, x)`` elementwise (``inplace`` is accepted, not used)."""
    return _leaky_relu(input, negative_slope)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), in training.

    The mask is drawn from ``minigrad.random`` (``manual_seed`` governs it); ``inplace`` is
    accepted, not used.
    """
    return _dropout(input, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: input (N, C, H, W) or (C, H, W); each channel is kept with
    probability 1 - p (``inplace`` is accepted, not used)."""
    return _dropout2d(input, p, training)
