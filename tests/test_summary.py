"""minigrad.summary: the notes' LeNet-5 and AlexNet tables row for row, VGG-16's memory per
image against the notes' arithmetic, ResNet-18's mult-adds, and the counting rules."""

import numpy as np
import pytest

import minigrad
from minigrad import models, nn
from minigrad.autograd.function import Function
from minigrad.ops.conv import Conv2dFunction
from minigrad.summary import summary

# The notes' LeNet-5 table (torchsummary layout).
LENET5_ROWS = [
    ("Conv2d-1", "[-1, 6, 28, 28]", "156"),
    ("AvgPool2d-2", "[-1, 6, 14, 14]", "0"),
    ("Sigmoid-3", "[-1, 6, 14, 14]", "0"),
    ("Conv2d-4", "[-1, 16, 10, 10]", "2,416"),
    ("AvgPool2d-5", "[-1, 16, 5, 5]", "0"),
    ("Sigmoid-6", "[-1, 16, 5, 5]", "0"),
    ("Linear-7", "[-1, 120]", "48,120"),
    ("Sigmoid-8", "[-1, 120]", "0"),
    ("Linear-9", "[-1, 84]", "10,164"),
    ("Sigmoid-10", "[-1, 84]", "0"),
    ("Linear-11", "[-1, 10]", "850"),
]

# The notes' table of the 1-channel, 10-class AlexNet (torchinfo layout; its 56x56 first
# feature map means a 227x227 input).
ALEXNET_ROWS = [
    ("Sequential: 1-1", "[-1, 256, 6, 6]", "--"),
    ("Conv2d: 2-1", "[-1, 64, 56, 56]", "7,808"),
    ("ReLU: 2-2", "[-1, 64, 56, 56]", "--"),
    ("MaxPool2d: 2-3", "[-1, 64, 27, 27]", "--"),
    ("Conv2d: 2-4", "[-1, 192, 27, 27]", "307,392"),
    ("ReLU: 2-5", "[-1, 192, 27, 27]", "--"),
    ("MaxPool2d: 2-6", "[-1, 192, 13, 13]", "--"),
    ("Conv2d: 2-7", "[-1, 384, 13, 13]", "663,936"),
    ("ReLU: 2-8", "[-1, 384, 13, 13]", "--"),
    ("Conv2d: 2-9", "[-1, 256, 13, 13]", "884,992"),
    ("ReLU: 2-10", "[-1, 256, 13, 13]", "--"),
    ("Conv2d: 2-11", "[-1, 256, 13, 13]", "590,080"),
    ("ReLU: 2-12", "[-1, 256, 13, 13]", "--"),
    ("MaxPool2d: 2-13", "[-1, 256, 6, 6]", "--"),
    ("AdaptiveAvgPool2d: 1-2", "[-1, 256, 6, 6]", "--"),
    ("Sequential: 1-3", "[-1, 10]", "--"),
    ("Dropout: 2-14", "[-1, 9216]", "--"),
    ("Linear: 2-15", "[-1, 4096]", "37,752,832"),
    ("ReLU: 2-16", "[-1, 4096]", "--"),
    ("Dropout: 2-17", "[-1, 4096]", "--"),
    ("Linear: 2-18", "[-1, 4096]", "16,781,312"),
    ("ReLU: 2-19", "[-1, 4096]", "--"),
    ("Linear: 2-20", "[-1, 10]", "40,970"),
]

# The notes' VGG-16 walk-through: activation values per image, layer by layer.
VGG16_MEMORY = (
    [224 * 224 * 64] * 2
    + [112 * 112 * 64]
    + [112 * 112 * 128] * 2
    + [56 * 56 * 128]
    + [56 * 56 * 256] * 3
    + [28 * 28 * 256]
    + [28 * 28 * 512] * 3
    + [14 * 14 * 512]
    + [14 * 14 * 512] * 3
    + [7 * 7 * 512]
    + [4096, 4096, 1000]
)


def test_lenet5_table_equals_the_notes():
    s = summary(models.lenet5(), (1, 1, 32, 32), layout="flat", col_names=("output_size", "num_params"), verbose=0)
    assert s.rows() == LENET5_ROWS
    assert s.total_params == s.trainable_params == 61_706
    text = str(s)
    assert "Layer (type)" in text and "Total params: 61,706" in text
    for name, shape, params in LENET5_ROWS:
        assert any(line.split() == [name, *shape.split(), params] for line in text.splitlines()), name


def test_alexnet_table_equals_the_notes():
    s = summary(
        models.alexnet(in_channels=1, num_classes=10),
        (1, 1, 227, 227),
        col_names=("output_size", "num_params"),
        verbose=0,
    )
    assert s.rows() == ALEXNET_ROWS
    assert s.total_params == 57_029_322
    lines = str(s).splitlines()
    assert lines[1].startswith("Layer (type:depth-idx)")
    assert lines[3].startswith("├─Sequential: 1-1") and lines[4].startswith("│    ├─Conv2d: 2-1")
    assert any(line.startswith("└─Sequential: 1-3") for line in lines)
    assert any(line.startswith("     └─Linear: 2-20") for line in lines)


class ShapeOnlyConv2dFunction(Function):
    """A stand-in for conv2d with the real output shape, saved input and mult-adds, computing nothing."""

    mult_adds = staticmethod(Conv2dFunction.mult_adds)

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding):
        n, _, h, w = x._array.shape
        k = weight._array.shape[-1]
        ctx.save_for_backward(x, weight)
        size = ((h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1)
        return np.zeros((n, weight._array.shape[0]) + size, x._array.dtype)


@pytest.fixture
def shape_only_conv(monkeypatch):
    """Big models at 224x224 in a unit test: only the shapes matter to these counts."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        s, p = (
            (stride[0] if isinstance(stride, tuple) else stride),
            (padding[0] if isinstance(padding, tuple) else padding),
        )
        return ShapeOnlyConv2dFunction.apply(input, weight, bias, s, p)

    monkeypatch.setattr(nn.functional, "conv2d", conv2d)


@pytest.mark.slow
def test_vgg16_memory_per_image_matches_the_notes(shape_only_conv):
    vgg16 = models.vgg16()
    s = summary(vgg16, (1, 3, 224, 224), layout="flat", verbose=0)
    assert s.total_params == 138_357_544
    computing = [
        info for info in s.layers if info.is_leaf and isinstance(info.module, (nn.Conv2d, nn.MaxPool2d, nn.Linear))
    ]
    assert [info.forward_bytes // 2 // 4 for info in computing] == VGG16_MEMORY  # float32, batch of 2
    assert s.input_bytes == 224 * 224 * 3 * 4
    notes_total = 224 * 224 * 3 + sum(VGG16_MEMORY)
    assert notes_total == 15_237_608  # the sum of the notes' rows (their "24M" line does not follow from them)
    # Besides the notes' layers, torchvision's VGG-16 has avgpool (7x7x512) and two dropout outputs.
    extra = 7 * 7 * 512 + 2 * 4096
    assert s.input_bytes + s.forward_bytes == (notes_total + extra) * 4
    # ReLU(inplace=True) adds no forward memory, as in PyTorch.
    assert all(info.forward_bytes == 0 for info in s.layers if isinstance(info.module, nn.ReLU))
    rows = summary(vgg16, (1, 3, 224, 224), layout="flat", col_names=("output_memory",), verbose=0).rows()
    assert rows[0] == ("Conv2d-1", "12.85 MB") and rows[1] == ("ReLU-2", "--")  # 224 * 224 * 64 * 4 bytes


def test_resnet18_mult_adds_are_the_notes_flops(shape_only_conv):
    s = summary(models.resnet18(), (1, 3, 224, 224), depth=1, verbose=0)
    assert 1.80e9 < s.total_mult_adds < 1.83e9  # the notes' "FLOPs 1.8 x 10^9" are mult-adds
    text = str(s)
    assert "Total mult-adds (M): 1,81" in text and "FLOPs, 2 per mult-add (M): 3,6" in text
    assert s.total_params == 11_689_512


def test_mult_adds_and_saved_memory_of_lenet5():
    s = summary(models.lenet5(), (1, 1, 32, 32), layout="flat", verbose=0)
    rows = {r[0]: r for r in s.rows()}
    assert rows["Conv2d-1"][3] == f"{6 * 28 * 28 * 25:,}"
    assert rows["Conv2d-4"][3] == f"{16 * 10 * 10 * 6 * 25:,}"
    assert rows["Linear-7"][3] == "48,000"
    assert s.total_mult_adds == 6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 48_000 + 10_080 + 840
    by_row = [info for info in s.layers if info.is_leaf]
    assert by_row[0].saved_bytes // 2 == 32 * 32 * 4  # the first conv keeps its input
    assert by_row[2].saved_bytes // 2 == 6 * 14 * 14 * 4  # sigmoid keeps its output
    assert by_row[3].saved_bytes == 0  # ... which the next conv reuses
    assert s.saved_bytes == sum(info.saved_bytes for info in s.layers) // 2
    assert s.params_bytes == 61_706 * 4
    assert s.estimated_training_bytes == s.input_bytes + s.saved_bytes + 2 * s.params_bytes


def test_shared_layers_count_once_and_print_as_shared():
    shared = nn.Linear(4, 4)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    s = summary(model, (1, 4), verbose=0)
    assert s.total_params == 20
    assert [r[2] for r in s.rows()] == ["20", "--", "(shared)"]


def test_summary_restores_state_and_prints(capsys):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout())
    model.eval()
    before = {k: v._array.copy() for k, v in model.state_dict().items()}
    s = summary(model, (8, 3))
    assert capsys.readouterr().out.strip() == str(s)
    assert not any(m.training for m in model.modules())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v._array, before[k], err_msg=k)
    summary(model, input_data=minigrad.zeros(7, 3), verbose=0)
    assert capsys.readouterr().out == ""
    assert repr(s) == str(s)


def test_summary_errors():
    with pytest.raises(TypeError, match="expected model to be an nn.Module"):
        summary(lambda x: x, (1, 3))
    with pytest.raises(ValueError, match="layout must be 'tree' or 'flat'"):
        summary(nn.Linear(2, 2), (1, 2), layout="wide")
    with pytest.raises(ValueError, match="give input_size"):
        summary(nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['flops'\]"):
        summary(nn.Linear(2, 2), (1, 2), col_names=("flops",))


def test_single_layer_model_has_one_row():
    s = summary(nn.Linear(5, 2), (1, 5), verbose=0)
    assert s.rows() == [("Linear: 0-1", "[-1, 2]", "12", "10", "20 B")]  # the input, kept for the weight gradient
