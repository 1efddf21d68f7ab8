"""Tutorial 11, exercise 3: He initialization for a leaky ReLU.

A leaky ReLU with slope a keeps (1 + a^2) / 2 of the second moment of a symmetric
input. Which weight standard deviation keeps the second moment constant through the
20-layer stack of the tutorial? Compare with ``nn.init.calculate_gain("leaky_relu", a)``,
and run the stack with a = 0.5 using your value and the ReLU one.

Solution. A linear layer with fan-in n and weights of variance s^2 multiplies the second moment
of its input by n s^2. A leaky ReLU with slope a passes a symmetric input's positive
half unchanged and its negative half times a, so it keeps (1 + a^2) / 2 of the second
moment. The product is 1 when

    s = sqrt(2 / ((1 + a^2) n)) = gain / sqrt(n),   gain = sqrt(2 / (1 + a^2)),

which is ``nn.init.calculate_gain("leaky_relu", a)``, the gain ``kaiming_normal_(w, a=a,
nonlinearity="leaky_relu")`` uses. With the ReLU gain sqrt(2) instead, each layer
multiplies the second moment by 1 + a^2 (1.25 for a = 0.5): over the 20-layer stack it
grows 1.25^19, about 70 times.
"""

import math

import numpy as np

import minigrad
from minigrad import nn


def leaky_relu_std(fan_in, a):
    """The weight std that keeps the second moment through Linear + LeakyReLU(a)."""
    return math.sqrt(2.0 / ((1 + a * a) * fan_in))


def second_moment_per_layer(std, a, width=512, depth=20, batch=256):
    """Geometric mean of the per-layer growth of the second moment through the stack."""
    h = minigrad.randn(batch, width)
    moments = []
    with minigrad.no_grad():
        for _ in range(depth):
            layer = nn.Linear(width, width, bias=False)
            nn.init.normal_(layer.weight, std=std)
            h = nn.functional.leaky_relu(layer(h), a)
            moments.append(float((h * h).mean()))
    return float(np.exp(np.log(moments[-1] / moments[0]) / (depth - 1)))


if __name__ == "__main__":
    minigrad.manual_seed(0)
    a, n = 0.5, 512
    print(
        "std by hand",
        leaky_relu_std(n, a),
        " calculate_gain / sqrt(n)",
        nn.init.calculate_gain("leaky_relu", a) / math.sqrt(n),
    )
    print("growth per layer, leaky gain:", second_moment_per_layer(leaky_relu_std(n, a), a))
    print("growth per layer, ReLU gain: ", second_moment_per_layer(math.sqrt(2.0 / n), a), " predicted", 1 + a * a)
