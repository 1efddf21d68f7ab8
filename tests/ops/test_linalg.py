"""matmul in every shape combination PyTorch accepts, through ``opcheck.check``."""

import numpy as np
import pytest
from opcheck import N, check

import minigrad
from minigrad.testing import assert_close

# ---- matmul -----------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 2, 3), (2, 3, 4)),  # batched
    ((2, 2, 3), (3, 4)),  # batch on the left only
    ((2, 3), (2, 3, 4)),  # batch on the right only
    ((3,), (2, 3, 2)),  # 1-D with a batch
    ((2, 2, 3), (3,)),
    ((2, 1, 2, 3), (3, 3, 2)),  # broadcast batch dimensions
]


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES, ids=str)
def test_matmul(sa, sb):
    check(lambda a, b: a @ b, np.matmul, N(*sa), N(*sb))


def test_matmul_forms_agree():
    a, b = N(2, 3), N(3, 4)
    ta, tb = minigrad.tensor(a), minigrad.tensor(b)
    for out in (minigrad.matmul(ta, tb), ta.matmul(tb), minigrad.mm(ta, tb), ta.mm(tb), ta @ tb):
        assert_close(out, a @ b)
    assert_close(a @ tb, a @ b)  # ndarray @ Tensor uses __rmatmul__
    c, d = N(2, 2, 3), N(2, 3, 1)
    assert_close(minigrad.bmm(minigrad.tensor(c), minigrad.tensor(d)), c @ d)
    check(minigrad.bmm, np.matmul, c, d)


def test_matmul_1d_1d_gives_a_scalar():
    out = minigrad.tensor([1.0, 2.0]) @ minigrad.tensor([3.0, 4.0])
    assert out.shape == () and out.item() == 11.0
