"""The student pages: notes_map.md and micrograd_to_minigrad.md run, and their links to files hold.

The docs build runs the same examples (``minigrad_doctest_pages`` in docs/conf.py) and checks
the same ``{src}`` links; these tests make a broken page fail without building the site.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "sphinxext"))

import notes_checks  # noqa: E402

_SRC = re.compile(r"\{src\}`([^`]+)`")


def _failures(page):
    return "".join(notes_checks.page_doctest_failures((DOCS / page).read_text(), page))


def test_notes_map_examples_run():
    assert not _failures("notes_map.md")


def test_micrograd_to_minigrad_examples_run():
    assert not _failures("micrograd_to_minigrad.md")


def test_a_wrong_expected_output_is_reported():
    page = "```pycon\n>>> 1 + 1\n3\n```\n"
    assert "Expected:\n    3" in "".join(notes_checks.page_doctest_failures(page, "wrong"))


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_src_links_name_existing_files_and_definitions(page):
    for target in _SRC.findall((DOCS / page).read_text()):
        path, _, name = target.partition("::")
        assert (ROOT / path).is_file(), f"{page}: {path} does not exist"
        if name:
            assert notes_checks.defines(ROOT / path, name), f"{page}: {path} defines no {name}"


def test_every_lecture_topic_of_the_issue_has_a_row():
    text = (DOCS / "notes_map.md").read_text().lower()
    topics = [
        "output size", "im2col", "cross-correlation", "weight gradient", "input gradient",
        "max pooling forward", "max pooling backward", "lenet-5", "alexnet", "vgg", "resnet",
        "bottleneck", "dropout", "augmentation", "focal loss", "batch normalization",
        "initialization", "the recipe",
    ]  # fmt: skip
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    missing = [t for t in topics if not any(row.split("|")[1].find(t) >= 0 for row in rows)]
    assert not missing


def test_the_training_rows_point_at_tutorial_11():
    text = (DOCS / "notes_map.md").read_text()
    for label in ("dropout", "augmentation", "focal-loss", "batch-norm", "init", "recipe"):
        assert f"<t11-{label}>`" in text, label


def test_new_pages_are_linked_from_the_front_page():
    index = (DOCS / "index.md").read_text()
    for page in ("notes_map", "glossary", "micrograd_to_minigrad", "pytorch_differences"):
        assert f"{{doc}}`{page}`" in index and f"\n{page}\n" in index, page
