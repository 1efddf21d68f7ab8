"""Weight initialization, in place, with PyTorch's names and formulas.

Every function fills ``tensor._array`` in place (no graph is recorded) and returns ``tensor``. Random ones
draw from ``minigrad.random`` (so ``minigrad.manual_seed`` makes them reproducible) or
from an explicit ``generator``.

Fans of a weight of shape ``(out, in, *kernel)``: ``fan_in = in * prod(kernel)``,
``fan_out = out * prod(kernel)``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..random import rng_of

if TYPE_CHECKING:
    from ..random import Generator
    from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "ones_",
    "zeros_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain of a nonlinearity: the factor that keeps activations' variance
    steady through a layer followed by it.

    ``'linear'``, the conv names and ``'sigmoid'``: 1; ``'tanh'``: 5/3; ``'relu'``: sqrt(2);
    ``'leaky_relu'``: sqrt(2 / (1 + slope**2)); ``'selu'``: 3/4.

    Args:
        nonlinearity: the function's name, as above; another name raises ValueError.
        param: the negative slope for ``'leaky_relu'``; default None (0.01).

    Example:
        >>> nn.init.calculate_gain("relu")
        1.4142135623730951
        >>> nn.init.calculate_gain("leaky_relu", 0.2)
        1.3867504905630728
    """
    if nonlinearity in (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    ):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor, values):
    """Write ``values`` (broadcast) into ``tensor._array`` in place, as optimizers update parameters.

    The write counts as an in-place change: a graph that saved ``tensor`` refuses to backward.
    """
    np.copyto(tensor._array, values, casting="unsafe")
    tensor._bump_version()
    return tensor


def _random_into(tensor, draw):
    """Fill ``tensor`` with ``draw(out=array, dtype=...)``, generated in place when the dtype allows it."""
    data = tensor._array
    if data.dtype in (np.float32, np.float64) and data.flags.c_contiguous:
        draw(out=data, dtype=data.dtype)
    else:
        scratch = np.empty(data.shape, np.float64)
        draw(out=scratch)
        _fill(tensor, scratch)
    return tensor


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill ``tensor`` in place with values drawn from U(a, b) and return it (no graph is recorded).

    Args:
        tensor: the tensor to fill (any shape).
        a: the lower bound; default 0.0.
        b: the upper bound; default 1.0.
        generator: an optional :class:`minigrad.Generator` to draw from; default None, the
            global one that ``minigrad.manual_seed`` seeds.

    Example:
        >>> w = nn.init.uniform_(minigrad.empty(2, 3), a=-1.0, b=1.0)
        >>> bool((w.abs() <= 1).all())
        True
    """
    _random_into(tensor, rng_of(generator).random)
    tensor._array *= b - a
    tensor._array += a
    return tensor


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill ``tensor`` in place with values drawn from N(mean, std**2) and return it.

    Args:
        tensor: the tensor to fill (any shape).
        mean: the mean; default 0.0.
        std: the standard deviation; default 1.0.
        generator: an optional :class:`minigrad.Generator` to draw from; default None, the
            global one that ``minigrad.manual_seed`` seeds.

    Example:
        >>> w = nn.init.normal_(minigrad.empty(1000), mean=3.0, std=0.1)
        >>> round(w.mean().item(), 1), round(w.std().item(), 1)
        (3.0, 0.1)
    """
    _random_into(tensor, rng_of(generator).standard_normal)
    tensor._array *= std
    tensor._array += mean
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` in place with ``val`` and return it.

    Args:
        tensor: the tensor to fill (any shape).
        val: the value.

    Example:
        >>> nn.init.constant_(minigrad.empty(2, 2), 0.5)
        tensor([[0.5000, 0.5000],
                [0.5000, 0.5000]])
    """
    return _fill(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with ones and return it (BatchNorm's initial ``weight``).

    Args:
        tensor: the tensor to fill (any shape).

    Example:
        >>> nn.init.ones_(minigrad.empty(3))
        tensor([1., 1., 1.])
    """
    return _fill(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with zeros and return it (a common bias initialization).

    Args:
        tensor: the tensor to fill (any shape).

    Example:
        >>> layer = nn.Linear(4, 2)
        >>> nn.init.zeros_(layer.bias)
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """
    return _fill(tensor, 0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot (Xavier) uniform initialization, in place: U(-a, a) with
    a = gain * sqrt(6 / (fan_in + fan_out)).

    It keeps the variance of activations and of gradients about equal across layers for
    symmetric activations such as tanh (Glorot and Bengio, 2010).

    Args:
        tensor: a weight of at least 2 dimensions, (out, in, *kernel); fan_in =
            in * prod(kernel), fan_out = out * prod(kernel).
        gain: a scale, e.g. ``calculate_gain('tanh')``; default 1.0.
        generator: an optional :class:`minigrad.Generator` to draw from; default None, the
            global one that ``minigrad.manual_seed`` seeds.

    Example:
        >>> w = nn.init.xavier_uniform_(minigrad.empty(20, 30))
        >>> bool(w.abs().max() <= (6 / (30 + 20)) ** 0.5)
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot (Xavier) normal initialization, in place: N(0, std**2) with
    std = gain * sqrt(2 / (fan_in + fan_out)).

    Args:
        tensor: a weight of at least 2 dimensions, (out, in, *kernel).
        gain: a scale; default 1.0.
        generator: an optional :class:`minigrad.Generator` to draw from; default None, the
            global one that ``minigrad.manual_seed`` seeds.

    Example:
        >>> w = nn.init.xavier_normal_(minigrad.empty(200, 300))
        >>> round(w.std().item(), 3)  # sqrt(2 / 500) = 0.063
        0.063
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He (Kaiming) uniform initialization, in place: U(-b, b) with b = gain * sqrt(3 / fan),
    gain = ``calculate_gain(nonlinearity, a)``.

    The variance 2 / fan_in (for ReLU) keeps activations' spread steady through a deep ReLU
    network (He et al., 2015). The layers' default, ``kaiming_uniform_(w, a=sqrt(5))``, gives
    b = 1 / sqrt(fan_in), as in PyTorch.

    Args:
        tensor: a weight of at least 2 dimensions, (out, in, *kernel).
        a: the negative slope of the leaky ReLU that follows; default 0 (plain ReLU).
        mode: ``'fan_in'`` (default) keeps the forward variance, ``'fan_out'`` the backward one.
        nonlinearity: ``'leaky_relu'`` (default) or ``'relu'``, or any name of
            :func:`calculate_gain`.
        generator: an optional :class:`minigrad.Generator` to draw from; default None, the
            global one that ``minigrad.manual_seed`` seeds.

    Example:
        >>> w = nn.init.kaiming_uniform_(minigrad.empty(16, 8, 3, 3), nonlinearity="relu")
        >>> bool(w.abs().max() <= (2 ** 0.5) * (3 / (8 * 3 * 3)) ** 0.5)
        True
    """
    fan = _fan(tensor, mode)
    if fan == 0:
        return tensor
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He (Kaiming) normal initialization, in place: N(0, std**2) with std = gain / sqrt(fan),
    gain = ``calculate_gain(nonlinearity, a)``.

    Args:
        tensor: a weight of at least 2 dimensions, (out, in, *kernel).
        a: the negative slope of the leaky ReLU that follows; default 0 (plain ReLU).
        mode: ``'fan_in'`` (default) keeps the forward variance, ``'fan_out'`` the backward one
            (torchvision's ResNet uses ``'fan_out'``).
        nonlinearity: ``'leaky_relu'`` (default) or ``'relu'``, or any name of
            :func:`calculate_gain`.
        generator: an optional :class:`minigrad.Generator` to draw from; default None, the
            global one that ``minigrad.manual_seed`` seeds.

    Example:
        >>> w = nn.init.kaiming_normal_(minigrad.empty(64, 128, 3, 3), nonlinearity="relu")
        >>> fan_in = 128 * 3 * 3
        >>> round(w.std().item() / (2 / fan_in) ** 0.5, 2)  # std = sqrt(2 / fan_in)
        1.0
    """
    fan = _fan(tensor, mode)
    if fan == 0:
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None) -> None:
    """The default of Linear and the conv layers, as in PyTorch:
    ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(+-1/sqrt(fan_in)), then bias (when not
    None) from U(+-1/sqrt(fan_in))."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = _calculate_fan_in_and_fan_out(weight)[0]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
