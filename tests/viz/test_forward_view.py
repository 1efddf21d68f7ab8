"""The forward view of minigrad.viz.make_dot: nodes, edges and labels, attributes and saved
tensors, several outputs; DOT text identical across runs and processes; 100k-node graphs."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from dotreader import parse
from inputs import uniform_leaf

import minigrad
from minigrad import nn
from minigrad.viz import make_dot

# ---- forward view: nodes, edges, labels --------------------------------------------------


def test_forward_graph_has_the_expected_nodes_and_edges():
    x, y = uniform_leaf(2, 3), uniform_leaf(2, 3, seed=1)
    z = (x * y).sum()
    d = parse(make_dot(z, params={"x": x, "y": y}))
    assert d.titles() == {"x": 1, "y": 1, "MulBackward0": 1, "SumBackward0": 1, "output": 1}
    assert d.title_edges() == {
        ("x", "MulBackward0"): 1,
        ("y", "MulBackward0"): 1,
        ("MulBackward0", "SumBackward0"): 1,
        ("SumBackward0", "output"): 1,
    }


def test_shapes_and_dtypes_label_every_vertex():
    x = uniform_leaf(2, 3, dtype=np.float64)
    d = parse(make_dot((x.exp() @ x.T).mean(), params={"x": x}))
    assert d.by_title("x")[0].lines == ["(2, 3) float64"]
    assert d.by_title("ExpBackward0")[0].lines == ["(2, 3) float64"]
    assert d.by_title("MmBackward0")[0].lines == ["(2, 2) float64"]
    assert d.by_title("output")[0].lines == ["() float64"]
    bare = parse(make_dot((x.exp() @ x.T).mean(), params={"x": x}, show_shapes=False))
    assert all(n.lines == [] for n in bare.nodes.values())


def test_an_input_used_twice_gives_two_edges_and_one_vertex():
    x = uniform_leaf(3)
    d = parse(make_dot(x * x, params={"x": x}))
    assert d.titles()["x"] == 1
    assert d.title_edges()[("x", "MulBackward0")] == 2


def test_diamond_draws_each_node_once():
    x = uniform_leaf(3)
    a = x.exp()
    out = (a * 2 + a.tanh()).sum()
    d = parse(make_dot(out))
    assert d.titles()["ExpBackward0"] == 1
    assert d.title_edges()[("ExpBackward0", "MulBackward0")] == 1
    assert d.title_edges()[("ExpBackward0", "TanhBackward0")] == 1
    assert d.titles()["leaf"] == 1  # unnamed leaves are drawn as 'leaf'


def test_params_from_a_module_and_from_pairs():
    model = nn.Linear(3, 2)
    x = minigrad.randn(4, 3)
    d = parse(make_dot(model(x), params=model))
    assert {"weight", "bias"} <= set(d.titles())
    d = parse(make_dot(model(x), params=[("W", model.weight), ("b", model.bias)]))
    assert {"W", "b"} <= set(d.titles())


def test_show_attrs_lists_public_hyper_parameters_only():
    x = uniform_leaf(2, 3)
    y = x.sum(dim=1, keepdim=True)
    node = parse(make_dot(y, show_attrs=True)).by_title("SumBackward1")[0]
    assert "dim=(1,)" in node.lines and "keepdim=True" in node.lines
    assert not any(line.startswith("_") or line.startswith("needs_input_grad") for line in node.lines)
    assert parse(make_dot(y)).by_title("SumBackward1")[0].lines == ["(2, 1) float32"]


def test_show_attrs_on_a_convolution():
    x = uniform_leaf(1, 2, 6, 6)
    w = uniform_leaf(3, 2, 3, 3, seed=1)
    y = nn.functional.conv2d(x, w, stride=2, padding=1)
    lines = parse(make_dot(y, show_attrs=True)).by_title("ConvolutionBackward0")[0].lines
    assert {"stride=(2, 2)", "padding=(1, 1)", "dilation=(1, 1)", "groups=1"} <= set(lines)


def test_show_saved_draws_saved_tensors_with_shapes_and_roles():
    x, y = uniform_leaf(2, 3), uniform_leaf(2, 3, seed=1)
    d = parse(make_dot((x * y).exp(), params={"x": x, "y": y}, show_saved=True))
    saved = d.by_title("saved")
    assert len(saved) == 3  # x and y by Mul, exp's output by Exp
    assert all(n.lines[0] == "(2, 3) float32" and n.lines[1] == "24 B" for n in saved)
    dashed = [(d.nodes[h].title, a["label"]) for t, h, a in d.edges if a.get("style") == "dashed"]
    assert sorted(dashed) == [("ExpBackward0", "output"), ("MulBackward0", "input 0"), ("MulBackward0", "input 1")]
    assert not parse(make_dot((x * y).exp())).by_title("saved")


def test_saved_value_shared_by_two_slots_is_one_vertex():
    x = uniform_leaf(4)
    d = parse(make_dot(x * x, show_saved=True))
    assert len(d.by_title("saved")) == 1
    roles = sorted(a["label"] for _, _, a in d.edges if a.get("style") == "dashed")
    assert roles == ["input 0", "input 1"]


def test_several_outputs():
    x = uniform_leaf(2, 3)
    a, b = x.exp(), x.sum()
    d = parse(make_dot((a, b), params={"x": x}))
    assert d.titles()["output 0"] == 1 and d.titles()["output 1"] == 1
    assert d.title_edges()[("ExpBackward0", "output 0")] == 1


def test_multi_output_node_labels_its_edges():
    x = uniform_leaf(6)
    a, b = x.split(3)
    d = parse(make_dot(a.exp() + b.exp()))
    # split's parts are separate GetItem views here, or one node with two outputs
    assert d.titles()["leaf"] == 1


def test_no_graph_raises():
    with pytest.raises(ValueError, match="no grad_fn"):
        make_dot(minigrad.ones(3) * 2)
    with pytest.raises(ValueError, match="view must be"):
        make_dot(uniform_leaf(2) * 2, view="sideways")
    with pytest.raises(TypeError, match="expected a Tensor"):
        make_dot("not a tensor")


def test_a_leaf_itself_draws_as_one_vertex():
    x = uniform_leaf(2)
    d = parse(make_dot(x, params={"x": x}))
    assert d.titles() == {"x": 1, "output": 1}


# ---- determinism and big graphs ---------------------------------------------------------

_SCRIPT = textwrap.dedent("""
    import numpy as np, minigrad
    from minigrad.viz import make_dot
    x = minigrad.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) + 1, requires_grad=True)
    w = minigrad.tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    h = (x @ w).relu()
    y = (h * h.sigmoid()).sum(dim=1).log().mean()
    for view in ("forward", "backward"):
        print(make_dot(y, params={"x": x, "w": w}, show_attrs=True, show_saved=True, view=view).source)
""")


@pytest.mark.slow
def test_dot_is_byte_identical_across_runs_and_processes():
    def build():
        x = minigrad.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) + 1, requires_grad=True)
        w = minigrad.tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
        h = (x @ w).relu()
        y = (h * h.sigmoid()).sum(dim=1).log().mean()
        return "".join(
            make_dot(y, params={"x": x, "w": w}, show_attrs=True, show_saved=True, view=v).source + "\n"
            for v in ("forward", "backward")
        )

    first = build()
    assert build() == first
    assert "0x" not in first  # no memory addresses
    outputs = set()
    for seed in ("0", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=Path(__file__).resolve().parents[2],  # the repository root
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert outputs.pop() == first


def test_node_ids_follow_graph_order():
    x = uniform_leaf(2)
    d = parse(make_dot(x.exp().log().neg()))
    assert [d.nodes[f"n{i}"].title for i in range(4)] == ["NegBackward0", "LogBackward0", "ExpBackward0", "leaf"]


@pytest.mark.slow
def test_a_chain_of_100k_nodes_draws_without_recursion():
    x = uniform_leaf(1)
    y = x
    started = time.perf_counter()
    for _ in range(100_000):
        y = y.neg()
    limit = sys.getrecursionlimit()
    graph = make_dot(y, params={"x": x})
    assert sys.getrecursionlimit() == limit
    source = graph.source
    assert source.count("NegBackward0") == 100_000
    assert source.count(" -> ") == 100_001  # leaf -> first neg, 99,999 links, last neg -> output
    assert time.perf_counter() - started < 60


@pytest.mark.slow
def test_a_deep_chain_backward_view_draws_without_recursion():
    x = uniform_leaf(1)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    d = parse(make_dot(y.sum(), params={"x": x}, view="backward"))
    assert d.titles()["grad x"] == 1
    assert sum(1 for n in d.nodes.values() if n.title == "Mul") == 10_000
