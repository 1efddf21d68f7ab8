"""minigrad.save / minigrad.load: round trips, atomic writes, corrupt files, PyTorch safetensors interop."""

import json
import os

import numpy as np
import pytest
import safetensors.numpy

import minigrad
from minigrad import models, nn, optim


def test_round_trip_nested(tmp_path):
    obj = {
        "model": {
            "conv.weight": minigrad.randn(2, 1, 3, 3),
            "bn.num_batches_tracked": minigrad.tensor(5),
            "mask": minigrad.tensor([True, False]),
            "half": minigrad.ones(2, dtype=minigrad.float16),
        },
        "optimizer": {
            "state": {0: {"step": minigrad.tensor(3.0), "exp_avg": minigrad.zeros(2)}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "params": [0]}],
        },
        "epoch": 7,
        "best": float("inf"),
        "name": "lenet5",
        "note": None,
        "history": [0.5, 0.25],
        "scalar": np.float32(1.5),
    }
    path = tmp_path / "ckpt.safetensors"
    minigrad.save(obj, path)
    back = minigrad.load(path)
    assert back["epoch"] == 7 and back["best"] == float("inf") and back["name"] == "lenet5" and back["note"] is None
    assert back["history"] == [0.5, 0.25] and back["scalar"] == 1.5
    groups = back["optimizer"]["param_groups"]
    assert groups == [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "params": [0]}]
    assert list(back["optimizer"]["state"]) == [0]  # int keys stay ints
    for key, value in obj["model"].items():
        assert back["model"][key].dtype == value.dtype and back["model"][key].shape == value.shape
        np.testing.assert_array_equal(back["model"][key]._array, value._array)
    assert back["optimizer"]["state"][0]["step"].shape == ()
    assert list(back["model"]) == list(obj["model"])  # order kept


def test_tensors_are_plain_safetensors_entries(tmp_path):
    path = str(tmp_path / "weights.safetensors")
    minigrad.save({"fc.weight": minigrad.ones(2, 3), "opt": {"state": {0: {"buf": minigrad.zeros(3)}}}}, path)
    raw = safetensors.numpy.load_file(path)
    assert sorted(raw) == ["fc.weight", "opt.state.0.buf"]
    assert raw["fc.weight"].shape == (2, 3)


def test_loaded_tensors_own_writable_memory(tmp_path):
    path = tmp_path / "w.safetensors"
    minigrad.save({"w": minigrad.ones(3)}, path)
    w = minigrad.load(path)["w"]
    w._array += 1
    assert w.tolist() == [2.0, 2.0, 2.0] and minigrad.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_model_and_optimizer_state_dicts(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(minigrad.randn(2, 1, 4, 4)).sum().backward()
    opt.step()
    path = tmp_path / "checkpoint.safetensors"
    minigrad.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    back = minigrad.load(path)
    clone = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    clone.load_state_dict(back["model"])
    clone_opt = optim.SGD(clone.parameters(), lr=0.5)
    clone_opt.load_state_dict(back["optimizer"])
    assert clone_opt.param_groups[0]["lr"] == 0.1
    for (name, a), (_, b) in zip(model.state_dict().items(), clone.state_dict().items()):
        np.testing.assert_array_equal(a._array, b._array, err_msg=name)
    buf = opt.state[next(iter(model.parameters()))]["momentum_buffer"]
    np.testing.assert_array_equal(clone_opt.state[next(iter(clone.parameters()))]["momentum_buffer"]._array, buf._array)


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"w": minigrad.ones(2)}, path)

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        minigrad.save({"w": minigrad.zeros(2)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]  # no temporary file left behind
    assert minigrad.load(path)["w"].tolist() == [1.0, 1.0]  # the old checkpoint is intact


def test_unsupported_values(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match=r"cannot save a object \(at a\.b\)"):
        minigrad.save({"a": {"b": object()}}, path)
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        minigrad.save({(1, 2): 3}, path)
    with pytest.raises(ValueError, match="same key 'a.b'"):
        minigrad.save({"a.b": minigrad.ones(1), "a": {"b": minigrad.ones(1)}}, path)
    assert not path.exists()


def test_missing_truncated_and_corrupt_files(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    with pytest.raises(FileNotFoundError, match="ckpt.safetensors"):
        minigrad.load(path)
    minigrad.save({"w": minigrad.ones(100), "epoch": 1}, path)
    data = path.read_bytes()
    path.write_bytes(data[:-17])
    with pytest.raises(RuntimeError, match="ckpt.safetensors is not a valid checkpoint"):
        minigrad.load(path)
    path.write_bytes(b"PK\x03\x04 a zip file, perhaps torch.save's pickle")
    with pytest.raises(RuntimeError, match="ckpt.safetensors is not a valid checkpoint"):
        minigrad.load(path)
    path.write_bytes(b"")
    with pytest.raises(RuntimeError, match="ckpt.safetensors"):
        minigrad.load(path)


def test_mismatched_metadata(tmp_path):
    path = str(tmp_path / "odd.safetensors")
    tree = {"version": 1, "object": {"dict": [["w", {"tensor": "w"}], ["v", {"tensor": "v"}]]}}
    safetensors.numpy.save_file({"w": np.ones(2, np.float32)}, path, metadata={"__minigrad__": json.dumps(tree)})
    with pytest.raises(RuntimeError, match="odd.safetensors refers to a tensor 'v' that the file does not hold"):
        minigrad.load(path)
    safetensors.numpy.save_file(
        {"w": np.ones(2, np.float32), "x": np.ones(1, np.float32)},
        path,
        metadata={"__minigrad__": json.dumps({"version": 1, "object": {"tensor": "w"}})},
    )
    with pytest.raises(RuntimeError, match=r"holds tensors its metadata does not place: \['x'\]"):
        minigrad.load(path)
    safetensors.numpy.save_file({"w": np.ones(2, np.float32)}, path, metadata={"__minigrad__": "{not json"})
    with pytest.raises(RuntimeError, match="odd.safetensors has corrupt minigrad metadata"):
        minigrad.load(path)


# ---- PyTorch interop --------------------------------------------------------------------------


def _torch_small_net(torch):
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 5 * 5, 6),
    )
    with torch.no_grad():
        net[1].running_mean.uniform_(-1, 1)
        net[1].running_var.uniform_(0.5, 2)
        net[1].weight.uniform_(0.5, 1.5)
    return net.eval()


def test_loads_torch_safetensors_into_a_model(tmp_path, torch):
    import safetensors.torch as safetensors_torch  # needs torch, so imported here

    torch.manual_seed(0)
    net = _torch_small_net(torch)
    path = str(tmp_path / "torch.safetensors")
    safetensors_torch.save_file(net.state_dict(), path)
    state = minigrad.load(path)
    assert sorted(state) == sorted(net.state_dict())
    for key, value in net.state_dict().items():
        assert state[key].dtype == {torch.float32: minigrad.float32, torch.int64: minigrad.int64}[value.dtype]
        np.testing.assert_array_equal(state[key]._array, value.numpy())
    ours = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 5 * 5, 6)
    )
    ours.load_state_dict(state)
    ours.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    with torch.no_grad():
        want = net(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours(minigrad.tensor(x))._array, want, rtol=1e-5, atol=1e-5)


def _torch_resnet18(torch, num_classes):
    """torchvision's ResNet-18 layout (names and shapes), written out for the test."""
    tnn = torch.nn

    class BasicBlock(tnn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(cout)
            self.relu = tnn.ReLU(inplace=True)
            self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    class ResNet18(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = tnn.BatchNorm2d(64)
            self.relu = tnn.ReLU(inplace=True)
            self.maxpool = tnn.MaxPool2d(3, 2, 1)
            widths, cin = [64, 128, 256, 512], 64
            for i, width in enumerate(widths, start=1):
                stride = 1 if i == 1 else 2
                setattr(self, f"layer{i}", tnn.Sequential(BasicBlock(cin, width, stride), BasicBlock(width, width, 1)))
                cin = width
            self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
            self.fc = tnn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return ResNet18()


def test_torch_resnet18_weights_give_the_same_outputs(tmp_path, torch):
    import safetensors.torch as safetensors_torch  # needs torch, so imported here

    torch.manual_seed(0)
    net = _torch_resnet18(torch, num_classes=10)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    net.eval()
    path = str(tmp_path / "resnet18.safetensors")
    safetensors_torch.save_file(net.state_dict(), path)
    ours = models.resnet18(num_classes=10)
    ours.load_state_dict(minigrad.load(path))
    ours.eval()
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        want = net(torch.tensor(x)).numpy()
    with minigrad.no_grad():
        got = ours(minigrad.tensor(x))._array
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
