"""Tutorial 8, exercise 1: VGG configuration C's parameters by hand.

Configuration C is VGG-16 with the last convolution of each of the three last stages
replaced by a 1x1 convolution (conv1-256, conv1-512, conv1-512). Count its parameters by
hand, biases included, and check the notes' 134M. Then build it from ``nn.Conv2d``
layers and let minigrad count.

Solution. A KxK convolution from C_in to C_out channels has K*K*C_in*C_out weights and
C_out biases:

    stage 1  3x3:   3->64       1,792   3x3:  64->64      36,928
    stage 2  3x3:  64->128     73,856   3x3: 128->128    147,584
    stage 3  3x3: 128->256    295,168   3x3: 256->256    590,080   1x1: 256->256   65,792
    stage 4  3x3: 256->512  1,180,160   3x3: 512->512  2,359,808   1x1: 512->512  262,656
    stage 5  3x3: 512->512  2,359,808   3x3: 512->512  2,359,808   1x1: 512->512  262,656

The convolutions add up to 9,996,096 (D has 14,714,688: each 1x1 has 1/9 of a 3x3's
weights). The classifier, the same in every configuration, has
7*7*512*4096 + 4096 + 4096*4096 + 4096 + 4096*1000 + 1000 = 123,642,856, so C has
133,638,952 parameters: the notes' 134M.
"""

from minigrad import nn

#: (kernel, in_channels, out_channels) of C's 13 convolutions; "M" is a 2x2 max pool.
LAYERS_C = [
    (3, 3, 64), (3, 64, 64), "M",
    (3, 64, 128), (3, 128, 128), "M",
    (3, 128, 256), (3, 256, 256), (1, 256, 256), "M",
    (3, 256, 512), (3, 512, 512), (1, 512, 512), "M",
    (3, 512, 512), (3, 512, 512), (1, 512, 512), "M",
]  # fmt: skip


def vgg_c_params_by_hand():
    """Weights and biases of every layer, added up with the formula K*K*C_in*C_out + C_out."""
    convs = sum(k * k * c_in * c_out + c_out for k, c_in, c_out in (layer for layer in LAYERS_C if layer != "M"))
    classifier = (7 * 7 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    return convs + classifier


def build_vgg_c(num_classes=1000):
    """VGG-C from nn layers, laid out as torchvision's VGG (features, 7x7 pool, classifier)."""
    features = []
    for layer in LAYERS_C:
        if layer == "M":
            features.append(nn.MaxPool2d(2, 2))
        else:
            k, c_in, c_out = layer
            features += [nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.ReLU(inplace=True)]
    return nn.Sequential(
        *features,
        nn.AdaptiveAvgPool2d((7, 7)),
        nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(inplace=True),
        nn.Dropout(),
        nn.Linear(4096, 4096),
        nn.ReLU(inplace=True),
        nn.Dropout(),
        nn.Linear(4096, num_classes),
    )


if __name__ == "__main__":
    by_hand = vgg_c_params_by_hand()
    counted = sum(p.numel() for p in build_vgg_c().parameters())
    print(f"by hand {by_hand:,}; counted by minigrad {counted:,}; {by_hand / 1e6:.0f}M")
