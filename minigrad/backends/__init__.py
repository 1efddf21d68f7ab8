"""Switches for how minigrad's kernels compute, in the manner of ``torch.backends``.

``minigrad.backends.conv``: which algorithm computes a convolution's input gradient
(see :mod:`minigrad.backends.conv`).
"""

from . import conv

__all__ = ["conv"]
