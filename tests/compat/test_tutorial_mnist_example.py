"""The pytorch/examples MNIST script, in our own words and shrunk to the bundled 8x8 digits:
argparse options, manual_seed, the device choice through torch.accelerator, a Net of two
convolutions, max pooling, dropout and two Linear layers ending in log_softmax, nll_loss,
Adadelta with StepLR, the train and test functions (argmax(dim=1, keepdim=True),
eq(view_as).sum().item()), and saving the state_dict. Dropout draws differ between the
libraries, so the comparison runs with p=0 and a second run checks that real dropout trains."""

import argparse

import numpy as np
from tutorial_support import digits, run_both


def make_net(torch, p1, p2):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, 1)
            self.conv2 = nn.Conv2d(8, 16, 3, 1)
            self.dropout1 = nn.Dropout(p1)
            self.dropout2 = nn.Dropout(p2)
            self.fc1 = nn.Linear(64, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    return Net()


def train(torch, args, model, device, train_loader, optimizer, epoch):
    model.train()
    losses = []
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = torch.nn.functional.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            losses.append(
                f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}"
                f" ({100.0 * batch_idx / len(train_loader):.0f}%)]\tLoss: {loss.item():.4f}"
            )
            if args.dry_run:
                break
    return losses


def evaluate(torch, model, device, test_loader):  # the script's test(); renamed so pytest does not collect it
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += torch.nn.functional.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    return test_loss, correct


def main(torch, same_weights, argv, tmp_path, p1=0.0, p2=0.0):
    parser = argparse.ArgumentParser(description="digits example")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--test-batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--no-accel", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=2)
    parser.add_argument("--save-model", action="store_true")
    args = parser.parse_args(argv)
    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
    train_kwargs = {"batch_size": args.batch_size}
    test_kwargs = {"batch_size": args.test_batch_size}
    if use_accel:
        train_kwargs.update({"num_workers": 1, "pin_memory": True, "shuffle": True})

    def dataset(train):
        images, labels = digits(96 if train else 64, train=train)
        mean, std = float(images.mean()), float(images.std())
        xs = (torch.from_numpy(images) - mean) / std
        return torch.utils.data.TensorDataset(xs, torch.from_numpy(labels))

    train_loader = torch.utils.data.DataLoader(dataset(True), **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset(False), **test_kwargs)
    model = same_weights(make_net(torch, p1, p2)).to(device)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=args.gamma)
    log = []
    for epoch in range(1, args.epochs + 1):
        log.append(train(torch, args, model, device, train_loader, optimizer, epoch))
        log.append(evaluate(torch, model, device, test_loader))
        scheduler.step()
    if args.save_model:
        torch.save(model.state_dict(), tmp_path / f"digits_cnn_{torch.__name__}.pt")
    return log, scheduler.get_last_lr()


def test_same_numbers_as_pytorch(torch, tmp_path):
    run_both(main, torch, argv=["--save-model"], tmp_path=tmp_path)


def test_dry_run(torch, tmp_path):
    run_both(main, torch, argv=["--dry-run", "--epochs", "1"], tmp_path=tmp_path)


def test_trains_with_dropout(tmp_path):
    import minigrad

    log, _ = main(minigrad, lambda m: m, ["--save-model", "--epochs", "3"], tmp_path, p1=0.25, p2=0.5)
    losses = [test_loss for test_loss, _ in log[1::2]]
    assert losses[-1] < losses[0]
    state = minigrad.load(tmp_path / "digits_cnn_minigrad.pt")
    assert sorted(state) == sorted(make_net(minigrad, 0.25, 0.5).state_dict())
    assert np.isfinite(losses).all()
