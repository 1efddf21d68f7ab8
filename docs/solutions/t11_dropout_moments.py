"""Tutorial 11, exercise 1: dropout's expectation and variance.

For an input unit x and dropout probability p, show that the training-mode output has
mean x and variance x^2 p / (1 - p). Check both by sampling ``F.dropout`` a million
times.

Solution. In training mode, dropout maps a unit x to y = x * b / (1 - p), where b is 1 with
probability 1 - p and 0 with probability p. So

    E[y]   = x * (1 - p) / (1 - p) = x
    E[y^2] = x^2 * (1 - p) / (1 - p)^2 = x^2 / (1 - p)
    Var[y] = x^2 / (1 - p) - x^2 = x^2 * p / (1 - p)

The mean is what eval mode returns (the identity); the variance is the noise dropout
adds, which grows without bound as p -> 1.
"""

import numpy as np

import minigrad
import minigrad.nn.functional as F


def dropout_moments(x, p):
    """Mean and variance of dropout's training-mode output for an input unit ``x``."""
    return x, x * x * p / (1 - p)


def sampled_moments(x, p, samples=1_000_000):
    """Mean and variance of ``F.dropout`` applied to ``samples`` copies of ``x``."""
    out = F.dropout(minigrad.full((samples,), x, dtype=minigrad.float64), p, training=True).numpy()
    return float(np.mean(out)), float(np.var(out))


if __name__ == "__main__":
    minigrad.manual_seed(0)
    for x, p in ((1.0, 0.5), (3.0, 0.2), (-2.0, 0.8)):
        print(f"x = {x}, p = {p}: formula {dropout_moments(x, p)}, sampled {sampled_moments(x, p)}")
