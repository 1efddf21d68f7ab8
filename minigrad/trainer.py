"""A plain training loop: epochs of SGD with a progress bar, evaluation and history."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Iterable

from tqdm import tqdm

from . import nn
from .autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from .optim import Optimizer
    from .optim.lr_scheduler import LRScheduler
    from .tensor import Tensor

    LossFn = Callable[[Tensor, Tensor], Tensor]

__all__ = ["train_epoch", "evaluate", "fit"]


def train_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    optimizer: Optimizer,
    loss_fn: LossFn,
    progress: bool = True,
    description: str = "train",
) -> tuple[float, float, float]:
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
        correct += int((logits._array.argmax(1) == labels._array).sum())
        seen += n
        rate = seen / (time.perf_counter() - started)
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}", img_s=f"{rate:.0f}")
    return total_loss / seen, correct / seen, seen / (time.perf_counter() - started)


def evaluate(model: nn.Module, loader: Iterable[tuple[Tensor, Tensor]], loss_fn: LossFn) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` over ``loader``, in eval mode without a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with no_grad():
        for images, labels in loader:
            logits = model(images)
            n = labels.shape[0]
            total_loss += loss_fn(logits, labels).item() * n
            correct += int((logits._array.argmax(1) == labels._array).sum())
            seen += n
    return total_loss / seen, correct / seen


def fit(
    model: nn.Module,
    train_loader: Iterable[tuple[Tensor, Tensor]],
    test_loader: Iterable[tuple[Tensor, Tensor]],
    optimizer: Optimizer,
    epochs: int,
    scheduler: LRScheduler | None = None,
    loss_fn: LossFn | None = None,
    progress: bool = True,
    log: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Train for ``epochs`` and evaluate after each; returns the history of losses and accuracies."""
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_accuracy": [], "test_loss": [], "test_accuracy": [], "images_per_second": []}
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        train_loss, train_acc, rate = train_epoch(
            model, train_loader, optimizer, loss_fn, progress, description=f"epoch {epoch}/{epochs}"
        )
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)
        if scheduler is not None:
            scheduler.step()
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc, rate)):
            history[key].append(float(value))
        log(
            f"epoch {epoch}/{epochs}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
            f"test loss {test_loss:.4f} acc {test_acc:.4f} | {rate:.0f} img/s"
        )
    history["seconds"] = time.perf_counter() - started
    history["epochs"] = epochs
    return history
