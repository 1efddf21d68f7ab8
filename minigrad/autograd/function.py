"""Function: the one mechanism behind every differentiable op, built-in or user-defined.

A Function subclass defines ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``.
``Function.apply(*args)`` runs forward with recording off and, when an input requires
grad, makes ``ctx`` the graph node of the outputs.

Node classes carry PyTorch's names. Each Function subclass gets one node class, a
subclass of it named as PyTorch names the node (``MulFunction`` -> ``MulBackward0``, or
the class's ``node_name`` where PyTorch's differs: ``LinearFunction`` ->
``AddmmBackward0``), and ``ctx`` is an instance of it: ``type(y.grad_fn).__name__`` is
``'MulBackward0'`` and ``y.grad_fn`` prints as ``<MulBackward0 object at ...>``, so a
``next_functions`` walk reads as PyTorch's. A Function defined outside minigrad gets
PyTorch's name for custom functions, its class name + ``Backward`` (``Cube`` ->
``CubeBackward``). ``node._forward_cls`` is the Function class, as in PyTorch. One op that
PyTorch names differently by the call (``sum()`` is ``SumBackward0``, ``sum(dim)``
``SumBackward1``) is a small subclass per name, which the public function picks.

forward may return Tensors or numpy arrays (built-in ops compute on ``t._array`` and
return arrays, which is cheap); apply wraps them. backward receives and returns Tensors
and is written with minigrad ops, so with ``create_graph=True`` the gradients are
recorded too and gradients of gradients work.
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..utils.hooks import RemovableHandle
from ._engine import AccumulateGrad, Node
from ._engine import apply as _apply
from .grad_mode import state

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Function", "AccumulateGrad", "observe"]


class Function(Node):
    """Base class of differentiable operations (see the module docstring).

    Subclass it with two static methods, ``forward(ctx, *args)`` and
    ``backward(ctx, *grad_outputs)``, and call ``MyFunction.apply(*args)``. Inside
    forward, ``ctx.save_for_backward(*values)`` keeps what backward reads and
    ``ctx.mark_non_differentiable(*outputs)`` marks outputs without gradient.

    Attributes:
        needs_input_grad (tuple of bool): one per forward argument, whether a gradient
            is wanted for it (kept by the compiled ``Node`` base, like
            ``next_functions``, one ``(node, output_nr)`` per argument, and
            ``saved_tensors``).
        is_view (bool): set by a subclass whose output is a view of its first input, so
            that the two share a version counter. Default: False.
        graph_note (str or None): what the op means in a drawn backward pass
            (``minigrad.viz``). Default: None.
        node_name (str or None): PyTorch's name of the op's node where the default
            (``XxxFunction`` -> ``XxxBackward0``) is not it. Default: None.

    Example:
        >>> class Cube(minigrad.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x**3
        ...
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return grad * 3 * x**2
        >>> x = minigrad.tensor(2.0, requires_grad=True)
        >>> y = Cube.apply(x)
        >>> y
        tensor(8., grad_fn=<CubeBackward>)
        >>> y.backward()
        >>> x.grad
        tensor(12.)
    """

    # A subclass whose output is a view of its first input sets this, so that the
    # output shares the input's version counter (in-place checks see through views).
    is_view = False
    # Functions defined outside minigrad have what their backward returns checked by the
    # engine (shapes, count); the built-in ops are tested instead.
    _validate_gradients = False
    # What this op means when it shows up in a drawn backward pass (minigrad.viz); a node
    # may set its own per call (e.g. which algorithm ran), which wins over the class's.
    graph_note: str | None = None
    # PyTorch's name of this op's node, where the default (``XxxFunction`` -> ``XxxBackward0``)
    # is not it; not inherited, so a subclass names its own nodes.
    node_name: str | None = None
    # Set per subclass: the Function class (also on its node class) and the node class.
    _forward_cls: type[Function]
    _node_class: type[Function]
    apply: Callable[..., Any]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_is_node_class"):
            return
        cls._validate_gradients = not cls.__module__.startswith("minigrad.")
        name = cls.__dict__.get("node_name") or _default_node_name(cls)
        cls._forward_cls = cls
        cls._node_class = type(
            name, (cls,), {"_is_node_class": True, "__module__": cls.__module__, "__qualname__": name}
        )
        # Run forward and, when an argument requires grad, record a node of this class
        # (compiled: the recording is the per-op cost of the whole framework; see
        # minigrad/autograd/_engine.pyx). A partial keeps the call in C.
        cls.apply = functools.partial(_apply, cls._node_class)

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        """Compute the outputs; a subclass defines it. Runs with recording off.

        Args:
            ctx: the node being built: ``ctx.save_for_backward(...)`` keeps tensors for
                backward; any other attribute may be set on it too.
            *args: the arguments given to ``apply``.

        Returns:
            a Tensor (or numpy array), or a tuple of them.

        Example:
            >>> class Double(minigrad.autograd.Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         return x * 2
            ...
            ...     @staticmethod
            ...     def backward(ctx, grad):
            ...         return grad * 2
            >>> Double.apply(minigrad.tensor([1.0, 2.0]))
            tensor([2., 4.])
        """
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Map the outputs' gradients to the inputs'; a subclass defines it.

        Written with minigrad ops, so that with ``create_graph=True`` it is recorded too.

        Args:
            ctx: the node that forward filled (``ctx.saved_tensors``,
                ``ctx.needs_input_grad``).
            *grad_outputs (Tensor): one gradient per output of forward, of its shape.

        Returns:
            one gradient per argument of forward (None for an argument without one).

        Example:
            >>> class Square(minigrad.autograd.Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         ctx.save_for_backward(x)
            ...         return x * x
            ...
            ...     @staticmethod
            ...     def backward(ctx, grad):
            ...         (x,) = ctx.saved_tensors
            ...         return grad * 2 * x
            >>> x = minigrad.tensor([3.0], requires_grad=True)
            >>> Square.apply(x).sum().backward()
            >>> x.grad
            tensor([6.])
        """
        raise NotImplementedError("Function subclasses must implement backward(ctx, *grad_outputs)")

    @staticmethod
    def mult_adds(args: tuple[Any, ...], outputs: tuple[Tensor, ...]) -> int | None:
        """Multiply-accumulates of one call, for minigrad.costs (summary, viz profile).

        Args:
            args (tuple): the arguments as passed to ``apply``.
            outputs (tuple of Tensor): the outputs of the call.

        Returns:
            int or None: the count; None (the default) for ops that are no product.

        Example:
            >>> from minigrad.ops.linalg import MatmulFunction
            >>> a, b = minigrad.ones(2, 3), minigrad.ones(3, 4)
            >>> MatmulFunction.mult_adds((a, b), (a @ b,))
            24
        """
        return None

    # -- node interface -----------------------------------------------------------------
    @classmethod
    def name(cls) -> str:
        """The node's name, as PyTorch's ``node.name()``: ``MulFunction`` -> ``MulBackward0``.

        Example:
            >>> y = minigrad.tensor([1.0], requires_grad=True) * 2
            >>> y.grad_fn.name()
            'MulBackward0'
        """
        return cls._node_class.__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    def register_hook(self, output_nr: int, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` on the gradient of output ``output_nr`` before backward.

        Args:
            output_nr (int): which output of the op.
            hook (callable): ``hook(grad) -> Tensor or None``; a returned tensor replaces
                the gradient.

        Returns:
            RemovableHandle: ``handle.remove()`` unregisters the hook.

        Example:
            >>> x = minigrad.tensor([1.0], requires_grad=True)
            >>> y = x * 3
            >>> handle = y.grad_fn.register_hook(0, lambda grad: grad * 10)
            >>> y.sum().backward()
            >>> x.grad
            tensor([30.])
        """
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, {})
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    @property
    def saved_values(self) -> tuple[Any, ...]:
        """What was saved (for inspection and graph drawing), without version checks."""
        return () if self._saved is None else self._saved[0::4]

    @property
    def saved_outputs(self) -> tuple[int | None, ...]:
        """For each saved value, the number of this node's output it is (None for others)."""
        return () if self._saved is None else self._saved[3::4]


def _default_node_name(cls: type[Function]) -> str:
    """``XxxFunction`` -> ``XxxBackward0`` inside minigrad; ``Xxx`` -> ``XxxBackward`` for a user's
    Function, as PyTorch names the nodes of custom functions."""
    if cls.__module__.startswith("minigrad.") and cls.__name__.endswith("Function"):
        return cls.__name__[: -len("Function")] + "Backward0"
    return cls.__name__ + "Backward"


@contextlib.contextmanager
def observe(observer: Any) -> Iterator[Any]:
    """Tell ``observer`` about every op while the block runs.

    ``observer.on_forward(ctx, args, outputs, recorded)`` runs after each op's forward
    (``ctx`` is the op's node, kept in the graph only when ``recorded``;
    ``ctx._forward_seconds`` holds the forward time); ``observer.on_backward_start(node)``
    and ``observer.on_backward(node, seconds)`` run around each node's backward, so ops
    seen between them are that backward's. Graph drawing and profiling use this; nothing
    else pays for it. Observers belong to the thread that attaches them: ops other threads
    run meanwhile are not reported.
    """
    state.observers = state.observers + (observer,)
    try:
        yield observer
    finally:
        remaining = list(state.observers)
        remaining.remove(observer)
        state.observers = remaining
