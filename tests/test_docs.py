"""The documentation: docstring examples run, tutorials are listed, and (on CI) the site builds.

* Every ``>>>`` example in minigrad's docstrings runs here as a doctest, with the names
  ``minigrad``, ``nn``, ``F`` and ``np`` available and the seed fixed, as
  ``python -m pytest --doctest-modules minigrad`` runs them (see ``conftest.py``); here
  also those of functions wrapped by a decorator from another module (``numpy_names``),
  which doctest's own finder skips.
* Every tutorial in ``docs/tutorials`` is linked from the front page.
* With ``CI=true`` (or ``MINIGRAD_TEST_DOCS=1``), ``tools/docs.sh`` builds the whole site,
  running every tutorial, with warnings as errors. It takes a few minutes.
"""

import doctest
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import minigrad

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _modules():
    names = ["minigrad"]
    for info in pkgutil.walk_packages(minigrad.__path__, "minigrad."):
        # minigrad.onnx needs the optional onnx package (the [onnx] extra).
        without_onnx = info.name.startswith("minigrad.onnx") and importlib.util.find_spec("onnx") is None
        if not info.name.endswith("__main__") and not without_onnx:
            names.append(info.name)
    return names


class _Finder(doctest.DocTestFinder):
    """doctest's finder, which also finds the functions of a module wrapped by a decorator
    defined in another module (``numpy_names``): it judges the function that was wrapped."""

    def _from_module(self, module, obj):
        return super()._from_module(module, inspect.unwrap(obj) if inspect.isfunction(obj) else obj)


def _doctests(module_name):
    module = importlib.import_module(module_name)
    finder = _Finder(exclude_empty=True)
    return [t for t in finder.find(module, module_name) if t.examples]


_WITH_EXAMPLES = [name for name in _modules() if _doctests(name)]


@pytest.mark.parametrize("module_name", _WITH_EXAMPLES)
def test_docstring_examples_run(module_name):
    from minigrad import nn
    from minigrad.nn import functional as F

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures = []
    for test in _doctests(module_name):
        minigrad.manual_seed(0)
        test.globs.update(minigrad=minigrad, nn=nn, F=F, np=np)
        report = []
        result = runner.run(test, out=report.append)
        if result.failed:
            failures.append("".join(report))
    assert not failures, "\n".join(failures)


def test_every_tutorial_is_on_the_front_page():
    index = (DOCS / "index.md").read_text()
    tutorials = sorted(p.stem for p in (DOCS / "tutorials").glob("[0-9][0-9]_*.py"))
    assert tutorials, "no tutorials found"
    missing = [t for t in tutorials if f"auto_tutorials/{t}" not in index]
    assert not missing, f"tutorials not linked from docs/index.md: {missing}"


def test_every_tutorial_has_a_title_and_runs_as_a_script():
    # a sphinx-gallery script starts with a docstring whose first line is the title
    for path in sorted((DOCS / "tutorials").glob("[0-9][0-9]_*.py")):
        source = path.read_text()
        assert re.match(r'^"""\n[^\n]+\n=+\n', source), f"{path.name}: no title docstring"
        compile(source, str(path), "exec")


@pytest.mark.skipif(
    os.environ.get("CI") != "true" and os.environ.get("MINIGRAD_TEST_DOCS") != "1",
    reason="builds the whole site (minutes); runs on CI or with MINIGRAD_TEST_DOCS=1",
)
def test_docs_build_without_warnings():
    result = subprocess.run(
        ["bash", str(ROOT / "tools" / "docs.sh"), "-q"], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, f"tools/docs.sh failed:\n{result.stdout[-5000:]}\n{result.stderr[-10000:]}"
    # API pages list the tutorials that use their object (sphinx-gallery back-references):
    # minigrad.tensor is in the first tutorials, Tensor.backward too.
    generated = DOCS / "_build" / "html" / "api" / "generated"
    for page in ("minigrad.tensor.html", "minigrad.Tensor.html"):
        html = (generated / page).read_text()
        assert "Tutorials using" in html and "sphx-glr-thumbcontainer" in html, f"{page}: no tutorials listed"
