"""The ``weights=``, ``pretrained=`` and ``progress=`` arguments of every zoo builder, as torchvision takes them.

minigrad never downloads anything. ``weights`` is either None (a randomly initialized
model) or the path of a local file holding a state dict in torchvision's key layout: a
safetensors file written by PyTorch's ``safetensors.torch.save_file`` or by
``minigrad.save``. It is loaded with ``load_state_dict`` (strict). What would need a
download (a torchvision weights name such as ``'DEFAULT'``, ``'IMAGENET1K_V1'`` or
``'ResNet18_Weights.IMAGENET1K_V1'``, a torchvision weights enum, ``pretrained=True``)
raises a RuntimeError saying how to make the local file once in PyTorch.

As in torchvision, ``pretrained`` is deprecated in favour of ``weights`` (a UserWarning),
and giving both is a TypeError. ``progress`` (a download's progress bar) is accepted and
has nothing to show.
"""

from __future__ import annotations

import enum
import os
import re
import warnings
from typing import TYPE_CHECKING

from .. import serialization

if TYPE_CHECKING:
    from ..nn import Module

__all__ = ["load_weights"]

# A torchvision weights name: 'DEFAULT', 'IMAGENET1K_V1', 'ResNet18_Weights.IMAGENET1K_V2'.
_WEIGHTS_NAME = re.compile(r"(\w+_Weights\.)?[A-Z][A-Z0-9_]*")

# The builders torchvision has, with the same name, layout and published weights.
_IN_TORCHVISION = {
    "alexnet",
    *(f"vgg{depth}{bn}" for depth in (11, 13, 16, 19) for bn in ("", "_bn")),
    *(f"resnet{depth}" for depth in (18, 34, 50, 101, 152)),
}


def load_weights(model: Module, builder: str, weights: str | os.PathLike | None, pretrained: bool | None) -> Module:
    """``model`` (just built by ``builder``) with the weights that ``weights`` / ``pretrained`` ask for."""
    if isinstance(weights, bool):  # torchvision reads a bool given as ``weights`` as the old ``pretrained``
        weights, pretrained = None, weights
    if pretrained is not None:
        if weights is not None:
            raise TypeError(f"{builder}(): 'pretrained' and 'weights' cannot be given together; give 'weights' only")
        warnings.warn(
            f"{builder}(): the parameter 'pretrained' is deprecated, as in torchvision since 0.13; use 'weights' "
            "instead (weights=None for a random model, weights='file.safetensors' for local weights)",
            UserWarning,
            stacklevel=3,
        )
        if pretrained:
            raise RuntimeError(_no_download(builder, "pretrained=True", "DEFAULT"))
        return model
    if weights is None:
        return model
    if isinstance(weights, enum.Enum):
        raise RuntimeError(_no_download(builder, f"weights={weights}", str(weights)))
    if not isinstance(weights, (str, os.PathLike)):
        raise TypeError(
            f"{builder}(): weights must be None or the path of a local safetensors file, got {type(weights).__name__}"
        )
    if isinstance(weights, str) and _WEIGHTS_NAME.fullmatch(weights) and not os.path.exists(weights):
        raise RuntimeError(_no_download(builder, f"weights={weights!r}", weights))
    model.load_state_dict(serialization.load(weights))
    return model


def _no_download(builder, given, name):
    """The message for weights that only a download could give, with the local-file recipe."""
    file = f"{builder}.safetensors"
    if builder in _IN_TORCHVISION:
        source = f"torchvision.models.{builder}(weights={name!r})"
        setup = "import torchvision, safetensors.torch; "
    else:
        source = "model"
        setup = f"build a PyTorch model with {builder}'s layer names, then "
    return (
        f"{builder}({given}): minigrad does not download weights. Use a local safetensors file in "
        f"torchvision's key layout: {builder}(weights={file!r}). To make it, run once in PyTorch: "
        f"{setup}safetensors.torch.save_file({source}.state_dict(), {file!r})"
    )
