"""The "learn the basics" sequence, in our own words: tensor attributes and ops, a custom
Dataset with a one-hot target transform and a DataLoader, a model of Flatten + Sequential
with Softmax predictions, autograd through binary_cross_entropy_with_logits, the
train/test loops with an optimizer, and saving/loading the state_dict. Digits stand in for
FashionMNIST; numbers are PyTorch's from the same weights."""

import numpy as np
from tutorial_support import digits, run_both


def tensors(torch, same_weights):
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    shape = (2, 3)
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    agg = tensor.sum()
    agg_item = agg.item()
    tensor.add_(5)
    t = torch.ones(5)
    n = t.numpy()
    np.add(n, 1, out=n)
    return (
        x_np.tolist(),
        tuple(x_rand.shape),
        str(torch.rand(shape).dtype).split(".")[-1],
        str(torch.zeros(shape).device),
        tensor[0].tolist(),
        tensor[..., -1].tolist(),
        tuple(t1.shape),
        y1.tolist(),
        y2.tolist(),
        y3.tolist(),
        z1.tolist(),
        z3.tolist(),
        agg_item,
        type(agg_item).__name__,
        t.tolist(),
        str(tensor.dtype).split(".")[-1],
    )


def digit_dataset(torch, n, target_transform=None):
    images, labels = digits(n)

    class DigitImages(torch.utils.data.Dataset):
        def __init__(self, transform=None, target_transform=None):
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(labels)

        def __getitem__(self, idx):
            image, label = torch.tensor(images[idx]), int(labels[idx])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    return DigitImages(target_transform=target_transform)


def datasets_and_loaders(torch, same_weights):
    one_hot = lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)  # noqa: E731
    data = digit_dataset(torch, 20, target_transform=one_hot)
    loader = torch.utils.data.DataLoader(data, batch_size=8, shuffle=False)
    features, targets = next(iter(loader))
    sizes = [tuple(x.size()) for x, _ in loader]
    img = features[0].squeeze()
    return tuple(features.size()), targets.tolist(), sizes, tuple(img.shape), targets.dtype == torch.float32


def network(torch):
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(8 * 8, 32),
                nn.ReLU(),
                nn.Linear(32, 32),
                nn.ReLU(),
                nn.Linear(32, 10),
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork


def build_model(torch, same_weights):
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    model = same_weights(network(torch)().to(device))
    X = torch.tensor(digits(3)[0])
    logits = model(X)
    pred_probab = torch.nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    named = [(name, tuple(param.size()), param[:2].tolist()) for name, param in model.named_parameters()]
    return device, logits.tolist(), pred_probab.tolist(), y_pred.tolist(), named, repr(model)


def autograd(torch, same_weights):
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3), requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    names = [type(z.grad_fn).__name__, type(loss.grad_fn).__name__]
    loss.backward()
    grads = w.grad.tolist(), b.grad.tolist()
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    z_det = (torch.matmul(x, w) + b).detach()
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    second = inp.grad.clone()
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    return (
        loss.item(),
        names,
        grads,
        z.requires_grad,
        z_det.requires_grad,
        first.tolist(),
        second.tolist(),
        inp.grad.tolist(),
    )


def optimization(torch, same_weights, tmp_path):
    train = torch.utils.data.DataLoader(digit_dataset(torch, 48), batch_size=16)
    test = torch.utils.data.DataLoader(digit_dataset(torch, 32), batch_size=16)
    model = same_weights(network(torch)())
    learning_rate, epochs = 1e-1, 3
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    def train_loop(dataloader, model, loss_fn, optimizer):
        model.train()
        losses = []
        for X, y in dataloader:
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        return losses

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size, num_batches = len(dataloader.dataset), len(dataloader)
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        return test_loss / num_batches, correct / size

    history = [(train_loop(train, model, loss_fn, optimizer), test_loop(test, model, loss_fn)) for _ in range(epochs)]
    path = tmp_path / f"model_weights_{torch.__name__}.pth"
    torch.save(model.state_dict(), path)
    reloaded = network(torch)()
    reloaded.load_state_dict(torch.load(path, weights_only=True))
    reloaded.eval()
    return history, test_loop(test, reloaded, loss_fn)


def test_tensors(torch):
    run_both(tensors, torch)


def test_datasets_and_loaders(torch):
    run_both(datasets_and_loaders, torch)


def test_build_model(torch):
    run_both(build_model, torch)


def test_autograd(torch):
    run_both(autograd, torch)


def test_optimization_and_save_load(torch, tmp_path):
    run_both(optimization, torch, tmp_path=tmp_path)
