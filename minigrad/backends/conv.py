"""How the input gradient of a convolution (= conv_transpose2d) is computed.

By default it is the flipped-kernel convolution: the upstream gradient convolved with
the 180-degree rotated kernel, channels swapped, phase by phase for a stride above one;
computed by Winograd's F(2x2, 3x3) for 3x3 stride-1 convs with at least 32 channels and
by direct loops for depthwise convs, which evaluate the same sum. Only where the other
order of that sum, col2im of W^T g (the adjoint of im2col + GEMM), was measured at least
1.2x faster does it run instead (docs/kernels.md has the rule and the measurements).
Each conv's backward-graph node tells which path its input gradient takes
(``graph_note``).

Set ``flipped_kernel_only`` to run the flipped-kernel convolution itself everywhere (no
col2im, no Winograd, no depthwise loops), e.g. to teach or to check it::

    import minigrad
    minigrad.backends.conv.flipped_kernel_only = True

    with minigrad.backends.conv.flags(flipped_kernel_only=True):
        loss.backward()
"""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator

__all__ = ["flipped_kernel_only", "flags"]

flipped_kernel_only: bool = False


@contextlib.contextmanager
def flags(flipped_kernel_only: bool = True) -> Iterator[None]:
    """Set ``flipped_kernel_only`` inside a ``with`` block; the old value comes back after.

    Example:
        >>> import minigrad
        >>> with minigrad.backends.conv.flags(flipped_kernel_only=True):
        ...     minigrad.backends.conv.flipped_kernel_only
        True
        >>> minigrad.backends.conv.flipped_kernel_only
        False
    """
    module = sys.modules[__name__]  # the argument shadows the module's name
    old, module.flipped_kernel_only = module.flipped_kernel_only, bool(flipped_kernel_only)
    try:
        yield
    finally:
        module.flipped_kernel_only = old
