"""The ```python blocks of the guides (docs/*.md) run, so that what a guide shows works today.

The blocks of one page run in order in one namespace, as a reader would paste them into
one session, in a fresh temporary folder (blocks that write files write them there). A
block that cannot run here says so in the page, on the line right above it, with a MyST
comment that readers of the built page do not see:

    % not run: <why>

(e.g. it runs under ``mpiexec``, or in PyTorch). Such blocks are few, each gives its
reason, and their number is capped below so that a new one is a decision, not a habit.
Printed output in the blocks' comments is not compared; the docstring examples are the
doctests (tests/test_docs.py).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad

DOCS = Path(__file__).resolve().parents[1] / "docs"
_BLOCK = re.compile(r"^(?:% not run: (?P<reason>[^\n]*)\n)?```python\n(?P<code>.*?)^```", re.S | re.M)
_MARKER = re.compile(r"^% not run:(?P<reason>.*)$", re.M)
MAX_NOT_RUN = 10


def _blocks(page):
    """(line number, code, reason it is not run or None) of every ```python block of a page."""
    text = page.read_text()
    return [
        (text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("reason")) for m in _BLOCK.finditer(text)
    ]


PAGES = sorted(p for p in DOCS.glob("*.md") if any(reason is None for _, _, reason in _blocks(p)))
# pages whose blocks train or start worker processes (more than a second or so)
SLOW = {"data.md", "distributed.md", "onnx.md", "optim.md"}
# pages about an optional extra: their blocks need it (tools/test.sh installs both)
NEEDS = {"distributed.md": "mpi4py", "onnx.md": "onnxruntime"}
# run in a child process: MPI is initialized once per process and stays so until it exits
CHILD = {"distributed.md"}


def test_not_run_markers_are_few_and_each_gives_a_reason():
    markers = [
        (page.name, m.group("reason").strip()) for page in DOCS.glob("*.md") for m in _MARKER.finditer(page.read_text())
    ]
    assert all(reason for _, reason in markers), f"a '% not run:' marker without a reason: {markers}"
    blocks = [(page.name, reason) for page in DOCS.glob("*.md") for _, _, reason in _blocks(page) if reason]
    assert len(blocks) == len(markers), "a '% not run:' marker is not right above a ```python block"
    assert len(markers) <= MAX_NOT_RUN, f"{len(markers)} guide blocks are not run: {markers}"


@pytest.mark.parametrize(
    "page", [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in PAGES], ids=lambda p: p.name
)
def test_guide_python_blocks_run(page, tmp_path, monkeypatch):
    if page.name in NEEDS:
        pytest.importorskip(NEEDS[page.name])
    monkeypatch.chdir(tmp_path)
    if page.name in CHILD:
        script = "\n".join(code for _, code, reason in _blocks(page) if reason is None)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(DOCS.parent), os.environ.get("PYTHONPATH", "")]))
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"docs/{page.name}: its blocks fail:\n{result.stderr}"
        return
    namespace = {"__name__": "__main__"}
    flipped_kernel_only = minigrad.backends.conv.flipped_kernel_only  # kernels.md shows how to set it
    try:
        for line, code, reason in _blocks(page):
            if reason:
                continue
            try:
                exec(compile(code, f"{page.name}, block at line {line}", "exec"), namespace)  # noqa: S102
            except Exception as error:
                raise AssertionError(f"docs/{page.name}, the block at line {line} fails: {error!r}") from error
    finally:
        minigrad.backends.conv.flipped_kernel_only = flipped_kernel_only
