"""
Regularization and the training recipe
======================================

The second half of the notes is about training: dropout, data augmentation, the focal
loss for imbalanced classes, and the ResNet recipe ("batch normalization after every
CONV layer, Xavier/2 initialization from He et al., SGD + momentum (0.9), learning rate
0.1 divided by 10 when validation error plateaus, weight decay"). This tutorial runs
each of them in minigrad and shows what it does to the numbers: which units dropout
zeroes, what the augmented digits look like, how the focal loss bends cross-entropy,
what batch norm does to the statistics of a batch, why the initialization decides
whether a deep stack of layers passes a signal at all, and a real training run whose
learning rate is cut on a plateau. The guides :doc:`/nn` and :doc:`/optim` list the
layers, losses, optimizers and schedulers used here.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad import datasets, nn, optim, transforms
from minigrad.optim.lr_scheduler import ReduceLROnPlateau
from minigrad.utils.data import DataLoader, Subset, random_split

minigrad.manual_seed(0)

# %%
# .. _t11-dropout:
#
# Dropout: train versus eval
# --------------------------
# In training mode, :class:`minigrad.nn.Dropout` zeroes each element independently with
# probability ``p`` and multiplies the survivors by :math:`1/(1-p)`; in eval mode it is
# the identity. The scaling ("inverted dropout", as PyTorch does it) keeps the expected
# value of every unit the same in both modes, so nothing has to be rescaled at test
# time.
dropout = nn.Dropout(p=0.5)
x = minigrad.ones(2, 8)
print("train:", dropout(x))
dropout.eval()
print("eval: ", dropout(x))
print("eval is the identity:", bool((dropout(x) == x).all()))

# %%
# Each unit is zeroed with probability ``p``: over a million units, the fraction of
# zeros is ``p`` and the mean stays 1, for every ``p``. The survivors are exactly
# :math:`1/(1-p)`.
dropout.train()
big = minigrad.ones(1000, 1000)
for p in (0.1, 0.5, 0.8):
    out = nn.Dropout(p)(big).numpy()
    kept = out[out != 0]
    print(
        f"p = {p}: zeroed {np.mean(out == 0):.4f}, survivors = {np.unique(kept)} (1/(1-p) = {1 / (1 - p):.4f}),"
        f" mean {out.mean():.4f}"
    )

# %%
# The backward pass goes through the same mask: a dropped unit gets no gradient, a
# kept one gets the upstream gradient times :math:`1/(1-p)`. So in one step, only the
# sampled sub-network learns; the notes' second interpretation is that training with
# dropout trains many of these :math:`2^n` sub-networks, sharing weights, each on a
# mini-batch or two.
x = minigrad.ones(1, 8, requires_grad=True)
y = nn.Dropout(0.5)(x)
y.sum().backward()
print("output:  ", y.detach().numpy()[0])
print("gradient:", x.grad.numpy()[0])

# %%
# .. _t11-augmentation:
#
# Data augmentation
# -----------------
# Augmentation draws a new random transformation of every training image each time it
# is loaded, so the network never sees exactly the same picture twice. The transforms
# in :mod:`minigrad.transforms` take a (C, H, W) tensor, like torchvision's. Each row
# below applies one transform to the same digit eight times; the last row combines
# them, as the notes suggest. A horizontal flip, a staple for photographs, turns digits
# into things that are not digits: which transformations preserve the label depends on
# the data.
digits = datasets.Digits(train=True, size=32)
pipelines = {
    "crop, pad 4": transforms.RandomCrop(32, padding=4),
    "rotation 20°": transforms.RandomRotation(20, interpolation="bilinear"),
    "affine": transforms.RandomAffine(0, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=15, interpolation="bilinear"),
    "resized crop": transforms.RandomResizedCrop(32, scale=(0.6, 1.0)),
    "contrast": transforms.ColorJitter(brightness=0.5, contrast=0.8),
    "flip (no!)": transforms.RandomHorizontalFlip(p=1.0),
    "combined": transforms.Compose(
        [
            transforms.RandomAffine(15, translate=(0.1, 0.1), scale=(0.85, 1.15), shear=10, interpolation="bilinear"),
            transforms.ColorJitter(brightness=0.3, contrast=0.3),
        ]
    ),
}
image, label = digits[2]
fig, axes = plt.subplots(len(pipelines), 9, figsize=(8, 0.95 * len(pipelines)))
for row, (name, transform) in zip(axes, pipelines.items()):
    row[0].imshow(image.numpy()[0], cmap="gray_r", vmin=0, vmax=1)
    row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    for ax in row[1:]:
        ax.imshow(transform(image).numpy()[0], cmap="gray_r", vmin=0, vmax=1)
    for ax in row:
        ax.set_xticks([])
        ax.set_yticks([])
axes[0, 0].set_title(f"original ({label})", fontsize=9)
plt.tight_layout()
plt.show()

# %%
# The combined pipeline on the first 40 training digits, as a training loop would
# see them in one epoch:
combined = pipelines["combined"]
fig, axes = plt.subplots(4, 10, figsize=(8, 3.4))
for i, ax in enumerate(axes.flat):
    image, label = digits[i]
    ax.imshow(combined(image).numpy()[0], cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(str(label), fontsize=8)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %%
# .. _t11-focal-loss:
#
# The focal loss
# --------------
# With many easy examples (a background class that dominates), cross-entropy's small
# losses on the easy ones add up and swamp the rare, hard ones. The focal loss of Lin et
# al. (2017) multiplies cross-entropy by :math:`(1 - p_t)^\gamma`, where :math:`p_t` is
# the probability the model gives to the true class:
#
# .. math::
#
#    \mathrm{FL}(p_t) = -(1 - p_t)^\gamma \log(p_t), \qquad \gamma \ge 0 .
#
# PyTorch has no focal loss in ``torch.nn`` (torchvision has
# ``torchvision.ops.sigmoid_focal_loss``, a binary, sigmoid version);
# minigrad's :func:`minigrad.nn.functional.focal_loss` is the multi-class form of the
# notes, on logits, with :math:`p_t` = softmax(logits)[target]. To draw the curve, we
# make two-class logits whose softmax gives the true class a chosen :math:`p_t`:
# logits :math:`(\log p_t, \log(1-p_t))` with target 0.
p_t = np.linspace(0.01, 1.0, 200)
logits = minigrad.tensor(np.stack([np.log(p_t), np.log1p(-p_t + 1e-12)], axis=1))
target = minigrad.zeros(len(p_t), dtype=minigrad.int64)

fig, ax = plt.subplots(figsize=(6, 4))
for gamma in (0, 0.5, 1, 2, 5):
    fl = F.focal_loss(logits, target, gamma=gamma, reduction="none").numpy()
    by_formula = -((1 - p_t) ** gamma) * np.log(p_t)
    print(f"gamma = {gamma}: largest difference from the formula {np.abs(fl - by_formula).max():.1e}")
    ax.plot(p_t, fl, label=f"γ = {gamma}" + (" (cross-entropy)" if gamma == 0 else ""))
ax.axvspan(0.6, 1.0, color="0.93")
ax.text(0.8, 3.5, "well-classified\nexamples", ha="center")
ax.set_xlabel("probability of the true class, $p_t$")
ax.set_ylabel("loss")
ax.set_ylim(0, 5)
ax.legend()
plt.tight_layout()
plt.show()

# %%
# With :math:`\gamma = 0` the focal loss is cross-entropy, for any logits and targets:
logits = minigrad.randn(64, 10)
target = minigrad.randint(0, 10, (64,))
fl0 = F.focal_loss(logits, target, gamma=0.0, reduction="none")
ce = F.cross_entropy(logits, target, reduction="none")
print(f"gamma = 0: largest |FL - CE| over 64 samples = {float((fl0 - ce).abs().max()):.1e}")

# %%
# How much the focusing term takes off: an easy example with :math:`p_t = 0.9` costs
# :math:`(1 - 0.9)^2 = 1/100` of its cross-entropy with :math:`\gamma = 2`, one with
# :math:`p_t = 0.5` a quarter, so the hard examples dominate the sum.
for p in (0.5, 0.9, 0.99):
    pair = minigrad.tensor([[np.log(p), np.log(1 - p)]])
    ratio = (
        F.focal_loss(pair, minigrad.tensor([0]), gamma=2).item() / F.cross_entropy(pair, minigrad.tensor([0])).item()
    )
    print(f"p_t = {p}: FL / CE = {ratio:.4f}")

# %%
# .. _t11-batch-norm:
#
# Batch normalization
# -------------------
# :class:`minigrad.nn.BatchNorm2d` normalizes each channel with the mean and variance of
# the batch (over N, H and W), then scales and shifts it by its learned ``weight`` and
# ``bias`` (1 and 0 at first). Here is a batch whose three channels have very different
# statistics, before and after the layer in training mode:
bn = nn.BatchNorm2d(3)
channel_mean = minigrad.tensor([5.0, -2.0, 0.5]).reshape(1, 3, 1, 1)
channel_std = minigrad.tensor([3.0, 0.5, 1.0]).reshape(1, 3, 1, 1)
batch = minigrad.randn(32, 3, 8, 8) * channel_std + channel_mean
out = bn(batch)


def channel_stats(t):
    """Per-channel mean and (biased) variance of an (N, C, H, W) tensor."""
    a = t.detach().numpy()
    return a.mean(axis=(0, 2, 3)), a.var(axis=(0, 2, 3))


for name, t in (("before", batch), ("after", out)):
    mean, var = channel_stats(t)
    print(f"{name:<7} mean {np.array2string(mean, precision=4)}  var {np.array2string(var, precision=4)}")

# %%
# In training mode the layer also updates its running statistics, an exponential
# moving average with ``momentum=0.1``: ``running = 0.9 * running + 0.1 * batch``,
# starting from mean 0 and variance 1. The running variance uses the unbiased
# estimate (divided by :math:`n - 1`), as in PyTorch.
mean, var = channel_stats(batch)
n = 32 * 8 * 8
print("running_mean", bn.running_mean.numpy(), " expected", 0.1 * mean)
print("running_var ", bn.running_var.numpy(), " expected", 0.9 + 0.1 * var * n / (n - 1))

# %%
# In eval mode the layer normalizes with the running statistics instead, so a test
# image's output does not depend on the other images in its batch. After one batch the
# running statistics are far from the data's, and the eval output is not normalized;
# after 50 training batches they have converged and eval mode gives mean 0 and
# variance 1 as well.
bn.eval()
mean, var = channel_stats(bn(batch))
print(f"eval after 1 batch:   mean {np.array2string(mean, precision=3)}  var {np.array2string(var, precision=3)}")
bn.train()
for _ in range(49):
    bn(minigrad.randn(32, 3, 8, 8) * channel_std + channel_mean)
bn.eval()
mean, var = channel_stats(bn(batch))
print(f"eval after 50 batches: mean {np.array2string(mean, precision=3)}  var {np.array2string(var, precision=3)}")
print("running_mean", np.round(bn.running_mean.numpy(), 3), " running_var", np.round(bn.running_var.numpy(), 3))

# %%
# .. _t11-init:
#
# Initialization: default versus He
# ---------------------------------
# Push a batch through 20 layers of ``Linear(256, 256, bias=False)`` + ReLU and watch
# the spread (standard deviation) of the activations. A linear layer with weights of
# variance :math:`\sigma^2` multiplies the second moment of its input by
# :math:`n\,\sigma^2` (:math:`n` = fan-in), and a ReLU halves it. PyTorch's default for
# ``Linear`` and ``Conv2d`` (``kaiming_uniform_`` with ``a=sqrt(5)``) has
# :math:`\sigma^2 = 1/(3n)`, so each layer divides the second moment by 6 and the signal
# fades geometrically. He et al.'s initialization, the notes' "Xavier/2", takes
# :math:`\sigma^2 = 2/n` (:func:`minigrad.nn.init.kaiming_normal_`) and keeps it
# constant. The notes' Caffe layer uses a Gaussian with std 0.01, which fades even
# faster at this width. (The layers have no bias here: the default bias, drawn from
# :math:`\pm 1/\sqrt{n}`, would add a floor of about 0.02 that hides the decay.)
inits = {
    "default (kaiming_uniform_, a=√5)": None,
    "He (kaiming_normal_, relu)": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "normal, std 0.01": lambda w: nn.init.normal_(w, std=0.01),
}
x0 = minigrad.randn(512, 256)
spread = {}
activations = {}
for name, init in inits.items():
    layers = [nn.Linear(256, 256, bias=False) for _ in range(20)]
    h, stds, kept = x0, [], []
    with minigrad.no_grad():
        for layer in layers:
            if init is not None:
                init(layer.weight)
            h = layer(h).relu()
            stds.append(float(h.std()))
            kept.append(h.numpy().ravel())
    spread[name], activations[name] = stds, kept
    print(f"{name:<34} std after layer 1: {stds[0]:.3g}, 10: {stds[9]:.3g}, 20: {stds[19]:.3g}")

fig, ax = plt.subplots(figsize=(6, 3.6))
for name, stds in spread.items():
    ax.semilogy(range(1, 21), stds, marker="o", markersize=3, label=name)
ax.set_xlabel("layer")
ax.set_ylabel("std of the activations")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %%
# The histograms of the positive activations (a ReLU zeroes about half) at layers 1,
# 5, 10 and 20, on one scale: with the default initialization they collapse onto 0,
# with He's they keep their shape.
shown = (1, 5, 10, 20)
names = list(activations)[:2]
fig, axes = plt.subplots(2, len(shown), figsize=(9, 3.6), sharex=True)
for row, name, color in zip(axes, names, ("tab:blue", "tab:orange")):
    for ax, layer in zip(row, shown):
        values = activations[name][layer - 1]
        ax.hist(values[values > 0], bins=np.linspace(0, 3, 31), color=color)
        ax.set_yticks([])
        ax.set_title(f"layer {layer}", fontsize=9)
    row[0].set_ylabel(name.split(" (")[0])
for ax in axes[1]:
    ax.set_xlabel("activation")
plt.tight_layout()
plt.show()

# %%
# With the default initialization the activations of layer 20 are about
# :math:`6^{-19/2} \approx 4 \cdot 10^{-8}` times those of layer 1 (the straight line on
# the log scale has that slope): a deep plain network initialized this way passes
# neither signal forward nor gradient backward. Batch normalization, which rescales
# every layer, makes a network much less sensitive to this; minigrad's ResNets use
# both, as torchvision's do (``kaiming_normal_`` with ``mode="fan_out"`` for every
# conv).
first, last = spread["default (kaiming_uniform_, a=√5)"][0], spread["default (kaiming_uniform_, a=√5)"][19]
print(f"default init: std(layer 20) / std(layer 1) = {last / first:.2g}; predicted 6**-9.5 = {6**-9.5:.2g}")

# %%
# .. _t11-recipe:
#
# The training recipe: SGD, momentum, weight decay, divide by 10 on a plateau
# ---------------------------------------------------------------------------
# The notes' ResNet recipe, on the 8x8 digits that ship with minigrad: a small network
# with batch norm after every convolution and He initialization, SGD with momentum 0.9,
# learning rate 0.1, weight decay 1e-5 as the notes write it (the ResNet paper uses
# 1e-4), and :class:`~minigrad.optim.lr_scheduler.ReduceLROnPlateau` dividing the
# learning rate by 10 when the validation error has not improved for ``patience``
# epochs. The training images are augmented (small rotations and shifts); 300 of the
# 1,438 training digits are held out, unaugmented, for validation. Mini-batches of 32,
# not 256: this training set has only 1,138 images.
augment = transforms.RandomAffine(10, translate=(0.125, 0.125))
train_full = datasets.Digits(train=True, transform=augment)
split = random_split(train_full, [1138, 300], generator=minigrad.Generator().manual_seed(0))
train_set = split[0]
val_set = Subset(datasets.Digits(train=True), split[1].indices)


def conv_bn_relu(c_in, c_out, stride):
    conv = nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False)
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return [conv, nn.BatchNorm2d(c_out), nn.ReLU()]


model = nn.Sequential(
    *conv_bn_relu(1, 16, stride=1),  # 8x8
    *conv_bn_relu(16, 32, stride=2),  # 4x4
    *conv_bn_relu(32, 32, stride=2),  # 2x2
    nn.Flatten(),
    nn.Linear(32 * 2 * 2, 10),
)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-5)
scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=3)
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_images = minigrad.stack([val_set[i][0] for i in range(len(val_set))])
val_labels = minigrad.tensor([val_set[i][1] for i in range(len(val_set))])

history = {"lr": [], "train loss": [], "val loss": [], "val error": []}
started = time.perf_counter()
for epoch in range(20):
    model.train()
    total = 0.0
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
    model.eval()
    with minigrad.no_grad():
        logits = model(val_images)
        val_loss = F.cross_entropy(logits, val_labels).item()
        val_error = 1 - (logits.argmax(1) == val_labels).float().mean().item()
    history["lr"].append(optimizer.param_groups[0]["lr"])
    history["train loss"].append(total / len(train_set))
    history["val loss"].append(val_loss)
    history["val error"].append(val_error)
    print(
        f"epoch {epoch + 1:2d}  lr {history['lr'][-1]:<7g} train loss {history['train loss'][-1]:.4f}"
        f"  val loss {val_loss:.4f}  val error {val_error:.2%}"
    )
    scheduler.step(val_error)  # divide the lr by 10 when the validation error plateaus
print(f"{time.perf_counter() - started:.1f} s")

# %%
# The curves, with a dashed line at each cut of the learning rate. At 0.1 the losses
# stall in a noisy plateau; dividing the learning rate by 10 lets SGD settle into the
# minimum it was bouncing around, and the validation loss steps down after the first
# cut (the averages printed below the figure). The exact epochs of the cuts depend on
# the run: the scheduler reacts to the noise it sees.
epochs = np.arange(1, 21)
cuts = [e for e in range(1, 20) if history["lr"][e] < history["lr"][e - 1]]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
ax1.semilogy(epochs, history["train loss"], marker="o", markersize=3, label="training loss (augmented)")
ax1.semilogy(epochs, history["val loss"], marker="o", markersize=3, label="validation loss")
ax1.set_ylabel("cross-entropy")
ax2.plot(epochs, 100 * np.array(history["val error"]), marker="o", markersize=3, color="tab:green")
ax2.set_ylabel("validation error (%)")
lr_axis = ax2.twinx()
lr_axis.step(epochs, history["lr"], where="mid", color="0.5")
lr_axis.set_yscale("log")
lr_axis.set_ylabel("learning rate", color="0.4")
for ax in (ax1, ax2):
    for cut in cuts:
        ax.axvline(cut + 0.5, color="0.6", linestyle="--", linewidth=1)
    ax.set_xlabel("epoch")
ax1.legend(fontsize=8)
plt.tight_layout()
plt.show()
print("learning rate cut after epochs", cuts)
if cuts:
    before, after = history["val loss"][cuts[0] - 3 : cuts[0]], history["val loss"][cuts[0] : cuts[0] + 3]
    print(f"mean validation loss, 3 epochs before the first cut: {np.mean(before):.4f}; after: {np.mean(after):.4f}")

test_set = datasets.Digits(train=False)
with minigrad.no_grad():
    test_images = minigrad.stack([test_set[i][0] for i in range(len(test_set))])
    test_error = 1 - (model(test_images).argmax(1) == test_set.targets).float().mean().item()
print(f"error on the {len(test_set)} test digits, never seen during training or the lr cuts: {test_error:.2%}")

# %%
# ``minigrad train --optimizer sgd`` on the command line uses SGD with momentum 0.9
# too (Adam is its default), with a cosine schedule instead of the plateau rule. The
# optimizer guide (:doc:`/optim`) shows how to save the scheduler's state with the
# model's in a checkpoint, so that a resumed run cuts the learning rate where the
# interrupted one would have.
#
# Exercises
# ---------
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it
# (``tests/test_solutions_t08_t11.py``).
#
# 1. **Dropout's expectation and variance.** For an input unit :math:`x` and dropout
#    probability :math:`p`, show that the training-mode output has mean :math:`x` and
#    variance :math:`x^2\,p/(1-p)`. Check both by sampling ``F.dropout`` a million
#    times. (``t11_dropout_moments.py``)
# 2. **The focal loss gradient.** With :math:`p_t = \mathrm{softmax}(z)_t`, derive
#    :math:`\partial\,\mathrm{FL}/\partial z_t` and
#    :math:`\partial\,\mathrm{FL}/\partial z_j` (:math:`j \ne t`), and check them
#    against ``F.focal_loss(...).backward()``. For which :math:`p_t` does
#    :math:`\gamma = 2` shrink the gradient on the true class by 10x compared with
#    cross-entropy? (``t11_focal_loss_gradient.py``)
# 3. **He initialization for leaky ReLU.** A leaky ReLU with slope :math:`a` keeps
#    :math:`(1 + a^2)/2` of the second moment of a symmetric input. Which weight
#    standard deviation keeps the second moment constant through the 20-layer stack
#    above? Compare with ``nn.init.calculate_gain("leaky_relu", a)``, and run the stack
#    with :math:`a = 0.5` using your value and the ReLU one. (``t11_leaky_relu_init.py``)
# 4. **Batch norm in eval mode is an affine map.** Write the per-channel scale and shift
#    that an eval-mode ``BatchNorm2d`` applies, from its four tensors, and fold them into
#    the preceding ``Conv2d``'s weight and bias so that conv + BN in eval mode becomes a
#    single conv. (``t11_fold_batch_norm.py``)
