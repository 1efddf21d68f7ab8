"""Tutorial 7, exercise 1: ReLU and max pooling in LeNet-5.

LeNet-5 as the notes print it uses sigmoids and average pooling; later networks use ReLU
and max pooling. Build the tutorial's LeNet-5 with either pair (the same 61,706
parameters), train both from the same initial weights on the same batches, and plot
their training loss and test accuracy per epoch side by side.

Solution. Neither swap adds a parameter. On the digits, with the tutorial's Adam at
3e-3, the ReLU / max-pool network leaves the sigmoid network's slow start behind: its
loss falls from the first epoch, while the sigmoids' saturate until the weights grow
(run this file to see the curves; each epoch takes a few seconds).
"""

import minigrad
from minigrad import datasets, nn, optim, transforms
from minigrad.utils.data import DataLoader


def lenet5(activation=nn.Sigmoid, pool=nn.AvgPool2d, num_classes=10):
    """LeNet-5 for 1x32x32 inputs with the given activation and pooling layer classes."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5),
        pool(kernel_size=2, stride=2),
        activation(),
        nn.Conv2d(6, 16, kernel_size=5),
        pool(kernel_size=2, stride=2),
        activation(),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        activation(),
        nn.Linear(120, 84),
        activation(),
        nn.Linear(84, num_classes),
    )


def digits(train):
    """The digits at 32x32, normalized with the training set's mean and std."""
    pixels = datasets.Digits(train=True, size=32).data.numpy()
    normalize = transforms.Normalize((float(pixels.mean()),), (float(pixels.std()),))
    return datasets.Digits(train=train, size=32, transform=normalize)


def accuracy(model, loader):
    model.eval()
    correct = 0
    with minigrad.no_grad():
        for images, labels in loader:
            correct += int((model(images).argmax(1) == labels).sum().item())
    return correct / len(loader.dataset)


def train(model, epochs=4, seed=0, max_batches=None):
    """Adam at 3e-3, batches of 16 in a seeded order; returns the loss and test accuracy per epoch."""
    train_set, test_set = digits(train=True), digits(train=False)
    generator = minigrad.Generator().manual_seed(seed)
    loader = DataLoader(train_set, batch_size=16, shuffle=True, generator=generator)
    test_loader = DataLoader(test_set, batch_size=256)
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "test accuracy": []}
    for _ in range(epochs):
        model.train()
        total, seen = 0.0, 0
        for batch, (images, labels) in enumerate(loader):
            if max_batches is not None and batch == max_batches:
                break
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            seen += len(labels)
        history["loss"].append(total / seen)
        history["test accuracy"].append(accuracy(model, test_loader))
    return history


def compare(epochs=4):
    """Train both networks from the same initial weights; return {name: history}."""
    minigrad.manual_seed(0)
    sigmoid_avg = lenet5(nn.Sigmoid, nn.AvgPool2d)
    relu_max = lenet5(nn.ReLU, nn.MaxPool2d)
    relu_max.load_state_dict(sigmoid_avg.state_dict())  # same layers, same names: same start
    return {
        "sigmoid + average pooling": train(sigmoid_avg, epochs),
        "ReLU + max pooling": train(relu_max, epochs),
    }


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    histories = compare()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 2.8))
    for name, history in histories.items():
        epochs = range(1, len(history["loss"]) + 1)
        ax1.plot(epochs, history["loss"], marker="o", label=name)
        ax2.plot(epochs, history["test accuracy"], marker="o", label=name)
        print(f"{name:<26} loss {history['loss'][-1]:.3f}  test accuracy {history['test accuracy'][-1]:.3f}")
    ax1.set(xlabel="epoch", ylabel="training loss")
    ax2.set(xlabel="epoch", ylabel="test accuracy")
    ax2.legend()
    plt.tight_layout()
    plt.show()
