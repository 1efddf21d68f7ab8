"""A plain training loop: epochs of SGD with a progress bar, evaluation and history."""
import time

from tqdm import tqdm

from . import nn
from .autograd.grad_mode import no_grad

__all__ = ["train_epoch", "evaluate", "fit"]


def train_epoch(model, loader, optimizer, loss_fn, progress=True, description="train"):
    """One pass over ``loader``; returns (mean loss, accuracy, images per second)."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    started = time.perf_counter()
    bar = tqdm(loader, desc=description, leave=False, disable=not progress, unit="batch")
    for images, labels in bar:
        optimizer.zero_grad()
        logits = model(images)
        loss = loss_fn(logits, labels)
        loss.backward()
        optimizer.step()
        n = labels.shape[0]
        total_loss += loss.item() * n
        correct += int((logits.data.argmax(1) == labels.data).sum())
        seen += n
        rate = seen / (time.perf_counter() - started)
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}", img_s=f"{rate:.0f}")
    return total_loss / seen, correct / seen, seen / (time.perf_counter() - started)


def evaluate(model, loader, loss_fn):
    """Mean loss and accuracy of ``model`` over ``loader``, in eval mode without a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with no_grad():
        for images, labels in loader:
            logits = model(images)
            n = labels.shape[0]
            total_loss += loss_fn(logits, labels).item() * n
            correct += int((logits.data.argmax(1) == labels.data).sum())
            seen += n
    return total_loss / seen, correct / seen


def fit(model, train_loader, test_loader, optimizer, epochs, scheduler=None, loss_fn=None, progress=True,
        log=print):
    """Train for ``epochs`` and evaluate after each; returns the history of losses and accuracies."""
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_accuracy": [], "test_loss": [], "test_accuracy": [], "images_per_second": []}
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        train_loss, train_acc, rate = train_epoch(model, train_loader, optimizer, loss_fn, progress,
                                                  description=f"epoch {epoch}/{epochs}")
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)
        if scheduler is not None:
            scheduler.step()
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc, rate)):
            history[key].append(float(value))
        log(f"epoch {epoch}/{epochs}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
            f"test loss {test_loss:.4f} acc {test_acc:.4f} | {rate:.0f} img/s")
    history["seconds"] = time.perf_counter() - started
    history["epochs"] = epochs
    return history
