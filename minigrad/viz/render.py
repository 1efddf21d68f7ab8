"""Rendering with Graphviz: ``render(graph, path)`` and ``DotGraph``, whose renderers explain
how to install Graphviz (``GraphvizNotFoundError``) when its ``dot`` program is missing.

Building a graph and its DOT source needs only the ``graphviz`` Python package; svg, png
and pdf need ``dot``. In Jupyter a ``DotGraph`` displays itself through graphviz's own
SVG hook.
"""

from __future__ import annotations

import os
from typing import Any

import graphviz

__all__ = ["render", "DotGraph", "GraphvizNotFoundError", "FORMATS"]

_INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered to "
    "{what}. The DOT source still works without it (`graph.source`, or "
    "`minigrad.viz.render(graph, 'graph.dot')`). Install Graphviz to render: "
    "`apt-get install graphviz` (Debian/Ubuntu), `dnf install graphviz` (Fedora), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or see "
    "https://graphviz.org/download/ (the `graphviz` Python package alone is not enough)."
)

FORMATS = ("svg", "png", "pdf", "dot")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program, which is not installed."""

    def __init__(self, what: str = "an image") -> None:
        RuntimeError.__init__(self, _INSTALL_HINT.format(what=what))


class DotGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose renderers explain how to install Graphviz when needed."""

    def pipe(self, format: str | None = None, *args: Any, **kwargs: Any) -> Any:  # noqa: A002  (graphviz's name)
        try:
            return super().pipe(format, *args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            if isinstance(error, GraphvizNotFoundError):
                raise
            raise GraphvizNotFoundError(format or self.format) from error

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            if isinstance(error, GraphvizNotFoundError):
                raise
            raise GraphvizNotFoundError(kwargs.get("format") or self.format) from error

    def _repr_svg_(self):
        """SVG for front-ends that only ask ``_repr_svg_`` (IPython uses the mimebundle)."""
        return self._repr_image_svg_xml()


def render(
    graph: graphviz.Digraph,
    path: str | os.PathLike[str],
    format: str | None = None,  # noqa: A002  (graphviz's name)
) -> str:
    """Write ``graph`` to ``path`` as svg, png, pdf or dot (DOT source).

    Args:
        graph: a ``graphviz.Digraph`` (what ``make_dot`` and ``draw_graph`` return).
        path: the file to write; its extension gives the format when ``format`` is None.
        format: one of ``'svg'``, ``'png'``, ``'pdf'``, ``'dot'``.

    Returns the path. Raises ``GraphvizNotFoundError`` for svg/png/pdf when Graphviz's
    ``dot`` program is not installed (the ``'dot'`` format never needs it).
    """
    path = os.fspath(path)
    if format is None:
        format = os.path.splitext(path)[1].lstrip(".").lower() or "svg"  # noqa: A001
        if format == "gv":
            format = "dot"  # noqa: A001
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if format == "dot":
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return path
    try:
        data = graph.pipe(format=format)
    except graphviz.ExecutableNotFound as error:
        if isinstance(error, GraphvizNotFoundError):
            raise
        raise GraphvizNotFoundError(format) from error
    with open(path, "wb") as f:
        f.write(data)
    return path
