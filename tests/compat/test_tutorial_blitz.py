"""The 60-minute blitz, in our own words: tensors (numpy bridge, in-place ops, slicing),
autograd (a scalar out, a vector-Jacobian product, no_grad), the LeNet-style network
(parameters, zero_grad, a backward with a given gradient, MSELoss and its grad_fn chain, the
manual update through .data, SGD) and the CIFAR-10 classifier (a Dataset built by hand,
DataLoader, CrossEntropyLoss, SGD with momentum, torch.max predictions, per-class accuracy,
saving and loading the state_dict), and the newer autograd page (backward(gradient=...), freezing
parameters and replacing the head). Numbers are PyTorch's from the same weights."""

import numpy as np
from tutorial_support import run_both


def tensors(torch, same_weights):
    x = torch.tensor([[1, 2], [3, 4]])
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    from_np = torch.from_numpy(arr)
    ones = torch.ones_like(x)
    r = torch.rand_like(x, dtype=torch.float)
    y = torch.zeros(5, 3, dtype=torch.long)
    z = torch.empty(5, 3).new_ones(5, 3, dtype=torch.double)
    z.add_(torch.full((5, 3), 2.0, dtype=torch.double))
    result = torch.empty(5, 3, dtype=torch.double)
    torch.add(z, z, out=result)
    shared = torch.ones(5)
    view = shared.numpy()
    shared.add_(1)
    resized = torch.arange(16.0).view(4, 4).view(-1, 8)
    one = torch.tensor([2.5])
    return (
        x.tolist(),
        from_np.sum().item(),
        ones.dtype == torch.int64,
        tuple(r.shape),
        y.size() == (5, 3),
        result[:, 1].tolist(),
        view.tolist(),
        resized.size(),
        one.item(),
        torch.is_tensor(x),
    )


def autograd(torch, same_weights):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    names = [type(y.grad_fn).__name__, type(out.grad_fn).__name__]
    a = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
    a = (a * 3) / (a - 1)
    before = a.requires_grad
    a.requires_grad_(True)
    b = (a * a).sum()
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    u = w * 2
    while u.data.norm() < 100:
        u = u * 2
    u.backward(v)
    with torch.no_grad():
        inside = (w**2).requires_grad
    return x.grad.tolist(), names, before, b.grad_fn is not None, w.grad.tolist(), inside, w.detach().requires_grad


def lenet(torch):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 3)
            self.conv2 = nn.Conv2d(6, 16, 3)
            self.fc1 = nn.Linear(16 * 6 * 6, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

        def num_flat_features(self, x):
            n = 1
            for s in x.size()[1:]:
                n *= s
            return n

    return Net


def neural_network(torch, same_weights):
    net = same_weights(lenet(torch)())
    params = list(net.parameters())
    rng = np.random.default_rng(0)
    inp = torch.tensor(rng.standard_normal((1, 1, 32, 32)).astype(np.float32))
    out = net(inp)
    net.zero_grad()
    out.backward(torch.tensor(rng.standard_normal((1, 10)).astype(np.float32)))
    conv1_bias_grad = net.conv1.bias.grad.clone()
    target = torch.tensor(rng.standard_normal(10).astype(np.float32)).view(1, -1)
    criterion = torch.nn.MSELoss()
    loss = criterion(net(inp), target)
    chain = [type(loss.grad_fn).__name__, type(loss.grad_fn.next_functions[0][0]).__name__]
    chain.append(type(loss.grad_fn.next_functions[0][0].next_functions[0][0]).__name__)
    net.zero_grad()
    before = net.conv1.bias.grad
    loss.backward()
    after = net.conv1.bias.grad.tolist()
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = criterion(net(inp), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return (
        len(params),
        params[0].size(),
        out.tolist(),
        conv1_bias_grad.tolist(),
        chain,
        before is None or float(before.abs().sum()) == 0.0,
        after,
        losses,
    )


def cifar_like(torch, n=24):
    """A small CIFAR-shaped Dataset built by hand: 3x32x32 images scaled to [-1, 1]."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (n, 32, 32, 3)).astype(np.uint8)
    labels = rng.integers(0, 10, n)

    class Pictures(torch.utils.data.Dataset):
        def __len__(self):
            return n

        def __getitem__(self, i):
            x = torch.from_numpy(images[i].transpose(2, 0, 1).astype(np.float32) / 255)
            return (x - 0.5) / 0.5, int(labels[i])

    return Pictures()


def cifar_classifier(torch, same_weights, tmp_path):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    trainloader = torch.utils.data.DataLoader(cifar_like(torch), batch_size=4, shuffle=False, num_workers=0)
    net = same_weights(Net())
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    running = []
    for _ in range(2):
        running_loss = 0.0
        for data in trainloader:
            inputs, labels = data
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        running.append(running_loss)
    path = str(tmp_path / f"cifar_net_{torch.__name__}.pth")
    torch.save(net.state_dict(), path)
    net = Net()
    net.load_state_dict(torch.load(path, weights_only=True))
    correct = total = 0
    correct_pred = {name: 0 for name in classes}
    with torch.no_grad():
        for images, labels in trainloader:
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            for label, prediction in zip(labels, predicted):
                if label == prediction:
                    correct_pred[classes[label]] += 1
    return running, correct, total, correct_pred


def test_tensors(torch):
    run_both(tensors, torch)


def test_autograd(torch):
    run_both(autograd, torch)


def test_neural_network(torch):
    run_both(neural_network, torch)


def test_cifar_classifier(torch, tmp_path):
    run_both(cifar_classifier, torch, tmp_path=tmp_path)


def gradient_keyword_and_freezing(torch, same_weights):
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    Q.backward(gradient=torch.tensor([1.0, 1.0]))
    checks = (9 * a**2 == a.grad).tolist(), (-2 * b == b.grad).tolist()
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    model = same_weights(model)
    for param in model.parameters():
        param.requires_grad = False
    model.fc = same_weights(torch.nn.Linear(4, 5))  # a new head; on a Sequential it runs last
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    data = torch.tensor(np.random.default_rng(3).random((1, 3, 8, 8), dtype=np.float32))
    before = model[0].weight.clone()
    loss = (model(data) - 0.5).sum()
    loss.backward()
    optimizer.step()
    return (
        checks,
        loss.item(),
        model.fc.weight.tolist(),
        bool((model[0].weight == before).all()),
        model[0].weight.grad is None,
    )


def test_gradient_keyword_and_fine_tuning(torch):
    run_both(gradient_keyword_and_freezing, torch)
