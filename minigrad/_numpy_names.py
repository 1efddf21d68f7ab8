"""The numpy keyword names PyTorch accepts: ``axis=`` for ``dim=`` and ``keepdims=`` for
``keepdim=`` (``x.sum(axis=1, keepdims=True)``).

``numpy_names`` decorates the functions and Tensor methods whose PyTorch counterparts
take them (the reductions, softmax, cat, sort, ...). It is a leaf module, importing
nothing from minigrad, so that both ``tensor.py`` and the ops modules can use it.
"""

import functools

_TORCH_NAME = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(fn):
    """``fn`` also taking ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``.

    Giving both names of one argument is refused as PyTorch refuses it (a TypeError
    naming the numpy one). A call without these names costs two dictionary lookups.
    """

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if "axis" in kwargs or "keepdims" in kwargs:
            for numpy_name, torch_name in _TORCH_NAME.items():
                if numpy_name in kwargs:
                    if torch_name in kwargs:
                        raise TypeError(f"{fn.__name__}() got an unexpected keyword argument '{numpy_name}'")
                    kwargs[torch_name] = kwargs.pop(numpy_name)
        return fn(*args, **kwargs)

    return call
