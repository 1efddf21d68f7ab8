""" "What is torch.nn really?", in our own words, on the bundled 8x8 digits: a logistic
regression with hand-made weights (requires_grad_, log-softmax and NLL by hand, SGD under
no_grad with grad.zero_()), then the same refactored step by step (F.cross_entropy, an
nn.Module with nn.Parameter, nn.Linear, optim, TensorDataset and DataLoader, a fit loop with
validation), then a CNN with view, a Sequential with a Lambda layer and AdaptiveAvgPool2d.
Numbers are PyTorch's from the same initial weights."""

import math

import numpy as np
from tutorial_support import digits, run_both

N_TRAIN, N_VALID, BS, LR = 64, 32, 16, 0.5


def data(torch):
    (x_train, y_train), (x_valid, y_valid) = digits(N_TRAIN), digits(N_VALID, train=False)
    x_train, y_train, x_valid, y_valid = map(
        torch.tensor, (x_train.reshape(-1, 64), y_train, x_valid.reshape(-1, 64), y_valid)
    )
    return x_train, y_train, x_valid, y_valid


def from_scratch(torch, same_weights):
    x_train, y_train, _, _ = data(torch)
    n, c = x_train.shape
    rng = np.random.default_rng(0)
    weights = torch.tensor(rng.standard_normal((64, 10)).astype(np.float32)) / math.sqrt(64)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    loss_func = nll
    first = model(x_train[0:BS])
    history = [(loss_func(first, y_train[0:BS]).item(), accuracy(first, y_train[0:BS]).item())]
    for _ in range(2):
        for i in range((n - 1) // BS + 1):
            start_i = i * BS
            xb, yb = x_train[start_i : start_i + BS], y_train[start_i : start_i + BS]
            loss = loss_func(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * LR
                bias -= bias.grad * LR
                weights.grad.zero_()
                bias.grad.zero_()
        history.append(loss.item())
    return first[0].tolist(), history, weights.sum().item(), bias.tolist(), tuple(first.shape), c


def logistic_module(torch):
    nn = torch.nn

    class MnistLogistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(64, 10) / math.sqrt(64))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    return MnistLogistic


def refactored(torch, same_weights):
    F = torch.nn.functional
    x_train, y_train, _, _ = data(torch)
    model = same_weights(logistic_module(torch)())
    losses = []
    for i in range(N_TRAIN // BS):
        xb, yb = x_train[i * BS : (i + 1) * BS], y_train[i * BS : (i + 1) * BS]
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= p.grad * LR
            model.zero_grad()
        losses.append(loss.item())

    class MnistLinear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(64, 10)

        def forward(self, xb):
            return self.lin(xb)

    linear = same_weights(MnistLinear())
    opt = torch.optim.SGD(linear.parameters(), lr=LR)
    train_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_train, y_train), batch_size=BS)
    for xb, yb in train_dl:
        loss = F.cross_entropy(linear(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    return losses


def loss_batch(torch, model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(torch, epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for _ in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(torch, model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(torch, model, loss_func, xb, yb) for xb, yb in valid_dl])
        history.append(np.sum(np.multiply(losses, nums)) / np.sum(nums))
    return history


def get_data(torch, train_ds, valid_ds, bs):
    DataLoader = torch.utils.data.DataLoader
    return DataLoader(train_ds, batch_size=bs, shuffle=False), DataLoader(valid_ds, batch_size=bs * 2)


def cnn(torch, same_weights):
    nn, F = torch.nn, torch.nn.functional
    x_train, y_train, x_valid, y_valid = data(torch)
    TensorDataset = torch.utils.data.TensorDataset
    train_dl, valid_dl = get_data(torch, TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid), BS)

    class DigitCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 8, 8)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 1)
            return xb.view(-1, xb.size(1))

    model = same_weights(DigitCNN())
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return fit(torch, 2, model, F.cross_entropy, opt, train_dl, valid_dl)


def sequential_with_lambda(torch, same_weights):
    nn, F = torch.nn, torch.nn.functional
    x_train, y_train, x_valid, y_valid = data(torch)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x, y):
        return x.view(-1, 1, 8, 8), y

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl, self.func = dl, func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield self.func(*b)

    TensorDataset = torch.utils.data.TensorDataset
    train_dl, valid_dl = get_data(torch, TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid), BS)
    train_dl, valid_dl = WrappedDataLoader(train_dl, preprocess), WrappedDataLoader(valid_dl, preprocess)
    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    model = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    model = same_weights(model)
    model.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return fit(torch, 2, model, F.cross_entropy, opt, train_dl, valid_dl), str(dev)


def test_from_scratch(torch):
    run_both(from_scratch, torch)


def test_refactored(torch):
    run_both(refactored, torch)


def test_cnn(torch):
    run_both(cnn, torch)


def test_sequential_with_lambda(torch):
    run_both(sequential_with_lambda, torch)
