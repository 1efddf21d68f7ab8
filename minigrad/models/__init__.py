"""The model zoo: LeNet-5, AlexNet, VGG and ResNet with torchvision's layouts and names.

Every builder takes torchvision's ``weights=`` (None or a local safetensors file), the
deprecated ``pretrained=`` and ``progress=``; nothing is ever downloaded (see ``_weights``).
"""

from .alexnet import AlexNet, alexnet
from .lenet import LeNet5, lenet5
from .resnet import BasicBlock, Bottleneck, ResNet, resnet18, resnet18_cifar, resnet34, resnet50, resnet101, resnet152
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

__all__ = [
    "LeNet5",
    "lenet5",
    "AlexNet",
    "alexnet",
    "VGG",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
    "ResNet",
    "BasicBlock",
    "Bottleneck",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnet18_cifar",
]
