"""LeNet-5, ResNet basic blocks and a torchvision-layout ResNet-18 end to end against PyTorch
with the same weights. (The model zoo's own tests: tests/test_models.py.)"""

import numpy as np
import pytest
import torch

import minigrad
from minigrad import models, nn


def _torch_lenet5():
    tnn = torch.nn

    class LeNet5(tnn.Module):
        def __init__(self):
            super().__init__()
            self.features_detector = tnn.Sequential(
                tnn.Conv2d(1, 6, 5),
                tnn.AvgPool2d(2, 2),
                tnn.Sigmoid(),
                tnn.Conv2d(6, 16, 5),
                tnn.AvgPool2d(2, 2),
                tnn.Sigmoid(),
            )
            self.classifier = tnn.Sequential(
                tnn.Linear(400, 120), tnn.Sigmoid(), tnn.Linear(120, 84), tnn.Sigmoid(), tnn.Linear(84, 10)
            )

        def forward(self, x):
            return self.classifier(self.features_detector(x).flatten(1))

    return LeNet5()


def _torch_basic_block(inplanes, planes, stride):
    tnn = torch.nn

    class BasicBlock(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(planes)
            self.relu = tnn.ReLU()
            self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = tnn.Sequential(
                    tnn.Conv2d(inplanes, planes, 1, stride, bias=False), tnn.BatchNorm2d(planes)
                )

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    return BasicBlock()


def _run_both(ours, theirs, x, target, train):
    theirs.load_state_dict({k: torch.from_numpy(np.array(v._array)) for k, v in ours.state_dict().items()})
    ours.train(train)
    theirs.train(train)
    xm, xt = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = ours(xm), theirs(xt)
    np.testing.assert_allclose(ym._array, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    lm = nn.functional.cross_entropy(ym.flatten(1), minigrad.tensor(target))
    lt = torch.nn.functional.cross_entropy(yt.flatten(1), torch.tensor(target))
    np.testing.assert_allclose(lm.item(), lt.item(), rtol=1e-5)
    lm.backward()
    lt.backward()
    np.testing.assert_allclose(xm.grad._array, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._array, theirs_params[name].grad.numpy(), rtol=1e-3, atol=1e-6, err_msg=name)
    theirs_buffers = dict(theirs.named_buffers())
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b._array, theirs_buffers[name].numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_lenet5_end_to_end_matches_torch():
    x = np.random.default_rng(0).standard_normal((4, 1, 32, 32)).astype(np.float32)
    _run_both(models.lenet5(), _torch_lenet5(), x, np.array([3, 1, 4, 1]), train=True)


@pytest.mark.parametrize("inplanes,planes,stride", [(8, 8, 1), (4, 8, 2)])
@pytest.mark.parametrize("train", [True, False])
def test_resnet_basic_block_end_to_end_matches_torch(inplanes, planes, stride, train):
    downsample = None
    if stride != 1 or inplanes != planes:
        downsample = nn.Sequential(models.resnet.conv1x1(inplanes, planes, stride), nn.BatchNorm2d(planes))
    ours = models.BasicBlock(inplanes, planes, stride, downsample)
    for m in ours.modules():
        if isinstance(m, nn.BatchNorm2d):  # non-trivial affine parameters and running statistics
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.5, 0.5)
            nn.init.uniform_(m.running_mean, -0.2, 0.2)
            nn.init.uniform_(m.running_var, 0.5, 2.0)
    x = np.random.default_rng(1).standard_normal((3, inplanes, 6, 6)).astype(np.float32)
    target = np.random.default_rng(2).integers(0, planes, 3)
    theirs = _torch_basic_block(inplanes, planes, stride)
    _run_both(
        nn.Sequential(ours, nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        torch.nn.Sequential(theirs, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()),
        x,
        target,
        train,
    )


def _torch_resnet18(num_classes):
    """torchvision's ResNet-18 layout built from torch.nn (torchvision itself is not installed)."""
    tnn = torch.nn
    model = tnn.Module()
    model.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
    model.bn1 = tnn.BatchNorm2d(64)
    model.relu = tnn.ReLU()
    model.maxpool = tnn.MaxPool2d(3, 2, 1)
    inplanes = 64
    for i, planes in enumerate((64, 128, 256, 512), start=1):
        stride = 1 if i == 1 else 2
        setattr(
            model,
            f"layer{i}",
            tnn.Sequential(_torch_basic_block(inplanes, planes, stride), _torch_basic_block(planes, planes, 1)),
        )
        inplanes = planes
    model.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
    model.fc = tnn.Linear(512, num_classes)

    def forward(x):
        x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        x = model.layer4(model.layer3(model.layer2(model.layer1(x))))
        return model.fc(model.avgpool(x).flatten(1))

    model.forward = forward
    return model


def test_a_torchvision_layout_resnet18_state_dict_loads_and_gives_the_same_outputs():
    torch.manual_seed(0)
    theirs = _torch_resnet18(num_classes=5)
    with torch.no_grad():  # non-trivial running statistics, as in trained weights
        for m in theirs.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
    ours = models.resnet18(num_classes=5)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(5).standard_normal((2, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        expected = theirs.forward(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours(minigrad.tensor(x))._array, expected, rtol=1e-4, atol=1e-4)
