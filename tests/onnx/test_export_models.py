"""Every zoo model exports to ONNX, passes onnx.checker and matches ONNX Runtime at batch 1 and 4
through one file with a dynamic batch axis."""

import numpy as np
import pytest
from onnx_check import check_matches, exported_session

import minigrad
from minigrad import models

ZOO = [
    pytest.param("lenet5", {}, (1, 32, 32), id="lenet5"),
    pytest.param("resnet18_cifar", {}, (3, 32, 32), id="resnet18_cifar"),
    pytest.param("resnet18", {}, (3, 64, 64), id="resnet18"),
    pytest.param("resnet50", {}, (3, 64, 64), id="resnet50", marks=pytest.mark.slow),
    # The smallest inputs these allow; AlexNet's and VGG's adaptive pooling then upsamples to 6x6 / 7x7.
    pytest.param("alexnet", {"in_channels": 1, "num_classes": 10}, (1, 63, 63), id="alexnet", marks=pytest.mark.slow),
    pytest.param("vgg11", {}, (3, 32, 32), id="vgg11", marks=pytest.mark.slow),
    pytest.param("vgg16_bn", {}, (3, 32, 32), id="vgg16_bn", marks=pytest.mark.slow),
]


def _randomize_batch_norm(model, rng):
    """Running statistics away from (0, 1), so eval-mode batch norm is really checked."""
    for module in model.modules():
        if isinstance(module, minigrad.nn.BatchNorm2d):
            module.running_mean._array[...] = rng.normal(0, 0.1, module.num_features)
            module.running_var._array[...] = rng.uniform(0.5, 1.5, module.num_features)
            module.weight._array[...] = rng.uniform(0.5, 1.5, module.num_features)
            module.bias._array[...] = rng.normal(0, 0.1, module.num_features)


@pytest.mark.parametrize("name, kwargs, input_shape", ZOO)
def test_zoo_model_matches_onnxruntime(name, kwargs, input_shape):
    rng = np.random.default_rng(0)
    minigrad.manual_seed(0)
    model = getattr(models, name)(**kwargs)
    _randomize_batch_norm(model, rng)
    proto, session = exported_session(model, minigrad.randn(1, *input_shape))
    initializers = {t.name for t in proto.graph.initializer}
    assert set(model.state_dict()) - {k for k in model.state_dict() if k.endswith("num_batches_tracked")} <= (
        initializers
    )
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    for batch in (1, 4):
        x = minigrad.tensor(rng.standard_normal((batch, *input_shape)).astype(np.float32))
        check_matches(model, session, x)
