"""The guide pictures are drawn when the docs are built, never committed.

Before Sphinx reads any page, ``docs/make_images.py`` draws the graph pictures that
docs/viz.md shows into ``docs/images/`` (ignored by git), with the code as it is now, so
a picture cannot fall behind the code it illustrates. It takes about two seconds.
"""

import importlib.util
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _draw_guide_images(app):
    source = Path(app.srcdir) / "make_images.py"
    spec = importlib.util.spec_from_file_location("minigrad_docs_make_images", source)
    make_images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_images)
    paths = make_images.main([], out_dir=str(Path(app.srcdir) / "images"))
    logger.info(f"minigrad_images: drew {len(paths)} guide pictures into docs/images/")


def setup(app):
    app.connect("builder-inited", _draw_guide_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
