"""The model zoo: parameter counts against the published numbers, output shapes, torchvision's
parameter names and initialization, and module gradients against finite differences.
(LeNet-5 and ResNet blocks end to end against PyTorch: tests/against_torch/test_models_vs_torch.py.)"""

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
    assert (model.features[0].bias._array == 0).all() and (model.features[1].weight._array == 1).all()
    assert abs(model.classifier[0].weight._array[:100].std() - 0.01) < 1e-3


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
    w = net.layer1[0].conv1.weight._array
    assert abs(w.std() - np.sqrt(2 / (64 * 9))) < 0.003  # kaiming_normal_, fan_out, relu
    assert (net.bn1.weight._array == 1).all() and (net.bn1.bias._array == 0).all()
    zero = models.resnet18(zero_init_residual=True)
    assert (zero.layer1[0].bn2.weight._array == 0).all()


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
