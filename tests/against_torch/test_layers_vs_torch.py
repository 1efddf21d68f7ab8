"""Every nn layer: forward and gradients against PyTorch with copied weights.
(The layers' own gradchecks, dropout and errors: tests/nn/test_layers.py.)"""

import numpy as np
import pytest
import torch
from inputs import seeded_normal

import minigrad
from minigrad import nn


def _torch(t, requires_grad=False):
    return torch.tensor(np.array(t._array), requires_grad=requires_grad)


def _copy_into_torch(ours, theirs):
    """Copy our parameters and buffers into the torch module with the same names."""
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            target = theirs.state_dict()[name]
            target.copy_(torch.from_numpy(np.array(value._array)).to(target.dtype))


def _compare(ours, theirs, x, *, rtol=1e-5, atol=1e-5, train=True):
    """Forward, backward of a random cotangent, and parameter gradients, ours vs torch."""
    _copy_into_torch(ours, theirs)
    ours.train(train)
    theirs.train(train)
    xm = minigrad.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ym, yt = ours(xm), theirs(xt)
    np.testing.assert_allclose(ym._array, yt.detach().numpy(), rtol=rtol, atol=atol)
    cot = np.random.default_rng(1).standard_normal(yt.shape).astype(x.dtype)
    ym.backward(minigrad.tensor(cot))
    yt.backward(torch.tensor(cot))
    np.testing.assert_allclose(xm.grad._array, xt.grad.numpy(), rtol=rtol, atol=atol)
    torch_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._array, torch_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
    torch_buffers = dict(theirs.named_buffers())
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b._array, torch_buffers[name].numpy(), rtol=rtol, atol=atol, err_msg=name)


# ---- against PyTorch ------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(bias):
    _compare(nn.Linear(7, 5, bias=bias), torch.nn.Linear(7, 5, bias=bias), seeded_normal(3, 7))
    _compare(nn.Linear(7, 5, bias=bias), torch.nn.Linear(7, 5, bias=bias), seeded_normal(2, 3, 7))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(stride=2, padding=1),
        dict(padding=2, dilation=2, groups=2),
        dict(padding="same"),
        dict(padding=1, padding_mode="reflect"),
        dict(padding=(1, 2), padding_mode="replicate"),
        dict(padding=2, padding_mode="circular", bias=False),
        dict(padding="same", padding_mode="reflect", kernel_size=4),
    ],
)
def test_conv2d_matches_torch(kwargs):
    kwargs = dict(kwargs)
    k = kwargs.pop("kernel_size", 3)
    ours = nn.Conv2d(4, 6, k, **kwargs)
    theirs = torch.nn.Conv2d(4, 6, k, **kwargs)
    _compare(ours, theirs, seeded_normal(2, 4, 9, 8), rtol=1e-4, atol=1e-4)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "kwargs", [dict(), dict(stride=2, padding=1, groups=2), dict(padding=1, padding_mode="reflect")]
)
def test_conv1d_matches_torch(kwargs):
    ours, theirs = nn.Conv1d(4, 6, 3, **kwargs), torch.nn.Conv1d(4, 6, 3, **kwargs)
    _compare(ours, theirs, seeded_normal(2, 4, 11), rtol=1e-4, atol=1e-4)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1, output_padding=1), dict(stride=2, groups=2)])
def test_conv_transpose2d_matches_torch(kwargs):
    ours, theirs = nn.ConvTranspose2d(4, 6, 3, **kwargs), torch.nn.ConvTranspose2d(4, 6, 3, **kwargs)
    _compare(ours, theirs, seeded_normal(2, 4, 5, 6), rtol=1e-4, atol=1e-4)
    assert repr(ours) == repr(theirs)


def test_conv_transpose2d_output_size():
    ours, theirs = (
        nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
        torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
    )
    _copy_into_torch(ours, theirs)
    x = seeded_normal(1, 2, 4, 4)
    ym = ours(minigrad.tensor(x), output_size=[8, 8])
    yt = theirs(torch.tensor(x), output_size=[8, 8])
    assert ym.shape == (1, 3, 8, 8)
    np.testing.assert_allclose(ym._array, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="requested an output size"):
        ours(minigrad.tensor(x), output_size=[12, 12])


@pytest.mark.parametrize(
    "name,args",
    [
        ("MaxPool2d", (2,)),
        ("MaxPool2d", (3, 2, 1)),
        ("AvgPool2d", (2,)),
        ("AvgPool2d", (3, 2, 1)),
        ("AdaptiveAvgPool2d", ((3, 2),)),
        ("AdaptiveMaxPool2d", (3,)),
    ],
)
def test_pooling_matches_torch(name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    _compare(ours, theirs, seeded_normal(2, 3, 8, 7))
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "name,args,shape",
    [
        ("BatchNorm1d", (5,), (8, 5)),
        ("BatchNorm1d", (5,), (4, 5, 3)),
        ("BatchNorm2d", (3,), (4, 3, 5, 2)),
        ("BatchNorm2d", (3, 1e-3, 0.3, False), (4, 3, 2, 2)),
        ("BatchNorm2d", (3, 1e-5, None), (4, 3, 2, 2)),
        ("BatchNorm2d", (3, 1e-5, 0.1, True, False), (4, 3, 2, 2)),
        ("BatchNorm2d", (3, 1e-5, 0.1, True, True, None, None, False), (4, 3, 2, 2)),
    ],
)
def test_batch_norm_matches_torch_in_train_and_eval(name, args, shape):
    kwargs = {"bias": args[7]} if len(args) > 7 else {}
    args = args[:5]
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    if ours.affine:
        nn.init.uniform_(ours.weight, 0.5, 1.5)
        if ours.bias is not None:
            nn.init.uniform_(ours.bias, -0.5, 0.5)
    for step in range(3):  # running statistics and num_batches_tracked evolve alike
        ours_state = {k: v._array.copy() for k, v in ours.state_dict().items()}
        _compare(ours, theirs, seeded_normal(*shape) * (step + 1) + step, rtol=1e-4, atol=1e-4)
        ours.load_state_dict(ours_state)
        ours(minigrad.tensor(seeded_normal(*shape) * (step + 1) + step))
    _compare(ours, theirs, seeded_normal(*shape), rtol=1e-4, atol=1e-4, train=False)
    assert repr(ours) == repr(theirs)


def test_batch_norm_num_batches_tracked_and_eval_uses_running_stats():
    bn = nn.BatchNorm2d(2)
    x = minigrad.tensor(seeded_normal(4, 2, 3, 3) * 3 + 1)
    bn(x)
    bn(x)
    assert bn.num_batches_tracked.item() == 2
    assert bn.state_dict()["num_batches_tracked"].dtype == minigrad.int64
    bn.eval()
    expected = (x._array - bn.running_mean._array.reshape(1, 2, 1, 1)) / np.sqrt(
        bn.running_var._array.reshape(1, 2, 1, 1) + 1e-5
    )
    np.testing.assert_allclose(bn(x)._array, expected, rtol=1e-5, atol=1e-5)
    assert bn.num_batches_tracked.item() == 2


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)),
        (nn.LeakyReLU(), torch.nn.LeakyReLU()),
        (nn.LeakyReLU(0.2, inplace=True), torch.nn.LeakyReLU(0.2, inplace=True)),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (nn.LogSoftmax(dim=-1), torch.nn.LogSoftmax(dim=-1)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Flatten(0, 1), torch.nn.Flatten(0, 1)),
        (nn.Identity(), torch.nn.Identity()),
    ],
)
def test_parameterless_layers_match_torch(ours, theirs):
    if isinstance(theirs, (torch.nn.ReLU, torch.nn.LeakyReLU)):
        theirs.inplace = False  # torch refuses in-place on a leaf; the repr is compared below
    _compare(ours, theirs, seeded_normal(2, 3, 4))
    if isinstance(theirs, (torch.nn.ReLU, torch.nn.LeakyReLU)):
        theirs.inplace = ours.inplace
    assert repr(ours) == repr(theirs)


def test_softmax_without_dim_follows_torch_legacy_choice():
    x = seeded_normal(2, 3, 4)
    np.testing.assert_allclose(
        nn.Softmax()(minigrad.tensor(x))._array, torch.nn.functional.softmax(torch.tensor(x), dim=0).numpy(), rtol=1e-5
    )


def test_sequential_of_layers_matches_torch():
    ours = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5),
        nn.Tanh(),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 3 * 3, 5),
        torch.nn.Tanh(),
    )
    _compare(ours, theirs, seeded_normal(3, 2, 6, 6), rtol=1e-4, atol=1e-4)
    assert repr(ours) == repr(theirs)
