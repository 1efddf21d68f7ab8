"""Corrupt checkpoints and failed loads: one RuntimeError naming the file, and a model left as it was.

minigrad.load raises RuntimeError ("minigrad.load: <file> is not a valid checkpoint: ...")
for every damaged file, as torch.load raises RuntimeError for a corrupt zip; the fuzz
tests below flip and cut bytes of a valid file and write random metadata, and allow
only a clean load or that error.
"""

import json
import struct

import numpy as np
import pytest
import safetensors.numpy

import minigrad
from minigrad import nn

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _checkpoint_bytes(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    path = tmp_path / "valid.safetensors"
    minigrad.save({"model": model.state_dict(), "epoch": 3, "betas": (0.9, 0.999), "log": [1.5, None, "x"]}, path)
    return path.read_bytes()


def _load_cleanly_or_fail_clearly(path):
    """Load ``path``; the only error allowed is the one RuntimeError that names the file."""
    try:
        minigrad.load(path)
    except RuntimeError as e:
        assert type(e) is RuntimeError, type(e)
        assert str(e).startswith(f"minigrad.load: {path} is not a valid checkpoint: "), str(e)
        return str(e)
    return None


@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    return _checkpoint_bytes(tmp_path_factory.mktemp("valid"))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fuzz_flipped_and_truncated_bytes(valid, tmp_path_factory, data):
    raw = bytearray(valid)
    header_end = 8 + struct.unpack("<Q", valid[:8])[0]
    for _ in range(data.draw(st.integers(1, 6), label="flips")):
        # Most flips land in the header, where the structure lives.
        position = data.draw(st.integers(0, header_end - 1) | st.integers(0, len(raw) - 1), label="position")
        raw[position] = data.draw(st.integers(0, 255), label="byte")
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw)), label="length")]
    path = tmp_path_factory.mktemp("flip") / "ckpt.safetensors"
    path.write_bytes(bytes(raw))
    _load_cleanly_or_fail_clearly(path)


_json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
_keys = st.sampled_from(["tensor", "dict", "list", "tuple", "version", "object", "tensors", "w"]) | st.text(max_size=3)
_json = st.recursive(
    _json_leaf | st.just("w") | st.just({"tensor": "w"}),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=3),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    tree=_json,
    version=st.sampled_from([1, 2, 3, 0, -1, "2", 2.0, True, None]),
    table=st.sampled_from([None, "missing", {"w": ["float32", [2]]}, {"w": ["int32", [2]]}, {"w": "float32"}]),
)
def test_fuzz_random_metadata(tmp_path_factory, tree, version, table):
    header = {"version": version, "object": tree}
    if table != "missing":
        header["tensors"] = table
    path = tmp_path_factory.mktemp("meta") / "ckpt.safetensors"
    safetensors.numpy.save_file({"w": np.ones(2, np.float32)}, str(path), metadata={"__minigrad__": json.dumps(header)})
    _load_cleanly_or_fail_clearly(path)


@settings(max_examples=100, deadline=None)
@given(header=_json)
def test_fuzz_random_metadata_headers(tmp_path_factory, header):
    path = tmp_path_factory.mktemp("header") / "ckpt.safetensors"
    safetensors.numpy.save_file({"w": np.ones(2, np.float32)}, str(path), metadata={"__minigrad__": json.dumps(header)})
    _load_cleanly_or_fail_clearly(path)


def _write(path, metadata, tensors=None):
    tensors = {"w": np.ones(2, np.float32)} if tensors is None else tensors
    safetensors.numpy.save_file(tensors, str(path), metadata={"__minigrad__": metadata})
    return path


# The messages that used to be "too many values to unpack", "unhashable type" or a RecursionError.
@pytest.mark.parametrize(
    "metadata, fault",
    [
        ('{"version": 2, "object": {"dict": [], "list": []}, "tensors": {}}', "where a value or a one-entry object"),
        ('{"version": 2, "object": {"dict": [[["k"], 1]]}, "tensors": {}}', "where a [key, value] pair"),
        ('{"version": 2, "object": {"dict": [["k", 1], ["k", 2]]}, "tensors": {}}', "repeats the dict key 'k'"),
        ('{"version": 2, "object": {"tensor": ["w"]}, "tensors": {}}', "refers to a tensor ['w']"),
        ('{"version": 2, "object": {"list": 5}, "tensors": {}}', "where the items of a list belong"),
        ('{"version": 2, "object": {"set": []}, "tensors": {}}', "unknown entry 'set'"),
        ('{"version": 2, "object": [1, 2], "tensors": {}}', "where a value or a one-entry object"),
        ("[" * 100_000 + "]" * 100_000, "nests deeper than 100 levels"),
        ('{"version": 2, "object": ' + '{"list": [' * 150 + "1" + "]}" * 150 + ', "tensors": {}}', "nests deeper"),
        ('{"version": 7, "object": 1}', "format version is 7; this minigrad reads versions 1 to 2"),
        ('{"version": "2", "object": 1}', "format version is '2'"),
        ('{"object": 1}', "format version is None"),
        ('{"version": 2}', "not an object with a 'version' and an 'object'"),
        ("{not json", "not valid JSON"),
    ],
)
def test_malformed_metadata_names_the_file_and_the_fault(tmp_path, metadata, fault):
    path = _write(tmp_path / "bad.safetensors", metadata, tensors={})
    with pytest.raises(RuntimeError) as info:
        minigrad.load(path)
    assert str(info.value).startswith(f"minigrad.load: {path} is not a valid checkpoint: ")
    assert fault in str(info.value)


def test_tensors_that_disagree_with_the_metadata(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"w": minigrad.ones(2, 3), "b": minigrad.zeros(2)}, path)
    raw = path.read_bytes()
    # The same number of bytes, read as other numbers: only the metadata's table can tell.
    for old, new, fault in [
        (b'"F32"', b'"I32"', "the tensor 'b' is int32 [2] but the metadata says ['float32', [2]]"),
        (b"[2,3]", b"[3,2]", "the tensor 'w' is float32 [3, 2] but the metadata says ['float32', [2, 3]]"),
    ]:
        assert old in raw
        path.write_bytes(raw.replace(old, new, 1))
        with pytest.raises(RuntimeError, match="is not a valid checkpoint: ") as info:
            minigrad.load(path)
        assert fault in str(info.value)
    _write(path, json.dumps({"version": 2, "object": {"tensor": "w"}, "tensors": {}}))
    with pytest.raises(RuntimeError, match="table of tensors does not list the tensors the file holds"):
        minigrad.load(path)
    _write(path, json.dumps({"version": 1, "object": {"list": [{"tensor": "w"}, {"tensor": "w"}]}}))
    with pytest.raises(RuntimeError, match="places the tensor 'w' twice"):
        minigrad.load(path)
    safetensors.numpy.save_file({"u": np.ones(2, np.uint16)}, str(path))
    with pytest.raises(RuntimeError, match="the tensor 'u' has dtype uint16, which minigrad does not have"):
        minigrad.load(path)


def test_format_version_is_written_and_version_1_files_still_load(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"w": minigrad.ones(2), "n": 1}, path)
    with open(path, "rb") as f:
        header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    meta = json.loads(header["__metadata__"]["__minigrad__"])
    assert meta["version"] == 2 and meta["tensors"] == {"w": ["float32", [2]]}
    _write(path, json.dumps({"version": 1, "object": {"dict": [["w", {"tensor": "w"}], ["n", 1]]}}))
    back = minigrad.load(path)
    assert back["n"] == 1 and back["w"].tolist() == [1.0, 1.0]


def test_nesting_limit_is_the_same_for_save_and_load(tmp_path):
    path = tmp_path / "deep.safetensors"
    deep = 1
    for _ in range(100):
        deep = [deep]
    minigrad.save(deep, path)  # 100 levels: the deepest allowed
    assert minigrad.load(path) == deep
    with pytest.raises(ValueError, match="containers nest deeper than 100 levels"):
        minigrad.save([deep], path)
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="a container that holds itself"):
        minigrad.save({"a": loop}, path)


def test_not_a_checkpoint_at_all(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    for content in [b"", b"\x00" * 7, b"PK\x03\x04 torch.save zip", b"\xff" * 64, struct.pack("<Q", 2) + b"[]"]:
        path.write_bytes(content)
        message = _load_cleanly_or_fail_clearly(path)
        assert message is not None and "truncated or corrupt safetensors file" in message
    with pytest.raises(RuntimeError, match="is not a valid checkpoint"):
        minigrad.load(tmp_path)  # a directory
    with pytest.raises(FileNotFoundError, match="no such file"):
        minigrad.load(tmp_path / "missing.safetensors")


# ---- load_state_dict ----------------------------------------------------------------------------


def _net():
    minigrad.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))


def _snapshot(model):
    return {key: (value._array.dtype, value._array.tobytes()) for key, value in model.state_dict().items()}


@pytest.mark.parametrize(
    "key, value, fault",
    [
        ("0.weight", np.ones((2, 3), np.complex64), "complex64 values would lose their imaginary part"),
        ("0.weight", np.full((2, 3), 1e300), "the value 1e+300 overflows the model's float32"),
        ("0.bias", np.array([1.0, -1e39]), "the value 1e+39 overflows the model's float32"),
        ("1.num_batches_tracked", np.array(np.nan), "NaN or inf values cannot be stored in the model's int64"),
        ("1.num_batches_tracked", np.array(2.0**70), "do not fit the model's int64"),
        ("1.num_batches_tracked", np.array(2**64 - 1, np.uint64), "do not fit the model's int64"),
        ("0.bias", [1.0, 2.0], "expected Tensor or array from checkpoint but received <class 'list'>"),
        ("0.bias", "ab", "expected Tensor or array from checkpoint but received <class 'str'>"),
        ("0.bias", np.array(["a", "b"]), "expected a tensor of numbers from checkpoint, but its dtype is <U1"),
        ("0.bias", minigrad.ones(3), "size mismatch for 0.bias: copying a param with shape [3]"),
    ],
)
def test_a_failed_load_names_the_key_and_leaves_the_model_bit_identical(key, value, fault):
    model = _net()
    before = _snapshot(model)
    state = {k: minigrad.randn(*v.shape) if v.dtype == minigrad.float32 else v for k, v in _net().state_dict().items()}
    state = {**state, key: value}  # every other entry is valid and would change the model
    for strict in (True, False):
        with pytest.raises(RuntimeError) as info:
            model.load_state_dict(state, strict=strict)
        message = str(info.value)
        assert message.startswith("Error(s) in loading state_dict for Sequential:\n\t") and fault in message
        assert f'"{key}"' in message or f"for {key}:" in message
        assert _snapshot(model) == before


def test_casts_pytorch_makes_silently_are_kept():
    model = _net()
    model.load_state_dict(
        {**model.state_dict(), "0.weight": np.full((2, 3), 0.1), "1.num_batches_tracked": np.array(2.7)}
    )
    assert model[0].weight.dtype == minigrad.float32 and model[0].weight._array[0, 0] == np.float32(0.1)
    assert model[1].num_batches_tracked.item() == 2  # the fraction is dropped, as torch does
    model.load_state_dict({**model.state_dict(), "0.bias": np.array([np.inf, np.nan])})  # not lossy: kept as is
    assert np.isinf(model[0].bias._array[0]) and np.isnan(model[0].bias._array[1])


def test_entries_that_share_memory_with_the_model_are_read_before_any_is_written():
    model = _net()
    model[1].weight._array[:] = [1.0, 2.0]
    model[1].bias._array[:] = [3.0, 4.0]
    state = model.state_dict()  # shares memory with the model
    model.load_state_dict({**state, "1.weight": state["1.bias"], "1.bias": state["1.weight"]})
    assert model[1].weight.tolist() == [3.0, 4.0] and model[1].bias.tolist() == [1.0, 2.0]


def test_strict_false_reports_keys_as_pytorch_does():
    torch = pytest.importorskip("torch")
    ours, theirs = _net(), torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    state = {
        "0.weight": np.zeros((2, 3), np.float32),
        "extra": np.zeros(1, np.float32),
        "1.bias": np.ones(2, np.float32),
    }
    got = ours.load_state_dict(state, strict=False)
    want = theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    assert got.missing_keys == want.missing_keys and got.unexpected_keys == want.unexpected_keys
    assert ours[0].weight.tolist() == [[0.0] * 3] * 2 and ours[1].bias.tolist() == [1.0, 1.0]


def test_a_batchnorm_counter_missing_from_an_old_checkpoint_is_not_a_missing_key():
    torch = pytest.importorskip("torch")
    ours, theirs = _net(), torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    state = {k: v._array for k, v in ours.state_dict().items() if not k.endswith("num_batches_tracked")}
    assert repr(ours.load_state_dict(state)) == repr(
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    )
    assert ours[1].num_batches_tracked.item() == 0
