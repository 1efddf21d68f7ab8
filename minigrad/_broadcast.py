"""The broadcasting check of binary ops, with PyTorch's error message.

This module imports only numpy: autograd's compiled engine (``binary_forward``) and the
elementwise ops both use it.
"""

import numpy as np


def check_broadcast(op, a, b):
    """Raise PyTorch's error when the shapes of ``a`` and ``b`` (arrays or numbers) do not broadcast."""
    try:
        np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:
        raise RuntimeError(
            f"{op}: the size of tensor a {list(np.shape(a))} must match the size of tensor b "
            f"{list(np.shape(b))} at a non-singleton dimension (shapes are not broadcastable)"
        ) from None
