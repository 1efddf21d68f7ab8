"""Graph drawing (minigrad.viz): the DOT text is parsed, never substring-matched by luck.

``parse_dot`` reads the DOT that minigrad.viz writes (one statement per line, as the
graphviz package emits it) into nodes, edges and clusters; one test checks that
Graphviz's own parser (``dot -Tjson``) reads the same nodes and edges. Rendering tests
go through the real ``dot`` program: tools/test.sh installs Debian's graphviz, so they
never skip.
"""

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import Function, grad
from minigrad.viz import GraphvizNotFoundError, draw_graph, make_dot, render
from minigrad.viz.labels import op_title

# ---- a small DOT reader ----------------------------------------------------------------

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_VALUE = rf"(?:{_QUOTED}|[^\s\]]+)"
_ATTR = re.compile(rf"(\w+)=({_VALUE})")
_NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
_SUBGRAPH = re.compile(r"^\s*subgraph (\w+) \{$")
_CLUSTER_ATTRS = re.compile(rf"^\s*((?:\w+={_VALUE}\s*)+)$")


def _attrs(text):
    out = {}
    for key, value in _ATTR.findall(text or ""):
        if value.startswith('"'):
            value = value[1:-1]
        out[key] = value
    return out


Node = collections.namedtuple("Node", "id title lines attrs cluster")


class Dot:
    """Nodes (by id), edges (tail, head, attrs) and clusters (name -> label, parent)."""

    def __init__(self, source):
        self.nodes = {}
        self.edges = []
        self.clusters = {}
        stack = [None]
        for line in source.splitlines():
            m = _SUBGRAPH.match(line)
            if m:
                self.clusters[m.group(1)] = {"label": None, "parent": stack[-1]}
                stack.append(m.group(1))
                continue
            if line.strip() == "}":
                stack.pop()
                continue
            m = _EDGE.match(line)
            if m:
                self.edges.append((m.group(1), m.group(2), _attrs(m.group(3))))
                continue
            m = _NODE.match(line)
            if m and m.group(1) not in ("node", "edge", "graph"):
                attrs = _attrs(m.group(2))
                parts = attrs["label"].split("\\n")
                self.nodes[m.group(1)] = Node(m.group(1), parts[0], parts[1:], attrs, stack[-1])
                continue
            m = _CLUSTER_ATTRS.match(line)
            if m and stack[-1] is not None:
                self.clusters[stack[-1]]["label"] = _attrs(m.group(1)).get("label")

    def titles(self):
        return collections.Counter(n.title for n in self.nodes.values())

    def title_edges(self):
        return collections.Counter((self.nodes[t].title, self.nodes[h].title) for t, h, _ in self.edges)

    def by_title(self, title):
        return [n for n in self.nodes.values() if n.title == title]

    def cluster_label(self, node):
        return None if node.cluster is None else self.clusters[node.cluster]["label"]

    def cluster_path(self, node):
        path = []
        c = node.cluster
        while c is not None:
            path.append(self.clusters[c]["label"])
            c = self.clusters[c]["parent"]
        return path


def parse(graph):
    return Dot(graph.source)


@pytest.fixture(scope="module")
def dot_program():
    path = shutil.which("dot")
    if path is None:
        pytest.fail(
            "Graphviz's `dot` is required by the rendering tests: apt-get install graphviz (tools/test.sh does this)"
        )
    return path


def leaf(*shape, dtype=np.float32, low=0.5, high=1.5, seed=0):
    data = np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)
    return minigrad.tensor(data, requires_grad=True)


# ---- forward view: nodes, edges, labels --------------------------------------------------


def test_forward_graph_has_the_expected_nodes_and_edges():
    x, y = leaf(2, 3), leaf(2, 3, seed=1)
    z = (x * y).sum()
    d = parse(make_dot(z, params={"x": x, "y": y}))
    assert d.titles() == {"x": 1, "y": 1, "MulBackward": 1, "SumBackward": 1, "output": 1}
    assert d.title_edges() == {
        ("x", "MulBackward"): 1,
        ("y", "MulBackward"): 1,
        ("MulBackward", "SumBackward"): 1,
        ("SumBackward", "output"): 1,
    }


def test_shapes_and_dtypes_label_every_vertex():
    x = leaf(2, 3, dtype=np.float64)
    d = parse(make_dot((x.exp() @ x.T).mean(), params={"x": x}))
    assert d.by_title("x")[0].lines == ["(2, 3) float64"]
    assert d.by_title("ExpBackward")[0].lines == ["(2, 3) float64"]
    assert d.by_title("MatmulBackward")[0].lines == ["(2, 2) float64"]
    assert d.by_title("output")[0].lines == ["() float64"]
    bare = parse(make_dot((x.exp() @ x.T).mean(), params={"x": x}, show_shapes=False))
    assert all(n.lines == [] for n in bare.nodes.values())


def test_an_input_used_twice_gives_two_edges_and_one_vertex():
    x = leaf(3)
    d = parse(make_dot(x * x, params={"x": x}))
    assert d.titles()["x"] == 1
    assert d.title_edges()[("x", "MulBackward")] == 2


def test_diamond_draws_each_node_once():
    x = leaf(3)
    a = x.exp()
    out = (a * 2 + a.tanh()).sum()
    d = parse(make_dot(out))
    assert d.titles()["ExpBackward"] == 1
    assert d.title_edges()[("ExpBackward", "MulBackward")] == 1
    assert d.title_edges()[("ExpBackward", "TanhBackward")] == 1
    assert d.titles()["leaf"] == 1  # unnamed leaves are drawn as 'leaf'


def test_params_from_a_module_and_from_pairs():
    model = nn.Linear(3, 2)
    x = minigrad.randn(4, 3)
    d = parse(make_dot(model(x), params=model))
    assert {"weight", "bias"} <= set(d.titles())
    d = parse(make_dot(model(x), params=[("W", model.weight), ("b", model.bias)]))
    assert {"W", "b"} <= set(d.titles())


def test_show_attrs_lists_public_hyper_parameters_only():
    x = leaf(2, 3)
    y = x.sum(dim=1, keepdim=True)
    node = parse(make_dot(y, show_attrs=True)).by_title("SumBackward")[0]
    assert "dim=(1,)" in node.lines and "keepdim=True" in node.lines
    assert not any(line.startswith("_") or line.startswith("needs_input_grad") for line in node.lines)
    assert parse(make_dot(y)).by_title("SumBackward")[0].lines == ["(2, 1) float32"]


def test_show_attrs_on_a_convolution():
    x = leaf(1, 2, 6, 6)
    w = leaf(3, 2, 3, 3, seed=1)
    y = nn.functional.conv2d(x, w, stride=2, padding=1)
    lines = parse(make_dot(y, show_attrs=True)).by_title("Conv2dBackward")[0].lines
    assert {"stride=(2, 2)", "padding=(1, 1)", "dilation=(1, 1)", "groups=1"} <= set(lines)


def test_show_saved_draws_saved_tensors_with_shapes_and_roles():
    x, y = leaf(2, 3), leaf(2, 3, seed=1)
    d = parse(make_dot((x * y).exp(), params={"x": x, "y": y}, show_saved=True))
    saved = d.by_title("saved")
    assert len(saved) == 3  # x and y by Mul, exp's output by Exp
    assert all(n.lines[0] == "(2, 3) float32" and n.lines[1] == "24 B" for n in saved)
    dashed = [(d.nodes[h].title, a["label"]) for t, h, a in d.edges if a.get("style") == "dashed"]
    assert sorted(dashed) == [("ExpBackward", "output"), ("MulBackward", "input 0"), ("MulBackward", "input 1")]
    assert not parse(make_dot((x * y).exp())).by_title("saved")


def test_saved_value_shared_by_two_slots_is_one_vertex():
    x = leaf(4)
    d = parse(make_dot(x * x, show_saved=True))
    assert len(d.by_title("saved")) == 1
    roles = sorted(a["label"] for _, _, a in d.edges if a.get("style") == "dashed")
    assert roles == ["input 0", "input 1"]


def test_several_outputs():
    x = leaf(2, 3)
    a, b = x.exp(), x.sum()
    d = parse(make_dot((a, b), params={"x": x}))
    assert d.titles()["output 0"] == 1 and d.titles()["output 1"] == 1
    assert d.title_edges()[("ExpBackward", "output 0")] == 1


def test_multi_output_node_labels_its_edges():
    x = leaf(6)
    a, b = x.split(3)
    d = parse(make_dot(a.exp() + b.exp()))
    # split's parts are separate GetItem views here, or one node with two outputs
    assert d.titles()["leaf"] == 1


def test_no_graph_raises():
    with pytest.raises(ValueError, match="no grad_fn"):
        make_dot(minigrad.ones(3) * 2)
    with pytest.raises(ValueError, match="view must be"):
        make_dot(leaf(2) * 2, view="sideways")
    with pytest.raises(TypeError, match="expected a Tensor"):
        make_dot("not a tensor")


def test_a_leaf_itself_draws_as_one_vertex():
    x = leaf(2)
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
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert outputs.pop() == first


def test_node_ids_follow_graph_order():
    x = leaf(2)
    d = parse(make_dot(x.exp().log().neg()))
    assert [d.nodes[f"n{i}"].title for i in range(4)] == ["NegBackward", "LogBackward", "ExpBackward", "leaf"]


@pytest.mark.slow
def test_a_chain_of_100k_nodes_draws_without_recursion():
    x = leaf(1)
    y = x
    started = time.perf_counter()
    for _ in range(100_000):
        y = y.neg()
    limit = sys.getrecursionlimit()
    graph = make_dot(y, params={"x": x})
    assert sys.getrecursionlimit() == limit
    source = graph.source
    assert source.count("NegBackward") == 100_000
    assert source.count(" -> ") == 100_001  # leaf -> first neg, 99,999 links, last neg -> output
    assert time.perf_counter() - started < 60


@pytest.mark.slow
def test_a_deep_chain_backward_view_draws_without_recursion():
    x = leaf(1)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    d = parse(make_dot(y.sum(), params={"x": x}, view="backward"))
    assert d.titles()["grad x"] == 1
    assert sum(1 for n in d.nodes.values() if n.title == "Mul") == 10_000


# ---- rendering --------------------------------------------------------------------------


def _small_graph():
    x, w = leaf(2, 3), leaf(3, 4, seed=1)
    return make_dot((x @ w).relu().sum(), params={"x": x, "w": w}, show_saved=True, show_attrs=True)


def test_render_svg_png_pdf_and_dot(tmp_path, dot_program):
    graph = _small_graph()
    svg = render(graph, tmp_path / "g.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    texts = {t.text for t in root.iter() if t.tag.endswith("text")}
    assert {"MatmulBackward", "ReluBackward", "SumBackward", "x", "w"} <= texts
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
    assert "MatmulBackward" in source
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


# ---- backward view ----------------------------------------------------------------------


def test_backward_view_draws_the_ops_backward_runs():
    x, w = leaf(2, 3), leaf(2, 3, seed=1)
    y = (x * w).sum()
    d = parse(make_dot(y, params={"x": x, "w": w}, view="backward"))
    assert d.titles()["grad_output"] == 1
    assert d.titles()["grad x"] == 1 and d.titles()["grad w"] == 1
    muls = d.by_title("Mul")
    assert len(muls) == 2 and {d.cluster_label(n) for n in muls} == {"MulBackward"}
    expand = d.by_title("Expand")
    assert len(expand) == 1 and d.cluster_label(expand[0]) == "SumBackward"
    edges = d.title_edges()
    # dx = g * w and dw = g * x: the saved leaves feed the products, which give the grads.
    assert edges[("w", "Mul")] == 1 and edges[("x", "Mul")] == 1
    assert edges[("Mul", "grad x")] == 1 and edges[("Mul", "grad w")] == 1
    assert edges[("Expand", "Mul")] == 2
    # Drawing ran backward without touching .grad and kept the graph usable.
    assert x.grad is None and w.grad is None
    y.backward()
    np.testing.assert_allclose(x.grad.data, w.data)


def test_backward_view_shows_gradient_accumulation():
    x = leaf(3)
    d = parse(make_dot((x * x).sum(), params={"x": x}, view="backward"))
    acc = d.by_title("Add (accumulate)")
    assert len(acc) == 1
    assert d.title_edges()[("Add (accumulate)", "grad x")] == 1
    assert d.title_edges()[("Mul", "Add (accumulate)")] == 2


def test_backward_view_of_a_convolution_shows_the_flipped_kernel_convolution():
    x = leaf(1, 2, 6, 6)
    w = leaf(3, 2, 3, 3, seed=1)
    b = leaf(3, seed=2)
    y = nn.functional.conv2d(x, w, b, padding=1)
    d = parse(make_dot(y, params={"x": x, "weight": w, "bias": b}, view="backward", show_attrs=True))
    (transpose,) = d.by_title("ConvTranspose2d")
    (weight_grad,) = d.by_title("Conv2dWeight")
    assert d.cluster_label(transpose) == "Conv2dBackward" == d.cluster_label(weight_grad)
    assert transpose.lines[0] == "(flipped-kernel convolution)"
    assert weight_grad.lines[0] == "(cross-correlation x * g)"
    assert "padding=(1, 1)" in transpose.lines
    edges = d.title_edges()
    assert edges[("grad_output", "ConvTranspose2d")] == 1 and edges[("weight", "ConvTranspose2d")] == 1
    assert edges[("grad_output", "Conv2dWeight")] == 1 and edges[("x", "Conv2dWeight")] == 1
    assert edges[("ConvTranspose2d", "grad x")] == 1 and edges[("Conv2dWeight", "grad weight")] == 1
    assert edges[("Sum", "grad bias")] == 1


class _Noted(Function):
    """y = 2x; says per call which path ran when told to (``ctx.graph_note``)."""

    graph_note = "the class's note"

    @staticmethod
    def forward(ctx, x, path):
        if path is not None:
            ctx.graph_note = path
        return x.data * 2

    @staticmethod
    def backward(ctx, g):
        return _Noted.apply(g, None), None


class _TwoPaths(Function):
    """y = 4x, whose backward runs _Noted twice: once with a note of its own, once without."""

    @staticmethod
    def forward(ctx, x):
        return x.data * 4

    @staticmethod
    def backward(ctx, g):
        return _Noted.apply(g, "the path that ran") + _Noted.apply(g, None)


def test_a_note_the_node_sets_for_its_call_wins_over_its_class_note():
    x = leaf(2, 3)
    d = parse(make_dot(_TwoPaths.apply(x).sum(), view="backward", show_attrs=True))
    notes = sorted(n.lines[0] for n in d.by_title("_Noted"))
    assert notes == ["(the class's note)", "(the path that ran)"]
    assert not any(line.startswith("graph_note=") for n in d.by_title("_Noted") for line in n.lines)


def test_backward_view_draws_forward_values_and_arrays_it_reads():
    x = leaf(2, 3)
    y = x.exp().relu().sum()
    d = parse(make_dot(y, view="backward"))
    # exp's backward multiplies by exp's saved output, a forward value.
    (value,) = d.by_title("ExpBackward out")
    assert value.lines == ["(2, 3) float32"]
    assert d.title_edges()[("ExpBackward out", "Mul")] >= 1


def test_graph_of_a_gradient_made_with_create_graph():
    x = leaf(3)
    y = (x * x * x).sum()
    (g,) = grad(y, x, create_graph=True)
    d = parse(make_dot(g, params={"x": x}))
    # dy/dx = 3x^2, recorded: products of the incoming gradient and saved x, accumulated.
    assert d.titles()["x"] == 1
    assert d.titles()["MulBackward"] >= 3 and d.titles()["AddBackward"] >= 1
    assert d.title_edges()[("x", "MulBackward")] >= 2
    # ... and the gradient of that gradient draws as a backward view too.
    d2 = parse(make_dot(g.sum(), params={"x": x}, view="backward"))
    assert d2.titles()["grad x"] == 1


# ---- every op in the library ------------------------------------------------------------


def _cases():
    F = nn.functional
    idx = np.array([[0, 2], [1, 0]])
    mask = np.array([[True, False, True], [False, True, False]])
    return {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
        "pow_scalar": lambda a, b: a**3,
        "neg": lambda a, b: -a,
        "exp": lambda a, b: a.exp(),
        "log": lambda a, b: a.log(),
        "sqrt": lambda a, b: a.sqrt(),
        "abs": lambda a, b: a.abs(),
        "tanh": lambda a, b: a.tanh(),
        "sigmoid": lambda a, b: a.sigmoid(),
        "relu": lambda a, b: a.relu(),
        "clamp": lambda a, b: a.clamp(0.7, 1.2),
        "maximum": lambda a, b: minigrad.maximum(a, b),
        "minimum": lambda a, b: minigrad.minimum(a, b),
        "where": lambda a, b: minigrad.where(mask, a, b),
        "masked_fill": lambda a, b: a.masked_fill(mask, 0.0),
        "matmul": lambda a, b: a @ b.T,
        "bmm": lambda a, b: minigrad.bmm(a.unsqueeze(0), b.T.unsqueeze(0)),
        "linear": lambda a, b: F.linear(a, b, b[:, 0]),
        "sum": lambda a, b: a.sum(dim=1),
        "mean": lambda a, b: a.mean(),
        "amax": lambda a, b: a.amax(dim=1),
        "max_dim": lambda a, b: a.max(dim=1)[0],
        "min": lambda a, b: a.min(),
        "gather": lambda a, b: minigrad.gather(a, 1, idx),
        "softmax": lambda a, b: a.softmax(dim=1),
        "log_softmax": lambda a, b: a.log_softmax(dim=1),
        "logsumexp": lambda a, b: a.logsumexp(dim=1),
        "std": lambda a, b: a.std(),
        "var": lambda a, b: a.var(dim=0),
        "expand": lambda a, b: a[:1].expand(4, 3),
        "reshape": lambda a, b: a.reshape(3, 2),
        "permute": lambda a, b: a.permute(1, 0),
        "transpose": lambda a, b: a.transpose(0, 1),
        "squeeze": lambda a, b: a.unsqueeze(0).squeeze(0),
        "flatten": lambda a, b: a.flatten(),
        "cat": lambda a, b: minigrad.cat([a, b], dim=1),
        "stack": lambda a, b: minigrad.stack([a, b]),
        "split": lambda a, b: a.split(1, dim=0)[1],
        "chunk": lambda a, b: a.chunk(3, dim=1)[2],
        "narrow": lambda a, b: a.narrow(1, 1, 2),
        "getitem_basic": lambda a, b: a[1:, ::2],
        "getitem_advanced": lambda a, b: a[[0, 1, 1], [2, 0, 0]],
        "index_put": lambda a, b: _index_put(a, b),
        "clone": lambda a, b: a.clone(),
        "to_dtype": lambda a, b: a.to(minigrad.float64),
        "leaky_relu": lambda a, b: F.leaky_relu(a - 1.0, 0.1),
        "dropout": lambda a, b: F.dropout(a, 0.5),
        "batch_norm": lambda a, b: F.batch_norm(a, None, None, b[0], b[1], training=True),
        "cross_entropy": lambda a, b: F.cross_entropy(a, minigrad.tensor([0, 2])),
        "mse_loss": lambda a, b: F.mse_loss(a, b),
        "bce": lambda a, b: F.binary_cross_entropy(a.sigmoid(), b - 0.5),
        "conv2d": lambda a, b: F.conv2d(_img(a), _kernel(b), padding=1),
        "conv_transpose2d": lambda a, b: F.conv_transpose2d(_img(a), _kernel(b).permute(1, 0, 2, 3), stride=2),
        "max_pool2d": lambda a, b: F.max_pool2d(_img(a), 2),
        "avg_pool2d": lambda a, b: F.avg_pool2d(_img(a), 2),
        "adaptive_avg": lambda a, b: F.adaptive_avg_pool2d(_img(a), 1),
        "adaptive_max": lambda a, b: F.adaptive_max_pool2d(_img(a), 1),
        "max_unpool2d": lambda a, b: F.max_unpool2d(*F.max_pool2d(_img(a), 2, return_indices=True), 2),
        "unfold": lambda a, b: F.unfold(_img(a), 2),
        "fold": lambda a, b: F.fold(F.unfold(_img(a), 2), (2, 3), 2),
        "pad_constant": lambda a, b: F.pad(_img(a), (1, 1, 1, 1)),
        "pad_reflect": lambda a, b: F.pad(_img(a), (1, 1, 1, 1), mode="reflect"),
    }


def _img(a):
    return a.reshape(1, 1, 2, 3)


def _kernel(b):
    return b.reshape(1, 1, 2, 3)[:, :, :2, :2].reshape(1, 1, 2, 2).expand(2, 1, 2, 2)


def _index_put(a, b):
    c = a.clone()
    c[0] = b[1]
    return c


def _all_functions():
    import importlib
    import pkgutil

    from minigrad.autograd.function import Function

    for module in pkgutil.walk_packages(minigrad.__path__, "minigrad."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, stack = set(), list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("minigrad.") and cls not in found:
            found.add(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_double_backward_of_conv_transpose2d_draws():
    a, b = leaf(2, 3, seed=1), leaf(2, 3, seed=2)
    out = _cases()["conv_transpose2d"](a, b)
    grads = grad(out.sum(), [a, b], create_graph=True)
    d = parse(make_dot(sum(g.sum() for g in grads), view="backward"))
    assert d.titles()["grad_output"] == 1


@pytest.mark.slow
def test_every_op_in_the_library_renders(dot_program):
    """Forward view, backward view, and the backward view of each gradient (double backward):
    every Function subclass in minigrad must show up in one of them, and every drawing must
    go through the real dot."""
    seen_forward, seen_backward = set(), set()
    failures = []
    for name, fn in _cases().items():
        a = leaf(2, 3, seed=1)
        b = leaf(2, 3, seed=2)
        try:
            out = fn(a, b)
            graphs = [
                make_dot(out, params={"a": a, "b": b}, show_attrs=True, show_saved=True),
                make_dot(out, params={"a": a, "b": b}, show_attrs=True, view="backward"),
            ]
            inputs = [t for t in (a, b) if t.requires_grad]
            grads = grad((out * out).sum(), inputs, create_graph=True, allow_unused=True)
            total = sum(g.sum() for g in grads if g is not None and g.requires_grad)
            if not isinstance(total, int):
                graphs.append(make_dot(total, view="backward"))
            for i, graph in enumerate(graphs):
                d = parse(graph)
                (seen_forward if i == 0 else seen_backward).update(d.titles())
                layout = graph.pipe(format="plain").decode()
                assert layout.startswith("graph ") and layout.rstrip().endswith("stop")
        except Exception as error:  # collect them all, then fail with the list
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)
    missing = []
    for cls in _all_functions():
        title = op_title(cls)
        if cls.name() in seen_forward:
            continue
        if any(t == title or t.startswith(title + " ") for t in seen_backward):
            continue
        missing.append(f"{cls.__module__}.{cls.__name__}")
    assert not missing, "these ops appear in no drawing; add a case to _cases() in tests/test_viz.py: " + ", ".join(
        sorted(missing)
    )


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
    paths = sorted(d.cluster_path(n) for n in d.by_title("ReluBackward"))
    assert paths == [
        ["0.act (call 2): ReLU", "0: Block"],
        ["0.act: ReLU", "0: Block"],
        ["1.act (call 2): ReLU", "1: Block"],
        ["1.act: ReLU", "1: Block"],
    ]
    # The residual add is the block's own op; each Linear is one node in its own cluster.
    assert sorted(d.cluster_label(n) for n in d.by_title("AddBackward")) == ["0: Block", "1: Block"]
    assert sorted(d.cluster_label(n) for n in d.by_title("LinearBackward")) == [
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
    assert edges[("input", "LinearBackward")] == 1 and edges[("input", "AddBackward")] == 1
    assert edges[("LinearBackward", "output")] == 1
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
    assert {"2.weight", "2.bias", "LinearBackward"} <= set(d2.titles())


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
    ops = [n for n in d.nodes.values() if n.title.endswith("Backward")]
    assert ops and all(any(line.startswith("fwd ") and " bwd " in line for line in n.lines) for n in ops)
    # (3, 4) @ (4, 8) is 96 mult-adds, (3, 8) @ (8, 4) too, (3, 4) @ (4, 2) 24.
    macs = sorted(line for n in d.by_title("LinearBackward") for line in n.lines if line.endswith("MACs"))
    assert macs == ["24 MACs"] + ["96 MACs"] * 4
    # Saved bytes leave out parameters and the input (they live anyway): the first linear
    # saves only those; the others save their input activation, (3, 8) or (3, 4) float32.
    saved = sorted(line for n in d.by_title("LinearBackward") for line in n.lines if line.startswith("saved "))
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
    assert path[0] == "Conv2dBackward" and path[1] == f"{convs[1]}: Conv2d"
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
    with pytest.raises(ValueError, match="unknown model 'lenet7'; choose one of: .*lenet5"):
        cli.main(["graph", "lenet7", "--input", "1,32,32", "-o", str(out)])
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
