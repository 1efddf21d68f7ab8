# cython: auto_pickle=False, boundscheck=True, wraparound=True
"""The compiled engine of autograd: the part every recorded op pays for.

It holds the fields of a tensor (``TensorBase``) and of a graph node (``Node``), the
recording of an op (``apply``, which is ``Function.apply``) and the backward walk
(``run_backward``). The classes users see build on these: ``minigrad.Tensor``
subclasses TensorBase and ``minigrad.autograd.Function`` subclasses Node, both in
Python. The logic reads as Python; typed fields and locals make each step a C operation
instead of an interpreted one (see docs/architecture.md, "The compiled core").

Layering: this module imports only numpy, the standard library and the two modules
below it, ``minigrad.dtypes`` (type promotion) and ``minigrad._broadcast``. It never
imports ``minigrad.tensor``: the class of the tensors it makes is handed to it once, by
``set_tensor_type(Tensor)`` right after tensor.py defines Tensor. That call is the one
place the engine learns of anything above it.
"""
from cpython.ref cimport Py_REFCNT

import threading
import time
import traceback
import weakref

import numpy as np

from minigrad._broadcast import check_broadcast
from minigrad.dtypes import describe, from_numpy_dtype, result_array

cimport numpy as cnp

cnp.import_array()

cdef object ndarray = np.ndarray
cdef type Tensor = None  # minigrad.Tensor, set once by set_tensor_type

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def set_tensor_type(cls):
    """Tell the engine the class of the tensors it makes: minigrad.Tensor, a TensorBase.

    Called once, by minigrad/tensor.py right after it defines Tensor; until then no op
    can run.
    """
    global Tensor
    Tensor = cls


# ---- switches --------------------------------------------------------------------------
# Grad mode, anomaly mode and whether observers are attached belong to a thread, as grad
# mode does in PyTorch: no_grad in one thread, or the engine turning recording off while it
# runs one thread's forward or backward, never reaches another thread. They live in a C
# thread-local struct, which each thread starts as {grad on, anomaly off, no observers,
# inference mode off}.
# An op reads it once, through modes(): about 4 ns (one __tls_get_addr call), against
# about 30 ns to find a per-thread object in the interpreter's thread-state dict (see
# docs/architecture.md, "Grad mode, hooks and observers"). A new mode is one more field.

cdef extern from *:
    """
    #if defined(_MSC_VER)
    #define MG_THREAD_LOCAL __declspec(thread)
    #else
    #define MG_THREAD_LOCAL _Thread_local
    #endif
    typedef struct { int grad_enabled; int anomaly_enabled; int observing; int inference_enabled; } mg_modes;
    static MG_THREAD_LOCAL mg_modes mg_thread_modes = {1, 0, 0, 0};
    static inline mg_modes *mg_modes_of_this_thread(void) { return &mg_thread_modes; }
    """
    ctypedef struct Modes "mg_modes":
        bint grad_enabled
        bint anomaly_enabled
        bint observing      # this thread has observers (in _observers)
        bint inference_enabled  # inference mode: nothing is recorded, even under enable_grad
    Modes* modes "mg_modes_of_this_thread"() noexcept nogil


# The observers of each thread (a tuple, in the attribute ``all``); read only when the
# thread's ``observing`` flag is set, so an unobserved op never touches it.
cdef object _observers = threading.local()


cdef tuple _thread_observers():
    return getattr(_observers, "all", ())


cdef class GradState:
    """The calling thread's switches, which the tape reads on every op (grad_mode.py).

    One object serves every thread: each attribute reads or sets the switch of the thread
    that touches it. ``observers``: a tuple of the objects told about every op this thread
    runs (graph drawing, profiling; see minigrad.autograd.function.observe).
    """

    @property
    def grad_enabled(self):
        return modes().grad_enabled

    @grad_enabled.setter
    def grad_enabled(self, bint enabled):
        modes().grad_enabled = enabled

    @property
    def anomaly_enabled(self):
        return modes().anomaly_enabled

    @anomaly_enabled.setter
    def anomaly_enabled(self, bint enabled):
        modes().anomaly_enabled = enabled

    @property
    def inference_enabled(self):
        return modes().inference_enabled

    @inference_enabled.setter
    def inference_enabled(self, bint enabled):
        modes().inference_enabled = enabled

    @property
    def observers(self):
        return _thread_observers()

    @observers.setter
    def observers(self, observers):
        _observers.all = tuple(observers)
        modes().observing = len(_observers.all) > 0


state = GradState()


# ---- tensors ---------------------------------------------------------------------------

cdef class VersionCounter:
    """Counts in-place changes; shared by a tensor and its views."""
    cdef public Py_ssize_t value


cdef class TensorBase:
    """The fields of a Tensor; the class users see is minigrad.Tensor (minigrad/tensor.py)."""
    cdef public object _array              # the ndarray
    cdef public object grad
    cdef public Node grad_fn             # the node that made this tensor (None for leaves)
    cdef public bint requires_grad
    cdef public Py_ssize_t _output_nr    # which output of grad_fn this is
    cdef public VersionCounter _vc       # made on first need, shared with views
    cdef public object _base             # the tensor this one is a view of
    cdef public object _base_grad_fn     # the base's grad_fn when the view was made
    cdef public object _accumulator      # weak reference to this leaf's AccumulateGrad
    cdef public dict _backward_hooks     # handle id -> hook on this leaf's gradient
    cdef public bint _retains_grad

    cpdef VersionCounter _version_counter(self):
        """The version counter, made on first use (saving for backward, views, in-place)."""
        if self._vc is None:
            self._vc = VersionCounter()
        return self._vc

    cpdef _bump_version(self):
        """Count one in-place change of the data (in-place ops, optimizers, init, loading)."""
        cdef VersionCounter counter = self._version_counter()
        counter.value += 1

    cpdef AccumulateGrad _grad_accumulator(self):
        """This leaf's AccumulateGrad node (one per leaf while a graph holds it)."""
        cdef AccumulateGrad node = None
        if self._accumulator is not None:
            node = self._accumulator()
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node


cdef inline TensorBase new_tensor(object data):
    cdef TensorBase t = TensorBase.__new__(Tensor)
    t._array = data
    return t


def make_tensor(data, requires_grad=False, grad_fn=None, output_nr=0, version=None):
    """Wrap an ndarray in a Tensor without copying or checking (the fast path of ops)."""
    cdef TensorBase t = new_tensor(data)
    if grad_fn is not None:
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
    if version is not None:
        t._vc = version
    return t


# ---- graph nodes -----------------------------------------------------------------------

cdef class Node:
    """The fields of a graph node; Function (autograd/function.py) adds the op interface.

    ``next_functions``: one ``(node, output_nr)`` per forward argument, ``(None, 0)`` for no
    edge, kept flat in ``_next``;
    ``needs_input_grad``: one bool per argument; ``_saved``: what backward may read, four
    items per saved value, ``value, counter, version, output_nr``, in one flat tuple
    (None when nothing is saved, or after ``release()``). Recording keeps the objects it
    makes per op few, since each one that survives is more work for Python's garbage
    collector: hence the flat tuples.
    """
    cdef public tuple _next
    cdef public tuple needs_input_grad
    cdef public tuple _saved
    cdef public bint _released           # what was saved has been freed
    cdef public tuple _to_save           # what forward asked to save, until recording
    cdef public dict _pre_hooks          # output_nr -> {handle id: hook} on that output's gradient
    cdef public object _trace            # the forward stack, in anomaly mode
    cdef public Py_ssize_t _num_outputs
    cdef public tuple _non_differentiable
    cdef public tuple _input_shapes      # only for Functions defined outside minigrad
    cdef public object _shape0           # shape and dtype of output 0
    cdef public object _dtype0
    cdef public tuple _more_meta         # (shape, dtype) of outputs 1, 2... (multi-output ops)
    # The operand shapes a broadcasting op's backward reduces to (binary_forward sets it): a
    # field, so that add and mul nodes need no instance __dict__ (one object fewer per op).
    cdef public object shapes
    cdef object __weakref__

    # Fields start as None or 0; recording sets _next, _num_outputs and the rest.

    @property
    def next_functions(self):
        """One ``(node, output_nr)`` per forward argument; ``(None, 0)`` where no gradient flows,
        as PyTorch's (so that ``next_functions[0][0]`` walks never index None)."""
        cdef tuple nxt = self._next
        cdef Py_ssize_t i
        return tuple([(nxt[i], nxt[i + 1]) for i in range(0, len(nxt), 2)])

    cpdef release(self):
        """Free what was saved for backward."""
        self._saved = None
        self._released = True

    def save_for_backward(self, *values):
        """Save Tensors (inputs or outputs of this op), arrays or None for backward."""
        self._to_save = values

    def mark_non_differentiable(self, *outputs):
        """Declare outputs (e.g. indices) that never get a gradient."""
        self._non_differentiable = outputs

    @property
    def _output_meta(self):
        """``(shape, dtype)`` of each output."""
        return ((self._shape0, self._dtype0),) + (self._more_meta or ())

    cdef object _output_dtype(self, Py_ssize_t nr):
        return self._dtype0 if nr == 0 else self._more_meta[nr - 1][1]

    @property
    def saved_tensors(self):
        """The saved values; raises if the graph was freed or a tensor changed in place."""
        cdef tuple saved = self._saved
        cdef Py_ssize_t i
        if self._released:
            raise RuntimeError(FREED_MESSAGE)
        if saved is None:
            return ()
        return tuple([self._unpack(saved[i], saved[i + 1], saved[i + 2], saved[i + 3])
                      for i in range(0, len(saved), 4)])

    cdef object _unpack(self, value, counter, version, output_nr):
        if version is None:  # not a tensor: nothing to check
            return value
        if output_nr is None:  # an input tensor; its counter exists once it was changed
            counter = (<TensorBase>value)._vc
            if counter is not None and (<VersionCounter>counter).value != version:
                self._raise_modified(value, (<VersionCounter>counter).value, version)
            return value
        if (<VersionCounter>counter).value != version:
            self._raise_modified(value, (<VersionCounter>counter).value, version)
        return make_tensor(value, True, self, output_nr, counter)

    def _raise_modified(self, value, current, version):
        array = (<TensorBase>value)._array if isinstance(value, TensorBase) else value
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{describe(array)}], which is saved by {self.name()}, "
            f"is at version {current}; expected version {version} instead.")


cdef class AccumulateGrad(Node):
    """The node at a leaf: adds the incoming gradient into ``variable.grad``."""
    cdef public TensorBase variable

    def __init__(self, TensorBase variable):
        self.variable = variable
        self._next = ()
        self._num_outputs = 1
        self._shape0 = variable._array.shape
        self._dtype0 = variable._array.dtype

    @staticmethod
    def name():
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    cdef accumulate(self, TensorBase grad, bint create_graph):
        """``variable.grad += grad``, out of place, after the variable's hooks."""
        cdef TensorBase variable = self.variable
        if variable._backward_hooks:
            for hook in list(variable._backward_hooks.values()):  # a hook may remove itself
                result = hook(grad)
                if result is not None:
                    grad = result
            result = None
        with _accumulating:
            if variable.grad is not None:
                variable.grad = variable.grad + (grad if create_graph else grad.detach())
            elif create_graph:
                variable.grad = grad
            elif _sole_owner(grad):
                variable.grad = new_tensor(grad._array)  # nobody else sees this array: take it
            else:
                variable.grad = new_tensor(grad._array.copy())  # shared (a user's, another leaf's): copy


# Held while a gradient is added into a leaf's .grad: backward passes in several threads
# may reach one leaf, and the addition (numpy releases the GIL in it) must not lose one of
# them, as PyTorch's lock on AccumulateGrad ensures. Re-entrant, should an observer of the
# addition run a backward pass itself.
cdef object _accumulating = threading.RLock()


cdef bint _sole_owner(TensorBase grad):
    """True when ``grad`` and its array are referenced only by the engine's call chain.

    As PyTorch's AccumulateGrad does, a gradient nobody else holds becomes ``.grad``
    without a copy. The call chain holds the tensor three times (the engine's local, the
    argument of accumulate, the reference accumulate takes as it may rebind it) and the
    array twice (the tensor's field, the local ``data``); the array must also own its
    memory. Any other holder (the user's ``gradient=``, a second leaf given the same
    tensor, a hook that kept it) raises a count, and then ``.grad`` is a copy. Two tests
    pin both sides: test_leaf_takes_a_gradient_nobody_else_holds_without_a_copy and
    test_leaf_grads_never_alias_a_gradient_someone_else_holds.
    """
    data = grad._array
    return (Py_REFCNT(grad) <= 3 and Py_REFCNT(data) <= 2
            and data.base is None and data.flags.owndata)


# ---- recording an op -------------------------------------------------------------------

# needs_input_grad tuples for up to 8 arguments (a conv has 7), indexed [n][mask] (bit i:
# argument i), shared by all nodes.
cdef list NEEDS = [[tuple([bool(mask >> i & 1) for i in range(n)]) for mask in range(1 << n)]
                   for n in range(9)]


def apply(cls, *args):
    """Run forward and, when any Tensor argument requires grad, record the node.

    forward runs with recording off; its arrays (or Tensors) become the result Tensors,
    and ``ctx``, an instance of ``cls``, becomes their ``grad_fn`` when recorded.
    """
    cdef Node ctx = Node.__new__(cls)
    cdef Py_ssize_t n = len(args)
    cdef bint record = False
    cdef Py_ssize_t i, mask = 0
    cdef tuple outputs, raws
    cdef Modes* mode = modes()
    observers = _thread_observers() if mode.observing else ()
    if mode.grad_enabled and not mode.inference_enabled:
        for i in range(n):
            a = args[i]
            if isinstance(a, TensorBase) and (<TensorBase>a).requires_grad:
                mask |= 1 << i
        record = mask != 0
        if n <= 8:
            ctx.needs_input_grad = NEEDS[n][mask]
        else:
            ctx.needs_input_grad = tuple([bool(mask >> i & 1) for i in range(n)])
        mode.grad_enabled = False  # forward itself is never recorded
        try:
            raw = cls.forward(ctx, *args) if not observers else _timed_forward(ctx, args)
        finally:
            mode.grad_enabled = True
    else:
        ctx.needs_input_grad = NEEDS[n][0] if n <= 8 else (False,) * n
        raw = cls.forward(ctx, *args) if not observers else _timed_forward(ctx, args)

    if type(raw) is ndarray:
        outputs = (new_tensor(raw),)
        raws = (raw,)
    elif type(raw) is tuple:
        outputs = tuple([_wrap(r) for r in raw])
        raws = raw
    else:
        outputs = (_wrap(raw),)
        raws = (raw,)
    if cls.is_view:
        _share_version(outputs[0], args[0])
    if record:
        _record(ctx, args, raws, outputs, mode.anomaly_enabled)
    if observers:
        for observer in observers:
            observer.on_forward(ctx, args, outputs, record)
    return outputs[0] if len(outputs) == 1 else outputs


cdef object _timed_forward(Node ctx, tuple args):
    started = time.perf_counter()
    raw = ctx.forward(ctx, *args)
    ctx._forward_seconds = time.perf_counter() - started
    return raw


cdef _record(Node ctx, tuple args, tuple raws, tuple outputs, bint anomaly_mode):
    """Make ``ctx`` the graph node of ``outputs``: edges to the inputs, saved values, and
    in anomaly mode the forward stack."""
    cdef list edges = []
    cdef TensorBase a, out
    cdef Py_ssize_t i, nr
    cdef tuple needs = ctx.needs_input_grad
    for i in range(len(args)):
        if needs[i] is not True:
            edges += [None, 0]
            continue
        a = <TensorBase>args[i]
        if a._base is not None and (<TensorBase>a._base).grad_fn is not a._base_grad_fn:
            raise RuntimeError(
                f"{ctx.name()}: an input is a view of a tensor that was modified in place by a "
                f"recorded operation after the view was made, so the view's history is stale; "
                f"take the view again after the in-place operation")
        if a.grad_fn is not None:
            edges += [a.grad_fn, a._output_nr]
        else:
            edges += [a._grad_accumulator(), 0]
    ctx._next = tuple(edges)
    if ctx._validate_gradients:
        ctx._input_shapes = tuple([(<TensorBase>args[i])._array.shape if needs[i] else None
                                   for i in range(len(args))])
    if anomaly_mode:
        ctx._trace = traceback.format_stack()  # compiled code adds no frames: it ends at the op's caller
    non_differentiable = ctx._non_differentiable
    ctx._num_outputs = len(outputs)
    data = (<TensorBase>outputs[0])._array
    ctx._shape0 = data.shape
    ctx._dtype0 = data.dtype
    if len(outputs) > 1:
        ctx._more_meta = tuple([((<TensorBase>o)._array.shape, (<TensorBase>o)._array.dtype) for o in outputs[1:]])
    for nr in range(len(outputs)):
        out = <TensorBase>outputs[nr]
        if not _is_floating(out._array):
            continue  # integer and bool results never carry gradients
        if non_differentiable and any([o is raws[nr] or o is out for o in non_differentiable]):
            continue
        out.requires_grad = True
        out.grad_fn = ctx
        out._output_nr = nr
    if ctx._to_save:
        ctx._saved = _save_all(ctx._to_save, raws, outputs)
        ctx._to_save = None


cdef inline bint _is_floating(array):
    """Whether ``array`` (an ndarray) has a floating or complex dtype."""
    return cnp.PyArray_ISFLOAT(array) or cnp.PyArray_ISCOMPLEX(array)


cdef object _wrap(value):
    if type(value) is ndarray:
        return new_tensor(value)
    if isinstance(value, TensorBase):
        return new_tensor((<TensorBase>value)._array)
    return new_tensor(np.asarray(value))


cdef _share_version(TensorBase out, TensorBase base_tensor):
    """A view shares its base's version counter, so in-place writes through either are seen."""
    if np.may_share_memory(out._array, base_tensor._array):
        out._vc = base_tensor._version_counter()
        base = out._base = base_tensor._base if base_tensor._base is not None else base_tensor
        out._base_grad_fn = (<TensorBase>base).grad_fn


cdef tuple _save_all(tuple values, tuple raws, tuple outputs):
    """What ``_saved`` keeps for ``values``: four items per value.

    An input tensor is kept with its version (its counter is read at unpack time):
    ``tensor, None, version, None``. An output of this op (the Tensor, or the array or
    numpy scalar forward returned) is kept as its array plus counter, so no
    tensor -> node -> tensor cycle forms: ``array, counter, version, output_nr``.
    Anything else is kept as it is: ``value, None, None, None``.
    """
    cdef list saved = []
    cdef TensorBase out
    cdef VersionCounter counter
    cdef Py_ssize_t nr
    for value in values:
        if isinstance(value, TensorBase):
            for nr in range(len(outputs)):
                out = <TensorBase>outputs[nr]
                if value is out or (<TensorBase>value)._array is out._array:
                    counter = out._version_counter()
                    saved += [out._array, counter, counter.value, nr]
                    break
            else:
                counter = (<TensorBase>value)._vc
                saved += [value, None, 0 if counter is None else counter.value, None]
            continue
        for nr in range(len(raws)):
            if value is raws[nr]:
                out = <TensorBase>outputs[nr]
                counter = out._version_counter()
                saved += [out._array, counter, counter.value, nr]
                break
        else:
            saved += [value, None, None, None]
    return tuple(saved)


# ---- broadcasting binary ops ----------------------------------------------------------

cdef tuple SAME_SHAPES = (None, None)


cdef bint _same_shape(cnp.ndarray x, cnp.ndarray out):
    cdef int i
    if cnp.PyArray_NDIM(x) != cnp.PyArray_NDIM(out):
        return False
    for i in range(cnp.PyArray_NDIM(x)):
        if cnp.PyArray_DIMS(x)[i] != cnp.PyArray_DIMS(out)[i]:
            return False
    return True


def binary_forward(ctx, str op, numpy_op, a, b, bint floating=False):
    """``numpy_op`` on the operands' arrays, broadcast, with PyTorch's type promotion.

    The forward of add, sub, mul and div (ops/elementwise.py), which run in every forward
    and backward, hence compiled. Sets ``ctx.shapes``: the operand shapes backward needs
    to undo broadcasting, None for an operand that already has the output's shape.
    """
    x = (<TensorBase>a)._array if isinstance(a, TensorBase) else a
    y = (<TensorBase>b)._array if isinstance(b, TensorBase) else b
    try:
        out = numpy_op(x, y)
    except ValueError:
        check_broadcast(op, x, y)
        raise
    if type(x) is ndarray and type(y) is ndarray and type(out) is ndarray:
        x_same = _same_shape(x, out)
        y_same = _same_shape(y, out)
        ctx.shapes = SAME_SHAPES if x_same and y_same else (
            None if x_same else x.shape, None if y_same else y.shape)
        descr = <object>cnp.PyArray_DESCR(out)
        if <object>cnp.PyArray_DESCR(x) is descr and <object>cnp.PyArray_DESCR(y) is descr:
            return out  # same dtypes in and out: nothing to promote
    else:  # a Python number or numpy scalar among them
        out = np.asarray(out)
        x_shape = x.shape if type(x) is ndarray else ()
        y_shape = y.shape if type(y) is ndarray else ()
        ctx.shapes = (None if x_shape == out.shape else x_shape, None if y_shape == out.shape else y_shape)
    return result_array(out, x, y, floating=floating)


def grad_mul(g, other):
    """``g * other`` inside a backward (mul's and relu's gradients): the recorded op when the
    gradients' own graph is being built (create_graph) or ops are observed; otherwise, when
    both are arrays of one dtype, their product wrapped as a Tensor without a node, which
    is the same result without the op's per-call cost (the per-op overhead benchmark's
    backward is mostly these products)."""
    cdef Modes* mode = modes()
    if not mode.grad_enabled and not mode.observing and isinstance(g, TensorBase):
        x = (<TensorBase>g)._array
        y = (<TensorBase>other)._array if isinstance(other, TensorBase) else other
        if (type(x) is ndarray and type(y) is ndarray
                and <object>cnp.PyArray_DESCR(x) is <object>cnp.PyArray_DESCR(y)):
            out = x * y
            if type(out) is ndarray:  # (two 0-d arrays give a numpy scalar: the op handles it)
                return new_tensor(out)
    return g * other


# ---- the backward walk -----------------------------------------------------------------
# Iterative (an explicit stack, never recursion), so a chain of 100,000 ops
# backpropagates. Each node runs once, after every node that feeds it a gradient has run;
# gradients reaching a node from several uses are summed first (diamond graphs).

cdef dict _count_dependencies(list roots):
    """For every node reachable from ``roots``, how many edges point at it."""
    cdef dict dependencies = {}
    cdef set seen = set(roots)
    cdef list stack = list(roots)
    cdef Node node
    while stack:
        node = stack.pop()
        for child in node._next[0::2]:
            if child is None:
                continue
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies


cdef set _nodes_leading_to(list roots, dict targets):
    """The nodes from which some node in ``targets`` can be reached (post-order walk)."""
    cdef dict leads = {}
    cdef list stack = [(node, False) for node in roots]
    cdef Node node
    while stack:
        node, expanded = stack.pop()
        if node in leads and not expanded:
            continue
        if expanded:
            leads[node] = node in targets or any([
                child is not None and leads.get(child, False) for child in node._next[0::2]])
            continue
        leads[node] = False  # placeholder; breaks nothing since graphs are acyclic
        stack.append((node, True))
        for child in node._next[0::2]:
            if child is not None and child not in leads:
                stack.append((child, False))
    return {node for node, lead in leads.items() if lead}


cdef _anomaly_check(Node node, tuple grads):
    for i, g in enumerate(grads):
        if g is None or not _is_floating((<TensorBase>g)._array):
            continue
        data = (<TensorBase>g)._array
        if not np.all(np.isfinite(data)):
            kind = "nan" if np.isnan(data).any() else "inf"
            where = "".join(node._trace[-4:]) if node._trace else "(no trace recorded)\n"
            raise RuntimeError(
                f"Function '{node.name()}' returned {kind} values in its {i}th output.\n"
                f"The op was created in the forward pass at:\n{where}")


cdef tuple _check_gradients(Node node, tuple input_grads, Py_ssize_t n_inputs):
    """Validate what a user-defined Function's backward returned.

    Pads a short tuple with None, refuses extra gradients that are not None, wraps arrays
    into Tensors and refuses gradients whose shape is not the input's.
    """
    if len(input_grads) > n_inputs and any([g is not None for g in input_grads[n_inputs:]]):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {n_inputs}, got {len(input_grads)})")
    grads = list((input_grads + (None,) * n_inputs)[:n_inputs])
    shapes = node._input_shapes or ()
    for i, (g, shape) in enumerate(zip(grads, shapes)):
        if g is None or shape is None:
            continue
        if not isinstance(g, TensorBase):
            g = grads[i] = new_tensor(np.asarray(g))
        if g.shape != shape:
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(g.shape)} but expected shape compatible with {list(shape)}")
    return tuple(grads)


cdef list _new_buffer(Node node):
    return [None] * node._num_outputs


def run_backward(tuple tensors, list grad_tensors, bint retain_graph, bint create_graph,
                 inputs=None, bint allow_unused=False):
    """Backpropagate ``grad_tensors`` from ``tensors``.

    With ``inputs`` None the gradients accumulate into the leaves' ``.grad``; otherwise
    they are returned, one per input, and no ``.grad`` is touched.
    """
    cdef dict buffers = {}
    cdef list roots = []
    cdef list buffer, grads, ready
    cdef Node node, child
    cdef TensorBase t, g
    cdef tuple input_grads, edges
    cdef Py_ssize_t nr, i, remaining, n_inputs
    cdef dict dependencies, captures = None
    cdef set needed = None
    cdef Modes* mode = modes()
    cdef bint previous_mode = mode.grad_enabled
    for t, g in zip(tensors, grad_tensors):
        if t.grad_fn is not None:
            node, nr = t.grad_fn, t._output_nr
        else:
            node, nr = t._grad_accumulator(), 0
        buffer = buffers.get(node)
        if buffer is None:
            buffer = buffers[node] = _new_buffer(node)
            roots.append(node)
        buffer[nr] = g if buffer[nr] is None else buffer[nr] + g

    if inputs is not None:
        captures = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is not None:
                key = (t.grad_fn, t._output_nr)
            else:
                key = (t._accumulator() if t._accumulator is not None else None, 0)
            captures.setdefault(key[0], []).append((key[1], i))
        captures.pop(None, None)
        needed = _nodes_leading_to(roots, captures)
    results = [None] * (len(inputs) if inputs is not None else 0)

    dependencies = _count_dependencies(roots)
    ready = [node for node in roots if dependencies.get(node, 0) == 0]
    mode.grad_enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            for nr in range(len(grads)):
                if type(grads[nr]) is ndarray:  # a sum the engine made (see below)
                    grads[nr] = new_tensor(grads[nr])
            if node._pre_hooks:
                for nr, hooks in node._pre_hooks.items():
                    for hook in list(hooks.values()):  # a hook may remove itself
                        if grads[nr] is not None:
                            result = hook(grads[nr])
                            if result is not None:
                                grads[nr] = result
            if captures is not None and node in captures:
                for nr, i in captures[node]:
                    results[i] = grads[nr]
            if type(node) is AccumulateGrad:
                if inputs is None:
                    g = grads[0]
                    grads = None  # the engine keeps no reference: accumulate may take g as it is
                    (<AccumulateGrad>node).accumulate(g, create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            if node._num_outputs > 1:
                for nr in range(len(grads)):
                    if grads[nr] is None:
                        shape, dtype = node._output_meta[nr]  # (multi-output nodes only)
                        grads[nr] = new_tensor(np.zeros(shape, dtype=dtype))
            if mode.observing:
                observers = _thread_observers()
                for observer in observers:
                    observer.on_backward_start(node)
                started = time.perf_counter()
                returned = node.backward(node, *grads)
                for observer in observers:
                    observer.on_backward(node, time.perf_counter() - started)
            else:
                returned = node.backward(node, *grads)
            grads = None
            input_grads = returned if type(returned) is tuple else (returned,)
            returned = None
            edges = node._next
            n_inputs = len(edges) // 2
            if len(input_grads) != n_inputs or node._input_shapes is not None:
                input_grads = _check_gradients(node, input_grads, n_inputs)
            if node._trace is not None:
                _anomaly_check(node, input_grads)
            if not retain_graph and node._saved is not None:
                node.release()
            for i in range(n_inputs):
                if edges[2 * i] is None or input_grads[i] is None:
                    continue
                g = input_grads[i]
                child = edges[2 * i]
                nr = edges[2 * i + 1]
                expected_dtype = child._output_dtype(nr)
                if <object>cnp.PyArray_DESCR(g._array) is not expected_dtype and g._array.dtype != expected_dtype:
                    g = g.to(from_numpy_dtype(expected_dtype))  # as PyTorch: grads take the input's dtype
                buffer = buffers.get(child)
                if buffer is None:
                    buffer = buffers[child] = _new_buffer(child)
                # Several gradients for one output are summed. Without create_graph the
                # first sum is a new array, kept bare (an ndarray, not a Tensor) so it is
                # known to be the engine's own, and later ones add into it in place.
                summed = buffer[nr]
                if summed is None:
                    buffer[nr] = g
                elif create_graph:
                    buffer[nr] = summed + g
                elif type(summed) is ndarray:
                    np.add(summed, g._array, out=summed)
                else:
                    summed = (<TensorBase>summed)._array + g._array
                    buffer[nr] = summed if type(summed) is ndarray else np.asarray(summed)  # 0-d: a numpy scalar
                summed = None
                remaining = dependencies[child] - 1
                dependencies[child] = remaining
                if remaining == 0:
                    ready.append(child)
            # Drop this frame's references to the gradients handed on, so AccumulateGrad
            # can tell a gradient nobody else holds (and take it without a copy).
            input_grads = None
            g = None
    finally:
        mode.grad_enabled = previous_mode

    if inputs is not None:
        for r in results:
            if r is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        if not create_graph:
            results = [None if r is None else r.detach() for r in results]
        return tuple(results)
    return None
