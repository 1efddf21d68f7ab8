"""The ``{solutions}`` directive: every exercise solution in docs/solutions, shown as code.

The solutions are plain scripts, ``docs/solutions/tNN_<name>.py``, tested by the suite
(tests/test_solutions_*.py) and never run by the docs build. The directive lists them all,
one section per tutorial (titled as the tutorial, which it links to), each file included
in full: its docstring states the exercise and the reasoning, its code the answer. A new
solution file shows up without editing the page, which is re-read on every build for that.
The directive writes MyST Markdown, so it is used from a MyST page (docs/solutions/index.md).
"""

import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

PAGE = "solutions/index"
_SOLUTION = re.compile(r"t(\d\d)_\w+\.py")


def _tutorial(srcdir, number):
    """(docname, title) of tutorial ``number`` (two digits), from its title docstring."""
    for path in sorted((srcdir / "tutorials").glob(f"{number}_*.py")):
        title = path.read_text().split("\n")[1].strip()
        return f"auto_tutorials/{path.stem}", title
    raise ValueError(f"docs/solutions: no tutorial numbered {number} in docs/tutorials")


class Solutions(SphinxDirective):
    has_content = False

    def run(self):
        srcdir = Path(self.env.srcdir)
        by_tutorial = {}
        for path in sorted((srcdir / "solutions").glob("t*.py")):
            match = _SOLUTION.fullmatch(path.name)
            if match is None:
                raise self.error(f"docs/solutions/{path.name}: solution files are named tNN_<name>.py")
            by_tutorial.setdefault(match.group(1), []).append(path.name)
        lines = []
        for number, names in by_tutorial.items():
            docname, title = _tutorial(srcdir, number)
            lines += [f"## Tutorial {int(number)}: {title}", "", f"Exercises of {{doc}}`/{docname}`.", ""]
            for name in names:
                lines += [
                    f"```{{literalinclude}} /solutions/{name}",
                    ":language: python",
                    f":caption: docs/solutions/{name}",
                    "```",
                    "",
                ]
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList(lines, source=self.get_source_info()[0]), container)
        return container.children


def _reread_solutions_page(app, env, added, changed, removed):
    return [PAGE] if PAGE in env.found_docs else []


def setup(app):
    app.add_directive("solutions", Solutions)
    app.connect("env-get-outdated", _reread_solutions_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
