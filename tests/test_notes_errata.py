"""The corrections to the lecture notes (docs/notes_map.md, "Errata") hold for minigrad.

The docs build prints the same checks in the errata table (``docs/sphinxext/notes_checks.py``);
here they run without Sphinx. A check fails when minigrad, or the correction, is wrong.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "sphinxext"))

import notes_checks  # noqa: E402


@pytest.mark.parametrize("erratum", notes_checks.ERRATA, ids=lambda e: e.key)
def test_erratum_check_holds(erratum):
    measured = erratum.check()
    assert isinstance(measured, str) and measured


def test_errata_are_named_once_and_kinds_are_known():
    keys = [e.key for e in notes_checks.ERRATA]
    assert len(keys) == len(set(keys))
    assert {e.kind for e in notes_checks.ERRATA} <= {"error", "convention", "unstated"}


def test_the_issue_s_unflagged_errata_are_in_the_table():
    keys = {e.key for e in notes_checks.ERRATA}
    for key in ("resnet-58161162", "parameters-vs-mult-adds", "backward-1d", "resnet34-rounding", "vgg16-memory"):
        assert key in keys


def test_a_wrong_correction_fails_its_check(monkeypatch):
    # the checks compare with minigrad's results: a model with another count must fail
    monkeypatch.setattr(notes_checks.nn.Conv2d, "__init__", _conv_with_bias_always(notes_checks.nn.Conv2d.__init__))
    with pytest.raises(AssertionError):
        notes_checks._check_3x3_256()


def _conv_with_bias_always(init):
    def patched(self, in_channels, out_channels, kernel_size, *args, **kwargs):
        init(self, in_channels, out_channels + 1, kernel_size, *args, **kwargs)

    return patched
