"""PyTorch's saving and loading habits: torch.load's arguments, torch.save of a whole model,
PyTorch .pt files, and the zoo's weights= / pretrained= as torchvision takes them. No pickle is
ever executed: what only a pickle (or a download) could give is refused with the safe recipe."""

import enum
import os
import pickle

import numpy as np
import pytest
import safetensors.numpy

import minigrad
from minigrad import models, nn


def _checkpoint(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"epoch": 3, "weight": minigrad.arange(6.0).reshape(2, 3)}, path)
    return path


# ---- weights= from a local file -----------------------------------------------------------


def _torch_lenet5(torch):
    """minigrad's LeNet-5 written with PyTorch's layers, under the same names."""
    tnn = torch.nn
    net = tnn.Module()
    net.features_detector = tnn.Sequential(
        tnn.Conv2d(1, 6, 5),
        tnn.AvgPool2d(2, 2),
        tnn.Sigmoid(),
        tnn.Conv2d(6, 16, 5),
        tnn.AvgPool2d(2, 2),
        tnn.Sigmoid(),
    )
    net.classifier = tnn.Sequential(
        tnn.Linear(400, 120), tnn.Sigmoid(), tnn.Linear(120, 84), tnn.Sigmoid(), tnn.Linear(84, 10)
    )
    return net


def test_lenet5_loads_weights_saved_by_pytorch(tmp_path, torch):
    import safetensors.torch  # needs torch, so imported here

    torch.manual_seed(0)
    net = _torch_lenet5(torch).eval()
    path = tmp_path / "lenet5.safetensors"
    safetensors.torch.save_file(net.state_dict(), str(path))
    x = np.random.default_rng(0).standard_normal((4, 1, 32, 32)).astype(np.float32)
    with torch.no_grad():
        want = net.classifier(torch.flatten(net.features_detector(torch.tensor(x)), 1)).numpy()
    for weights in (str(path), path):  # a str or a path-like object
        ours = models.lenet5(weights=weights).eval()
        with minigrad.no_grad():
            np.testing.assert_allclose(ours(minigrad.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-5)


def test_resnet_loads_a_plain_safetensors_state_dict_with_batch_norm_buffers(tmp_path):
    minigrad.manual_seed(0)
    source = models.resnet18_cifar()
    for module in source.modules():
        if isinstance(module, nn.BatchNorm2d):
            nn.init.uniform_(module.running_mean, -0.1, 0.1)
            nn.init.uniform_(module.running_var, 0.5, 1.5)
    state = {key: value.numpy() for key, value in source.state_dict().items()}
    plain = tmp_path / "plain.safetensors"  # no minigrad metadata, as PyTorch's safetensors writes it
    safetensors.numpy.save_file(state, str(plain))
    ours = tmp_path / "ours.safetensors"
    minigrad.save(source.state_dict(), ours)
    x = minigrad.randn(2, 3, 32, 32)
    with minigrad.no_grad():
        want = source.eval()(x).numpy()
        for path in (plain, ours):
            loaded = models.resnet18_cifar(weights=path).eval()
            np.testing.assert_array_equal(loaded(x).numpy(), want)


def test_weights_load_strictly(tmp_path):
    path = tmp_path / "lenet5.safetensors"
    state = models.lenet5().state_dict()
    minigrad.save(state, path)
    with pytest.raises(RuntimeError, match="size mismatch for classifier.4.weight"):
        models.lenet5(num_classes=5, weights=path)
    del state["classifier.4.bias"]
    minigrad.save(state, path)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "classifier.4.bias"'):
        models.lenet5(weights=path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        models.lenet5(weights=tmp_path / "missing.safetensors")
    with pytest.raises(FileNotFoundError, match="no such file"):
        models.lenet5(weights="weights/lenet5.safetensors")
    with pytest.raises(TypeError, match="weights must be None or the path"):
        models.lenet5(weights=3)


# ---- weights / pretrained that would need a download --------------------------------------


@pytest.mark.parametrize("weights", ["DEFAULT", "IMAGENET1K_V1", "ResNet18_Weights.IMAGENET1K_V1"])
def test_torchvision_weight_names_say_nothing_is_downloaded(weights):
    with pytest.raises(RuntimeError, match="minigrad does not download weights") as info:
        models.resnet18(weights=weights)
    message = str(info.value)
    assert "resnet18(weights='resnet18.safetensors')" in message
    assert f"safetensors.torch.save_file(torchvision.models.resnet18(weights={weights!r}).state_dict()" in message


def test_a_torchvision_weights_enum_is_refused_the_same_way():
    class ResNet18_Weights(enum.Enum):  # what torchvision's enums look like  # noqa: N801
        IMAGENET1K_V1 = "url"

    with pytest.raises(RuntimeError, match="does not download weights"):
        models.resnet18(weights=ResNet18_Weights.IMAGENET1K_V1)


def test_pretrained_is_deprecated_and_true_would_need_a_download():
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        with pytest.raises(RuntimeError, match="does not download weights") as info:
            models.vgg11(pretrained=True)
    assert "torchvision.models.vgg11(weights='DEFAULT')" in str(info.value)
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        with pytest.raises(RuntimeError, match="a PyTorch model with lenet5's layer names"):
            models.lenet5(pretrained=True)  # not in torchvision: the recipe starts from a PyTorch twin
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        model = models.lenet5(pretrained=False)
    assert isinstance(model, models.LeNet5)
    assert isinstance(models.alexnet(weights=None, progress=False), models.AlexNet)


def test_pretrained_and_weights_together_are_an_error(tmp_path):
    with pytest.raises(TypeError, match="'pretrained' and 'weights' cannot be given together"):
        models.lenet5(weights=_checkpoint(tmp_path), pretrained=False)


# ---- minigrad.load takes torch.load's arguments -------------------------------------------


@pytest.mark.parametrize(
    "map_location",
    ["cpu", "cpu:0", minigrad.device("cpu"), {"cuda:0": "cpu"}, {"cpu": minigrad.device("cpu")}, lambda s, loc: s],
    ids=["str", "str-index", "device", "dict-from-cuda", "dict-device", "callable"],
)
def test_map_location_forms_all_load_on_the_cpu(tmp_path, map_location):
    path = _checkpoint(tmp_path)
    loaded = minigrad.load(path, map_location=map_location)
    assert loaded["epoch"] == 3 and loaded["weight"].device == minigrad.device("cpu")
    np.testing.assert_array_equal(loaded["weight"].numpy(), np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("form", ["str", "str-index", "dict-to-cuda", "device"])
def test_map_location_naming_cuda_raises_as_on_a_cpu_only_pytorch(tmp_path, torch, form):
    import io

    ours, theirs = {
        "str": ("cuda", "cuda"),
        "str-index": ("cuda:0", "cuda:0"),
        "dict-to-cuda": ({"cpu": "cuda:0"}, {"cpu": "cuda:0"}),
        "device": (minigrad.device("cuda"), torch.device("cuda")),
    }[form]
    with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
        minigrad.load(_checkpoint(tmp_path), map_location=ours)
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer)
    with pytest.raises(RuntimeError):  # PyTorch built without CUDA refuses too
        torch.load(io.BytesIO(buffer.getvalue()), map_location=theirs)


def test_map_location_of_another_type_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="map_location must be"):
        minigrad.load(_checkpoint(tmp_path), map_location=5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights_only": True},
        {"weights_only": False},
        {"weights_only": None, "mmap": True},
        {"mmap": False},
        {"pickle_module": pickle, "encoding": "latin1"},
    ],
    ids=str,
)
def test_weights_only_mmap_and_pickle_arguments_are_accepted(tmp_path, kwargs):
    loaded = minigrad.load(_checkpoint(tmp_path), "cpu", **kwargs)
    assert loaded["epoch"] == 3 and loaded["weight"].shape == (2, 3)


# ---- what only a pickle could hold --------------------------------------------------------


def test_saving_a_whole_module_names_the_state_dict_way(tmp_path):
    model = models.lenet5()
    path = tmp_path / "model.safetensors"
    with pytest.raises(TypeError, match="cannot save a whole LeNet5 object") as info:
        minigrad.save(model, path)
    message = str(info.value)
    assert "minigrad.save(model.state_dict(), f)" in message
    assert "model.load_state_dict(minigrad.load(f))" in message
    with pytest.raises(TypeError, match=r"cannot save a whole SGD object \(at optimizer\)"):
        minigrad.save({"epoch": 1, "optimizer": minigrad.optim.SGD(model.parameters(), lr=0.1)}, path)
    assert not path.exists()


def _torch_files(torch, tmp_path):
    """A state dict saved by torch.save in its zip and legacy formats, and a whole pickled module."""
    net = torch.nn.Linear(3, 2)
    files = {"zip": tmp_path / "model.pt", "legacy": tmp_path / "legacy.pth", "module": tmp_path / "whole.pt"}
    torch.save(net.state_dict(), files["zip"])
    torch.save(net.state_dict(), files["legacy"], _use_new_zipfile_serialization=False)
    torch.save(net, files["module"])
    return files


@pytest.mark.parametrize("kind", ["zip", "legacy", "module"])
def test_pytorch_pt_files_are_refused_with_the_conversion_recipe(tmp_path, torch, kind):
    path = _torch_files(torch, tmp_path)[kind]
    for weights_only in (None, False):
        with pytest.raises(RuntimeError, match="never executes pickles") as info:
            minigrad.load(path, weights_only=weights_only)
        message = str(info.value)
        assert message.startswith(f"minigrad.load: {path} is not a valid checkpoint")
        assert "safetensors.torch.save_file(model.state_dict(), 'w.safetensors')" in message
        assert "minigrad.load('w.safetensors')" in message
    with pytest.raises(RuntimeError, match="never executes pickles"):
        models.lenet5(weights=path)


class _Trap:
    """Unpickling this would create a file: loading must not."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_no_pickle_is_ever_executed(tmp_path):
    marker = tmp_path / "pickle-ran"
    path = tmp_path / "evil.pt"
    for protocol in (2, 5):
        path.write_bytes(pickle.dumps(_Trap(str(marker)), protocol=protocol))
        with pytest.raises(RuntimeError, match="is a pickle"):
            minigrad.load(path, weights_only=False)
        assert not os.path.exists(marker)
