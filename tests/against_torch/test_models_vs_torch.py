"""The model zoo: parameter counts against the published numbers, output shapes, torchvision's
parameter names, and LeNet-5 and a ResNet block end to end against PyTorch."""

import numpy as np
import pytest

import minigrad
from minigrad import models, nn
from minigrad.models.vgg import CONFIGS, make_layers


def count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    "build,expected",
    [
        (lambda: models.lenet5(), 61_706),
        (lambda: models.alexnet(in_channels=1, num_classes=10), 57_029_322),
        (lambda: models.alexnet(), 61_100_840),
        (lambda: models.vgg16(), 138_357_544),
        (lambda: models.resnet18(), 11_689_512),
        (lambda: models.resnet34(), 21_797_672),
        (lambda: models.resnet50(), 25_557_032),
        (lambda: models.resnet101(), 44_549_160),
        (lambda: models.resnet152(), 60_192_808),
        (lambda: models.resnet18_cifar(num_classes=10), 11_173_962),
    ],
)
@pytest.mark.slow
def test_parameter_counts(build, expected):
    assert count(build()) == expected


# torchvision's totals at 1000 classes; the classifier (25088-4096-4096-1000) is shared by all.
VGG_TOTALS = {
    ("A", False): 132_863_336,
    ("A", True): 132_868_840,
    ("B", False): 133_047_848,
    ("B", True): 133_053_736,
    ("D", False): 138_357_544,
    ("D", True): 138_365_992,
    ("E", False): 143_667_240,
    ("E", True): 143_678_248,
}
VGG_CLASSIFIER = (25088 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)


@pytest.mark.parametrize("config,batch_norm", sorted(VGG_TOTALS))
def test_vgg_feature_counts(config, batch_norm):
    assert count(make_layers(CONFIGS[config], batch_norm)) + VGG_CLASSIFIER == VGG_TOTALS[(config, batch_norm)]


@pytest.mark.parametrize(
    "name,config,batch_norm",
    [
        ("vgg11", "A", False),
        ("vgg11_bn", "A", True),
        ("vgg13", "B", False),
        ("vgg13_bn", "B", True),
        ("vgg16", "D", False),
        ("vgg16_bn", "D", True),
        ("vgg19", "E", False),
        ("vgg19_bn", "E", True),
    ],
)
def test_vgg_constructors_pick_their_configuration(monkeypatch, name, config, batch_norm):
    # Only the features differ between variants; skip allocating the 120M-parameter classifier.
    monkeypatch.setattr(models.vgg, "VGG", lambda features, num_classes, **kwargs: (features, num_classes))
    features, num_classes = getattr(models, name)(num_classes=10, in_channels=1)
    convs = [m for m in features if isinstance(m, nn.Conv2d)]
    assert len(convs) == sum(1 for v in CONFIGS[config] if v != "M") and convs[0].in_channels == 1
    assert any(isinstance(m, nn.BatchNorm2d) for m in features) == batch_norm
    assert num_classes == 10
    assert count(features) + VGG_CLASSIFIER == VGG_TOTALS[(config, batch_norm)] + (1 - 3) * 9 * 64


@pytest.mark.slow
def test_vgg_classifier_and_initialization():
    model = models.vgg11_bn(num_classes=10)
    assert model.classifier[-1].out_features == 10 and isinstance(model.avgpool, nn.AdaptiveAvgPool2d)
    assert (model.features[0].bias.data == 0).all() and (model.features[1].weight.data == 1).all()
    assert abs(model.classifier[0].weight.data[:100].std() - 0.01) < 1e-3


@pytest.mark.slow
def test_output_shapes():
    assert models.lenet5()(minigrad.zeros(2, 1, 32, 32)).shape == (2, 10)
    assert models.lenet5(in_channels=3, num_classes=5)(minigrad.zeros(1, 3, 32, 32)).shape == (1, 5)
    assert models.resnet18_cifar(num_classes=10)(minigrad.zeros(1, 3, 16, 16)).shape == (1, 10)
    net = models.resnet18(num_classes=7)
    assert net(minigrad.zeros(1, 3, 40, 40)).shape == (1, 7)
    assert isinstance(models.resnet18_cifar().maxpool, nn.Identity)
    assert models.resnet18_cifar().conv1.kernel_size == (3, 3)


@pytest.mark.slow
def test_resnet_state_dict_uses_torchvision_names():
    keys = list(models.resnet18().state_dict())
    assert len(keys) == 122
    bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    expected = ["conv1.weight"] + [f"bn1.{k}" for k in bn]
    for layer, stride in zip(range(1, 5), (1, 2, 2, 2)):
        for block in range(2):
            prefix = f"layer{layer}.{block}."
            expected += [prefix + "conv1.weight"] + [prefix + f"bn1.{k}" for k in bn]
            expected += [prefix + "conv2.weight"] + [prefix + f"bn2.{k}" for k in bn]
            if block == 0 and stride == 2:
                expected += [prefix + "downsample.0.weight"] + [prefix + f"downsample.1.{k}" for k in bn]
    expected += ["fc.weight", "fc.bias"]
    assert keys == expected
    keys50 = models.resnet50().state_dict()
    assert "layer1.0.conv3.weight" in keys50 and "layer1.0.downsample.0.weight" in keys50
    assert keys50["fc.weight"].shape == (1000, 2048)


def test_resnet_initialization_follows_torchvision():
    net = models.resnet18()
    w = net.layer1[0].conv1.weight.data
    assert abs(w.std() - np.sqrt(2 / (64 * 9))) < 0.003  # kaiming_normal_, fan_out, relu
    assert (net.bn1.weight.data == 1).all() and (net.bn1.bias.data == 0).all()
    zero = models.resnet18(zero_init_residual=True)
    assert (zero.layer1[0].bn2.weight.data == 0).all()


# ---- end to end against PyTorch ---------------------------------------------------------------

torch = pytest.importorskip("torch")


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
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.data)) for k, v in ours.state_dict().items()})
    ours.train(train)
    theirs.train(train)
    xm, xt = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = ours(xm), theirs(xt)
    np.testing.assert_allclose(ym.data, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    lm = nn.functional.cross_entropy(ym.flatten(1), minigrad.tensor(target))
    lt = torch.nn.functional.cross_entropy(yt.flatten(1), torch.tensor(target))
    np.testing.assert_allclose(lm.item(), lt.item(), rtol=1e-5)
    lm.backward()
    lt.backward()
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs_params[name].grad.numpy(), rtol=1e-3, atol=1e-6, err_msg=name)
    theirs_buffers = dict(theirs.named_buffers())
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.data, theirs_buffers[name].numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


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


def test_module_gradients_against_finite_differences():
    from minigrad.testing import check_module_gradients

    x = minigrad.tensor(np.random.default_rng(3).standard_normal((2, 1, 32, 32)))
    assert check_module_gradients(models.lenet5(), x, fast_mode=True)
    block = nn.Sequential(
        models.BasicBlock(2, 4, 2, nn.Sequential(models.resnet.conv1x1(2, 4, 2), nn.BatchNorm2d(4))),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(16, 3),
    )
    x = minigrad.tensor(np.random.default_rng(4).standard_normal((3, 2, 4, 4)))
    assert check_module_gradients(block, x, fast_mode=True)


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
    np.testing.assert_allclose(ours(minigrad.tensor(x)).data, expected, rtol=1e-4, atol=1e-4)
