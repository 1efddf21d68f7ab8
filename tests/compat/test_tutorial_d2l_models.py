"""The d2l textbook's CNN architectures, in our own words and shrunk: LeNet as an
nn.Sequential of Lazy layers with the layer-by-layer shape loop, AlexNet, VGG blocks, NiN
blocks, a ResNet Residual block with use_1x1conv, and batch normalization from scratch
(moving_mean / moving_var, torch.is_grad_enabled) inside LeNet; models are initialized the
book's way (a dry run, then net.apply with nn.init.xavier_uniform_). Outputs, a few SGD
steps and the running statistics are PyTorch's from the same weights; dropout layers are
compared in eval mode."""

import numpy as np
from tutorial_support import run_both


def init_cnn(torch):
    nn = torch.nn

    def init(module):
        if type(module) == nn.Linear or type(module) == nn.Conv2d:  # noqa: E721  (the book's test)
            nn.init.xavier_uniform_(module.weight)

    return init


def shape_walk(torch, net, X):
    lines = []
    for layer in net:
        X = layer(X)
        lines.append(f"{layer.__class__.__name__} output shape:\t{X.shape}".replace(torch.__name__, "torch"))
    return lines


def prepared(torch, same_weights, net, shape):
    """The book's apply_init: a dry run on an input of ``shape``, xavier init, then PyTorch's weights.

    The dry run is under no_grad so that the from-scratch batch norm keeps its initial moving
    statistics (else they would depend on each library's own initial weights)."""
    with torch.no_grad():
        net(torch.zeros(shape))
    net.apply(init_cnn(torch))
    return same_weights(net)


def inputs(torch, shape, seed=0):
    return torch.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def train_steps(torch, net, X, y, steps=3, lr=0.1):
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def lenet(torch, same_weights):
    nn = torch.nn
    net = nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5, padding=2),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(120),
        nn.Sigmoid(),
        nn.LazyLinear(84),
        nn.Sigmoid(),
        nn.LazyLinear(10),
    )
    net = prepared(torch, same_weights, net, (1, 1, 28, 28))
    X = inputs(torch, (4, 1, 28, 28))
    return shape_walk(torch, net, X[:1]), train_steps(torch, net, X, torch.tensor([0, 1, 2, 3]))


def alexnet(torch, same_weights):
    nn = torch.nn
    net = nn.Sequential(
        nn.LazyConv2d(8, kernel_size=9, stride=4, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(16, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(24, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.LazyConv2d(24, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.LazyConv2d(16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.LazyLinear(32),
        nn.ReLU(),
        nn.Dropout(p=0.5),
        nn.LazyLinear(32),
        nn.ReLU(),
        nn.Dropout(p=0.5),
        nn.LazyLinear(10),
    )
    net = prepared(torch, same_weights, net, (1, 1, 96, 96))
    net.eval()
    X = inputs(torch, (2, 1, 96, 96))
    return shape_walk(torch, net, X[:1]), train_steps(torch, net, X, torch.tensor([3, 7]), lr=0.01)


def vgg(torch, same_weights):
    nn = torch.nn

    def vgg_block(num_convs, out_channels):
        layers = []
        for _ in range(num_convs):
            layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
            layers.append(nn.ReLU())
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        return nn.Sequential(*layers)

    arch = ((1, 4), (1, 8), (2, 8))
    conv_blks = [vgg_block(num_convs, out_channels) for (num_convs, out_channels) in arch]
    net = nn.Sequential(
        *conv_blks,
        nn.Flatten(),
        nn.LazyLinear(32),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.LazyLinear(10),
    )
    net = prepared(torch, same_weights, net, (1, 1, 16, 16))
    net.eval()
    X = inputs(torch, (2, 1, 16, 16))
    return shape_walk(torch, net, X[:1]), train_steps(torch, net, X, torch.tensor([1, 9]))


def nin(torch, same_weights):
    nn = torch.nn

    def nin_block(out_channels, kernel_size, strides, padding):
        return nn.Sequential(
            nn.LazyConv2d(out_channels, kernel_size, strides, padding),
            nn.ReLU(),
            nn.LazyConv2d(out_channels, kernel_size=1),
            nn.ReLU(),
            nn.LazyConv2d(out_channels, kernel_size=1),
            nn.ReLU(),
        )

    net = nn.Sequential(
        nin_block(8, kernel_size=5, strides=2, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(16, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(10, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
    )
    net = prepared(torch, same_weights, net, (1, 1, 32, 32))
    net.eval()
    X = inputs(torch, (2, 1, 32, 32))
    return shape_walk(torch, net, X[:1]), train_steps(torch, net, X, torch.tensor([4, 5]))


def residual_class(torch):
    nn, F = torch.nn, torch.nn.functional

    class Residual(nn.Module):
        def __init__(self, num_channels, use_1x1conv=False, strides=1):
            super().__init__()
            self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
            self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
            self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
            self.bn1 = nn.LazyBatchNorm2d()
            self.bn2 = nn.LazyBatchNorm2d()

        def forward(self, X):
            Y = F.relu(self.bn1(self.conv1(X)))
            Y = self.bn2(self.conv2(Y))
            if self.conv3:
                X = self.conv3(X)
            Y += X
            return F.relu(Y)

    return Residual


def resnet(torch, same_weights):
    nn = torch.nn
    Residual = residual_class(torch)
    X = inputs(torch, (4, 3, 6, 6))
    same = Residual(3)
    shapes = [tuple(same(X).shape), tuple(Residual(6, use_1x1conv=True, strides=2)(X).shape)]

    def block(num_residuals, num_channels, first_block=False):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(num_channels))
        return nn.Sequential(*blk)

    net = nn.Sequential(
        nn.Sequential(
            nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3),
            nn.LazyBatchNorm2d(),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        ),
        block(2, 8, first_block=True),
        block(2, 16),
        nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(10)),
    )
    net = prepared(torch, same_weights, net, (2, 1, 32, 32))
    X = inputs(torch, (4, 1, 32, 32), seed=1)
    losses = train_steps(torch, net, X, torch.tensor([0, 1, 2, 3]), lr=0.05)
    net.eval()
    with torch.no_grad():
        out = net(X)
    return shapes, shape_walk(torch, net, X[:1]), losses, out.tolist(), net[0][1].running_mean.tolist()


def batch_norm_from_scratch(torch, same_weights):
    nn = torch.nn

    def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
        if not torch.is_grad_enabled():
            X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        else:
            assert len(X.shape) in (2, 4)
            if len(X.shape) == 2:
                mean = X.mean(dim=0)
                var = ((X - mean) ** 2).mean(dim=0)
            else:
                mean = X.mean(dim=(0, 2, 3), keepdim=True)
                var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
            X_hat = (X - mean) / torch.sqrt(var + eps)
            moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
            moving_var = (1.0 - momentum) * moving_var + momentum * var
        Y = gamma * X_hat + beta
        return Y, moving_mean.data, moving_var.data

    class BatchNorm(nn.Module):
        def __init__(self, num_features, num_dims):
            super().__init__()
            shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
            self.gamma = nn.Parameter(torch.ones(shape))
            self.beta = nn.Parameter(torch.zeros(shape))
            self.moving_mean = torch.zeros(shape)
            self.moving_var = torch.ones(shape)

        def forward(self, X):
            if self.moving_mean.device != X.device:
                self.moving_mean = self.moving_mean.to(X.device)
                self.moving_var = self.moving_var.to(X.device)
            Y, self.moving_mean, self.moving_var = batch_norm(
                X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.1
            )
            return Y

    net = nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5),
        BatchNorm(6, num_dims=4),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5),
        BatchNorm(16, num_dims=4),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(32),
        BatchNorm(32, num_dims=2),
        nn.Sigmoid(),
        nn.LazyLinear(10),
    )
    net = prepared(torch, same_weights, net, (2, 1, 28, 28))
    X = inputs(torch, (4, 1, 28, 28), seed=2)
    losses = train_steps(torch, net, X, torch.tensor([5, 6, 7, 8]))
    with torch.no_grad():
        out = net(X)
    return losses, out.tolist(), net[1].moving_mean.reshape((-1,)).tolist(), net[10].moving_var.reshape((-1,)).tolist()


def test_lenet(torch):
    run_both(lenet, torch)


def test_alexnet(torch):
    run_both(alexnet, torch)


def test_vgg(torch):
    run_both(vgg, torch)


def test_nin(torch):
    run_both(nin, torch)


def test_resnet(torch):
    run_both(resnet, torch)


def test_batch_norm_from_scratch(torch):
    run_both(batch_norm_from_scratch, torch)
