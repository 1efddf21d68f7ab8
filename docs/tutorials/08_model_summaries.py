"""
Parameter counts and summaries: LeNet-5, AlexNet, VGG-16, ResNet
================================================================

The notes give tables for the classic networks: LeNet-5's 61,706 parameters, a
1-channel, 10-class AlexNet with 57,029,322, the original AlexNet's first layer (96
filters, "35K" parameters), VGG-16's per-layer memory and parameters (138M, about 93 MB
of activations per image), and ResNet's stages with their FLOPs. This tutorial
reproduces each table from the models in :mod:`minigrad.models`, with
:func:`minigrad.summary` (a torchsummary/torchinfo-style table) and a few lines of code.

Every summary below runs the model forward at the notes' input size (224x224 for VGG
and ResNet), so what it reports is measured, not extrapolated; the timings printed say
what that costs. The guide :doc:`/models` gives the summary's counting rules and every
model's constructor.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

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
alexnet = summary.model
conv = sum(m.weight.numel() + m.bias.numel() for m in alexnet.modules() if isinstance(m, nn.Conv2d))
linear = sum(m.weight.numel() + m.bias.numel() for m in alexnet.modules() if isinstance(m, nn.Linear))
print(
    f"convolutions {conv:,} parameters ({conv / (conv + linear):.1%}), "
    f"linear layers {linear:,} ({linear / (conv + linear):.1%})"
)
print(f"mult-adds: {summary.total_mult_adds / 1e6:,.0f} M in all")
del alexnet

# %%
# The original AlexNet: 96 filters
# --------------------------------
# ``models.alexnet`` is torchvision's variant (64 filters in the first layer, 192 in
# the second). The CS231n part of the notes walks through Krizhevsky et al.'s original
# on a 227x227x3 image: CONV1 with 96 11x11 filters at stride 4 gives 55x55x96 and has
# :math:`(11 \cdot 11 \cdot 3) \cdot 96` = 34,848 weights, the notes' "35K". In a few
# lines (without the NORM layers, which have no parameters and keep the shape):
original = nn.Sequential(
    nn.Conv2d(3, 96, kernel_size=11, stride=4),  # CONV1  -> 55x55x96
    nn.ReLU(),
    nn.MaxPool2d(3, stride=2),  # POOL1  -> 27x27x96
    nn.Conv2d(96, 256, kernel_size=5, padding=2),  # CONV2  -> 27x27x256
    nn.ReLU(),
    nn.MaxPool2d(3, stride=2),  # POOL2  -> 13x13x256
    nn.Conv2d(256, 384, kernel_size=3, padding=1),  # CONV3
    nn.ReLU(),
    nn.Conv2d(384, 384, kernel_size=3, padding=1),  # CONV4
    nn.ReLU(),
    nn.Conv2d(384, 256, kernel_size=3, padding=1),  # CONV5  -> 13x13x256
    nn.ReLU(),
    nn.MaxPool2d(3, stride=2),  # POOL3  -> 6x6x256
    nn.Flatten(),
    nn.Linear(6 * 6 * 256, 4096),  # FC6
    nn.ReLU(),
    nn.Linear(4096, 4096),  # FC7
    nn.ReLU(),
    nn.Linear(4096, 1000),  # FC8
)
summary = minigrad.summary(original, (1, 3, 227, 227), layout="flat", col_names=("output_size", "num_params"))
conv1 = original[0]
print(f"CONV1: {conv1.weight.numel():,} weights (the notes' 35K) + {conv1.bias.numel()} biases")

# %%
# That is 62.4M parameters. The paper reports 60 million because its network was split
# over two GPUs: CONV2, CONV4 and CONV5 only see the half of their input channels that
# lives on their own GPU, which is a grouped convolution with ``groups=2``:
for i in (3, 8, 10):
    layer = original[i]
    original[i] = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, padding=layer.padding, groups=2)
print(f"with groups=2 in CONV2, CONV4, CONV5: {sum(p.numel() for p in original.parameters()):,} parameters")
del original

# %%
# VGG-16 (configuration D)
# ------------------------
# The CS231n table lists, for each layer of VGG-16 on a 224x224x3 image, the size of its
# output ("memory", in numbers) and its weights ("params", not counting biases). The
# summary runs VGG-16 forward at 224x224 and records every layer's output shape; the
# table is read from it, the weights from the layers themselves.
vgg = models.vgg16()
started = time.perf_counter()
summary = minigrad.summary(vgg, (1, 3, 224, 224), verbose=0)
print(f"VGG-16 forward at 224x224 (a batch of 2), in {time.perf_counter() - started:.1f} s")

rows = [("INPUT", (224, 224, 3), 224 * 224 * 3, 0)]
for layer in summary.layers:
    if isinstance(layer.module, (nn.Conv2d, nn.MaxPool2d, nn.Linear)):
        shape = layer.output_shapes[0][1:]  # without the batch dimension
        h, w, c = (shape[1], shape[2], shape[0]) if len(shape) == 3 else (1, 1, shape[0])
        if isinstance(layer.module, nn.Conv2d):
            name = f"CONV3-{c}"
        elif isinstance(layer.module, nn.MaxPool2d):
            name = "POOL2"
        else:
            name = "FC"
        weights = layer.module.weight.numel() if hasattr(layer.module, "weight") else 0
        rows.append((name, (h, w, c), h * w * c, weights))

for name, shape, memory, params in rows:
    print(f"{name:<10} [{'x'.join(map(str, shape)):>11}]  memory {memory:>10,}  params {params:>12,}")
total_memory = sum(r[2] for r in rows)
total_weights = sum(r[3] for r in rows)
print(
    f"TOTAL memory: {total_memory / 1e6:.1f}M values * 4 bytes = {total_memory * 4 / 1e6:.0f} MB / image (forward only)"
)
biases = summary.total_params - total_weights
print(f"TOTAL params: {total_weights:,} weights + {biases:,} biases = {summary.total_params:,}")
print(f"mult-adds: {summary.total_mult_adds / 1e9:.2f} G per image")

# %%
# Every row matches the notes, and so does the parameter total, 138M. The memory total
# does not: the notes' rows add up to 15.2M values (61 MB in float32), while their
# closing line says "24M * 4 bytes ~= 93 MB / image"; the sum of the rows is what a
# forward pass stores. The summary's own count of new forward memory agrees with the
# rows once the layers the notes leave out are added (torchvision's adaptive average
# pool, 7x7x512, and the two dropouts, 4,096 each) and the input taken away:
notes_layers = total_memory - 224 * 224 * 3 + 7 * 7 * 512 + 2 * 4096
print(f"summary: {summary.forward_bytes:,} bytes; the rows, adjusted: {notes_layers * 4:,} bytes")

# %%
# As the notes say, most of the memory is in the early convolutions and most of the
# parameters in the late fully connected layers. Layer by layer:
names = [f"{r[0]}" for r in rows]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 5.5), sharey=True)
positions = np.arange(len(rows))
ax1.barh(positions, [r[2] / 1e6 for r in rows], color="tab:blue")
ax1.set_xlabel("memory: output values (millions)")
ax2.barh(positions, [r[3] / 1e6 for r in rows], color="tab:red")
ax2.set_xlabel("parameters: weights (millions)")
ax1.set_yticks(positions)
ax1.set_yticklabels([f"{r[0]} {r[1][0]}x{r[1][1]}x{r[1][2]}" for r in rows], fontsize=7)
ax1.invert_yaxis()
for ax, values, unit in ((ax1, [r[2] for r in rows], "values"), (ax2, [r[3] for r in rows], "weights")):
    early = sum(values[: len(rows) // 2])
    ax.set_title(f"first half of the layers: {early / sum(values):.0%} of the {unit}", fontsize=9)
plt.tight_layout()
plt.show()
del vgg

# %%
# VGG's configurations A to E differ only in their convolutions; their parameter
# counts, in millions, are the notes' 133, 133, 134, 138 and 144. minigrad has A, B, D
# and E (torchvision's set: no LRN variant A-LRN, no configuration C with its 1x1
# convolutions; exercise 1 below counts C by hand). Building only the convolutional
# part of each, and adding the classifier, which is the same in all of them
# (7*7*512 -> 4096 -> 4096 -> 1000):
from minigrad.models.vgg import CONFIGS, make_layers  # noqa: E402

classifier = (7 * 7 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
for config, name in (("A", "vgg11"), ("B", "vgg13"), ("D", "vgg16"), ("E", "vgg19")):
    convs = sum(p.numel() for p in make_layers(CONFIGS[config]).parameters())
    print(f"{config} ({name}): {convs:>10,} in convolutions + {classifier:,} = {(convs + classifier) / 1e6:.0f}M")

# %%
# ResNet
# ------
# The notes' ResNet table gives, for each depth, the blocks of each stage and the cost
# at 224x224: 1.8, 3.6, 3.8, 7.6 and 11.3 billion FLOPs (counted, as in the paper, as
# multiply-adds). The table below is generated from minigrad's models: the output size
# of each stage is measured by a forward pass at 224x224, and each cell lists the
# kernels and output channels of the convolutions in one block of that stage, times
# the number of blocks. ResNet-18's summary is printed whole (one row per stage).
depths = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")
table = {}
costs = {}
for name in depths:
    model = getattr(models, name)()
    started = time.perf_counter()
    s = minigrad.summary(model, (1, 3, 224, 224), verbose=int(name == "resnet18"), depth=1)
    seconds = time.perf_counter() - started
    sizes = {layer.module: layer.output_shapes[0][-2:] for layer in s.layers if layer.depth == 1}
    column = {"conv1": (sizes[model.conv1], f"{model.conv1.kernel_size[0]}x{model.conv1.kernel_size[1]}, 64, stride 2")}
    for stage in range(1, 5):
        blocks = getattr(model, f"layer{stage}")
        convs = [c for c in blocks[0].children() if isinstance(c, nn.Conv2d)]
        kernels = "; ".join(f"{c.kernel_size[0]}x{c.kernel_size[1]}, {c.out_channels}" for c in convs)
        column[f"conv{stage + 1}_x"] = (sizes[blocks], f"[{kernels}] x {len(blocks)}")
    table[name] = column
    costs[name] = (s.total_params, s.total_mult_adds, seconds, model.fc.in_features)
    del model

for group in (depths[:2], depths[2:]):
    width = max(len(table[n][stage][1]) for n in group for stage in table[n]) + 2
    print(f"{'stage':<8} {'output':<8} " + "".join(f"{n:<{width}}" for n in group))
    for stage, (size, _) in table[group[0]].items():
        cells = "".join(f"{table[n][stage][1]:<{width}}" for n in group)
        print(f"{stage:<8} {'x'.join(map(str, size)):<8} {cells}")
    print()

# %%
# The same blocks as the notes' table, stage by stage (conv2_x starts after the 3x3
# max pool, which is in the stem here). The parameters and the multiply-adds, each
# from one forward pass at 224x224:
print(f"{'model':<10} {'params':>12} {'mult-adds at 224x224':>22}   {'notes':>9}   measured in")
notes = {"resnet18": 1.8, "resnet34": 3.6, "resnet50": 3.8, "resnet101": 7.6, "resnet152": 11.3}
for name in depths:
    params, macs, seconds, _ = costs[name]
    print(f"{name:<10} {params:>12,} {macs / 1e9:>19.2f} G   {notes[name]:>5} x 10^9   {seconds:.1f} s")

# %%
# ResNet-18 agrees with the paper to its rounding; ResNet-34's 3.66 G rounds to 3.7,
# not the paper's 3.6. The bottleneck networks (50, 101, 152) count 0.2 to 0.3 G more
# than the paper: torchvision (and minigrad, which follows it) puts the stride of a
# downsampling bottleneck block on its 3x3 convolution instead of its first 1x1 (the
# variant known as ResNet v1.5), so that 3x3 runs at four times the size. The parameter
# counts are the same either way.
#
# The notes' 58,161,162
# ---------------------
# The notes give ResNet "#parameters: 58,161,162", a number that none of the five
# ImageNet models has. Only two layers of a ResNet depend on the task: the stem's
# convolution (64 x in_channels x 7 x 7 weights, no bias) and the classifier
# (features x classes weights + classes biases); everything else is fixed by the depth.
# So for each depth we can solve for the (in_channels, num_classes) pairs that give the
# notes' count:
target = 58_161_162
for name in depths:
    params, _, _, features = costs[name]  # at 3 input channels and 1000 classes
    fixed = params - 64 * 7 * 7 * 3 - (features + 1) * 1000
    for in_channels in (1, 2, 3, 4):
        rest = target - fixed - 64 * 7 * 7 * in_channels
        if rest > 0 and rest % (features + 1) == 0:
            print(f"{name}: in_channels={in_channels}, num_classes={rest // (features + 1)}")

# %%
# The only answer with 1 to 4 input channels: a ResNet-152 for 2-channel inputs and 10
# classes, the same kind of re-headed network as the notes' 1-channel, 10-class
# AlexNet. Built directly:
resnet = models.resnet152(num_classes=10, in_channels=2)
print(f"resnet152(num_classes=10, in_channels=2): {sum(p.numel() for p in resnet.parameters()):,} parameters")
print(f"resnet152() (3 channels, 1000 classes):    {costs['resnet152'][0]:,}")
del resnet

# %%
# The same tables from the command line: ``minigrad summary vgg16 --input 3,224,224``.
#
# Exercises
# ---------
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it
# (``tests/test_solutions_t08_t11.py``).
#
# 1. **VGG-C by hand.** Configuration C is VGG-16 with the last convolution of each of
#    the three last stages replaced by a 1x1 convolution (``conv1-256``, ``conv1-512``,
#    ``conv1-512``). Count its parameters by hand, biases included, and check the
#    notes' 134M. Then build it from ``nn.Conv2d`` layers and let minigrad count.
#    (``t08_vgg_c_params.py``)
# 2. **Three 3x3 convolutions see 7x7.** Show that a stack of three 3x3 convolutions
#    (stride 1) has a 7x7 receptive field, by backpropagating from one output pixel and
#    looking at which input pixels get a nonzero gradient. With C channels everywhere,
#    compare the weights of the stack with those of one 7x7 convolution.
#    (``t08_stacked_3x3_receptive_field.py``)
# 3. **Why the bottleneck.** A ResNet-50 block at 256 channels goes 1x1 to 64, 3x3 at
#    64, 1x1 back to 256. Count its convolution weights and its multiply-adds on a 56x56
#    map by hand, compare with a block of two 3x3 convolutions at 256 channels, and check
#    your counts against ``models.resnet50().layer1[1]``. (``t08_bottleneck_params.py``)
