"""draw_graph: nodes clustered by module call, depth folding, profiles with costs on nodes, the
backward view grouped by module, LeNet-5 and ResNet-50, the graph command of the CLI, and
determinism."""

import re
import time
import xml.etree.ElementTree as ET

import pytest
from dotreader import parse

import minigrad
from minigrad import nn
from minigrad.viz import draw_graph, render

# ---- draw_graph: modules, depth, profile, models ------------------------------------------


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 4)

    def forward(self, x):
        return self.act(self.fc2(self.act(self.fc1(x)))) + x


def _net():
    minigrad.manual_seed(0)
    return nn.Sequential(Block(), Block(), nn.Linear(4, 2))


def _boxes(d):
    return [n for n in d.nodes.values() if n.id.startswith("m")]  # folded modules are m0, m1, ...


def _caption(graph):
    m = re.search(r'^\tlabel="([^"]*)"', graph.source, re.M) or re.search(
        r'\blabel="([^"]*)" labeljust=l labelloc=t', graph.source
    )
    return m.group(1) if m else None


def test_draw_graph_clusters_nodes_by_module_call():
    net = _net()
    d = parse(draw_graph(net, minigrad.randn(3, 4)))
    labels = {c["label"] for c in d.clusters.values()}
    assert {
        "0: Block",
        "0.fc1: Linear",
        "0.act: ReLU",
        "0.act (call 2): ReLU",
        "0.fc2: Linear",
        "1: Block",
        "2: Linear",
    } <= labels
    # The shared ReLU runs twice per block: one cluster per call, each holding its own node.
    paths = sorted(d.cluster_path(n) for n in d.by_title("ReluBackward0"))
    assert paths == [
        ["0.act (call 2): ReLU", "0: Block"],
        ["0.act: ReLU", "0: Block"],
        ["1.act (call 2): ReLU", "1: Block"],
        ["1.act: ReLU", "1: Block"],
    ]
    # The residual add is the block's own op; each Linear is one node in its own cluster.
    assert sorted(d.cluster_label(n) for n in d.by_title("AddBackward0")) == ["0: Block", "1: Block"]
    assert sorted(d.cluster_label(n) for n in d.by_title("AddmmBackward0")) == [
        "0.fc1: Linear",
        "0.fc2: Linear",
        "1.fc1: Linear",
        "1.fc2: Linear",
        "2: Linear",
    ]
    # Parameters are named from named_parameters(); the input is drawn and feeds the
    # first matmul and the first skip connection.
    assert {name for name, _ in net.named_parameters()} <= set(d.titles())
    edges = d.title_edges()
    assert edges[("input", "AddmmBackward0")] == 1 and edges[("input", "AddBackward0")] == 1
    assert edges[("AddmmBackward0", "output")] == 1
    # The hooks are gone afterwards.
    assert all(not m._forward_hooks and not m._forward_pre_hooks for _, m in net.named_modules())


def test_depth_folds_deeper_modules_into_boxes():
    net, x = _net(), minigrad.randn(3, 4)
    d = parse(draw_graph(net, x, depth=1))
    boxes = {n.title: n for n in _boxes(d)}
    assert sorted(boxes) == ["0", "1", "2"]
    assert [boxes[k].lines for k in ("0", "2")] == [["Block", "(3, 4) float32"], ["Linear", "(3, 2) float32"]]
    assert set(d.titles()) == {"0", "1", "2", "input", "output"}
    assert d.title_edges() == {("input", "0"): 1, ("0", "1"): 1, ("1", "2"): 1, ("2", "output"): 1}
    assert not d.clusters

    d2 = parse(draw_graph(net, x, depth=2))
    titles = {n.title for n in _boxes(d2)}
    assert titles == {"0.fc1", "0.act", "0.act (call 2)", "0.fc2", "1.fc1", "1.act", "1.act (call 2)", "1.fc2"}
    assert {c["label"] for c in d2.clusters.values()} == {"0: Block", "1: Block", "2: Linear"}
    assert d2.title_edges()[("0.fc1", "0.act")] == 1
    # The last Linear is at depth 1 < 2, so it stays a cluster of ops with its parameters.
    assert {"2.weight", "2.bias", "AddmmBackward0"} <= set(d2.titles())


def test_draw_graph_argument_errors():
    net, x = _net(), minigrad.randn(3, 4)
    with pytest.raises(ValueError, match="depth must be a positive int"):
        draw_graph(net, x, depth=0)
    with pytest.raises(ValueError, match="view must be"):
        draw_graph(net, x, view="up")
    with pytest.raises(ValueError, match="shade_by"):
        draw_graph(net, x, profile=True, shade_by="colour")


def test_profile_puts_costs_on_nodes_and_shades_them():
    net, x = _net(), minigrad.randn(3, 4)
    graph = draw_graph(net, x, profile=True)
    d = parse(graph)
    ops = [n for n in d.nodes.values() if n.title.rstrip("0123456789").endswith("Backward")]
    assert ops and all(any(line.startswith("fwd ") and " bwd " in line for line in n.lines) for n in ops)
    # (3, 4) @ (4, 8) is 96 mult-adds, (3, 8) @ (8, 4) too, (3, 4) @ (4, 2) 24.
    macs = sorted(line for n in d.by_title("AddmmBackward0") for line in n.lines if line.endswith("MACs"))
    assert macs == ["24 MACs"] + ["96 MACs"] * 4
    # Saved bytes leave out parameters and the input (they live anyway): the first linear
    # saves only those; the others save their input activation, (3, 8) or (3, 4) float32.
    saved = sorted(line for n in d.by_title("AddmmBackward0") for line in n.lines if line.startswith("saved "))
    assert saved == ["saved 48 B", "saved 48 B", "saved 96 B", "saved 96 B"]
    shades = [n.attrs["fillcolor"] for n in ops]
    assert all(re.fullmatch(r"0\.000 0\.\d{3} 1\.000", s) for s in shades)
    assert "0.000 0.800 1.000" in shades  # the costliest node is the darkest
    caption = _caption(graph)
    assert caption and "backward" in caption and "saved for backward" in caption and "408 MACs" in caption
    assert all(p.grad is None for p in net.parameters())

    folded = parse(draw_graph(net, x, depth=1, profile=True, shade_by="macs"))
    boxes = {n.title: n for n in _boxes(folded)}
    assert "192 MACs" in boxes["0"].lines and "24 MACs" in boxes["2"].lines
    assert boxes["0"].attrs["fillcolor"] == "0.000 0.800 1.000"

    backward = parse(draw_graph(net, x, view="backward", profile=True))
    matmuls = backward.by_title("Matmul")
    assert matmuls and all(any(line.startswith("time ") for line in n.lines) for n in matmuls)


def test_draw_graph_backward_view_groups_by_module_and_node():
    from minigrad import models

    minigrad.manual_seed(0)
    model = models.lenet5()
    d = parse(draw_graph(model, minigrad.randn(1, 1, 32, 32), view="backward"))
    convs = [name for name, m in model.named_modules() if type(m).__name__ == "Conv2d"]
    # Only the second conv needs its input's gradient: one flipped-kernel convolution.
    (transpose,) = d.by_title("ConvTranspose2d")
    path = d.cluster_path(transpose)
    assert path[0] == "ConvolutionBackward0" and path[1] == f"{convs[1]}: Conv2d"
    weight_grads = d.by_title("Conv2dWeight")
    assert sorted(d.cluster_path(n)[1] for n in weight_grads) == sorted(f"{c}: Conv2d" for c in convs)
    assert {f"grad {name}" for name, _ in model.named_parameters()} <= set(d.titles())
    assert d.titles()["grad_output"] == 1


def test_lenet5_forward_and_backward_render(tmp_path, dot_program):
    from minigrad import models

    minigrad.manual_seed(0)
    model = models.lenet5()
    x = minigrad.randn(1, 1, 32, 32)
    for view in ("forward", "backward"):
        path = render(draw_graph(model, x, view=view), tmp_path / f"lenet_{view}.svg")
        assert ET.parse(path).getroot().tag.endswith("svg")


@pytest.mark.slow
def test_resnet50_graph_with_clusters_renders_in_time(dot_program):
    """ResNet-50 on one 3x64x64 image: 340 vertices (one per op, parameter, input and
    output) in 182 module-call clusters; drawing plus rendering takes a few seconds here,
    and the test allows 120 s on a loaded 2-core machine."""
    from minigrad import models

    minigrad.manual_seed(0)
    model = models.resnet50()
    x = minigrad.randn(1, 3, 64, 64)
    started = time.perf_counter()
    graph = draw_graph(model, x)
    svg = graph.pipe(format="svg")
    elapsed = time.perf_counter() - started
    d = parse(graph)
    assert 300 <= len(d.nodes) <= 400
    labels = [c["label"] for c in d.clusters.values()]
    assert sum(label.endswith(": Bottleneck") for label in labels) == 16
    assert "layer3.5.conv2: Conv2d" in labels
    assert ET.fromstring(svg).tag.endswith("svg")
    assert elapsed < 120, f"ResNet-50 graph took {elapsed:.1f} s"

    folded = parse(draw_graph(model, x, depth=2))
    assert sum(1 for n in _boxes(folded) if n.lines[:1] == ["Bottleneck"]) == 16
    assert len(folded.nodes) < 60


def test_graph_command_writes_the_file(tmp_path, capsys, dot_program):
    from minigrad import cli

    out = tmp_path / "lenet.svg"
    assert cli.main(["graph", "lenet5", "--input", "1,32,32", "-o", str(out)]) == 0
    assert ET.parse(out).getroot().tag.endswith("svg")
    assert "wrote the forward graph of lenet5" in capsys.readouterr().out
    out = tmp_path / "lenet_b.png"
    cli.main(["graph", "lenet5", "--input", "1,32,32", "-o", str(out), "--backward", "--depth", "1"])
    assert out.read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    with pytest.raises(SystemExit, match="2"):
        cli.main(["graph", "lenet7", "--input", "1,32,32", "-o", str(out)])
    assert "minigrad graph: error: argument model: unknown model 'lenet7'; choose one of: " in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["graph", "lenet5", "--input", "one,32,32", "-o", str(out)])
    assert "C,H,W" in capsys.readouterr().err


def test_graph_command_without_dot_writes_the_source(tmp_path, capsys, monkeypatch):
    from minigrad import cli

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert cli.main(["graph", "lenet5", "--input", "1,32,32", "-o", str(tmp_path / "lenet.svg")]) == 0
    written = tmp_path / "lenet.dot"
    assert not (tmp_path / "lenet.svg").exists()
    assert open(written).read().startswith("digraph minigrad {")
    captured = capsys.readouterr()
    assert "apt-get install graphviz" in captured.err and f"wrote the DOT source to {written} instead" in captured.err


def test_cli_graph_subcommand(tmp_path, dot_program):
    from minigrad import cli

    out = tmp_path / "g.svg"
    assert cli.main(["graph", "lenet5", "--input", "1,32,32", "-o", str(out), "--backward", "--depth", "2"]) == 0
    assert ET.parse(out).getroot().tag.endswith("svg")


def test_draw_graph_is_deterministic():
    from minigrad import models

    def source(**kwargs):
        minigrad.manual_seed(0)
        model = models.lenet5()
        return draw_graph(model, minigrad.randn(1, 1, 32, 32), **kwargs).source

    for kwargs in ({}, {"view": "backward"}, {"depth": 1, "show_saved": True, "show_attrs": True}):
        first = source(**kwargs)
        assert source(**kwargs) == first and "0x" not in first
