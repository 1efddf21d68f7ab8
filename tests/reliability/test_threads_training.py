"""Threads running minigrad side by side get what they would get one after the other:
two trainings of separate models, concurrent backward passes into one shared leaf, and
the compiled kernels (which release the GIL) called from several threads at once."""

import threading

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.models import LeNet5
from minigrad.ops.conv import _PATH_NOTES

WAIT = 120  # seconds; only reached when a thread is stuck, which fails the test


def run_together(*jobs):
    """Run each job in its own thread, released together; their results, in order.

    ``job(sync)`` calls ``sync()`` where the threads should meet, so their work overlaps.
    """
    barrier = threading.Barrier(len(jobs), timeout=WAIT)
    results, errors = [None] * len(jobs), []

    def sync():
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other thread failed; its error is reported

    def run(i):
        try:
            results[i] = jobs[i](sync)
        except BaseException as error:  # reported by the test's thread below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "a thread did not finish"
    if errors:
        raise errors[0]
    return results


def no_sync():
    pass


# ---- two trainings ----------------------------------------------------------------------


def new_model(seed):
    minigrad.manual_seed(seed)
    return LeNet5()


def training(model, seed, steps=30, batch=8):
    """SGD on LeNet-5 with its own seeded data; the final parameters as arrays."""
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((steps, batch, 1, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, (steps, batch))
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def train(sync):
        for step in range(steps):
            sync()
            loss = F.cross_entropy(model(minigrad.tensor(images[step])), minigrad.tensor(labels[step]))
            optimizer.zero_grad()
            sync()
            loss.backward()
            optimizer.step()
        return [p.detach().numpy().copy() for p in model.parameters()]

    return train


def test_two_threads_training_separate_models_match_the_sequential_run():
    one_after_the_other = [training(new_model(seed), seed)(no_sync) for seed in (1, 2)]
    side_by_side = run_together(*[training(new_model(seed), seed) for seed in (1, 2)])
    for sequential, threaded in zip(one_after_the_other, side_by_side):
        for expected, got in zip(sequential, threaded):
            np.testing.assert_array_equal(got, expected)


# ---- one leaf, several backward passes at once ------------------------------------------


def test_concurrent_backward_passes_into_a_shared_leaf_lose_no_gradient():
    # As in PyTorch, .grad accumulation is safe across threads (the order of the additions
    # is not fixed: the values are integers here, so every order sums exactly). A hook on
    # the leaf, which runs just before the addition, makes the two passes add together.
    weight = minigrad.ones(200_000, requires_grad=True)
    passes = 20
    meet = threading.Barrier(2, timeout=WAIT)

    def add_together(grad):
        meet.wait()

    weight.register_hook(add_together)

    def backward_passes(scale):
        def run(sync):
            try:
                for _ in range(passes):
                    (weight * float(scale)).sum().backward()
            except BaseException:
                meet.abort()  # the other thread no longer waits for this one
                raise

        return run

    run_together(backward_passes(1), backward_passes(2))
    np.testing.assert_array_equal(weight.grad.numpy(), np.full(200_000, 3.0 * passes, np.float32))


# ---- the kernels, called from two threads -----------------------------------------------

# One conv per path its input gradient can take (the forward is im2col + GEMM for all but
# depthwise); the test checks each runs the path it is named after.
CONVS = {
    "col2im": dict(weight=(16, 4, 3, 3), stride=2, padding=1),
    "winograd": dict(weight=(32, 32, 3, 3), stride=1, padding=1),
    "flipped": dict(weight=(8, 8, 3, 3), stride=1, padding=1),
    "depthwise": dict(weight=(4, 1, 3, 3), stride=1, padding=1, groups=4),
}


def conv_job(seed, weight, **kwargs):
    """Forward and backward of one conv and a max pool on seeded inputs, three times over."""
    rng = np.random.default_rng(seed)
    channels = weight[1] * kwargs.get("groups", 1)
    x = minigrad.tensor(rng.standard_normal((2, channels, 16, 16)).astype(np.float32), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal(weight).astype(np.float32), requires_grad=True)

    def run(sync):
        outputs = []
        for _ in range(3):
            sync()
            x.grad = w.grad = None
            conv = F.conv2d(x, w, **kwargs)
            y = F.max_pool2d(conv, 2)
            (y * y).sum().backward()
            outputs += [y.detach().numpy(), x.grad.numpy(), w.grad.numpy()]
        return outputs

    return run


@pytest.mark.parametrize("path", CONVS)
def test_the_conv_paths_are_the_ones_named(path):
    weight, kwargs = CONVS[path]["weight"], {k: v for k, v in CONVS[path].items() if k != "weight"}
    x = minigrad.zeros(2, weight[1] * kwargs.get("groups", 1), 16, 16, requires_grad=True)
    note = F.conv2d(x, minigrad.zeros(weight), **kwargs).grad_fn.graph_note
    assert note == "input gradient: " + _PATH_NOTES[path]


@pytest.mark.parametrize("path", CONVS)
def test_kernels_called_from_two_threads_at_once_give_their_sequential_results(path):
    sequential = [conv_job(seed, **CONVS[path])(no_sync) for seed in (1, 2)]
    threaded = run_together(*[conv_job(seed, **CONVS[path]) for seed in (1, 2)])
    for expected_arrays, got_arrays in zip(sequential, threaded):
        for expected, got in zip(expected_arrays, got_arrays):
            np.testing.assert_array_equal(got, expected)


def test_a_transposed_conv_module_in_two_threads_matches_its_sequential_results():
    def job(seed):
        minigrad.manual_seed(seed)
        layer = nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1)
        x = minigrad.tensor(np.random.default_rng(seed).standard_normal((2, 4, 9, 9)).astype(np.float32))

        def run(sync):
            sync()
            y = layer(x)
            y.sum().backward()
            return [y.detach().numpy(), layer.weight.grad.numpy()]

        return run

    sequential = [job(seed)(no_sync) for seed in (1, 2)]
    threaded = run_together(job(1), job(2))
    for expected_arrays, got_arrays in zip(sequential, threaded):
        for expected, got in zip(expected_arrays, got_arrays):
            np.testing.assert_array_equal(got, expected)


def test_set_num_threads_applies_to_kernels_called_from_every_thread():
    # OpenMP keeps a thread count per calling thread; minigrad keeps one for the process,
    # as PyTorch does, so a count set in the main thread holds in a worker thread too.
    before = minigrad.get_num_threads()
    minigrad.set_num_threads(1)
    try:
        assert run_together(lambda sync: minigrad.get_num_threads()) == [1]
    finally:
        minigrad.set_num_threads(before)
