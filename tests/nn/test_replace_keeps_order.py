"""Replacing a child module, parameter or buffer keeps its place in the module's order, as in
PyTorch: ``seq[0] = m``, ``model.conv1 = m`` and re-registering must not move the name to the
end (printing, ``named_modules`` and ``state_dict`` follow that order)."""

import minigrad
from minigrad import models, nn


def test_sequential_setitem_keeps_position(torch):
    ours = nn.Sequential(nn.Conv2d(1, 2, 1), nn.ReLU(), nn.Conv2d(2, 2, 1))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), torch.nn.ReLU(), torch.nn.Conv2d(2, 2, 1))
    ours[0], theirs[0] = nn.Identity(), torch.nn.Identity()
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs] == ["Identity", "ReLU", "Conv2d"]
    assert list(ours._modules) == ["0", "1", "2"]


def test_attribute_and_register_replacements_keep_order(torch):
    def build(lib):
        m = lib.nn.Module()
        m.a, m.b = lib.nn.ReLU(), lib.nn.Tanh()
        m.register_parameter("p", lib.nn.Parameter(lib.zeros(1)))
        m.register_parameter("q", lib.nn.Parameter(lib.zeros(1)))
        m.register_buffer("r", lib.zeros(1))
        m.register_buffer("s", lib.zeros(1))
        m.a = lib.nn.Identity()
        m.p = lib.nn.Parameter(lib.ones(2))
        m.register_buffer("r", lib.ones(2))
        m.add_module("b", lib.nn.Sigmoid())
        return m

    ours, theirs = build(minigrad), build(torch)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()] == ["a", "b"]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["p", "q", "r", "s"]
    assert [type(c).__name__ for c in ours.children()] == ["Identity", "Sigmoid"]


def test_resnet18_cifar_stem_stays_first():
    names = [n for n, _ in models.resnet18_cifar().named_children()]
    assert names[:2] == ["conv1", "bn1"]
