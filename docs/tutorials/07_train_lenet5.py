"""
Building and training LeNet-5
=============================

LeNet-5 (LeCun et al., 1998) is the network the notes open the architectures with: two
convolution / average-pooling / sigmoid stages and three fully connected layers,
61,706 parameters for 1-channel 32x32 inputs and 10 classes. This tutorial builds it
from :mod:`minigrad.nn` layers, checks it against the notes' table, trains it for a few
epochs on the handwritten digits that ship with minigrad, saves it, and draws the graph
of its backward pass. The guides :doc:`/nn`, :doc:`/data` and :doc:`/optim` describe
the layers, the data pipeline and the optimizers used here.
"""

import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np

import minigrad
from minigrad import datasets, nn, optim, transforms
from minigrad.utils.data import DataLoader
from minigrad.viz import draw_graph

minigrad.manual_seed(0)

# %%
# The data
# --------
# :class:`minigrad.datasets.Digits` holds the 1,797 8x8 digits of the UCI optdigits set
# (as scikit-learn ships them), split 1,438 / 359 once and for all. ``size=32``
# upscales them to LeNet-5's input size. We normalize with the training set's mean and
# standard deviation: sigmoid networks learn much faster from centred inputs.
raw = datasets.Digits(train=True, size=32)
pixels = raw.data.numpy()
mean, std = float(pixels.mean()), float(pixels.std())
normalize = transforms.Normalize((mean,), (std,))
train_set = datasets.Digits(train=True, size=32, transform=normalize)
test_set = datasets.Digits(train=False, size=32, transform=normalize)
print(train_set)
print(f"mean {mean:.3f}, std {std:.3f}; {len(train_set)} training and {len(test_set)} test images")

fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, i in zip(axes, range(8)):
    image, label = raw[i]
    ax.imshow(image.numpy()[0], cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
plt.tight_layout()
plt.show()

# %%
# The network
# -----------
# The notes print LeNet-5 as two ``Sequential`` blocks, ``features_detector`` and
# ``classifier``. The same structure with minigrad's layers:


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features_detector = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5),  # 32x32 -> 28x28
            nn.AvgPool2d(kernel_size=2, stride=2),  # -> 14x14
            nn.Sigmoid(),
            nn.Conv2d(6, 16, kernel_size=5),  # -> 10x10
            nn.AvgPool2d(kernel_size=2, stride=2),  # -> 5x5
            nn.Sigmoid(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120),
            nn.Sigmoid(),
            nn.Linear(120, 84),
            nn.Sigmoid(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features_detector(x).flatten(1))


model = LeNet5()
print(model)

# %%
# Its parameters, layer by layer, against the notes' table (156, 2,416, 48,120, 10,164,
# 850; 61,706 in all). The library's own :func:`minigrad.models.lenet5` is the same
# network.
for name, p in model.named_parameters():
    print(f"{name:<28} {str(tuple(p.shape)):<16} {p.numel():>7,}")
total = sum(p.numel() for p in model.parameters())
print(f"total {total:,}   (minigrad.models.lenet5: {sum(p.numel() for p in minigrad.models.lenet5().parameters()):,})")

# %%
# Training
# --------
# The loop is PyTorch's: zero the gradients, forward, loss, backward, step. Adam with a
# learning rate of 3e-3 and batches of 16 gets past the sigmoid network's slow start
# within an epoch or two; four epochs take well under a minute on two cores.
train_loader = DataLoader(train_set, batch_size=16, shuffle=True)
test_loader = DataLoader(test_set, batch_size=256)
optimizer = optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()


def evaluate(model, loader):
    model.eval()
    correct = 0
    with minigrad.no_grad():
        for images, labels in loader:
            correct += int((model(images).argmax(1) == labels).sum().item())
    return correct / len(loader.dataset)


history = {"loss": [], "test accuracy": []}
started = time.perf_counter()
for epoch in range(1, 5):
    model.train()
    total, seen = 0.0, 0
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        seen += len(labels)
    history["loss"].append(total / seen)
    history["test accuracy"].append(evaluate(model, test_loader))
    print(f"epoch {epoch}: train loss {history['loss'][-1]:.4f}, test accuracy {history['test accuracy'][-1]:.3f}")
print(f"{time.perf_counter() - started:.1f} s")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 2.8))
ax1.plot(range(1, 5), history["loss"], marker="o")
ax1.set_xlabel("epoch")
ax1.set_ylabel("training loss")
ax2.plot(range(1, 5), history["test accuracy"], marker="o", color="tab:green")
ax2.set_xlabel("epoch")
ax2.set_ylabel("test accuracy")
plt.tight_layout()
plt.show()

# %%
# Which digits does it get wrong? The confusion matrix of the test set (rows: true
# digit, columns: prediction):
model.eval()
with minigrad.no_grad():
    images = minigrad.stack([test_set[i][0] for i in range(len(test_set))])
    predictions = model(images).argmax(1).numpy()
targets = test_set.targets.numpy()
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (targets, predictions), 1)
print(confusion)

# %%
# What the first layer learned: its six 5x5 filters, and what they make of one digit
# (the feature maps after the convolution, before pooling).
conv1 = model.features_detector[0]
with minigrad.no_grad():
    maps = conv1(images[:1]).numpy()[0]
fig, axes = plt.subplots(2, 7, figsize=(8, 2.6))
axes[0, 0].imshow(images.numpy()[0, 0], cmap="gray_r")
axes[0, 0].set_title("input")
axes[1, 0].axis("off")
for i in range(6):
    axes[0, i + 1].imshow(conv1.weight.detach().numpy()[i, 0], cmap="RdBu_r")
    axes[0, i + 1].set_title(f"filter {i}")
    axes[1, i + 1].imshow(maps[i], cmap="viridis")
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
plt.tight_layout()
plt.show()

# %%
# Saving and loading
# ------------------
# ``state_dict()`` maps parameter names to tensors; :func:`minigrad.save` writes it as
# a safetensors file and :func:`minigrad.load` reads it back.
path = os.path.join(tempfile.mkdtemp(), "lenet5.safetensors")
minigrad.save(model.state_dict(), path)
restored = LeNet5()
restored.load_state_dict(minigrad.load(path))
print("restored accuracy:", evaluate(restored, test_loader), f"({os.path.getsize(path):,} bytes)")

# %%
# The backward graph of the trained network
# -----------------------------------------
# :func:`minigrad.viz.draw_graph` runs the model on one image, groups the recorded ops by
# the module that ran them, and with ``view="backward"`` draws what backward executes.
# ``depth=2`` folds each layer into one box; tutorial 9 opens them up.
lenet_backward = draw_graph(model, images[:1], view="backward", depth=2)

# %%
# The same run from the command line (15 epochs of SGD with momentum, a checkpoint,
# learning curves and the graph in ``runs/``)::
#
#     minigrad train lenet5 --dataset digits
#     minigrad graph lenet5 --input 1,32,32 --backward -o lenet5_backward.svg

# %%
# Exercises
# ---------
# 1. Swap the sigmoids for ReLUs and average pooling for max pooling (the same 61,706
#    parameters), train both networks from the same initial weights on the same
#    batches, and plot their training loss and test accuracy per epoch side by side.
#    Which one gets past the slow start? (``t07_relu_maxpool_lenet.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
