"""A small reader of the DOT text that minigrad.viz writes, so the viz tests check parsed nodes,
edges and clusters and never substring-match by luck.

``parse`` reads the DOT that minigrad.viz writes (one statement per line, as the graphviz
package emits it) into nodes, edges and clusters; tests/viz/test_render.py checks that
Graphviz's own parser (``dot -Tjson``) reads the same nodes and edges.
"""

import collections
import re

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
