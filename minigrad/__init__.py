"""minigrad: a small tape-based autodiff framework with a torch-like API and Cython kernels."""

import os

# Idle OpenMP threads of the kernels sleep instead of spinning. On a busy machine (more
# runnable threads than cores) spinning threads starve the ones with work: a conv took
# 70x longer at 2 threads than at 1 under load. Must be set before the kernels load
# OpenMP; a value the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from . import accelerator, autograd, backends, cuda, dtypes
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)

# The tensor families of minigrad.ops, each from its module's __all__ (torch.exp, torch.cat, ...);
# conv, pool, loss and the other layer families are in minigrad.nn.functional.
from .ops.activation import *  # noqa: F403
from .ops.convert import *  # noqa: F403
from .ops.elementwise import *  # noqa: F403
from .ops.index import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.reduce import *  # noqa: F403
from .ops.shape import *  # noqa: F403
from .ops.sort import *  # noqa: F403
from .devices import device, get_default_device, set_default_device
from .parallel import get_num_threads, set_num_threads
from .printing import set_printoptions
from .random import Generator, initial_seed, manual_seed, seed
from .size import Size
from .tensor import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Tensor,
    allclose,
    as_tensor,
    is_tensor,
    isclose,
    numel,
    tensor,
)

from . import optim  # noqa: E402  (after Tensor: the subpackages build on it)
from . import datasets, transforms, utils  # noqa: E402
from . import linalg  # noqa: E402  (torch.linalg's names: vector_norm, matmul)
from .utils import data as _utils_data  # noqa: E402, F401  (utils/__init__ loads neither data nor hooks)
from .serialization import load, save  # noqa: E402
from . import nn  # noqa: E402
from . import models  # noqa: E402
from .summary import summary  # noqa: E402

clip = clamp  # noqa: F405  (from .ops.elementwise)
float = float32  # noqa: A001  (PyTorch's alias)
double = float64
long = int64

__version__ = "0.1.0"
