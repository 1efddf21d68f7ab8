"""Sphinx configuration of minigrad's documentation.

Build with ``bash tools/docs.sh`` (it installs the ``docs`` extra and Graphviz, then runs
``sphinx-build -W --keep-going -b html docs docs/_build/html``: every warning fails the
build). Pages are MyST Markdown; the API reference is generated from the docstrings
(Google style, parsed by napoleon); the tutorials in ``docs/tutorials`` are plain Python
scripts that sphinx-gallery runs at build time, so every printed number and every
figure on those pages comes from the code as it is.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The checkout being documented comes first, whatever else is installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "sphinxext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import minigrad  # noqa: E402

project = "minigrad"
author = "the minigrad authors"
copyright = "2026, the minigrad authors"  # noqa: A001  (Sphinx's name)
version = release = minigrad.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax copied into the site: formulas render without a network
    "sphinx.ext.graphviz",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "minigrad_notes",  # checked links to tutorial sections and files, the errata table, page doctests
    "minigrad_docstrings",
    "minigrad_guides",  # a new docs/*.md page joins the Guides toctree
    "minigrad_images",  # docs/make_images.py draws the guide pictures into docs/images/ first
    "minigrad_solutions",  # the {solutions} directive: docs/solutions/t*.py, shown, not run
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path = ["_templates"]
suppress_warnings = []  # none: every warning fails the build (-W)

# -- MyST ---------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Pages whose >>> examples run when they are read (and in tests/test_notes_pages.py) --
minigrad_doctest_pages = ["micrograd_to_minigrad", "notes_map"]

# -- API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = ["Shape", "Notation"]  # shown as written, under a heading
napoleon_use_rtype = False
# An ``Attributes:`` section is a field list (":ivar name:"), not one object description
# per attribute: autodoc lists class attributes such as ``Tensor.is_cpu`` as members
# too, and two descriptions of one object fail the build.
napoleon_use_ivar = True
add_module_names = False

# -- Graphviz (architecture diagrams) ------------------------------------------------------
graphviz_output_format = "svg"

# -- HTML ---------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"minigrad {release}"
html_static_path = ["_static"]
html_css_files = ["minigrad.css"]
html_theme_options = {"navigation_with_keys": True}
html_show_sourcelink = False


# -- sphinx-gallery -----------------------------------------------------------------------
# Every numbered script in docs/tutorials runs at build time; its output and figures
# (matplotlib, and Graphviz graphs through minigrad_gallery.graphviz_scraper) go on its page.
sphinx_gallery_conf = {
    "examples_dirs": ["tutorials"],
    "gallery_dirs": ["auto_tutorials"],
    "filename_pattern": r"/\d\d_.*\.py$",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib", "minigrad_gallery.graphviz_scraper"),
    "reset_modules": ("matplotlib", "minigrad_gallery.reset_minigrad"),
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "capture_repr": (),  # the tutorials print what they show
    "min_reported_time": 1,
    # Back-references: each API page (docs/_templates/autosummary) lists the tutorials that
    # use its object. sphinx-gallery records every minigrad name a tutorial calls in
    # api/generated/backreferences ({module}.{name}.examples and backreferences_all.json),
    # which the `.. minigallery::` of the templates reads.
    "backreferences_dir": "api/generated/backreferences",
    "doc_module": ("minigrad",),
}
