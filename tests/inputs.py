"""Small input makers and the loss tests' data, shared by test files in several folders."""

import numpy as np

import minigrad


def leaf(values, dtype=minigrad.float64):
    """A tensor that requires grad (float64 unless told), for the autograd tests."""
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


def seeded_normal(*shape, dtype=np.float32):
    """Standard normal values from a fresh generator seeded 0: the same array for the same shape."""
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


def uniform_leaf(*shape, dtype=np.float32, low=0.5, high=1.5, seed=0):
    """A tensor (float32 unless told) of values in [low, high) that requires grad, for the graph drawings."""
    data = np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)
    return minigrad.tensor(data, requires_grad=True)


# The loss tests' logits and class targets: 6 samples of 4 classes, and a (2, 4, 3, 2) image batch.
_losses = np.random.default_rng(0)
LOGITS = _losses.standard_normal((6, 4)).astype(np.float32)
TARGET = np.array([0, 3, 1, 1, 2, 3])
LOGITS_2D = _losses.standard_normal((2, 4, 3, 2)).astype(np.float32)
TARGET_2D = _losses.integers(0, 4, (2, 3, 2))
WEIGHT = np.array([0.2, 1.0, 2.0, 0.5], dtype=np.float32)
