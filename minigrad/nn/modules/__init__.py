"""The layers: every Module subclass of ``minigrad.nn``, from each module's ``__all__``."""

from . import activation, container, conv, dropout, flatten, lazy, linear, loss, module, normalization, pooling
from .activation import *  # noqa: F403
from .container import *  # noqa: F403
from .conv import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .lazy import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import *  # noqa: F403
from .normalization import *  # noqa: F403
from .pooling import *  # noqa: F403

# Built with += (not [*a, *b]) so that type checkers see every layer as an exported name too.
__all__: list[str] = []
__all__ += activation.__all__
__all__ += container.__all__
__all__ += conv.__all__
__all__ += dropout.__all__
__all__ += flatten.__all__
__all__ += lazy.__all__
__all__ += linear.__all__
__all__ += loss.__all__
__all__ += module.__all__
__all__ += normalization.__all__
__all__ += pooling.__all__
