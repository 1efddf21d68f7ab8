"""The ``minigrad`` command: train a model, print its summary, draw its graph.

minigrad train lenet5 --dataset digits --epochs 15
minigrad summary vgg16 --input 3,224,224
minigrad graph resnet18 --input 3,224,224 -o r18.svg [--backward] [--depth N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

__all__ = ["main"]

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")


def _input_shape(text):
    try:
        shape = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected C,H,W such as 3,224,224, got {text!r}") from None
    if len(shape) != 3 or min(shape) <= 0:
        raise argparse.ArgumentTypeError(f"expected three positive sizes C,H,W, got {text!r}")
    return shape


def _build_model(name, **kwargs):
    from . import models

    factory = getattr(models, name, None)
    if factory is None or name.startswith("_") or not callable(factory):
        available = ", ".join(models.__all__)
        raise SystemExit(f"minigrad: unknown model {name!r}; available: {available}")
    return factory(**kwargs)


def _datasets(name, root, image_size):
    """(train, test, channels, classes) for a dataset name, with the standard transforms."""
    from . import datasets, transforms

    if name == "digits":
        # Mean and standard deviation of the training images (32x32 upscaled).
        normalize = transforms.Normalize((0.3049,), (0.3235,))
        make = lambda train: datasets.Digits(root=root, train=train, size=image_size, transform=normalize)  # noqa: E731
        return make(True), make(False), 1, 10
    if name in ("mnist", "fashion-mnist"):
        cls = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
        pipeline = transforms.Compose(
            [transforms.ToTensor(), transforms.Pad(2)] if image_size == 32 else [transforms.ToTensor()]
        )
        make = lambda train: cls(root=root, train=train, transform=pipeline)  # noqa: E731
        return make(True), make(False), 1, 10
    pipeline = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))]
    )
    make = lambda train: datasets.CIFAR10(root=root, train=train, transform=pipeline)  # noqa: E731
    return make(True), make(False), 3, 10


def cmd_train(args: argparse.Namespace) -> int:
    import minigrad

    from . import nn, optim, trainer
    from .plot import learning_curves_svg
    from .utils.data import DataLoader

    minigrad.manual_seed(args.seed)
    if args.threads:
        minigrad.set_num_threads(args.threads)
    image_size = 32 if args.model == "lenet5" or args.dataset != "digits" else args.image_size
    train_set, test_set, channels, classes = _datasets(args.dataset, args.root, image_size)
    model_kwargs = {} if args.model == "lenet5" else {"num_classes": classes}
    if args.model.startswith("alexnet"):
        model_kwargs["in_channels"] = channels
    model = _build_model(args.model, **model_kwargs)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    if args.optimizer == "adam":
        optimizer = optim.Adam(model.parameters(), lr=args.lr or 5e-3, weight_decay=args.weight_decay)
    else:
        optimizer = optim.SGD(
            model.parameters(), lr=args.lr or 0.05, momentum=args.momentum, weight_decay=args.weight_decay
        )
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    print(
        f"training {args.model} on {args.dataset}: {len(train_set)} train / {len(test_set)} test images, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters"
    )
    history = trainer.fit(
        model,
        train_loader,
        test_loader,
        optimizer,
        args.epochs,
        scheduler,
        loss_fn=nn.CrossEntropyLoss(),
        progress=not args.no_progress,
    )

    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, f"{args.model}.safetensors")
    minigrad.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epochs": args.epochs}, checkpoint)
    curves = learning_curves_svg(history, os.path.join(args.out, "learning_curves.svg"))
    metrics = {
        "test_accuracy": history["test_accuracy"][-1],
        "test_loss": history["test_loss"][-1],
        "epochs": args.epochs,
        "seconds": round(history["seconds"], 2),
    }
    print(
        f"test accuracy {metrics['test_accuracy']:.4f}, test loss {metrics['test_loss']:.4f}, "
        f"{metrics['seconds']:.1f} s"
    )
    print(f"wrote {checkpoint} and {curves}")
    if args.metrics_out:
        with open(args.metrics_out, "w") as f:
            json.dump(metrics, f, indent=2)
        print(f"wrote {args.metrics_out}")
    if args.graph:
        from .viz import draw_graph

        model.eval()
        graph = draw_graph(model, minigrad.zeros(1, channels, image_size, image_size))
        if _write_graph(graph, args.graph):
            print(f"wrote the forward graph to {args.graph}")
    return 0


def _write_graph(graph, path):
    """Render ``graph`` to ``path`` and return True; without Graphviz's ``dot``, write the
    DOT source next to it instead, say so on stderr and return False."""
    from . import viz

    try:
        viz.render(graph, path)
    except viz.GraphvizNotFoundError as error:
        dot_path = viz.render(graph, os.path.splitext(os.fspath(path))[0] + ".dot")
        print(f"minigrad: {error}\nwrote the DOT source to {dot_path} instead", file=sys.stderr)
        return False
    return True


def cmd_summary(args: argparse.Namespace) -> int:
    from .summary import summary

    model = _build_model(args.model, **({"num_classes": args.num_classes} if args.num_classes else {}))
    summary(model, (1,) + args.input, verbose=1)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    """Draw ``minigrad.models.<model>()`` (seeded, training mode) on one random input of
    shape ``(1, C, H, W)``, forward or backward, to ``--output`` (its extension picks svg,
    png, pdf or dot)."""
    import minigrad

    from . import models
    from .viz import draw_graph

    constructors = sorted(name for name in models.__all__ if name[:1].islower())
    if args.model not in constructors:
        raise ValueError(f"graph: unknown model {args.model!r}; choose one of: {', '.join(constructors)}")
    minigrad.manual_seed(0)
    model = _build_model(args.model)
    view = "backward" if args.backward else "forward"
    graph = draw_graph(model, minigrad.randn(1, *args.input), depth=args.depth, view=view)
    if _write_graph(graph, args.output):
        nodes = graph.source.count(" [label=")
        print(f"wrote the {view} graph of {args.model} ({nodes} nodes) to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minigrad", description="minigrad: train, summarize and draw models.")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model from minigrad.models on a dataset")
    train.add_argument("model", help="model name, e.g. lenet5, resnet18_cifar")
    train.add_argument("--dataset", choices=DATASETS, default="digits")
    train.add_argument("--root", default="data", help="folder of the dataset files (not needed for digits)")
    train.add_argument("--epochs", type=int, default=15)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    train.add_argument("--lr", type=float, default=None, help="default: 5e-3 for adam, 0.05 for sgd")
    train.add_argument("--momentum", type=float, default=0.9, help="sgd only")
    train.add_argument("--weight-decay", type=float, default=0.0)
    train.add_argument("--image-size", type=int, default=32, help="digits are upscaled from 8x8 to this size")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=0, help="kernel and BLAS threads (0: leave as is)")
    train.add_argument("--out", default="runs", help="folder for the checkpoint and learning curves")
    train.add_argument("--metrics-out", help="write the final metrics to this JSON file")
    train.add_argument(
        "--graph", default=os.path.join("runs", "graph.svg"), help="render the model's forward graph here ('' to skip)"
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.set_defaults(run=cmd_train)

    summ = sub.add_parser("summary", help="print a model's layer table, parameters and memory")
    summ.add_argument("model")
    summ.add_argument("--input", type=_input_shape, required=True, help="C,H,W")
    summ.add_argument("--num-classes", type=int, default=None)
    summ.set_defaults(run=cmd_summary)

    graph = sub.add_parser("graph", help="render a model's compute graph")
    graph.add_argument("model")
    graph.add_argument("--input", type=_input_shape, required=True, help="C,H,W")
    graph.add_argument("-o", "--output", required=True, help="file to write: .svg, .png, .pdf or .dot")
    graph.add_argument("--backward", action="store_true", help="draw the backward graph")
    graph.add_argument("--depth", type=int, default=None, help="collapse modules deeper than this")
    graph.set_defaults(run=cmd_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)
