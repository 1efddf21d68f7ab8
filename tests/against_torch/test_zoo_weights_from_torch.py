"""PyTorch weights in: each zoo model built from PyTorch's layers (tests/torch_twins.py), its
state_dict saved with safetensors.torch.save_file, loaded by ``minigrad.models.<name>(weights=path)``,
gives PyTorch's eval outputs."""

import numpy as np
import pytest
import torch
import torch_twins
from safetensors.torch import save_file

import minigrad
from minigrad import models

# name, builder kwargs, input (C, H, W): the smallest inputs the models allow, to keep the runs short.
ZOO = [
    pytest.param("lenet5", {}, (1, 32, 32), id="lenet5"),
    pytest.param("resnet18_cifar", {}, (3, 32, 32), id="resnet18_cifar"),
    pytest.param("resnet18", {}, (3, 32, 32), id="resnet18"),
    pytest.param("resnet34", {}, (3, 32, 32), id="resnet34", marks=pytest.mark.slow),
    pytest.param("resnet50", {}, (3, 32, 32), id="resnet50", marks=pytest.mark.slow),
    pytest.param("resnet101", {}, (3, 32, 32), id="resnet101", marks=pytest.mark.slow),
    pytest.param("resnet152", {}, (3, 32, 32), id="resnet152", marks=pytest.mark.slow),
    pytest.param("alexnet", {"in_channels": 1, "num_classes": 10}, (1, 63, 63), id="alexnet", marks=pytest.mark.slow),
    *(
        pytest.param(f"vgg{depth}{bn}", {}, (3, 32, 32), id=f"vgg{depth}{bn}", marks=pytest.mark.slow)
        for depth in (11, 13, 16, 19)
        for bn in ("", "_bn")
    ),
]


@pytest.mark.parametrize("name, kwargs, input_shape", ZOO)
def test_pytorch_weights_load_into_the_zoo_and_give_the_same_outputs(name, kwargs, input_shape, tmp_path):
    torch.manual_seed(0)
    theirs = torch_twins.twin(name, **kwargs)
    with torch.no_grad():  # running statistics and affine parameters as trained weights have them
        for m in theirs.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    path = tmp_path / f"{name}.safetensors"
    save_file(theirs.state_dict(), path)
    ours = getattr(models, name)(**kwargs, weights=path)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((2, *input_shape)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    with minigrad.no_grad():
        got = ours(minigrad.tensor(x)).numpy()
    # 1e-5 relative to the output's scale: float32 summation order differs between the two.
    scale = max(1.0, float(np.abs(expected).max()))
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-5 * scale
