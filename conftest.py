"""Names every docstring example may use without importing them.

``python -m pytest --doctest-modules minigrad`` runs the examples in the docstrings. They
are written as a reader types them after ``import minigrad``; this puts ``minigrad``,
``nn``, ``F`` and ``np`` in each example's namespace and seeds the generator before each
one, so that they print the same numbers every run. Ordinary tests are left untouched.
"""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(request, doctest_namespace):
    if type(request.node).__name__ != "DoctestItem":
        return
    import minigrad
    from minigrad import nn
    from minigrad.nn import functional as F

    doctest_namespace.update(minigrad=minigrad, nn=nn, F=F, np=np)
    minigrad.manual_seed(0)
