"""The legacy constructors (minigrad.Tensor(2, 3), FloatTensor, LongTensor, ...), isinstance
checks against them and Tensor.type(), against PyTorch. minigrad's type names read
'minigrad.FloatTensor' where PyTorch's read 'torch.FloatTensor'."""

import numpy as np
import pytest

import minigrad

LEGACY_NAMES = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]


def same_repr(ours, theirs):
    assert repr(ours) == repr(theirs).replace("torch.", "minigrad.")


@pytest.mark.parametrize(
    "args",
    [
        ([1, 2],),
        ([[1, 2], [3, 4]],),
        ((2, 3),),
        ([1.5, 2],),
        (np.array([1, 2]),),
        (np.array([1.5, 2.0]),),
        ([True, False],),
        ([],),
    ],
    ids=str,
)
@pytest.mark.parametrize("name", ["Tensor", *LEGACY_NAMES])
def test_construction_from_data_matches_pytorch(torch, name, args):
    same_repr(getattr(minigrad, name)(*args), getattr(torch, name)(*args))


@pytest.mark.parametrize("sizes", [(), (2, 3), (4,), (0,), (2, 0, 3)], ids=str)
@pytest.mark.parametrize("name", ["Tensor", *LEGACY_NAMES])
def test_construction_from_sizes_is_uninitialized_of_that_shape(torch, name, sizes):
    ours, theirs = getattr(minigrad, name)(*sizes), getattr(torch, name)(*sizes)
    assert ours.shape == theirs.shape
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "minigrad.")
    assert not ours.requires_grad and ours.is_leaf
    assert minigrad.Tensor(minigrad.Size([2, 3])).shape == torch.Tensor(torch.Size([2, 3])).shape


def test_tensor_follows_the_default_dtype():
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert minigrad.Tensor([1, 2]).dtype is minigrad.float64
        assert minigrad.FloatTensor([1, 2]).dtype is minigrad.float32
    finally:
        minigrad.set_default_dtype(minigrad.float32)


def test_tensor_of_a_tensor_shares_its_memory(torch):
    source = minigrad.tensor([1, 2])
    alias = minigrad.Tensor(source)
    same_repr(alias, torch.Tensor(torch.tensor([1, 2])))
    alias[0] = 7
    assert source[0].item() == 7


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.Tensor(2.5),
        lambda m: m.Tensor("a"),
        lambda m: m.Tensor(-1),
        lambda m: m.Tensor(2, 3, requires_grad=True),
        lambda m: m.FloatTensor(m.tensor([1, 2])),
        lambda m: m.LongTensor(m.tensor([1.0])),
    ],
)
def test_bad_legacy_calls_raise_pytorchs_exception_type(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)):
        call(minigrad)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"])
def test_isinstance_and_type_names(torch, dtype):
    t, tt = minigrad.zeros(2, dtype=getattr(minigrad, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
    assert t.type() == tt.type().replace("torch.", "minigrad.")
    for name in LEGACY_NAMES:
        assert isinstance(t, getattr(minigrad, name)) is isinstance(tt, getattr(torch, name)), name
    assert isinstance(t, minigrad.Tensor)
    assert getattr(minigrad, t.type().split(".")[1]).dtype is t.dtype


def test_type_converts(torch):
    t, tt = minigrad.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0])
    for target in ("DoubleTensor", "LongTensor"):
        same_repr(t.type(getattr(minigrad, target)), tt.type(getattr(torch, target)))
        same_repr(t.type("torch." + target), tt.type("torch." + target))
        same_repr(t.type("minigrad." + target), tt.type("torch." + target))
    same_repr(t.type(minigrad.float64), tt.type(torch.float64))
    with pytest.raises(ValueError, match="invalid type: 'Foo'"):
        t.type("Foo")
    with pytest.raises(AssertionError, match="CPU only"):
        t.type("torch.cuda.FloatTensor")


def test_legacy_types_read_as_classes():
    assert minigrad.FloatTensor.__name__ == "FloatTensor"
    assert repr(minigrad.LongTensor) == "<class 'minigrad.LongTensor'>"
    assert minigrad.LongTensor.dtype is minigrad.int64
    assert type(minigrad.FloatTensor([1.0])) is minigrad.Tensor


def test_parameter_still_shares_the_data_it_wraps():
    array = np.zeros(3, dtype=np.float32)
    p = minigrad.nn.Parameter(minigrad.from_numpy(array))
    p._array[0] = 1.0
    assert array[0] == 1.0 and p.requires_grad
    assert minigrad.nn.Parameter([1.0, 2.0]).dtype is minigrad.float32
    assert minigrad.nn.Parameter().shape == (0,)
