"""
Parameter counts and summaries: LeNet-5, AlexNet, VGG-16, ResNet
================================================================

The notes give tables for the classic networks: LeNet-5's 61,706 parameters, a
1-channel, 10-class AlexNet with 57,029,322, VGG-16's per-layer memory and parameters
(138M, about 93 MB of activations per image), and ResNet's depths with their FLOPs.
This tutorial reproduces each table from the models in :mod:`minigrad.models`, with
:func:`minigrad.summary` (a torchsummary/torchinfo-style table) and a few lines of code.

The big networks are expensive to run at 224x224 on two cores, so where a full-size
forward pass would be slow, we count what does not depend on running it, or run a small
input and scale, and say so. The guide :doc:`/models` gives the summary's counting
rules and every model's constructor.
"""

import time

import minigrad
from minigrad import models, nn

# %%
# LeNet-5
# -------
# The notes' table is torchsummary's flat layout: leaf layers numbered in call order.
summary = minigrad.summary(models.lenet5(), (1, 1, 32, 32), layout="flat", col_names=("output_size", "num_params"))

# %%
# AlexNet, 1 channel, 10 classes
# ------------------------------
# The notes' second table is torchinfo's tree layout. Its first conv output is 56x56,
# which is what a 227x227 input gives: :math:`(227 + 2 \cdot 2 - 11)/4 + 1 = 56`.
summary = minigrad.summary(
    models.alexnet(in_channels=1, num_classes=10), (1, 1, 227, 227), depth=2, col_names=("output_size", "num_params")
)

# %%
# As the notes observe, nearly all parameters are in the fully connected layers, and
# most of the computation in the convolutions:
alexnet = models.alexnet(in_channels=1, num_classes=10)
conv = sum(m.weight.numel() + m.bias.numel() for m in alexnet.modules() if isinstance(m, nn.Conv2d))
linear = sum(m.weight.numel() + m.bias.numel() for m in alexnet.modules() if isinstance(m, nn.Linear))
print(
    f"convolutions {conv:,} parameters ({conv / (conv + linear):.1%}), "
    f"linear layers {linear:,} ({linear / (conv + linear):.1%})"
)
print(f"mult-adds: {summary.total_mult_adds / 1e6:,.0f} M in all")
del alexnet

# %%
# VGG-16 (configuration D)
# ------------------------
# The CS231n table lists, for each layer of VGG-16 on a 224x224x3 image, the size of its
# output ("memory", in numbers) and its weights ("params", not counting biases). Running
# VGG-16 forward at 224x224 takes over a minute here, so we walk the layers instead:
# a 3x3 convolution with padding 1 keeps the size, a 2x2 max pool halves it, and the
# weights are read from the model's own parameters.
started = time.perf_counter()
vgg = models.vgg16()
print(f"built VGG-16 in {time.perf_counter() - started:.1f} s")

c, h, w = 3, 224, 224
rows = [("INPUT", (h, w, c), h * w * c, 0)]
for layer in vgg.features:
    if isinstance(layer, nn.Conv2d):
        c = layer.out_channels
        rows.append((f"CONV3-{c}", (h, w, c), h * w * c, layer.weight.numel()))
    elif isinstance(layer, nn.MaxPool2d):
        h, w = h // 2, w // 2
        rows.append(("POOL2", (h, w, c), h * w * c, 0))
for layer in vgg.classifier:
    if isinstance(layer, nn.Linear):
        rows.append(("FC", (1, 1, layer.out_features), layer.out_features, layer.weight.numel()))

for name, shape, memory, params in rows:
    print(f"{name:<10} [{'x'.join(map(str, shape)):>11}]  memory {memory:>10,}  params {params:>12,}")
total_memory = sum(r[2] for r in rows)
total_weights = sum(r[3] for r in rows)
print(
    f"TOTAL memory: {total_memory / 1e6:.1f}M values * 4 bytes = {total_memory * 4 / 1e6:.0f} MB / image (forward only)"
)
print(
    f"TOTAL params: {total_weights:,} weights + {sum(p.numel() for p in vgg.parameters()) - total_weights:,} biases"
    f" = {sum(p.numel() for p in vgg.parameters()):,}"
)

# %%
# Every row matches the notes, and so does the parameter total, 138M. The memory total
# does not: the notes' rows add up to 15.2M values (61 MB in float32), while their
# closing line says "24M * 4 bytes ~= 93 MB / image"; the sum of the rows is what a
# forward pass stores. As the notes say, most of the memory is in the early
# convolutions and most of the parameters in the first fully connected layer
# (102,760,448 weights).
#
# The summary tool, run on a small 32x32 input, counts the same parameters:
# torchvision's VGG ends its features with an adaptive average pool to 7x7, so the
# classifier, and the parameter count, do not depend on the input size.
summary = minigrad.summary(vgg, (1, 3, 32, 32), verbose=0)
print(f"minigrad.summary(vgg16, 32x32): {summary.total_params:,} parameters")
del vgg

# %%
# VGG's configurations A to E differ only in their convolutions; their parameter
# counts, in millions, are the notes' 133, 133, 134, 138 and 144. minigrad has A, B, D
# and E (torchvision's set: no LRN variant A-LRN, no configuration C with its 1x1
# convolutions). Building only the convolutional part of each, and adding the
# classifier, which is the same in all of them (7*7*512 -> 4096 -> 4096 -> 1000):
from minigrad.models.vgg import CONFIGS, make_layers  # noqa: E402

classifier = (7 * 7 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
for config, name in (("A", "vgg11"), ("B", "vgg13"), ("D", "vgg16"), ("E", "vgg19")):
    convs = sum(p.numel() for p in make_layers(CONFIGS[config]).parameters())
    print(f"{config} ({name}): {convs:>10,} in convolutions + {classifier:,} = {(convs + classifier) / 1e6:.0f}M")

# %%
# ResNet
# ------
# The notes' ResNet table gives the blocks of each depth and its cost at 224x224:
# 1.8, 3.6, 3.8, 7.6 and 11.3 billion FLOPs (counted, as in the paper, as
# multiply-adds). ResNet-152 alone would take minutes here at full size. But every
# feature map of a ResNet scales with the input: at 32x32 each one is exactly 7 times
# smaller on each side than at 224x224 (224 -> 112 -> 56 -> 28 -> 14 -> 7 against
# 32 -> 16 -> 8 -> 4 -> 2 -> 1), so every convolution does 49 times fewer multiply-adds,
# while the final fully connected layer does the same. So we run the summary at 32x32
# and scale. First, a check of the rule on ResNet-18 at two small sizes:
r18 = models.resnet18()
small = minigrad.summary(r18, (1, 3, 32, 32), verbose=0).total_mult_adds
larger = minigrad.summary(r18, (1, 3, 64, 64), verbose=0).total_mult_adds
fc = r18.fc.weight.numel()
print(f"ResNet-18 at 64x64: {larger:,} mult-adds; predicted from 32x32: {(small - fc) * 4 + fc:,}")

# %%
# The table:
print(f"{'model':<10} {'params':>12} {'mult-adds at 224x224':>22}   notes")
notes = {"resnet18": 1.8, "resnet34": 3.6, "resnet50": 3.8, "resnet101": 7.6, "resnet152": 11.3}
for name, reported in notes.items():
    model = getattr(models, name)()
    s = minigrad.summary(model, (1, 3, 32, 32), verbose=0)
    fc = model.fc.weight.numel()
    macs = (s.total_mult_adds - fc) * 49 + fc
    print(f"{name:<10} {s.total_params:>12,} {macs / 1e9:>19.2f} G   {reported} x 10^9")
    del model

# %%
# ResNet-18 and ResNet-34 agree with the paper to its rounding. The bottleneck networks
# (50, 101, 152) count 0.2 to 0.3 G more than the paper: torchvision (and minigrad,
# which follows it) puts the stride of a downsampling bottleneck block on its 3x3
# convolution instead of its first 1x1 (the variant known as ResNet v1.5), so that 3x3
# runs at four times the size. The parameter counts are the same either way.
#
# The same tables from the command line: ``minigrad summary vgg16 --input 3,224,224``.
