"""Grad mode, anomaly mode and observers are per thread: what one thread switches, or what
the engine switches while it runs one thread's forward or backward, never reaches another.

Each test holds one thread inside a mode (or inside an op's forward or backward) with
Events while the other thread runs ops, so the interleaving is forced, not hoped for.
"""

import threading

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function, detect_anomaly
from minigrad.autograd.function import observe
from minigrad.autograd.grad_mode import is_anomaly_enabled

WAIT = 30  # seconds; only reached when a thread is stuck, which fails the test


class Worker(threading.Thread):
    """Runs ``target`` in a thread; ``finish()`` joins it and re-raises what it raised."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self._target_fn = target
        self.error = None
        self.result = None

    def run(self):
        try:
            self.result = self._target_fn()
        except BaseException as error:  # handed to the test's thread by finish()
            self.error = error

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "the worker thread did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def started(target):
    worker = Worker(target)
    worker.start()
    return worker


def wait(event):
    assert event.wait(WAIT), "the other thread never reached the rendezvous"


def leaf():
    return minigrad.tensor([1.0, 2.0], requires_grad=True)


def records(x):
    """Whether an op on ``x`` (which requires grad) is recorded in the calling thread."""
    y = x * 2
    return y.requires_grad and y.grad_fn is not None


# ---- grad mode ---------------------------------------------------------------------------


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    inside, leave = threading.Event(), threading.Event()

    def in_no_grad():
        with minigrad.no_grad():
            inside.set()
            wait(leave)
            return minigrad.is_grad_enabled(), records(leaf())

    worker = started(in_no_grad)
    wait(inside)
    try:
        assert minigrad.is_grad_enabled()
        assert records(leaf())
    finally:
        leave.set()
    assert worker.finish() == (False, False)


def test_set_grad_enabled_false_in_one_thread_stays_in_that_thread():
    switched, checked = threading.Event(), threading.Event()

    def switch_off():
        minigrad.set_grad_enabled(False)
        switched.set()
        wait(checked)
        return minigrad.is_grad_enabled()  # the thread ends with its mode off: nothing to restore

    worker = started(switch_off)
    wait(switched)
    try:
        assert records(leaf())
    finally:
        checked.set()
    assert worker.finish() is False


def test_a_new_thread_starts_with_grad_enabled_and_anomaly_off():
    with minigrad.no_grad(), detect_anomaly():
        worker = started(lambda: (minigrad.is_grad_enabled(), is_anomaly_enabled(), records(leaf())))
        assert worker.finish() == (True, False, True)
        assert not minigrad.is_grad_enabled() and is_anomaly_enabled()


class Pause(Function):
    """The identity, which stops in forward or backward until the test lets it go on."""

    @staticmethod
    def forward(ctx, x, where, inside, leave):
        ctx.where, ctx.inside, ctx.leave = where, inside, leave
        if where == "forward":
            ctx.inside.set()
            wait(leave)
        return x._array.copy()

    @staticmethod
    def backward(ctx, g):
        if ctx.where == "backward":
            ctx.inside.set()
            wait(ctx.leave)
        return g, None, None, None


@pytest.mark.parametrize("where", ["forward", "backward"])
def test_the_engine_switching_grad_mode_in_one_thread_leaves_recording_on_in_another(where):
    # apply runs forward with recording off, and backward runs without recording
    # (create_graph=False): both switches belong to the thread running them.
    inside, leave = threading.Event(), threading.Event()

    def run_op():
        x = leaf()
        y = Pause.apply(x, where, inside, leave)
        y.sum().backward()
        return x.grad

    worker = started(run_op)
    wait(inside)
    try:
        assert minigrad.is_grad_enabled()
        assert records(leaf())
    finally:
        leave.set()
    np.testing.assert_array_equal(worker.finish().numpy(), [1.0, 1.0])


# ---- anomaly mode ------------------------------------------------------------------------


def nan_backward(x):
    """An op whose backward produces NaN: sqrt at 0 has an infinite derivative, times 0."""
    return (x.sqrt() * 0).sum()


def test_anomaly_mode_in_one_thread_stays_in_that_thread():
    inside, leave = threading.Event(), threading.Event()

    def in_anomaly_mode():
        with detect_anomaly():
            inside.set()
            wait(leave)
            x = minigrad.zeros(2, requires_grad=True)
            with pytest.raises(RuntimeError, match="returned nan values"):
                nan_backward(x).backward()
            return is_anomaly_enabled()

    worker = started(in_anomaly_mode)
    wait(inside)
    try:
        assert not is_anomaly_enabled()
        x = minigrad.zeros(2, requires_grad=True)
        loss = nan_backward(x)
        assert loss.grad_fn._trace is None  # no stack recorded outside anomaly mode
        loss.backward()  # NaN gradients, and no anomaly check in this thread
        assert np.isnan(x.grad.numpy()).all()
    finally:
        leave.set()
    assert worker.finish() is True


# ---- observers ---------------------------------------------------------------------------


class Recorder:
    """Notes the op and the thread of every call it gets."""

    def __init__(self):
        self.calls = []

    def on_forward(self, ctx, args, outputs, recorded):
        self.calls.append((ctx.name(), threading.get_ident()))

    def on_backward_start(self, node):
        self.calls.append((node.name(), threading.get_ident()))

    def on_backward(self, node, seconds):
        self.calls.append((node.name(), threading.get_ident()))


def test_an_observer_sees_the_ops_of_its_own_thread_only():
    inside, leave = threading.Event(), threading.Event()
    recorder = Recorder()

    def observed():
        with observe(recorder):
            inside.set()
            wait(leave)
            leaf().exp().sum().backward()
        return threading.get_ident()

    worker = started(observed)
    wait(inside)
    try:
        (leaf() * 3).relu().sum().backward()
    finally:
        leave.set()
    observed_thread = worker.finish()
    names = {name for name, _ in recorder.calls}
    assert {thread for _, thread in recorder.calls} == {observed_thread}
    assert {"ExpBackward0", "SumBackward0"} <= names and "ReluBackward0" not in names
