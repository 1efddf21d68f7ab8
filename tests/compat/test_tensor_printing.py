"""Tensors print as PyTorch's: precision, int style, scientific notation, alignment, line
wrapping, summarization with '...', dtype / size / autograd suffixes, set_printoptions."""

import re

import numpy as np
import pytest

import minigrad

rng = np.random.default_rng(0)

ARRAYS = [
    np.array(1.5, np.float32),
    np.array(2.0, np.float32),
    np.array(0.0, np.float32),
    np.array(-0.0, np.float32),
    np.array(7),
    np.array(True),
    np.array([5.5, 3.0], np.float32),
    np.array([1.0, 2.0], np.float32),
    np.array([0.0, 0.0], np.float32),
    np.array([-1.0, 2.0], np.float32),
    np.array([0.1, 0.25, 1 / 3], np.float32),
    np.array([1e-5, 1.0], np.float32),
    np.array([0.0001, 0.5], np.float32),
    np.array([0.00012], np.float32),
    np.array([1e-10], np.float64),
    np.array([100.0, 1e5], np.float32),
    np.array([1e8, 1.0], np.float32),
    np.array([1.5e8], np.float32),
    np.array([1e9, 1.0], np.float32),
    np.array([123456.789], np.float32),
    np.array([[1e20, -3]], np.float32),
    np.array([np.nan, 1.0], np.float32),
    np.array([1.0, np.nan], np.float32),
    np.array([np.nan, np.inf], np.float32),
    np.array([np.inf, -np.inf, 0.5], np.float32),
    np.array([1, 2, 3]),
    np.array([-100, 5]),
    np.array([True, False]),
    np.array([1, 2], np.int32),
    np.array([1, 2], np.uint8),
    np.array([1, 2], np.int8),
    np.array([1.5, 2], np.float16),
    np.array([1.0, 2.0], np.float64),
    np.zeros((2, 0), np.float32),
    np.zeros(0, np.float32),
    np.zeros(0, np.int64),
    np.zeros((0, 3), np.float64),
    np.zeros((0,), np.bool_),
    rng.integers(0, 2, (3, 3)).astype(bool),
    rng.standard_normal((3, 4)).astype(np.float32),
    rng.standard_normal((2, 3, 4)).astype(np.float32),
    rng.standard_normal((2, 2, 2, 2)).astype(np.float32),
    rng.standard_normal(30).astype(np.float32),
    rng.standard_normal((3, 30)).astype(np.float32),
    rng.standard_normal((1, 1, 5)).astype(np.float32) * 1e-6,
    np.arange(100).reshape(10, 10) * 1000,
    (rng.standard_normal((50, 30)) * 1e4).astype(np.float32),
    # more than 1000 elements: summarized
    rng.standard_normal(2000).astype(np.float32),
    rng.standard_normal((40, 40)).astype(np.float32),
    rng.standard_normal((11, 10, 10)).astype(np.float64),
    np.arange(5000),
    np.arange(1001, dtype=np.float32),
]


def torch_repr(tensor):
    return repr(tensor).replace("torch.", "minigrad.")


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_repr_matches_pytorch(torch, array):
    assert repr(minigrad.from_numpy(array.copy())) == torch_repr(torch.from_numpy(array.copy()))
    assert str(minigrad.from_numpy(array.copy())) == str(torch.from_numpy(array.copy())).replace("torch.", "minigrad.")


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1.0, 2.0], requires_grad=True),
        lambda m: m.tensor(3.0, requires_grad=True),
        lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True),
        lambda m: m.linspace(-1, 1, 8, requires_grad=True),  # the suffix moves to the next line
        lambda m: m.linspace(-1, 1, 40, dtype=m.float64).reshape(4, 10).requires_grad_(),
        lambda m: m.nn.Parameter(m.tensor([[0.5, -0.25], [1.0, 2.0]])),
        lambda m: m.zeros(2, 0, requires_grad=True),
    ],
)
def test_requires_grad_suffix_and_wrapping_match_pytorch(torch, make):
    assert repr(make(minigrad)) == torch_repr(make(torch))


def without_node_names(text):
    return re.sub(r"grad_fn=<\w+>", "grad_fn=<node>", text)


def test_grad_fn_suffix_names_the_node(torch):
    x, tx = minigrad.tensor([5.5, 3.0], requires_grad=True), torch.tensor([5.5, 3.0], requires_grad=True)
    assert without_node_names(repr(x * 2)) == without_node_names(torch_repr(tx * 2))
    assert without_node_names(repr((x * 2).sum())) == without_node_names(torch_repr((tx * 2).sum()))
    node = (x * 2).grad_fn
    assert f"grad_fn=<{node.name()}>" in repr(x * 2)
    with minigrad.no_grad():
        assert repr(x * 2) == torch_repr((tx * 2).detach())


@pytest.fixture
def restore_printoptions():
    yield
    minigrad.set_printoptions(profile="default")


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"precision": 6},
        {"sci_mode": True},
        {"sci_mode": False},
        {"threshold": 5},
        {"threshold": 5, "edgeitems": 1},
        {"linewidth": 40},
        {"profile": "short"},
        {"profile": "full"},
        {"profile": "short", "precision": 5},
    ],
    ids=str,
)
def test_set_printoptions_matches_pytorch(torch, restore_printoptions, options):
    arrays = [
        np.array([1.23456789, 1e-5], np.float32),
        np.array([3.14159, 2.71828], np.float32),
        np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        rng.standard_normal(1500).astype(np.float32),
        np.arange(20),
    ]
    try:
        torch.set_printoptions(**options)
        expected = [torch_repr(torch.from_numpy(a.copy())) for a in arrays]
    finally:
        torch.set_printoptions(profile="default")
    minigrad.set_printoptions(**options)
    assert [repr(minigrad.from_numpy(a.copy())) for a in arrays] == expected


def test_an_unknown_profile_is_refused(restore_printoptions):
    with pytest.raises(ValueError, match="profile"):
        minigrad.set_printoptions(profile="long")
