"""``minigrad.linalg``: the names of ``torch.linalg`` that minigrad has.

Each is an op of ``minigrad/ops/`` (its Function and public function live there):
``vector_norm`` in ``reduce.py``, ``matmul`` in ``linalg.py``.
"""

from .ops.linalg import matmul
from .ops.reduce import vector_norm

__all__ = ["vector_norm", "matmul"]
