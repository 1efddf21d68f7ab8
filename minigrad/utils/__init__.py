"""Utilities: ``minigrad.utils.hooks`` (RemovableHandle) and ``minigrad.utils.data``
(datasets and the DataLoader).

Neither is imported here: ``hooks`` sits below the Tensor (tensor.py uses it) and
``data`` above it, so loading one must not load the other. ``import minigrad`` loads both.
"""

__all__ = ["data", "hooks"]
