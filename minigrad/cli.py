"""The ``minigrad`` command: train a model, print its summary, draw its graph.

minigrad train lenet5 --dataset digits --epochs 15
minigrad summary vgg16 --input 3,224,224
minigrad graph resnet18 --input 3,224,224 -o r18.svg [--backward] [--depth N]
minigrad export lenet5 -o lenet5.onnx [--checkpoint runs/lenet5.safetensors] [--input 1,32,32]

Exit status: 0 on success; 2 for a bad command line, with the one line
``minigrad <command>: error: ...`` on stderr (argparse's convention). Everything that
can be checked before the work starts is: argument ranges, the model name, that the
model takes the input (a forward pass on one zero image), the output folders, the
dataset files and their labels. 1 when training stops because the loss became NaN or
infinite (nothing is saved).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from typing import Sequence

from .parallel import MAX_THREADS  # --threads is refused past what set_num_threads takes

__all__ = ["main"]

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
MAX_INPUT_VALUES = 2**22  # C*H*W of --input: 3,1024,1024 fits; more would exhaust memory
MAX_IMAGE_SIZE = 256  # --image-size (digits are upscaled from 8x8)
MAX_CLASSES = 100_000


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose errors are one line, ``minigrad <command>: error: ...``, without the usage."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


# ---- argument types (argparse prefixes their errors with "argument --name: ") --------------------


def _int_in(low, high=None):
    """An argparse type: an int in [low, high]."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < low or (high is not None and value > high):
            wanted = f"at least {low}" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"expected an integer {wanted}, got {text!r}")
        return value

    return parse


def _float_at_least(low, inclusive):
    """An argparse type: a finite float >= low (> low unless ``inclusive``)."""

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
        if not math.isfinite(value) or value < low or (value == low and not inclusive):
            wanted = "a non-negative" if inclusive else "a positive"
            raise argparse.ArgumentTypeError(f"expected {wanted} finite number, got {text!r}")
        return value

    return parse


def _input_shape(text):
    try:
        shape = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected C,H,W such as 3,224,224, got {text!r}") from None
    if len(shape) != 3 or min(shape) <= 0:
        raise argparse.ArgumentTypeError(f"expected three positive sizes C,H,W, got {text!r}")
    if math.prod(shape) > MAX_INPUT_VALUES:
        raise argparse.ArgumentTypeError(f"C*H*W must be at most {MAX_INPUT_VALUES:,} (e.g. 3,1024,1024), got {text!r}")
    return shape


def _model_names():
    from . import models

    return sorted(name for name in models.__all__ if name[:1].islower())


def _model_name(text):
    if text not in _model_names():
        raise argparse.ArgumentTypeError(f"unknown model {text!r}; choose one of: {', '.join(_model_names())}")
    return text


# ---- checks that need the file system, the data or the model ---------------------------------------


def _check_folder(args, option, folder):
    """Refuse (exit 2) unless files can be created in ``folder``."""
    if not os.path.isdir(folder):
        args.parser.error(f"argument {option}: the folder {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        args.parser.error(f"argument {option}: cannot write to {folder} ({e.strerror})")


def _check_output_file(args, option, path, formats=None):
    """Refuse (exit 2) an output file that is a folder, lies in a missing or read-only folder,
    or whose extension is not one of ``formats`` (when given; no extension and .gv also pass,
    as ``viz.render`` reads them as svg and dot)."""
    if os.path.isdir(path):
        args.parser.error(f"argument {option}: {path} is a folder; expected a file name")
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    if formats is not None and extension not in (*formats, "gv", ""):
        args.parser.error(
            f"argument {option}: the file must end in {', '.join('.' + f for f in formats)}, got {path!r}"
        )
    _check_folder(args, option, os.path.dirname(os.path.abspath(path)))


def _check_input(args, model, shape):
    """Run ``model`` on one zero image of ``shape`` (C, H, W) and refuse (exit 2) a shape it cannot take."""
    import minigrad

    was_training = model.training
    model.eval()
    try:
        with minigrad.no_grad():
            model(minigrad.zeros(1, *shape))
    except (RuntimeError, ValueError) as e:
        args.parser.error(f"{args.model} cannot take an input of shape {','.join(map(str, shape))}: {e}")
    finally:
        model.train(was_training)


def _check_labels(args, name, dataset, classes):
    """Refuse (exit 2) an empty dataset or labels outside [0, classes)."""
    import numpy as np

    if len(dataset) == 0:
        args.parser.error(f"the {name} set of {args.dataset} is empty")
    labels = np.asarray(dataset.targets)
    if labels.min() < 0 or labels.max() >= classes:
        args.parser.error(
            f"the {name} set of {args.dataset} has labels from {labels.min()} to {labels.max()}; "
            f"expected 0 to {classes - 1} (corrupt label file?)"
        )


def _build_model(name, **kwargs):
    from . import models

    return getattr(models, name)(**kwargs)


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

    # Everything that can fail is checked before the first step.
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        args.parser.error(f"argument --out: cannot create the folder {args.out} ({e.strerror})")
    _check_folder(args, "--out", args.out)
    graph_path = os.path.join(args.out, "graph.svg") if args.graph is None else args.graph
    if graph_path:
        from .viz.render import FORMATS

        _check_output_file(args, "--graph", graph_path, FORMATS)
    if args.metrics_out:
        _check_output_file(args, "--metrics-out", args.metrics_out)
    image_size = 32 if args.model == "lenet5" or args.dataset != "digits" else args.image_size
    try:
        train_set, test_set, channels, classes = _datasets(args.dataset, args.root, image_size)
    except (OSError, RuntimeError) as e:
        args.parser.error(str(e))
    _check_labels(args, "training", train_set, classes)
    _check_labels(args, "test", test_set, classes)
    minigrad.manual_seed(args.seed)
    if args.threads:
        minigrad.set_num_threads(args.threads)
    model = _build_model(args.model, in_channels=channels, num_classes=classes)
    _check_input(args, model, tuple(train_set[0][0].shape))

    trained, fit_options, main_rank = model, {}, True
    if args.distributed:
        model, train_loader, test_loader, fit_options, main_rank = _distribute(args, model, train_set, test_set)
    else:
        train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
        test_loader = DataLoader(test_set, batch_size=256)
    if args.optimizer == "adam":
        lr = 5e-3 if args.lr is None else args.lr
        optimizer = optim.Adam(model.parameters(), lr=lr, weight_decay=args.weight_decay)
    else:
        lr = 0.05 if args.lr is None else args.lr
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=args.momentum, weight_decay=args.weight_decay)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    if main_rank:
        print(
            f"training {args.model} on {args.dataset}: {len(train_set)} train / {len(test_set)} test images, "
            f"{sum(p.numel() for p in model.parameters()):,} parameters"
        )
    try:
        history = trainer.fit(
            model,
            train_loader,
            test_loader,
            optimizer,
            args.epochs,
            scheduler,
            loss_fn=nn.CrossEntropyLoss(),
            progress=not args.no_progress and main_rank,
            **fit_options,
        )
    except FloatingPointError as e:
        print(f"{args.parser.prog}: stopped: {e}; nothing was saved (a lower --lr may help)", file=sys.stderr)
        return 1
    if not main_rank:
        return 0

    checkpoint = os.path.join(args.out, f"{args.model}.safetensors")
    minigrad.save(
        {"model": trained.state_dict(), "optimizer": optimizer.state_dict(), "epochs": args.epochs}, checkpoint
    )
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
    if graph_path:
        from .viz import draw_graph

        trained.eval()
        graph = draw_graph(trained, minigrad.zeros(1, channels, image_size, image_size))
        if _write_graph(graph, graph_path):
            print(f"wrote the forward graph to {graph_path}")
    return 0


def _distribute(args, model, train_set, test_set):
    """``--distributed``: join the MPI ranks, wrap ``model`` in DistributedDataParallel and
    shard both datasets; returns (model, train loader, test loader, options of trainer.fit,
    whether this is rank 0).

    Each rank trains on its shard with ``--batch-size`` images a batch; only rank 0 logs and
    shows progress; each epoch's losses and accuracies are averaged over the ranks and
    their images per second added up.
    """
    import minigrad

    from . import distributed as dist
    from .nn.parallel import DistributedDataParallel
    from .utils.data import DataLoader
    from .utils.data.distributed import DistributedSampler

    try:
        dist.init_process_group(backend="mpi")
    except RuntimeError as e:
        args.parser.error(f"argument --distributed: {e}")
    world = dist.get_world_size()

    def stop_every_rank(kind, error, traceback):
        """An exception on one rank ends the whole job instead of leaving the others waiting."""
        sys.__excepthook__(kind, error, traceback)
        dist._mpi().COMM_WORLD.Abort(1)

    sys.excepthook = stop_every_rank
    train_sampler = DistributedSampler(train_set, shuffle=True, seed=args.seed)
    test_sampler = DistributedSampler(test_set, shuffle=False)

    class EpochLoader(DataLoader):
        """Reshuffles the shards at each epoch (DistributedSampler.set_epoch)."""

        epoch = 0

        def __iter__(self):
            train_sampler.set_epoch(self.epoch)
            self.epoch += 1
            return super().__iter__()

    def reduce_metrics(values):
        totals = minigrad.tensor(values, dtype=minigrad.float64)
        dist.all_reduce(totals)
        return [*(totals[:4] / world).tolist(), totals[4].item()]

    def log(message):
        if dist.get_rank() == 0:
            print(message)

    train_loader = EpochLoader(train_set, batch_size=args.batch_size, sampler=train_sampler)
    test_loader = DataLoader(test_set, batch_size=256, sampler=test_sampler)
    log(f"distributed over {world} MPI ranks, {args.batch_size} images a batch on each")
    fit_options = {"log": log, "reduce_metrics": reduce_metrics}
    return DistributedDataParallel(model), train_loader, test_loader, fit_options, dist.get_rank() == 0


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
    _check_input(args, model, args.input)
    summary(model, (1,) + args.input, verbose=1)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    """Draw ``minigrad.models.<model>()`` (seeded, training mode) on one random input of
    shape ``(1, C, H, W)``, forward or backward, to ``--output`` (its extension picks svg,
    png, pdf or dot)."""
    import minigrad

    from .viz import draw_graph
    from .viz.render import FORMATS

    _check_output_file(args, "--output", args.output, FORMATS)
    minigrad.manual_seed(0)
    model = _build_model(args.model)
    _check_input(args, model, args.input)
    view = "backward" if args.backward else "forward"
    graph = draw_graph(model, minigrad.randn(1, *args.input), depth=args.depth, view=view)
    if _write_graph(graph, args.output):
        nodes = graph.source.count(" [label=")
        print(f"wrote the {view} graph of {args.model} ({nodes} nodes) to {args.output}")
    return 0


# The input a zoo model is built for, where --input is not given: (C, H, W).
_DEFAULT_INPUTS = {"lenet5": (1, 32, 32), "resnet18_cifar": (3, 32, 32)}


def _checkpoint_state(args):
    """The model state dict in ``--checkpoint``: what ``minigrad train`` saved (its ``model`` entry) or a
    flat state dict (a ``weights=`` file); refuse (exit 2) a missing or unreadable file."""
    import minigrad

    if not os.path.isfile(args.checkpoint):
        args.parser.error(f"argument --checkpoint: no such file {args.checkpoint}")
    try:
        state = minigrad.load(args.checkpoint)
    except Exception as e:  # any unreadable file is a bad command line
        args.parser.error(f"argument --checkpoint: cannot read {args.checkpoint} ({e})")
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    if not isinstance(state, dict) or not state:
        args.parser.error(f"argument --checkpoint: {args.checkpoint} holds no state dict")
    return state


def _classes_in(model, state):
    """The number of classes ``state`` was trained for: the output size of the model's last Linear layer."""
    from . import nn

    name = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)][-1]
    weight = state.get(f"{name}.weight")
    return None if weight is None else int(weight.shape[0])


def cmd_export(args: argparse.Namespace) -> int:
    """Export ``minigrad.models.<model>()`` (with ``--checkpoint``'s weights) to ONNX, batch axis dynamic."""
    import minigrad

    try:
        from . import onnx as minigrad_onnx
    except ImportError as e:
        args.parser.error(f"the onnx package is needed ({e}); install it with pip install 'minigrad[onnx]'")
    _check_output_file(args, "--output", args.output)
    shape = args.input or _DEFAULT_INPUTS.get(args.model, (3, 224, 224))
    minigrad.manual_seed(0)
    model = _build_model(args.model, in_channels=shape[0])
    if args.checkpoint is not None:
        state = _checkpoint_state(args)
        classes = _classes_in(model, state)
        if classes is not None:
            model = _build_model(args.model, in_channels=shape[0], num_classes=classes)
        try:
            model.load_state_dict(state)
        except (RuntimeError, KeyError) as e:
            args.parser.error(f"argument --checkpoint: {args.checkpoint} does not fit {args.model}: {e}")
    _check_input(args, model, shape)
    names = {"input": [0], "output": [0]}
    minigrad_onnx.export(model, minigrad.zeros(1, *shape), args.output, dynamic_axes=names)
    print(f"wrote {args.model} (input N,{','.join(map(str, shape))}, batch dynamic) to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="minigrad", description="minigrad: train, summarize and draw models.")
    sub = parser.add_subparsers(dest="command", required=True)
    model_help = "a model constructor from minigrad.models, e.g. lenet5, resnet18_cifar, vgg16"

    train = sub.add_parser("train", help="train a model from minigrad.models on a dataset")
    train.add_argument("model", type=_model_name, help=model_help)
    train.add_argument("--dataset", choices=DATASETS, default="digits")
    train.add_argument("--root", default="data", help="folder of the dataset files (not needed for digits)")
    train.add_argument("--epochs", type=_int_in(1), default=15)
    train.add_argument("--batch-size", type=_int_in(1), default=32)
    train.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    lr_help = "default: 5e-3 for adam, 0.05 for sgd"
    train.add_argument("--lr", type=_float_at_least(0.0, inclusive=False), default=None, help=lr_help)
    train.add_argument("--momentum", type=_float_at_least(0.0, inclusive=True), default=0.9, help="sgd only")
    train.add_argument("--weight-decay", type=_float_at_least(0.0, inclusive=True), default=0.0)
    train.add_argument(
        "--image-size",
        type=_int_in(1, MAX_IMAGE_SIZE),
        default=32,
        help=f"digits are upscaled from 8x8 to this size (at most {MAX_IMAGE_SIZE})",
    )
    train.add_argument("--seed", type=_int_in(0), default=0)
    threads_help = "kernel and BLAS threads (0: leave as is)"
    train.add_argument("--threads", type=_int_in(0, MAX_THREADS), default=0, help=threads_help)
    train.add_argument("--out", default="runs", help="folder for the checkpoint and learning curves (created)")
    train.add_argument("--metrics-out", help="write the final metrics to this JSON file")
    graph_help = "render the model's forward graph here (default: OUT/graph.svg; '' to skip)"
    train.add_argument("--graph", default=None, help=graph_help)
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    distributed_help = "data-parallel over the MPI ranks: mpiexec -n 2 minigrad train ... --distributed"
    train.add_argument("--distributed", action="store_true", help=distributed_help)
    train.set_defaults(run=cmd_train, parser=train)

    summ = sub.add_parser("summary", help="print a model's layer table, parameters and memory")
    summ.add_argument("model", type=_model_name, help=model_help)
    summ.add_argument("--input", type=_input_shape, required=True, help="C,H,W")
    summ.add_argument("--num-classes", type=_int_in(1, MAX_CLASSES), default=None)
    summ.set_defaults(run=cmd_summary, parser=summ)

    graph = sub.add_parser("graph", help="render a model's compute graph")
    graph.add_argument("model", type=_model_name, help=model_help)
    graph.add_argument("--input", type=_input_shape, required=True, help="C,H,W")
    graph.add_argument("-o", "--output", required=True, help="file to write: .svg, .png, .pdf or .dot")
    graph.add_argument("--backward", action="store_true", help="draw the backward graph")
    graph.add_argument("--depth", type=_int_in(1), default=None, help="collapse modules deeper than this")
    graph.set_defaults(run=cmd_graph, parser=graph)

    export = sub.add_parser("export", help="write a model as ONNX (needs the onnx extra)")
    export.add_argument("model", type=_model_name, help=model_help)
    export.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    export.add_argument("--checkpoint", default=None, help="weights: a minigrad train checkpoint or a state dict file")
    export.add_argument("--input", type=_input_shape, default=None, help="C,H,W (default: the model's usual input)")
    export.set_defaults(run=cmd_export, parser=export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``minigrad`` command on ``argv`` (default: ``sys.argv[1:]``) and return its exit
    status; a bad command line exits with status 2 (SystemExit) before any work starts."""
    args = build_parser().parse_args(argv)
    return args.run(args)
