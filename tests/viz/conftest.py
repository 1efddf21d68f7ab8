"""The ``dot`` program for the rendering tests: tools/test.sh installs Debian's graphviz, so they
never skip; without it they fail and say how to install it."""

import shutil

import pytest


@pytest.fixture(scope="module")
def dot_program():
    path = shutil.which("dot")
    if path is None:
        pytest.fail(
            "Graphviz's `dot` is required by the rendering tests: apt-get install graphviz (tools/test.sh does this)"
        )
    return path
