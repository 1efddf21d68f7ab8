"""Tutorial 8, exercise 2: three stacked 3x3 convolutions see a 7x7 window.

Show that a stack of three 3x3 convolutions (stride 1) has a 7x7 receptive field, by
backpropagating from one output pixel and looking at which input pixels get a nonzero
gradient. With C channels everywhere, compare the weights of the stack with those of
one 7x7 convolution.

Solution. Each KxK convolution (stride 1) widens the window an output pixel depends on by K - 1,
so L of them see 1 + L (K - 1) pixels on a side: 3, 5, 7 for one, two, three 3x3
layers. The gradient of one output pixel with respect to the input is nonzero exactly
on that window (with all-positive weights nothing can cancel), which is how the
solution measures it.

With C channels in and out and no biases, three 3x3 layers have 3 * 9 C^2 = 27 C^2
weights and one 7x7 layer 49 C^2: the stack sees as much with 45% fewer weights, and
puts two more nonlinearities in between (VGG's argument for 3x3 filters).
"""

import minigrad
from minigrad import nn


def receptive_field(num_layers, kernel_size=3, size=17):
    """(height, width) of the input window that one central output pixel of the stack depends on."""
    layers = [nn.Conv2d(1, 1, kernel_size, bias=False) for _ in range(num_layers)]
    for layer in layers:
        nn.init.ones_(layer.weight)
    x = minigrad.zeros(1, 1, size, size, requires_grad=True)
    y = nn.Sequential(*layers)(x)
    centre = y.shape[-1] // 2
    y[0, 0, centre, centre].backward()
    rows, cols = (x.grad.numpy()[0, 0] != 0).nonzero()
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def weights(channels):
    """Weights of three 3x3 layers and of one 7x7 layer, C channels in and out, no bias."""
    stack = sum(nn.Conv2d(channels, channels, 3, bias=False).weight.numel() for _ in range(3))
    single = nn.Conv2d(channels, channels, 7, bias=False).weight.numel()
    return stack, single


if __name__ == "__main__":
    for layers in (1, 2, 3, 4):
        print(f"{layers} layer(s) of 3x3: %dx%d window" % receptive_field(layers))
    stack, single = weights(64)
    print(f"C = 64: three 3x3 layers {stack:,} weights, one 7x7 layer {single:,} ({stack / single:.0%})")
