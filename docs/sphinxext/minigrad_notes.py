"""Checked links from the lecture-notes map to the code, and the errata table, run at build time.

``docs/notes_map.md`` points every topic of the lecture notes at a tutorial section, a
guide section, a test and a source file. Each kind of pointer is checked while the site
is built, so that a renamed section or a moved file fails the build (``-W``):

* ``[text](auto_tutorials/04_convolution.rst#im2col-the-sum-as-one-matrix-product)``: a
  section of a tutorial. sphinx-gallery writes the tutorials as reStructuredText whose
  sections have ids but no labels; this extension registers every section id of a
  tutorial page as an anonymous label of that page, which is what MyST checks a
  ``#id`` against.
* ``{src}`tests/ops/test_conv.py``` or ``{src}`minigrad/ops/conv.py::conv2d```: a file of
  the repository, shown as code. The file must exist, and a name after ``::`` must be
  defined in it (``def name``, ``class name`` or ``name =``).
* ``{errata-table}``: runs every check of :mod:`notes_checks` and prints a table of the
  corrections with what each check measured. A check that fails is a build error.
* Pages listed in ``minigrad_doctest_pages`` have their ``>>>`` examples run as
  doctests when they are read; a failing example is a build error. The test suite runs
  the same pages (``tests/test_notes_pages.py``).
"""

from __future__ import annotations

from pathlib import Path

import notes_checks
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
_TUTORIALS = "auto_tutorials/"


def _register_tutorial_sections(app, doctree):
    docname = app.env.docname
    if not docname.startswith(_TUTORIALS):
        return
    anonlabels = app.env.domaindata["std"]["anonlabels"]
    for section in doctree.findall(nodes.section):
        for section_id in section["ids"]:
            anonlabels[f"{docname}#{section_id}"] = (docname, section_id)


def src_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{src}`path``` or ``{src}`path::name```: a repository file (and a name in it), checked."""
    path, _, defined = text.partition("::")
    file = ROOT / path
    node = nodes.literal(rawtext, text, classes=["minigrad-src"])
    if not file.is_file():
        message = inliner.reporter.warning(f"{{src}}: no file {path!r} in the repository", line=lineno)
        return [node], [message]
    if defined and not notes_checks.defines(file, defined):
        message = inliner.reporter.warning(f"{{src}}: {path} defines no {defined!r}", line=lineno)
        return [node], [message]
    return [node], []


class ErrataTable(SphinxDirective):
    """Run every check of ``notes_checks.ERRATA`` and print the corrections as a table."""

    has_content = False

    def run(self):
        rows = [
            "| # | in the notes | they say | it is | checked by code |",
            "| --- | --- | --- | --- | --- |",
        ]
        for number, erratum in enumerate(notes_checks.ERRATA, 1):
            try:
                measured = erratum.check()
            except Exception as error:  # any failure of a check fails the build
                logger.warning(
                    f"erratum {erratum.key!r}: its check failed: {type(error).__name__}: {error}",
                    location=self.get_location(),
                )
                measured = "**check failed**"
            kind = "" if erratum.kind == "error" else f" ({erratum.kind})"
            cells = [f"{number}", erratum.where + kind, erratum.says, erratum.correct, measured]
            rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        container = nodes.container(classes=["minigrad-errata"])
        table = StringList(rows, source=self.get_source_info()[0])
        self.state.nested_parse(table, self.content_offset, container)
        return [container]


def _run_page_doctests(app, docname, source):
    if docname not in app.config.minigrad_doctest_pages:
        return
    for failure in notes_checks.page_doctest_failures(source[0], docname):
        logger.warning(f"{docname}: a doctest example failed:\n{failure}", location=docname)


def setup(app):
    app.add_config_value("minigrad_doctest_pages", [], "env")
    app.add_role("src", src_role)
    app.add_directive("errata-table", ErrataTable)
    app.connect("doctree-read", _register_tutorial_sections)
    app.connect("source-read", _run_page_doctests)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
