"""The model zoo rebuilt from PyTorch's own layers (torchvision is not installed), with
torchvision's layouts and parameter names, so a twin's ``state_dict`` loads into the minigrad
model of the same name. Imported by the PyTorch comparison tests only (it needs torch)."""

import torch

tnn = torch.nn


class LeNet5(tnn.Module):
    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.features_detector = tnn.Sequential(
            tnn.Conv2d(in_channels, 6, 5), tnn.AvgPool2d(2, 2), tnn.Sigmoid(),
            tnn.Conv2d(6, 16, 5), tnn.AvgPool2d(2, 2), tnn.Sigmoid(),
        )  # fmt: skip
        self.classifier = tnn.Sequential(
            tnn.Linear(400, 120), tnn.Sigmoid(), tnn.Linear(120, 84), tnn.Sigmoid(), tnn.Linear(84, num_classes)
        )

    def forward(self, x):
        return self.classifier(self.features_detector(x).flatten(1))


class AlexNet(tnn.Module):
    def __init__(self, in_channels=3, num_classes=1000):
        super().__init__()
        self.features = tnn.Sequential(
            tnn.Conv2d(in_channels, 64, 11, 4, 2), tnn.ReLU(), tnn.MaxPool2d(3, 2),
            tnn.Conv2d(64, 192, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(3, 2),
            tnn.Conv2d(192, 384, 3, padding=1), tnn.ReLU(),
            tnn.Conv2d(384, 256, 3, padding=1), tnn.ReLU(),
            tnn.Conv2d(256, 256, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(3, 2),
        )  # fmt: skip
        self.avgpool = tnn.AdaptiveAvgPool2d((6, 6))
        self.classifier = tnn.Sequential(
            tnn.Dropout(), tnn.Linear(256 * 36, 4096), tnn.ReLU(),
            tnn.Dropout(), tnn.Linear(4096, 4096), tnn.ReLU(), tnn.Linear(4096, num_classes),
        )  # fmt: skip

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


VGG_CONFIGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(tnn.Module):
    def __init__(self, depth, batch_norm=False, in_channels=3, num_classes=1000):
        super().__init__()
        layers = []
        for v in VGG_CONFIGS[depth]:
            if v == "M":
                layers.append(tnn.MaxPool2d(2, 2))
                continue
            layers += [tnn.Conv2d(in_channels, v, 3, padding=1)] + ([tnn.BatchNorm2d(v)] if batch_norm else [])
            layers.append(tnn.ReLU())
            in_channels = v
        self.features = tnn.Sequential(*layers)
        self.avgpool = tnn.AdaptiveAvgPool2d((7, 7))
        self.classifier = tnn.Sequential(
            tnn.Linear(512 * 49, 4096), tnn.ReLU(), tnn.Dropout(),
            tnn.Linear(4096, 4096), tnn.ReLU(), tnn.Dropout(), tnn.Linear(4096, num_classes),
        )  # fmt: skip

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


class BasicBlock(tnn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU()
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = _downsample(inplanes, planes, stride)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class Bottleneck(tnn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.conv3 = tnn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = tnn.BatchNorm2d(planes * 4)
        self.relu = tnn.ReLU()
        self.downsample = _downsample(inplanes, planes * 4, stride)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


def _downsample(inplanes, outplanes, stride):
    if stride == 1 and inplanes == outplanes:
        return None
    return tnn.Sequential(tnn.Conv2d(inplanes, outplanes, 1, stride, bias=False), tnn.BatchNorm2d(outplanes))


class ResNet(tnn.Module):
    """torchvision's ResNet; ``cifar=True``: the 3x3 stride-1 stem without max pooling of resnet18_cifar."""

    def __init__(self, block, layers, num_classes=1000, in_channels=3, cifar=False):
        super().__init__()
        if cifar:
            self.conv1 = tnn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        else:
            self.conv1 = tnn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU()
        self.maxpool = tnn.Identity() if cifar else tnn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers), start=1):
            stride = 1 if i == 1 else 2
            stage = [block(inplanes, planes, stride)]
            inplanes = planes * block.expansion
            stage += [block(inplanes, planes) for _ in range(1, blocks)]
            setattr(self, f"layer{i}", tnn.Sequential(*stage))
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512 * block.expansion, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


_RESNET_LAYERS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}


def twin(name, **kwargs):
    """The PyTorch twin of ``minigrad.models.<name>(**kwargs)`` (``in_channels``, ``num_classes``)."""
    if name == "lenet5":
        return LeNet5(**kwargs)
    if name == "alexnet":
        return AlexNet(**kwargs)
    if name.startswith("vgg"):
        depth, _, bn = name[3:].partition("_")
        return VGG(int(depth), batch_norm=bool(bn), **kwargs)
    if name == "resnet18_cifar":
        return ResNet(BasicBlock, _RESNET_LAYERS[18], cifar=True, **{"num_classes": 10, **kwargs})
    depth = int(name[len("resnet") :])
    return ResNet(BasicBlock if depth < 50 else Bottleneck, _RESNET_LAYERS[depth], **kwargs)
