"""The drawing and its DOT text: vertices, edges and nested clusters, then ``emit``.

The forward, backward and module views each build a ``Drawing`` (vertices in graph
order, edges between their indices, a tree of clusters); ``emit`` turns it into a
``DotGraph``, folding module clusters deeper than ``depth`` into one box each and shading
by cost. Vertex ids are ``n0, n1, ...`` in drawing order and ``m0, m1, ...`` for folded
modules, never memory addresses, so the DOT text is deterministic. Clusters are nested
bottom-up with no recursion.
"""

from ..costs import add_costs
from .labels import cost_lines
from .render import DotGraph

__all__ = ["Vertex", "Cluster", "Drawing", "emit"]

# Fill colours by vertex kind.
_FILL = {
    "op": "white",
    "leaf": "lightblue",
    "input": "lightyellow",
    "output": "palegreen",
    "saved": "orange",
    "seed": "khaki",
    "grad": "palegreen",
    "value": "bisque",
    "const": "gray92",
    "module": "lavender",
}


class Vertex:
    """One box: its kind (colour), title and lines, and the cluster it sits in."""

    __slots__ = ("kind", "title", "lines", "cluster", "cost")

    def __init__(self, kind, title, lines, cluster=None):
        self.kind = kind
        self.title = title
        self.lines = lines
        self.cluster = cluster
        self.cost = None  # a dict of numbers when profiling


class Cluster:
    """A group of vertices drawn as a frame (a module call, or a node's backward), or
    folded into one box."""

    __slots__ = ("key", "label", "parent", "depth", "style", "title", "lines")

    def __init__(self, key, label, parent, depth, style="module", title="", lines=()):
        self.key = key
        self.label = label
        self.parent = parent  # a cluster key or None
        self.depth = depth  # module depth (dotted components); None for non-module clusters
        self.style = style
        self.title = title  # what a folded box shows
        self.lines = lines


class Drawing:
    """Vertices (in graph order), edges between their indices, and the cluster tree."""

    def __init__(self):
        self.vertices = []
        self.edges = []  # (tail, head, attrs) with attrs a tuple of (key, value)
        self.clusters = {}  # key -> Cluster, in order of creation
        self.caption = None
        self.keep = ()

    def add(self, vertex):
        self.vertices.append(vertex)
        return len(self.vertices) - 1

    def edge(self, tail, head, **attrs):
        self.edges.append((tail, head, tuple(attrs.items())))


def _cost_metric(cost, shade_by):
    if not cost:
        return 0.0
    if shade_by == "time":
        return (cost.get("forward") or 0.0) + (cost.get("backward") or 0.0) + (cost.get("time") or 0.0)
    if shade_by == "memory":
        return float(cost.get("saved") or 0)
    return float(cost.get("macs") or 0)


def _label(title, lines):
    text = "\\n".join([title] + list(lines)).replace('"', "'")
    if text.startswith("<") and text.endswith(">"):
        text = " " + text
    return text


def emit(drawing, depth=None, shade_by=None, name="minigrad", rankdir="TB"):
    """Turn a drawing into a DotGraph; ``depth`` folds module clusters deeper than it."""
    clusters = drawing.clusters
    # A cluster folds into a box when it is the outermost module cluster at depth >= depth.
    folded = {}
    if depth is not None:
        for key, cluster in clusters.items():
            parent = folded.get(cluster.parent) if cluster.parent is not None else None
            if parent is not None:
                folded[key] = parent
            elif cluster.depth is not None and cluster.depth >= depth:
                folded[key] = key
    box_of = [folded.get(v.cluster) if v.cluster is not None else None for v in drawing.vertices]

    # Box vertices, one per folded cluster that holds anything, in graph order.
    box_ids = {}
    box_costs = {}
    for i, box in enumerate(box_of):
        if box is None:
            continue
        if box not in box_ids:
            box_ids[box] = f"m{len(box_ids)}"
        cost = drawing.vertices[i].cost
        if cost:
            add_costs(box_costs.setdefault(box, {}), cost)

    def vertex_id(i):
        box = box_of[i]
        return box_ids[box] if box is not None else f"n{i}"

    # Shading by cost.
    metrics = {}
    if shade_by is not None:
        for i, v in enumerate(drawing.vertices):
            if box_of[i] is None and v.cost:
                metrics[f"n{i}"] = _cost_metric(v.cost, shade_by)
        for box, cost in box_costs.items():
            metrics[box_ids[box]] = _cost_metric(cost, shade_by)
    top = max(metrics.values(), default=0.0)

    def fill(vid, kind):
        if top > 0 and vid in metrics:
            share = metrics[vid] / top
            return f"0.000 {0.05 + 0.75 * share:.3f} 1.000"
        return _FILL[kind]

    graph = DotGraph(name=name, format="svg")
    graph.attr(rankdir=rankdir, ranksep="0.25", nodesep="0.2", fontname="Helvetica", fontsize="10")
    graph.attr(
        "node", shape="box", style="filled", fontname="Helvetica", fontsize="9", height="0.2", margin="0.06,0.03"
    )
    graph.attr("edge", arrowsize="0.6")
    if clusters:
        # One global ranking: without it dot ranks each cluster on its own and a path that
        # leaves a cluster and comes back (a residual gradient) turns into a back edge.
        graph.attr(newrank="true")
    if drawing.caption:
        graph.attr(label=drawing.caption, labelloc="t", labeljust="l")

    # Every visible (unfolded) cluster becomes a subgraph; nodes go into their cluster.
    visible = [key for key in clusters if key not in folded]

    cluster_names = {key: f"cluster_{i}" for i, key in enumerate(visible)}
    bodies = {key: [] for key in visible}
    root_body = []

    def target(cluster_key):
        # The nearest visible cluster at or above this one (folded ones were mapped to boxes).
        while cluster_key is not None and cluster_key not in bodies:
            cluster_key = clusters[cluster_key].parent
        return root_body if cluster_key is None else bodies[cluster_key]

    for i, v in enumerate(drawing.vertices):
        if box_of[i] is not None:
            continue
        lines = list(v.lines)
        if v.cost:
            lines.extend(cost_lines(v.cost))
        attrs = {"label": _label(v.title, lines), "fillcolor": fill(f"n{i}", v.kind)}
        if v.kind == "saved":
            attrs["style"] = "filled,dashed"
        elif v.kind in ("leaf", "input", "seed", "grad", "value", "const"):
            attrs["style"] = "filled,rounded"
        # Leaves and gradients stay outside the clusters (they still fold into their
        # module's box): inside, they make dot lay the clusters out as a staircase.
        body = root_body if v.kind in ("leaf", "grad", "input") else target(v.cluster)
        body.append((f"n{i}", attrs))
    for box, vid in box_ids.items():
        cluster = clusters[box]
        lines = list(cluster.lines)
        if box in box_costs:
            lines.extend(cost_lines(box_costs[box]))
        attrs = {
            "label": _label(cluster.title or cluster.label, lines),
            "fillcolor": fill(vid, "module"),
            "style": "filled,rounded",
            "penwidth": "1.5",
        }
        target(cluster.parent).append((vid, attrs))

    # Build subgraphs bottom-up (children were created after their parents), no recursion.
    subgraphs = {}
    for key in reversed(visible):
        cluster = clusters[key]
        sub = DotGraph(name=cluster_names[key])
        if cluster.style == "module":
            sub.attr(
                label=cluster.label, labeljust="l", style="rounded", color="gray50", fontsize="10", fontcolor="gray25"
            )
        else:
            sub.attr(
                label=cluster.label, labeljust="l", style="dashed", color="gray65", fontsize="9", fontcolor="gray35"
            )
        for vid, attrs in bodies[key]:
            sub.node(vid, **attrs)
        subgraphs[key] = sub
    children = {key: [] for key in visible}
    top_level = []
    for key in visible:
        parent = clusters[key].parent
        while parent is not None and parent not in children:
            parent = clusters[parent].parent
        (top_level if parent is None else children[parent]).append(key)
    for key in reversed(visible):
        for child in children[key]:
            subgraphs[key].subgraph(subgraphs[child])

    for vid, attrs in root_body:
        graph.node(vid, **attrs)
    for key in top_level:
        graph.subgraph(subgraphs[key])

    seen_box_edges = set()
    for tail, head, attrs in drawing.edges:
        t, h = vertex_id(tail), vertex_id(head)
        if box_of[tail] is not None or box_of[head] is not None:
            if t == h or (t, h) in seen_box_edges:
                continue
            seen_box_edges.add((t, h))
            attrs = tuple(kv for kv in attrs if kv[0] in ("style", "arrowhead"))
        graph.edge(t, h, **dict(attrs))
    return graph
