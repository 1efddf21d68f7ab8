"""Rendering through the real ``dot`` program (svg, png, pdf, dot), Graphviz's own parser against
ours, Jupyter display, and the source without ``dot`` installed."""

import collections
import json
import shutil
import xml.etree.ElementTree as ET

import graphviz
import pytest
from dotreader import parse
from inputs import uniform_leaf

from minigrad.viz import GraphvizNotFoundError, make_dot, render

# ---- rendering --------------------------------------------------------------------------


def _small_graph():
    x, w = uniform_leaf(2, 3), uniform_leaf(3, 4, seed=1)
    return make_dot((x @ w).relu().sum(), params={"x": x, "w": w}, show_saved=True, show_attrs=True)


def test_render_svg_png_pdf_and_dot(tmp_path, dot_program):
    graph = _small_graph()
    svg = render(graph, tmp_path / "g.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    texts = {t.text for t in root.iter() if t.tag.endswith("text")}
    assert {"MmBackward0", "ReluBackward0", "SumBackward0", "x", "w"} <= texts
    assert open(render(graph, tmp_path / "g.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert open(render(graph, tmp_path / "g.pdf"), "rb").read(5) == b"%PDF-"
    assert open(render(graph, tmp_path / "g.dot"), encoding="utf-8").read() == graph.source
    assert open(render(graph, tmp_path / "graph", format="svg"), "rb").read(5) in (b"<?xml", b"<svg ")
    with pytest.raises(ValueError, match="format must be one of"):
        render(graph, tmp_path / "g.bmp")


def test_graphviz_reads_the_same_nodes_and_edges(dot_program):
    graph = _small_graph()
    mine = parse(graph)
    layout = json.loads(graph.pipe(format="json").decode())
    objects = [o for o in layout["objects"] if "nodes" not in o and "subgraphs" not in o]
    names = {o["_gvid"]: o["name"] for o in objects}
    assert set(names.values()) == set(mine.nodes)
    labels = {o["name"]: o["label"].split("\\n")[0] for o in objects}
    assert labels == {k: n.title for k, n in mine.nodes.items()}
    theirs = collections.Counter((names[e["tail"]], names[e["head"]]) for e in layout["edges"])
    assert theirs == collections.Counter((t, h) for t, h, _ in mine.edges)


def test_jupyter_display_uses_graphviz_svg(dot_program):
    graph = _small_graph()
    bundle = graph._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert "<svg" in graph._repr_svg_()
    assert isinstance(graph, graphviz.Digraph)


def test_without_dot_the_source_works_and_rendering_explains(tmp_path, monkeypatch):
    graph = _small_graph()
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    # Building and the DOT source need no executable.
    source = _small_graph().source
    assert "MmBackward0" in source
    assert open(render(graph, tmp_path / "g.dot"), encoding="utf-8").read() == graph.source
    for call in (
        lambda: render(graph, tmp_path / "g.svg"),
        lambda: graph.pipe(format="png"),
        lambda: graph._repr_mimebundle_(),
        lambda: graph.render(tmp_path / "g2", format="pdf"),
    ):
        with pytest.raises(GraphvizNotFoundError) as info:
            call()
        message = str(info.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "graph.source" in message
        assert isinstance(info.value, graphviz.ExecutableNotFound) and isinstance(info.value, RuntimeError)
