"""Bad command lines: one line on stderr, exit status 2, before any training; a diverging run exits 1."""

import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import cli, nn, optim, trainer


def _write_idx(path, array):
    """Write ``array`` (uint8) as an IDX file, the MNIST format."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A working folder (the default ``runs`` output lands in it) with broken dataset folders."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("not a folder")
    raw = tmp_path / "corrupt" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte").write_bytes(b"garbage")
    (raw / "train-labels-idx1-ubyte").write_bytes(b"garbage")
    truncated = tmp_path / "truncated" / "MNIST" / "raw"
    truncated.mkdir(parents=True)
    _write_idx(truncated / "train-images-idx3-ubyte", np.zeros((4, 28, 28)))
    (truncated / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x04\x01")
    for name, labels in [("labels", [0, 1, 12, 3]), ("mismatch", [0, 1, 2])]:
        folder = tmp_path / name / "MNIST" / "raw"
        folder.mkdir(parents=True)
        for split in ("train", "t10k"):
            _write_idx(folder / f"{split}-images-idx3-ubyte", np.zeros((4, 28, 28)))
            _write_idx(folder / f"{split}-labels-idx1-ubyte", np.array(labels))
    cifar = tmp_path / "cifar" / "cifar-10-batches-bin"
    cifar.mkdir(parents=True)
    (cifar / "data_batch_1.bin").write_bytes(b"\x00" * 100)
    return tmp_path


# (command line, what the one line must say). {tmp} is the working folder.
BAD_COMMAND_LINES = [
    ("", "the following arguments are required: command"),
    ("nonsense", "invalid choice: 'nonsense'"),
    ("train", "the following arguments are required: model"),
    ("train lenet7", "unknown model 'lenet7'; choose one of: alexnet, lenet5"),
    ("train LeNet5", "unknown model 'LeNet5'"),
    ("summary lenet7 --input 1,32,32", "unknown model 'lenet7'; choose one of: alexnet, lenet5"),
    ("graph lenet7 --input 1,32,32 -o g.svg", "unknown model 'lenet7'; choose one of: alexnet, lenet5"),
    ("graph conv3x3 --input 1,32,32 -o g.svg", "unknown model 'conv3x3'"),
    ("train lenet5 --epochs 0", "argument --epochs: expected an integer at least 1, got '0'"),
    ("train lenet5 --epochs -3", "argument --epochs: expected an integer at least 1"),
    ("train lenet5 --epochs abc", "argument --epochs: invalid int value: 'abc'"),
    ("train lenet5 --epochs 1.5", "argument --epochs: invalid int value: '1.5'"),
    ("train lenet5 --batch-size 0", "argument --batch-size: expected an integer at least 1, got '0'"),
    ("train lenet5 --batch-size -1", "argument --batch-size: expected an integer at least 1"),
    ("train lenet5 --lr -1", "argument --lr: expected a positive finite number, got '-1'"),
    ("train lenet5 --lr 0", "argument --lr: expected a positive finite number, got '0'"),
    ("train lenet5 --lr nan", "argument --lr: expected a positive finite number, got 'nan'"),
    ("train lenet5 --lr inf", "argument --lr: expected a positive finite number, got 'inf'"),
    ("train lenet5 --lr fast", "argument --lr: invalid float value: 'fast'"),
    ("train lenet5 --momentum -0.5", "argument --momentum: expected a non-negative finite number"),
    ("train lenet5 --weight-decay -1", "argument --weight-decay: expected a non-negative finite number"),
    ("train lenet5 --weight-decay nan", "argument --weight-decay: expected a non-negative finite number"),
    ("train lenet5 --threads -1", "argument --threads: expected an integer from 0 to 1024, got '-1'"),
    ("train lenet5 --threads 100000000", "argument --threads: expected an integer from 0 to 1024"),
    ("train lenet5 --image-size 0", "argument --image-size: expected an integer from 1 to 256, got '0'"),
    ("train lenet5 --image-size -5", "argument --image-size: expected an integer from 1 to 256"),
    ("train resnet18 --image-size 100000", "argument --image-size: expected an integer from 1 to 256"),
    ("train lenet5 --seed -1", "argument --seed: expected an integer at least 0, got '-1'"),
    ("train lenet5 --dataset imagenet", "argument --dataset: invalid choice: 'imagenet'"),
    ("train lenet5 --optimizer rmsprop", "argument --optimizer: invalid choice: 'rmsprop'"),
    (
        "train alexnet --image-size 8",
        "alexnet cannot take an input of shape 1,8,8: max_pool2d: Given input size: (64x1x1)",
    ),
    ("train vgg11 --image-size 16", "vgg11 cannot take an input of shape 1,16,16"),
    ("train lenet5 --out a_file", "argument --out: cannot create the folder a_file (File exists)"),
    ("train lenet5 --out a_file/sub", "argument --out: cannot create the folder a_file/sub (Not a directory)"),
    ("train lenet5 --metrics-out missing/m.json", "argument --metrics-out: the folder {tmp}/missing does not exist"),
    ("train lenet5 --metrics-out .", "argument --metrics-out: . is a folder; expected a file name"),
    ("train lenet5 --graph missing/g.svg", "argument --graph: the folder {tmp}/missing does not exist"),
    ("train lenet5 --graph g.txt", "argument --graph: the file must end in .svg, .png, .pdf, .dot, got 'g.txt'"),
    ("train lenet5 --dataset mnist --root nowhere", "MNIST: dataset file not found: nowhere/MNIST/raw/train-images"),
    ("train lenet5 --dataset fashion-mnist --root nowhere", "FashionMNIST: dataset file not found"),
    ("train lenet5 --dataset cifar10 --root nowhere", "CIFAR10: dataset file not found"),
    ("train lenet5 --dataset mnist --root corrupt", "train-images-idx3-ubyte: not an IDX file"),
    ("train lenet5 --dataset mnist --root truncated", "should be 12 bytes, but it is 9 (truncated or corrupt)"),
    ("train lenet5 --dataset cifar10 --root cifar", "100 bytes is not a whole number of 3073-byte CIFAR-10 records"),
    ("train lenet5 --dataset mnist --root labels", "training set of mnist has labels from 0 to 12; expected 0 to 9"),
    ("train lenet5 --dataset mnist --root mismatch", "holds [4, 28, 28] images but"),
    ("summary lenet5", "the following arguments are required: --input"),
    ("summary lenet5 --input 1,32", "argument --input: expected three positive sizes C,H,W, got '1,32'"),
    ("summary lenet5 --input 0,32,32", "argument --input: expected three positive sizes C,H,W"),
    ("summary lenet5 --input a,b,c", "argument --input: expected C,H,W such as 3,224,224"),
    ("summary lenet5 --input 3,100000,100000", "argument --input: C*H*W must be at most 4,194,304"),
    ("summary lenet5 --input 3,32,32", "lenet5 cannot take an input of shape 3,32,32: Given groups=1"),
    ("summary vgg16 --input 3,8,8", "vgg16 cannot take an input of shape 3,8,8"),
    ("summary alexnet --input 3,16,16", "alexnet cannot take an input of shape 3,16,16"),
    ("summary lenet5 --input 1,32,32 --num-classes 0", "argument --num-classes: expected an integer from 1 to 100000"),
    ("summary lenet5 --input 1,32,32 --num-classes -2", "argument --num-classes: expected an integer from 1"),
    ("graph lenet5 --input 1,32,32", "the following arguments are required: -o/--output"),
    (
        "graph lenet5 --input 1,4,4 -o g.svg",
        "lenet5 cannot take an input of shape 1,4,4: conv2d: Calculated padded input",
    ),
    ("graph lenet5 --input 1,32,32 -o g.svg --depth -1", "argument --depth: expected an integer at least 1, got '-1'"),
    ("graph lenet5 --input 1,32,32 -o g.svg --depth 0", "argument --depth: expected an integer at least 1, got '0'"),
    ("graph lenet5 --input 1,32,32 -o g.xyz", "argument --output: the file must end in .svg, .png, .pdf, .dot"),
    ("graph lenet5 --input 1,32,32 -o missing/g.svg", "argument --output: the folder {tmp}/missing does not exist"),
    ("graph lenet5 --input 1,32,32 -o .", "argument --output: . is a folder; expected a file name"),
    ("graph lenet5 --input 1,32,32 -o a_file/g.svg", "argument --output: the folder {tmp}/a_file does not exist"),
]


@pytest.mark.parametrize("command, says", BAD_COMMAND_LINES, ids=[c or "(empty)" for c, _ in BAD_COMMAND_LINES])
def test_a_bad_command_line_is_one_line_and_exit_status_2(files, capsys, command, says):
    with pytest.raises(SystemExit) as info:
        cli.main(command.split())
    assert info.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    subcommand = command.split()[0] if command and command.split()[0] in ("train", "summary", "graph") else ""
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith(f"{'minigrad ' + subcommand if subcommand else 'minigrad'}: error: "), lines[0]
    assert says.format(tmp=files) in lines[0], lines[0]
    assert "training" not in captured.out  # refused before anything started
    assert not any(name.endswith(".safetensors") for _, _, names in os.walk(files) for name in names)


def test_the_table_is_large():
    assert len(BAD_COMMAND_LINES) >= 40


def test_a_read_only_output_folder_is_refused(files, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only folders")
    locked = files / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(SystemExit) as info:
        cli.main(["graph", "lenet5", "--input", "1,32,32", "-o", str(locked / "g.svg")])
    assert info.value.code == 2 and f"cannot write to {locked}" in capsys.readouterr().err


def test_the_real_entry_point_exits_2_with_one_line(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [sys.executable, "-m", "minigrad", "train", "lenet5", "--epochs", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "minigrad train: error: argument --epochs: expected an integer at least 1, got '0'\n"


def test_a_loss_that_becomes_nan_stops_training_with_status_1(files, capsys, monkeypatch):
    forward = nn.CrossEntropyLoss.forward
    calls = []

    def nan_on_the_third_batch(self, input, target):
        calls.append(1)
        loss = forward(self, input, target)
        return loss * float("nan") if len(calls) == 3 else loss

    monkeypatch.setattr(nn.CrossEntropyLoss, "forward", nan_on_the_third_batch)
    assert cli.main(["train", "lenet5", "--epochs", "2", "--no-progress", "--out", "out"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "minigrad train: stopped: the training loss became nan in epoch 1/2, batch 3; nothing was saved "
        "(a lower --lr may help)\n"
    )
    assert len(calls) == 3 and os.listdir(files / "out") == []


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_train_epoch_stops_before_the_step_that_would_spread_a_nan():
    model = nn.Linear(2, 2)
    before = model.weight._array.copy()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    batch = (minigrad.tensor([[1.0, float("inf")]]), minigrad.tensor([0]))
    with pytest.raises(FloatingPointError, match="the training loss became nan in train, batch 1"):
        trainer.train_epoch(model, [batch], optimizer, nn.CrossEntropyLoss(), progress=False)
    assert np.array_equal(model.weight._array, before)


def test_the_default_graph_goes_to_the_output_folder(files, capsys):
    assert cli.main(["train", "lenet5", "--epochs", "1", "--no-progress", "--out", "out"]) == 0
    written = sorted(os.listdir(files / "out"))
    assert written[1:] == ["learning_curves.svg", "lenet5.safetensors"] and written[0] in ("graph.dot", "graph.svg")
    assert not (files / "runs").exists()
