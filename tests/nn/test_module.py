"""nn.Module, Parameter, containers and nn.init: registration, traversal, modes, dtype,
state dicts with PyTorch's error wording, hooks, repr, and initialization statistics."""

import math
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import init

LENET5_LISTING = """\
LeNet5(
  (features_detector): Sequential(
    (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
    (1): AvgPool2d(kernel_size=2, stride=2, padding=0)
    (2): Sigmoid()
    (3): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
    (4): AvgPool2d(kernel_size=2, stride=2, padding=0)
    (5): Sigmoid()
  )
  (classifier): Sequential(
    (0): Linear(in_features=400, out_features=120, bias=True)
    (1): Sigmoid()
    (2): Linear(in_features=120, out_features=84, bias=True)
    (3): Sigmoid()
    (4): Linear(in_features=84, out_features=10, bias=True)
  )
)"""


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8, 3))
        self.register_buffer("scale", minigrad.ones(1))
        self.register_buffer("scratch", minigrad.zeros(1), persistent=False)

    def forward(self, x):
        return self.head(self.bn(self.conv(x)).relu()) * self.scale


def test_lenet5_repr_reads_like_the_notes():
    assert repr(minigrad.models.lenet5()) == LENET5_LISTING


def test_parameter_is_a_leaf_tensor_with_its_own_repr():
    p = nn.Parameter(minigrad.tensor([1.0, 2.0]))
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not nn.Parameter(minigrad.zeros(2), requires_grad=False).requires_grad
    assert type(p * 2) is minigrad.Tensor


def test_registration_and_traversal_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "conv.weight",
        "conv.bias",
        "bn.weight",
        "bn.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == [
        "scale",
        "scratch",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    assert [n for n, _ in net.named_children()] == ["conv", "bn", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "conv", "bn", "head", "head.0", "head.1"]
    assert len(list(net.modules())) == 6
    assert net.get_submodule("head.1") is net.head[1]
    assert "scratch" not in net.state_dict()
    assert list(net.state_dict())[:4] == ["scale", "conv.weight", "conv.bias", "bn.weight"]
    assert net(minigrad.zeros(2, 1, 4, 4)).shape == (2, 3)


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4


def test_setattr_rules_and_errors():
    net = Net()
    net.conv = None
    assert net._modules["conv"] is None and list(net.children())[0] is net.bn
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'bn'"):
        net.bn = 3
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'bias'"):
        net.head[1].bias = minigrad.zeros(3)
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        net.missing  # noqa: B018  (the attribute access is what raises)
    with pytest.raises(KeyError, match=r'contain "\."'):
        net.register_buffer("a.b", minigrad.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'list' object to buffer 'x'"):
        net.register_buffer("x", [1])

    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    del net.bn
    assert "bn" not in dict(net.named_children())


def test_train_eval_requires_grad_and_apply():
    net = Net()
    assert net.training and net.bn.training
    assert net.eval() is net and not net.bn.training and not net.head[0].training
    net.train()
    assert net.head[1].training
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Conv2d", "BatchNorm2d", "Flatten", "Linear", "Sequential", "Net"]
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_zero_grad_sets_to_none_by_default():
    layer = nn.Linear(2, 2)
    layer(minigrad.ones(1, 2)).sum().backward()
    assert layer.weight.grad is not None
    layer.zero_grad(set_to_none=False)
    assert (layer.weight.grad._array == 0).all()
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_to_double_float_keeps_parameter_identity_and_integer_buffers():
    net = Net()
    weight = net.conv.weight
    net.double()
    assert net.conv.weight is weight and weight.dtype == minigrad.float64
    assert net.bn.running_mean.dtype == minigrad.float64
    assert net.bn.num_batches_tracked.dtype == minigrad.int64
    assert net(minigrad.zeros(2, 1, 4, 4, dtype=minigrad.float64)).dtype == minigrad.float64
    net.to(minigrad.float32)
    assert weight.dtype == minigrad.float32
    assert net.to("cpu") is net
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        net.to(minigrad.int64)


def test_state_dict_round_trip_and_sharing():
    a, b = Net(), Net()
    a.bn(minigrad.randn(4, 2, 3, 3))
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(x._array, y._array, err_msg=name)
    sd = a.state_dict()
    assert not sd["conv.weight"].requires_grad
    assert np.shares_memory(sd["conv.weight"]._array, a.conv.weight._array)
    b.load_state_dict(OrderedDict((k, v._array) for k, v in a.state_dict().items()))  # plain arrays load too


def test_load_state_dict_errors_in_torch_wording():
    net = Net()
    sd = net.state_dict()
    del sd["conv.bias"]
    sd["extra.weight"] = minigrad.zeros(1)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Net:\n\t")
    assert 'Unexpected key(s) in state_dict: "extra.weight". ' in message
    assert 'Missing key(s) in state_dict: "conv.bias". ' in message
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["conv.bias"] and result.unexpected_keys == ["extra.weight"]
    bad = net.state_dict()
    bad["head.1.weight"] = minigrad.zeros(5, 8)
    with pytest.raises(
        RuntimeError,
        match=r"size mismatch for head.1.weight: copying a param with shape \[5, 8\] "
        r"from checkpoint, the shape in current model is \[3, 8\]",
    ):
        net.load_state_dict(bad, strict=False)


def test_load_state_dict_accepts_torch_tensors(torch):
    theirs = torch.nn.Linear(3, 2)
    ours = nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight._array, theirs.weight.detach().numpy())


def test_forward_hooks_and_pre_hooks():
    layer = nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append((m, out.shape)) or out + 1)
    out = layer(minigrad.ones(3, 2))
    np.testing.assert_allclose(out._array, np.broadcast_to(layer.bias._array + 1, (3, 2)), rtol=1e-6)
    assert calls == [(layer, (3, 2))]
    pre.remove()
    post.remove()
    np.testing.assert_allclose(layer(minigrad.zeros(1, 2))._array, layer.bias._array[None], rtol=1e-6)
    assert len(calls) == 1


def test_module_without_forward():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(1)


# ---- containers -----------------------------------------------------------------------------


def test_sequential_indexing_slicing_and_ordered_dict():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is seq[0]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    seq.append(nn.Sigmoid())
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_children()] == ["fc", "act"] and named.fc is named[0]


def test_module_list_and_dict_register_parameters():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    layers.insert(0, nn.Identity())
    assert len(layers) == 5 and isinstance(layers[0], nn.Identity) and len(list(layers.parameters())) == 8
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2", "3", "4"]
    assert repr(nn.ModuleList([nn.ReLU()])) == "ModuleList(\n  (0): ReLU()\n)"
    heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    heads["c"] = nn.Linear(2, 1)
    assert list(heads.keys()) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert len(list(heads.parameters())) == 4
    assert isinstance(heads.pop("b"), nn.ReLU) and "b" not in heads


# ---- init -----------------------------------------------------------------------------------


def test_calculate_gain_values_and_error():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == math.sqrt(1 / 3)
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")


@pytest.mark.parametrize(
    "fn,kwargs,check",
    [
        (init.uniform_, dict(a=-2, b=3), lambda d: d.min() >= -2 and d.max() <= 3 and abs(d.mean() - 0.5) < 0.05),
        (init.normal_, dict(mean=1, std=2), lambda d: abs(d.mean() - 1) < 0.05 and abs(d.std() - 2) < 0.05),
        (init.xavier_uniform_, dict(), lambda d: np.abs(d).max() <= math.sqrt(6 / 600)),
        (init.xavier_normal_, dict(gain=2), lambda d: abs(d.std() - 2 * math.sqrt(2 / 600)) < 0.005),
        (init.kaiming_uniform_, dict(nonlinearity="relu"), lambda d: np.abs(d).max() <= math.sqrt(6 / 400)),
        (
            init.kaiming_normal_,
            dict(mode="fan_out", nonlinearity="relu"),
            lambda d: abs(d.std() - math.sqrt(2 / 200)) < 0.003,
        ),
        (init.constant_, dict(val=0.25), lambda d: (d == 0.25).all()),
    ],
)
def test_init_distributions(fn, kwargs, check):
    w = minigrad.empty(200, 400)
    assert fn(w, **kwargs) is w
    assert check(w._array)
    assert w.dtype == minigrad.float32


def test_init_follows_manual_seed_and_generators():
    minigrad.manual_seed(5)
    a = nn.Linear(4, 4).weight._array.copy()
    minigrad.manual_seed(5)
    np.testing.assert_array_equal(nn.Linear(4, 4).weight._array, a)
    g = minigrad.Generator().manual_seed(1)
    w1 = init.normal_(minigrad.empty(3), generator=g)._array.copy()
    g.manual_seed(1)
    np.testing.assert_array_equal(init.normal_(minigrad.empty(3), generator=g)._array, w1)


def test_init_errors_and_in_place_semantics():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(minigrad.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported, please use one of fan_in, fan_out"):
        init.kaiming_uniform_(minigrad.empty(3, 3), mode="fan_avg")
    p = nn.Parameter(minigrad.zeros(2, 2))
    init.ones_(p)
    assert p.requires_grad and p.is_leaf and (p._array == 1).all()
    init.zeros_(p)
    assert (p._array == 0).all()


def test_modules_deepcopy_and_pickle_after_a_forward_pass():
    import copy
    import pickle

    model = minigrad.models.lenet5()
    x = minigrad.randn(2, 1, 32, 32)
    expected = model(x)._array  # recording gives the parameters gradient accumulators
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        w = clone.classifier[0].weight
        assert type(w) is nn.Parameter and w.requires_grad
        assert not np.shares_memory(w._array, model.classifier[0].weight._array)
        np.testing.assert_array_equal(clone(x)._array, expected)
