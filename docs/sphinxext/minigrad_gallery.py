"""sphinx-gallery helpers for minigrad's tutorials (named by string in ``docs/conf.py``).

Named by their dotted path rather than passed as objects, so that Sphinx can pickle and
compare its configuration between builds.
"""

import hashlib
from pathlib import Path

__all__ = ["graphviz_scraper", "reset_minigrad"]


class GraphvizScraper:
    """Show every Graphviz graph a tutorial block makes, as an SVG under the block.

    After each code block, any ``graphviz.Digraph`` (what ``minigrad.viz`` returns) or
    ``graphviz.Source`` in the tutorial's namespace that was not shown yet is rendered
    with ``dot`` and embedded, the way sphinx-gallery embeds matplotlib figures. The
    tutorials stay plain scripts: they build graphs and keep them in variables, and a
    reader running one as a script renders them with ``minigrad.viz.render``. Each
    image links to itself, so a graph too big for the page opens at full size.
    """

    def __init__(self):
        self.shown = {}

    def __repr__(self):
        return "GraphvizScraper()"

    def __call__(self, block, block_vars, gallery_conf):
        import graphviz

        shown = self.shown.setdefault(str(block_vars["src_file"]), set())
        paths = []
        for value in list(block_vars["example_globals"].values()):
            if not isinstance(value, (graphviz.Digraph, graphviz.Graph, graphviz.Source)):
                continue
            key = hashlib.sha1(value.source.encode()).hexdigest()
            if key in shown:
                continue
            shown.add(key)
            path = Path(next(block_vars["image_path_iterator"])).with_suffix(".svg")
            path.write_bytes(value.pipe(format="svg"))
            paths.append(str(path))
        return "".join(_image_rst(path) for path in paths)


def _image_rst(path):
    """The image, linked to itself at full size: big graphs are drawn to fit the page."""
    name = Path(path).name
    return (
        f"\n.. image:: /auto_tutorials/images/{name}\n"
        f"   :alt: {Path(path).stem.replace('_', ' ')}\n"
        f"   :class: sphx-glr-single-img\n"
        f"   :target: ../_images/{name}\n\n"
    )


graphviz_scraper = GraphvizScraper()


def reset_minigrad(gallery_conf, fname):
    """Each tutorial starts from the same state: seed 0, float32 by default, recording on."""
    import minigrad

    minigrad.manual_seed(0)
    minigrad.set_default_dtype(minigrad.float32)
    minigrad.autograd.grad_mode.state.grad_enabled = True
