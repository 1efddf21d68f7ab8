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
import sys
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


class Function:
    """Base class of differentiable operations (see the module docstring).

    Attributes of a node (``ctx``): ``next_functions``, one ``(node, output_nr)`` or
    ``None`` per forward argument; ``needs_input_grad``, one bool per argument.
    """

    # A subclass whose output is a view of its first input sets this, so that the
    # output shares the input's version counter (in-place checks see through views).
    is_view = False

    # Node defaults (class-level, so recording an op sets only what differs).
    _to_save = ()
    _saved = ()
    _pre_hooks = None
    _trace = None
    _num_outputs = 1
    _non_differentiable = ()
    # Input shapes, recorded only for Functions defined outside minigrad, so the engine
    # can check what their backward returns (the built-in ops are tested instead).
    _input_shapes = None
    _validate_gradients = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._validate_gradients = not cls.__module__.startswith("minigrad.")

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
        values = []
        for entry in saved:
            value, counter, version, output_nr = entry
            if version is None or (output_nr is None and value._vc is None):
                values.append(value)  # a constant, or an input never changed in place
            else:
                values.append(self._unpack(entry))
        return tuple(values)

    def _unpack(self, saved):
        value, counter, version, output_nr = saved
        if version is None:  # not a tensor: nothing to check
            return value
        if output_nr is None:  # an input tensor; its counter exists once it was changed
            counter = value._vc
            if counter is not None and counter.value != version:
                self._raise_modified(value, counter.value, version)
            return value
        if counter.value != version:
            self._raise_modified(value, counter.value, version)
        return Tensor._make(value, True, self, output_nr, counter)

    def _raise_modified(self, value, current, version):
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{describe(value)}], which is saved by {self.name()}, "
            f"is at version {current}; expected version {version} instead.")

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
        hooks = self._pre_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        return hooks

    @property
    def saved_values(self):
        """What was saved (for inspection and graph drawing), without version checks."""
        return () if self._saved is None else tuple(s[0] for s in self._saved)

    @property
    def saved_outputs(self):
        """For each saved value, the number of this node's output it is (None for others)."""
        return () if self._saved is None else tuple(s[3] for s in self._saved)

    def release(self):
        """Free what was saved for backward."""
        self._saved = None

    @classmethod
    def apply(cls, *args):
        """Run forward and, when any Tensor argument requires grad, record the node."""
        ctx = object.__new__(cls)
        if state.grad_enabled:
            needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
            ctx.needs_input_grad = needs
            state.grad_enabled = False  # forward itself is never recorded
            try:
                raw = cls.forward(ctx, *args) if not state.observers else _timed_forward(ctx, args)
            finally:
                state.grad_enabled = True
            record = True in needs
        else:
            ctx.needs_input_grad = _NO_GRADS[len(args)] if len(args) < 8 else (False,) * len(args)
            raw = cls.forward(ctx, *args) if not state.observers else _timed_forward(ctx, args)
            record = False

        if type(raw) is np.ndarray:
            out = object.__new__(Tensor)
            out.data = raw
            outputs = (out,)
            raw = (raw,)
        elif type(raw) is tuple:
            outputs = tuple([_wrap(r) for r in raw])
        else:
            outputs = (_wrap(raw),)
            raw = (raw,)
        if cls.is_view:
            _share_version(outputs[0], args[0])
        if record:
            _record(ctx, args, needs, raw, outputs)
        if state.observers:
            for observer in state.observers:
                observer.on_forward(ctx, args, outputs, record)
        return outputs[0] if len(outputs) == 1 else outputs


def _timed_forward(ctx, args):
    started = time.perf_counter()
    raw = ctx.forward(ctx, *args)
    ctx._forward_seconds = time.perf_counter() - started
    return raw


def _record(ctx, args, needs, raw, outputs):
    """Make ``ctx`` the graph node of ``outputs``: edges to the inputs, saved values."""
    edges = []
    for a, need in zip(args, needs):
        if not need:
            edges.append(None)
            continue
        if a._base is not None and a._base.grad_fn is not a._base_grad_fn:
            raise RuntimeError(
                f"{ctx.name()}: an input is a view of a tensor that was modified in place by a "
                f"recorded operation after the view was made, so the view's history is stale; "
                f"take the view again after the in-place operation")
        fn = a.grad_fn
        edges.append((fn, a._output_nr) if fn is not None else (a._grad_accumulator(), 0))
    ctx.next_functions = tuple(edges)
    if ctx._validate_gradients:
        ctx._input_shapes = tuple([a.data.shape if need else None for a, need in zip(args, needs)])
    if state.anomaly_enabled:
        ctx._trace = traceback.format_stack()[:-2]
    non_differentiable = ctx._non_differentiable
    if len(outputs) == 1:
        data = outputs[0].data
        ctx._output_meta = ((data.shape, data.dtype),)
    else:
        ctx._num_outputs = len(outputs)
        ctx._output_meta = tuple([(o.data.shape, o.data.dtype) for o in outputs])
    for nr, out in enumerate(outputs):
        if out.data.dtype.kind not in "fc":
            continue  # integer and bool results never carry gradients
        if non_differentiable and any(o is raw[nr] or o is out for o in non_differentiable):
            continue
        out.requires_grad = True
        out.grad_fn = ctx
        if nr:
            out._output_nr = nr
    if ctx._to_save:
        ctx._saved = [_save(v, raw, outputs) for v in ctx._to_save]
        del ctx._to_save


_NO_GRADS = [(False,) * n for n in range(8)]


def _wrap(value):
    if type(value) is np.ndarray:
        return Tensor._make(value)
    if isinstance(value, Tensor):
        return Tensor._make(value.data)
    return Tensor._make(np.asarray(value))


def _share_version(out, base_tensor):
    """A view shares its base's version counter, so in-place writes through either are seen."""
    if np.may_share_memory(out.data, base_tensor.data):
        out._vc = base_tensor._version_counter()
        base = out._base = base_tensor._base if base_tensor._base is not None else base_tensor
        out._base_grad_fn = base.grad_fn


def _save(value, raw_outputs, outputs):
    """A saved value as (value, counter, version when saved, output number).

    An input tensor is kept with its version (its counter is read at unpack time); an
    output of this op (the Tensor, or the array or numpy scalar forward returned) is kept
    as its array plus counter, so no tensor -> node -> tensor cycle forms; anything else
    is kept as it is, with version None.
    """
    if isinstance(value, Tensor):
        for nr, out in enumerate(outputs):
            if value is out or value.data is out.data:
                counter = out._version_counter()
                return (out.data, counter, counter.value, nr)
        return (value, None, 0 if value._vc is None else value._vc.value, None)
    for nr, raw in enumerate(raw_outputs):
        if value is raw:
            out = outputs[nr]
            counter = out._version_counter()
            return (out.data, counter, counter.value, nr)
    return (value, None, None, None)


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
        if variable.grad is not None:
            variable.grad = variable.grad + (grad if create_graph else grad.detach())
        elif create_graph:
            variable.grad = grad
        elif _sole_owner(grad):
            variable.grad = Tensor._make(grad.data)  # nobody else sees this array: take it
        else:
            variable.grad = grad._owned_copy()  # shared (a user's tensor, another leaf's): copy


def _sole_owner(grad):
    """True when ``grad`` and its array are referenced only by the engine's call chain.

    As PyTorch's AccumulateGrad does, a gradient nobody else holds becomes ``.grad``
    without a copy. References counted for the tensor: the engine's list, accumulate's
    and this function's arguments, getrefcount's own; for the array: the tensor, the
    local ``data``, getrefcount's own, and it must own its memory (not a view). Any other
    holder (the user's ``gradient=``, a second leaf given the same tensor, a hook that
    kept it) raises a count, and then ``.grad`` is a copy.
    """
    data = grad.data
    return (sys.getrefcount(grad) <= 4 and sys.getrefcount(data) <= 3
            and data.base is None and data.flags.owndata)


def new_accumulator(tensor):
    """A fresh AccumulateGrad for a leaf, remembered by the leaf through a weak reference."""
    node = AccumulateGrad(tensor)
    tensor._accumulator = weakref.ref(node)
    return node


@contextlib.contextmanager
def observe(observer):
    """Tell ``observer`` about every op while the block runs.

    ``observer.on_forward(ctx, args, outputs, recorded)`` runs after each op's forward
    (``ctx`` is the op's node, kept in the graph only when ``recorded``;
    ``ctx._forward_seconds`` holds the forward time); ``observer.on_backward_start(node)``
    and ``observer.on_backward(node, seconds)`` run around each node's backward, so ops
    seen between them are that backward's. Graph drawing and profiling use this; nothing
    else pays for it.
    """
    state.observers.append(observer)
    try:
        yield observer
    finally:
        state.observers.remove(observer)


from ..tensor import Tensor, describe  # noqa: E402  (tensor.py imports this package first)
