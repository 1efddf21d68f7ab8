"""Single-op models over the hyper-parameters each ONNX mapping handles, against ONNX Runtime,
and the error for an op that has no mapping."""

import io
from functools import partial

import numpy as np
import pytest
from onnx_check import check_matches, exported_session

import minigrad
import minigrad.nn.functional as F
from minigrad import nn


class Lambda(nn.Module):
    """A module whose forward is ``fn(x)``."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def _conv_models():
    for stride, padding, dilation, groups, bias in [
        (1, 0, 1, 1, True),
        (2, 1, 1, 1, False),
        ((2, 1), (1, 2), (2, 1), 1, True),
        (1, "same", 2, 2, True),
        (1, 1, 1, 4, True),
    ]:
        yield (
            f"conv-s{stride}-p{padding}-d{dilation}-g{groups}",
            partial(nn.Conv2d, 4, 8, 3, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias),
            (4, 9, 10),
        )
    for stride, padding, output_padding, dilation, groups in [(1, 0, 0, 1, 1), (2, 1, 1, 1, 2), (3, 2, 1, 2, 1)]:
        yield (
            f"conv_transpose-s{stride}-p{padding}-op{output_padding}-d{dilation}-g{groups}",
            partial(nn.ConvTranspose2d, 4, 6, 3, stride, padding, output_padding, groups, dilation=dilation),
            (4, 5, 6),
        )


def _pool_models():
    for kernel, stride, padding, dilation, ceil_mode in [
        (2, 2, 0, 1, False),
        (3, 2, 1, 1, False),
        (3, 2, 1, 1, True),
        (3, 2, 0, 2, True),
        ((2, 3), (1, 2), (1, 0), 1, False),
    ]:
        yield (
            f"max_pool-k{kernel}-s{stride}-p{padding}-d{dilation}-c{ceil_mode}",
            partial(nn.MaxPool2d, kernel, stride, padding, dilation, ceil_mode=ceil_mode),
            (3, 10, 11),
        )
    for kernel, stride, padding, ceil_mode, count_include_pad in [
        (2, 2, 0, False, True),
        (3, 2, 1, False, True),
        (3, 2, 1, False, False),
        (3, 2, 1, True, True),
        (3, 2, 1, True, False),
    ]:
        yield (
            f"avg_pool-k{kernel}-s{stride}-p{padding}-c{ceil_mode}-i{count_include_pad}",
            partial(nn.AvgPool2d, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad),
            (3, 10, 11),
        )
    for size in [(1, 1), (2, 3), (4, 4), (7, 7), (3, None)]:
        yield f"adaptive_avg_pool-{size}", partial(nn.AdaptiveAvgPool2d, size), (3, 9, 11)


def _layer_models():
    yield "batch_norm", lambda: nn.BatchNorm2d(3), (3, 4, 5)
    yield "batch_norm-no_affine", lambda: nn.BatchNorm2d(3, affine=False), (3, 4, 5)
    yield "linear", lambda: nn.Linear(6, 4), (6,)
    yield "linear-3d-no_bias", lambda: nn.Linear(6, 4, bias=False), (5, 6)
    yield "relu", lambda: nn.ReLU(), (3, 4)
    yield "leaky_relu", lambda: nn.LeakyReLU(0.2), (3, 4)
    yield "sigmoid", lambda: nn.Sigmoid(), (3, 4)
    yield "tanh", lambda: nn.Tanh(), (3, 4)
    yield "softmax", lambda: nn.Softmax(dim=1), (3, 4)
    yield "log_softmax", lambda: nn.LogSoftmax(dim=-1), (3, 4)
    yield "dropout-eval", lambda: nn.Sequential(nn.Dropout(0.5), nn.ReLU()), (3, 4)
    yield "flatten", lambda: nn.Flatten(), (3, 4, 5)
    yield "reshape", lambda: Lambda(lambda x: x.reshape(x.shape[0], 4, 3)), (3, 4)
    yield "permute", lambda: Lambda(lambda x: x.permute(0, 2, 1, 3)), (2, 3, 4)
    yield "transpose", lambda: Lambda(lambda x: x.transpose(1, 2)), (3, 4)
    yield "cat", lambda: Lambda(lambda x: minigrad.cat([x, x * 2.0], dim=1)), (3, 4)
    yield "arithmetic", lambda: Lambda(lambda x: (x + 1.5) * x - x / 3.0 - (2.0 - x)), (3, 4)
    yield "matmul", lambda: Lambda(lambda x: x @ x.transpose(1, 2)), (3, 4)
    for mode in ("constant", "reflect", "replicate", "circular"):
        for pad in [(1, 2), (2, 1, 0, 3)]:
            yield f"pad-{mode}-{pad}", partial(Lambda, partial(F.pad, pad=pad, mode=mode)), (3, 5, 6)
    yield "pad-constant-value-crop", lambda: Lambda(lambda x: F.pad(x, (-1, 2, 1, -2), value=0.5)), (3, 5, 6)


CASES = [
    pytest.param(make, shape, id=name)
    for cases in (_conv_models, _pool_models, _layer_models)
    for name, make, shape in cases()
]


@pytest.mark.parametrize("make, input_shape", CASES)
def test_single_op_matches_onnxruntime(make, input_shape):
    rng = np.random.default_rng(0)
    minigrad.manual_seed(0)
    model = make()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean._array[...] = rng.normal(0, 0.5, module.num_features)
            module.running_var._array[...] = rng.uniform(0.5, 2.0, module.num_features)
    _, session = exported_session(model, minigrad.randn(2, *input_shape))
    for batch in (1, 4):
        check_matches(model, session, minigrad.tensor(rng.standard_normal((batch, *input_shape)).astype(np.float32)))


def test_unmapped_op_names_the_op_and_the_module():
    model = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.ReLU(), Lambda(lambda x: x.cos())))
    with pytest.raises(
        RuntimeError, match=r"CosBackward0 \(CosFunction\) has no ONNX mapping; it runs in module '1.1'"
    ):
        minigrad.onnx.export(model, minigrad.randn(2, 3), io.BytesIO())


def test_max_pool_indices_cannot_be_exported():
    model = Lambda(lambda x: F.max_pool2d(x, 2, return_indices=True)[1] * 2)
    with pytest.raises(RuntimeError, match=r"using the second output of MaxPool2DWithIndicesBackward0 has no ONNX"):
        minigrad.onnx.export(model, minigrad.randn(1, 1, 4, 4), io.BytesIO())


def test_initializers_are_state_dict_names_and_names_are_given():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    proto, _ = exported_session(
        model,
        minigrad.randn(1, 1, 5, 5),
        input_names=["image"],
        output_names=["features"],
        dynamic_axes={"image": {0: "batch"}},
    )
    assert {t.name for t in proto.graph.initializer} == {
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
    }
    assert [n.op_type for n in proto.graph.node] == ["Conv", "BatchNormalization", "Identity"]
    assert proto.graph.input[0].name == "image" and proto.graph.output[0].name == "features"
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def test_export_restores_training_mode_and_writes_a_file(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.Dropout())
    minigrad.onnx.export(model, minigrad.randn(1, 3), tmp_path / "m.onnx")
    assert model.training and model[1].training
    assert (tmp_path / "m.onnx").stat().st_size > 0
