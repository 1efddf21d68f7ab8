"""Function: the one mechanism behind every differentiable op, built-in or user-defined.

A Function subclass defines ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``.
``Function.apply(*args)`` runs forward with recording off and, when an input requires
grad, makes ``ctx`` the graph node of the outputs: ``ctx`` is an instance of the
subclass, so ``y.grad_fn`` is that object and prints as ``<MulBackward>``.

forward may return Tensors or numpy arrays (built-in ops compute on ``t.data`` and
return arrays, which is cheap); apply wraps them. backward receives and returns Tensors
and is written with minigrad ops, so with ``create_graph=True`` the gradients are
recorded too and gradients of gradients work.
"""
import contextlib
import time
import traceback
import weakref

import numpy as np

from .grad_mode import state

__all__ = ["Function", "AccumulateGrad", "observe"]

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class _Saved:
    """One value saved for backward, with the version it had when it was saved."""

    __slots__ = ("value", "counter", "version", "output_nr")

    def __init__(self, value, counter, version, output_nr):
        self.value = value          # a Tensor, an ndarray, or None
        self.counter = counter      # the tensor's version counter (None for arrays)
        self.version = version
        self.output_nr = output_nr  # set when the value is an output of this node


class Function:
    """Base class of differentiable operations (see the module docstring).

    Attributes of a node (``ctx``): ``next_functions``, one ``(node, output_nr)`` or
    ``None`` per forward argument; ``needs_input_grad``, one bool per argument.
    """

    # A subclass whose output is a view of its first input sets this, so that the
    # output shares the input's version counter (in-place checks see through views).
    is_view = False

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("Function subclasses must implement backward(ctx, *grad_outputs)")

    # -- used inside forward ------------------------------------------------------------
    def save_for_backward(self, *values):
        """Save Tensors (inputs or outputs of this op), arrays or None for backward."""
        self._to_save = values

    def mark_non_differentiable(self, *outputs):
        """Declare outputs (e.g. indices) that never get a gradient."""
        self._non_differentiable = outputs

    # -- used inside backward -----------------------------------------------------------
    @property
    def saved_tensors(self):
        """The saved values; raises if the graph was freed or a tensor changed in place."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        return tuple([self._unpack(s) for s in saved])

    def _unpack(self, s):
        if s.counter is not None and s.counter.value != s.version:
            from ..tensor import describe
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{describe(s.value)}], which is saved by {self.name()}, "
                f"is at version {s.counter.value}; expected version {s.version} instead.")
        if s.output_nr is None:
            return s.value
        from ..tensor import Tensor
        return Tensor._make(s.value, True, self, s.output_nr, s.counter)

    # -- node interface -----------------------------------------------------------------
    @classmethod
    def name(cls):
        """The node's name: ``MulFunction`` -> ``MulBackward``."""
        base = cls.__name__
        if base.endswith("Function"):
            base = base[: -len("Function")]
        return base + "Backward"

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    def register_hook(self, output_nr, hook):
        """Call ``hook(grad)`` on the gradient of output ``output_nr`` before backward."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._pre_hooks.setdefault(output_nr, []).append(hook)

    @property
    def saved_values(self):
        """What was saved (for inspection and graph drawing), without version checks."""
        return () if self._saved is None else tuple(s.value for s in self._saved)

    def release(self):
        """Free what was saved for backward."""
        self._saved = None

    @classmethod
    def apply(cls, *args):
        """Run forward and, when any Tensor argument requires grad, record the node."""
        from ..tensor import Tensor

        ctx = cls.__new__(cls)
        ctx._to_save = ()
        ctx._non_differentiable = ()
        grad_enabled = state.grad_enabled
        record = False
        if grad_enabled:
            needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
            record = True in needs
            ctx.needs_input_grad = needs
        else:
            ctx.needs_input_grad = (False,) * len(args)

        state.grad_enabled = False
        try:
            if state.observers:
                started = time.perf_counter()
                raw = cls.forward(ctx, *args)
                ctx._forward_seconds = time.perf_counter() - started
            else:
                raw = cls.forward(ctx, *args)
        finally:
            state.grad_enabled = grad_enabled

        single = not isinstance(raw, tuple)
        raw_outputs = (raw,) if single else raw
        outputs = tuple([_wrap(r) for r in raw_outputs])

        if cls.is_view:
            base_tensor = args[0]
            out = outputs[0]
            if np.may_share_memory(out.data, base_tensor.data):
                out._version = base_tensor._version
                out._base = base_tensor._base if base_tensor._base is not None else base_tensor

        if record:
            ctx.next_functions = tuple([_edge(a) if need else None for a, need in zip(args, ctx.needs_input_grad)])
            ctx._num_outputs = len(outputs)
            ctx._output_meta = tuple([(o.data.shape, o.data.dtype) for o in outputs])
            ctx._pre_hooks = None
            ctx._trace = traceback.format_stack()[:-1] if state.anomaly_enabled else None
            non_diff = ctx._non_differentiable
            for nr, out in enumerate(outputs):
                if any(out is o or out.data is o for o in non_diff) or out.data.dtype.kind not in "fc":
                    continue
                out.requires_grad = True
                out.grad_fn = ctx
                out._output_nr = nr
            ctx._saved = [_save(ctx, v, raw_outputs, outputs) for v in ctx._to_save]
        ctx._to_save = None
        for observer in state.observers:
            observer.on_forward(ctx if record else None, args, outputs)
        return outputs[0] if single else outputs


def _wrap(value):
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        return Tensor._make(value.data)
    return Tensor._make(np.asarray(value))


def _edge(tensor):
    """Where a gradient for ``tensor`` flows: its grad_fn, or its leaf accumulator."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
    return (tensor._grad_accumulator(), 0)


def _save(ctx, value, raw_outputs, outputs):
    from ..tensor import Tensor
    for nr, (raw, out) in enumerate(zip(raw_outputs, outputs)):
        if value is raw or value is out or (isinstance(value, Tensor) and value.data is out.data):
            return _Saved(out.data, out._version, out._version.value, nr)
    if isinstance(value, Tensor):
        return _Saved(value, value._version, value._version.value, None)
    return _Saved(value, None, 0, None)


class AccumulateGrad:
    """The node at a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable", "__weakref__")
    next_functions = ()
    _num_outputs = 1
    _pre_hooks = None
    _trace = None

    def __init__(self, variable):
        self.variable = variable

    @staticmethod
    def name():
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    @property
    def _output_meta(self):
        return ((self.variable.data.shape, self.variable.data.dtype),)

    def accumulate(self, grad, create_graph):
        """``variable.grad += grad``, out of place, after the variable's hooks."""
        variable = self.variable
        for hook in variable._backward_hooks or ():
            result = hook(grad)
            if result is not None:
                grad = result
        if not create_graph:
            grad = grad.detach()
        if variable.grad is None:
            variable.grad = grad if create_graph else grad._owned_copy()
        else:
            variable.grad = variable.grad + grad


def new_accumulator(tensor):
    """A fresh AccumulateGrad for a leaf, remembered by the leaf through a weak reference."""
    node = AccumulateGrad(tensor)
    tensor._accumulator = weakref.ref(node)
    return node


@contextlib.contextmanager
def observe(observer):
    """Tell ``observer`` about every op while the block runs.

    ``observer.on_forward(node, args, outputs)`` runs after each op's forward (``node`` is
    None when nothing was recorded; ``node._forward_seconds`` holds the forward time), and
    ``observer.on_backward(node, seconds)`` after each node's backward. Graph drawing and
    profiling use this; nothing else pays for it.
    """
    state.observers.append(observer)
    try:
        yield observer
    finally:
        state.observers.remove(observer)
