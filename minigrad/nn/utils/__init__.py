"""``minigrad.nn.utils``: gradient clipping, parameters as one flat vector and conv + batch
norm fusion, as in ``torch.nn.utils``."""

from . import clip_grad, convert_parameters, fusion
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights

__all__ = [
    "clip_grad",
    "convert_parameters",
    "fusion",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]
