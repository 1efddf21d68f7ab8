"""Switches for how minigrad's kernels compute, in the manner of ``torch.backends``.

``minigrad.backends.conv``: which algorithm computes a convolution's input gradient
(see :mod:`minigrad.backends.conv`). ``mps`` and ``cudnn`` answer PyTorch code that asks
about GPU backends: none is available, and the cuDNN flags are accepted and stored.
"""

from . import conv, cudnn, mps

__all__ = ["conv", "cudnn", "mps"]
