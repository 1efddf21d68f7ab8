"""Every differentiable op, one module per family; each module pairs a Function with
the lowercase function users call and lists those functions in its ``__all__``.

``minigrad.ops`` exports every family's ``__all__``. The ``minigrad`` namespace
re-exports the ``TENSOR_FAMILIES`` (torch.exp, torch.cat, ...) and
``minigrad.nn.functional`` the ``LAYER_FAMILIES``, each from the same ``__all__``: an op
added to its family's ``__all__`` is registered in all of them.
"""

from . import (
    activation,
    conv,
    convert,
    dropout,
    elementwise,
    index,
    linalg,
    loss,
    normalization,
    padding,
    pool,
    reduce,
    shape,
    sort,
)

# The family modules, named here before ``from .dropout import *`` below rebinds
# ``dropout`` to the function of that name.
TENSOR_FAMILIES = (activation, convert, elementwise, index, linalg, reduce, shape, sort)
LAYER_FAMILIES = (activation, conv, dropout, loss, normalization, padding, pool)

__all__ = [name for family in dict.fromkeys(TENSOR_FAMILIES + LAYER_FAMILIES) for name in family.__all__]

from .activation import *  # noqa: E402, F403
from .conv import *  # noqa: E402, F403
from .convert import *  # noqa: E402, F403
from .dropout import *  # noqa: E402, F403
from .elementwise import *  # noqa: E402, F403
from .index import *  # noqa: E402, F403
from .linalg import *  # noqa: E402, F403
from .loss import *  # noqa: E402, F403
from .normalization import *  # noqa: E402, F403
from .padding import *  # noqa: E402, F403
from .pool import *  # noqa: E402, F403
from .reduce import *  # noqa: E402, F403
from .shape import *  # noqa: E402, F403
from .sort import *  # noqa: E402, F403
