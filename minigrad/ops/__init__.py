"""Every differentiable op, one module per family; each module pairs a Function with
the lowercase function users call. ``Tensor`` methods and ``minigrad.*`` call these."""
from .convert import clone, to_dtype
from .elementwise import (abs, add, clamp, div, exp, log, masked_fill, maximum, minimum, mul, neg, pow,
                          relu, sigmoid, sign, sqrt, sub, tanh, where)
from .index import getitem, index_put
from .linalg import bmm, linear, matmul, mm
from .reduce import (amax, amin, argmax, argmin, expand, gather, log_softmax, logsumexp, max, mean, min,
                     softmax, std, sum, sum_to, var)
from .shape import cat, chunk, flatten, narrow, permute, reshape, split, squeeze, stack, transpose, unsqueeze, view
