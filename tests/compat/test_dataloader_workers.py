"""DataLoader worker processes (num_workers > 0) and collation, against PyTorch's
torch.utils.data where the two can be compared: the same batches in the same order as in
the main process, per-worker seeding, get_worker_info, worker_init_fn, persistent
workers, timeouts, worker errors re-raised with their traceback, no leftover processes,
batch_size=None, iterable datasets, and the default_collate / default_convert tables.

Worker start-up costs a few tens of milliseconds per process: datasets stay tiny."""

import collections
import gc
import multiprocessing
import os
import random
import time

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    default_collate,
    default_convert,
    get_worker_info,
)

# Some tests run 3 workers: on a 2-core machine both libraries warn that this is too many.
pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create")


@pytest.fixture(autouse=True)
def _no_worker_is_left_behind():
    yield
    if multiprocessing.active_children():
        gc.collect()  # an iterator kept by a traceback ends its workers when it is collected
    assert multiprocessing.active_children() == []


def _dataset(n=20):
    return TensorDataset(minigrad.arange(2 * n).reshape(n, 2).float(), minigrad.arange(n))


def _batches(loader):
    return [(x.tolist(), y.tolist()) for x, y in loader]


class Sample(Dataset):
    """Sample i is ``fn(i)`` (a map-style dataset of a function, picklable for 'spawn')."""

    def __init__(self, fn, n):
        self.fn, self.n = fn, n

    def __getitem__(self, i):
        return self.fn(i)

    def __len__(self):
        return self.n


def _draws(i):
    """What each random source gives in the process that loads sample i."""
    info = get_worker_info()
    return {
        "worker": -1 if info is None else info.id,
        "minigrad": minigrad.rand(1).item(),
        "random": random.random(),
        "numpy": float(np.random.rand()),
    }


# ---- order -------------------------------------------------------------------------------------


@pytest.mark.parametrize("num_workers,prefetch_factor", [(1, None), (2, None), (3, 1)])
def test_workers_give_the_main_process_batches_in_order_every_epoch(num_workers, prefetch_factor):
    def loader(**kwargs):
        g = minigrad.Generator().manual_seed(5)
        return DataLoader(_dataset(), batch_size=3, shuffle=True, generator=g, drop_last=False, **kwargs)

    expected, ours = loader(), loader(num_workers=num_workers, prefetch_factor=prefetch_factor)
    for _ in range(3):  # a new shuffle each epoch, the same one in both
        assert _batches(ours) == _batches(expected)


def test_training_with_workers_gives_the_same_losses():
    # The tutorial pattern: a shuffled loader with workers feeding a training loop.
    from minigrad import nn, optim

    data = TensorDataset(minigrad.randn(24, 4), minigrad.randint(0, 3, (24,)))

    def train(num_workers):
        minigrad.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = optim.SGD(model.parameters(), lr=0.1)
        loader = DataLoader(data, batch_size=8, shuffle=True, num_workers=num_workers)
        losses = []
        for _ in range(2):
            for x, y in loader:
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        return losses

    assert train(num_workers=2) == train(num_workers=0)


def test_order_follows_the_global_seed_as_without_workers():
    minigrad.manual_seed(11)
    expected = _batches(DataLoader(_dataset(), batch_size=4, shuffle=True))
    minigrad.manual_seed(11)
    assert _batches(DataLoader(_dataset(), batch_size=4, shuffle=True, num_workers=2)) == expected


def test_unshuffled_batches_match_pytorch_with_workers(torch):
    data = [(i, float(i) / 2) for i in range(11)]
    ours = [[t.tolist() for t in b] for b in DataLoader(data, batch_size=4, num_workers=2)]
    theirs = [[t.tolist() for t in b] for b in torch.utils.data.DataLoader(data, batch_size=4, num_workers=2)]
    assert ours == theirs


def test_more_workers_than_cpus_warns_as_pytorch(torch):
    too_many = len(os.sched_getaffinity(0)) + 1
    with pytest.warns(UserWarning, match=f"This DataLoader will create {too_many} worker processes"):
        torch.utils.data.DataLoader(list(range(4)), num_workers=too_many)
    with pytest.warns(UserWarning, match=f"This DataLoader will create {too_many} worker processes"):
        DataLoader(list(range(4)), num_workers=too_many)


def test_in_order_false_returns_every_batch():
    loader = DataLoader(_dataset(), batch_size=3, num_workers=2, in_order=False)
    assert sorted(y for _, ys in _batches(loader) for y in ys) == list(range(20))


# ---- worker info, seeding, worker_init_fn ------------------------------------------------------


def test_worker_info_in_workers_and_none_in_the_main_process():
    assert get_worker_info() is None

    def info(i):
        w = get_worker_info()
        return [w.id, w.num_workers, w.seed, type(w.dataset).__name__, len(w.dataset)]

    dataset = Sample(info, 6)
    batches = list(DataLoader(dataset, batch_size=2, num_workers=3, collate_fn=list))
    assert [b[0][:2] for b in batches] == [[0, 3], [1, 3], [2, 3]]  # batch i from worker i % 3
    seeds = [b[0][2] for b in batches]
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0] + 2  # base seed + worker id
    assert all(b[0][3:] == ["Sample", 6] for b in batches)  # the worker's copy of the dataset


def test_each_worker_draws_differently_and_reproducibly():
    def run():
        loader = DataLoader(Sample(_draws, 4), batch_size=2, num_workers=2, collate_fn=list)
        return list(loader)

    minigrad.manual_seed(3)
    first = run()
    minigrad.manual_seed(3)
    assert run() == first  # the workers' seeds come from the global generator
    (a, _), (b, _) = first  # the first sample of worker 0 and of worker 1
    assert (a["worker"], b["worker"]) == (0, 1)
    for source in ("minigrad", "random", "numpy"):  # PyTorch seeds random and numpy too
        assert a[source] != b[source], source
    minigrad.manual_seed(4)
    assert run() != first


def test_worker_init_fn_runs_in_each_worker_before_loading():
    def init(worker_id):
        get_worker_info().dataset.offset = 100 * worker_id

    class Offset(Dataset):
        offset = 0

        def __getitem__(self, i):
            return self.offset + i

        def __len__(self):
            return 4

    dataset = Offset()
    batches = [b.tolist() for b in DataLoader(dataset, batch_size=2, num_workers=2, worker_init_fn=init)]
    assert batches == [[0, 1], [102, 103]]
    assert dataset.offset == 0  # the workers changed their own copies


# ---- persistent workers, prefetching, start methods ---------------------------------------------


def _pid(i):
    return os.getpid()


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(Sample(_pid, 4), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    assert [b.tolist() for b in loader] == first and len(multiprocessing.active_children()) == 2
    broken = iter(loader)
    next(broken)  # an epoch left half-way: the next one starts afresh
    assert [b.tolist() for b in loader] == first
    del loader, broken


def test_workers_are_new_each_epoch_without_persistence():
    loader = DataLoader(Sample(_pid, 4), batch_size=2, num_workers=2)
    first = {p for b in loader for p in b.tolist()}
    assert multiprocessing.active_children() == []  # ended with the epoch
    second = {p for b in loader for p in b.tolist()}
    assert len(first) == 2 and not first & second and os.getpid() not in first


def test_persistent_workers_with_shuffle_as_pytorch(torch):
    # Persistent workers keep their seeds: the base seed is drawn once, not every epoch, so
    # from the second epoch on the shuffling differs from a loader that draws it every
    # epoch (without workers, or with new ones). PyTorch does the same.
    def epochs(lib, generator, **kwargs):
        loader = lib.utils.data.DataLoader(list(range(12)), batch_size=4, shuffle=True, generator=generator, **kwargs)
        return [[b.tolist() for b in loader] for _ in range(3)]

    def compare(lib):
        def new_generator():
            return lib.Generator().manual_seed(1)

        plain = epochs(lib, new_generator())
        persistent = epochs(lib, new_generator(), num_workers=2, persistent_workers=True, prefetch_factor=1)
        again = epochs(lib, new_generator(), num_workers=2, persistent_workers=True)
        return plain[0] == persistent[0], plain[1:] == persistent[1:], persistent == again

    assert compare(minigrad) == compare(torch) == (True, False, True)


def test_no_process_is_left_after_a_broken_epoch():
    loader = DataLoader(_dataset(), batch_size=2, num_workers=2)
    for _ in loader:
        break
    gc.collect()
    assert multiprocessing.active_children() == []
    it = iter(loader)
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("context", ["fork", multiprocessing.get_context("fork")], ids=["str", "context"])
def test_multiprocessing_context(context):
    loader = DataLoader(_dataset(6), batch_size=4, num_workers=1, multiprocessing_context=context)
    assert _batches(loader) == _batches(DataLoader(_dataset(6), batch_size=4))


def test_spawned_workers():
    loader = DataLoader(Sample(_pid, 2), batch_size=1, num_workers=1, multiprocessing_context="spawn")
    assert loader.multiprocessing_context.get_start_method() == "spawn"
    assert [b.item() for b in loader][0] != os.getpid()


def test_pin_memory_is_accepted_and_warns_as_pytorch_without_accelerator(torch):
    with pytest.warns(UserWarning, match="no accelerator is found") as ours:
        batches = _batches(DataLoader(_dataset(6), batch_size=4, pin_memory=True, num_workers=1))
    with pytest.warns(UserWarning, match="no accelerator is found") as theirs:
        list(torch.utils.data.DataLoader(list(range(2)), pin_memory=True))
    assert str(ours[0].message) == str(theirs[0].message)
    assert batches == _batches(DataLoader(_dataset(6), batch_size=4))


# ---- errors -------------------------------------------------------------------------------------


def _fail_at_3(i):
    if i == 3:
        raise ValueError(f"cannot read sample {i}")
    return i


def test_worker_exception_is_reraised_with_its_traceback(torch):
    def message(loader_class):
        batches = iter(loader_class(Sample(_fail_at_3, 6), batch_size=2, num_workers=2))
        with pytest.raises(ValueError) as info:  # the same type as raised in the worker
            list(batches)
        batches._shutdown_workers()  # PyTorch's iterator would keep its workers until collected
        return str(info.value)

    for text in (message(DataLoader), message(torch.utils.data.DataLoader)):
        assert text.startswith("Caught ValueError in DataLoader worker process 1.\nOriginal Traceback (most recent")
        assert "in _fail_at_3" in text and text.rstrip().endswith("ValueError: cannot read sample 3")


def test_key_error_message_and_worker_init_errors():
    def missing(i):
        return {}["key"]

    with pytest.raises(KeyError) as info:
        next(iter(DataLoader(Sample(missing, 2), num_workers=1)))
    assert str(info.value).startswith("Caught KeyError in DataLoader worker process 0.\nOriginal")

    def init(worker_id):
        raise OSError("no such shard")

    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process 0"):
        next(iter(DataLoader(_dataset(4), num_workers=1, worker_init_fn=init)))


def test_a_batch_that_cannot_be_pickled_is_an_error_not_a_hang():
    def non_leaf(i):
        return minigrad.ones(2, requires_grad=True) * 2

    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 0"):
        list(DataLoader(Sample(non_leaf, 2), batch_size=2, num_workers=1, timeout=10))


def test_timeout():
    def slow(i):
        time.sleep(0.6)
        return i

    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.2 seconds$"):
        list(DataLoader(Sample(slow, 2), num_workers=1, timeout=0.2))


def test_a_worker_that_dies_is_reported():
    def die(i):
        os._exit(1)

    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(Sample(die, 2), num_workers=1, timeout=1))


ARGUMENT_ERRORS = [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True),
    dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="thread"),
    dict(num_workers=1, multiprocessing_context=3),
    dict(batch_size=None, drop_last=True),
]


@pytest.mark.parametrize("kwargs", ARGUMENT_ERRORS, ids=str)
def test_argument_errors_as_pytorch(torch, kwargs):
    with pytest.raises(Exception) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(theirs.type) as ours:
        DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_timeout_without_workers_fails_on_iteration_as_pytorch(torch):
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(torch.utils.data.DataLoader(list(range(4)), timeout=1))
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(DataLoader(list(range(4)), timeout=1))


# ---- batch_size=None and iterable datasets ------------------------------------------------------


def _plain(x):
    """A comparable picture of a batch: tensors as (dtype name, values), containers walked."""
    if hasattr(x, "dtype") and hasattr(x, "tolist") and not isinstance(x, np.ndarray):
        return ("tensor", str(x.dtype).split(".")[-1], x.tolist())
    if isinstance(x, np.ndarray):
        return ("ndarray", str(x.dtype), x.tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: _plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return (type(x).__name__, x)


def _unbatched(i):
    return {"x": np.full(2, i, dtype=np.float32), "y": i, "pair": (np.int64(i), "s")}


@pytest.mark.parametrize("num_workers", [0, 2])
def test_batch_size_none_converts_each_sample_as_pytorch(torch, num_workers):
    ours = DataLoader(Sample(_unbatched, 3), batch_size=None, num_workers=num_workers)
    theirs = torch.utils.data.DataLoader(Sample(_unbatched, 3), batch_size=None, num_workers=num_workers)
    assert [_plain(s) for s in ours] == [_plain(s) for s in theirs]
    assert len(ours) == 3 and ours.batch_size is None and ours.collate_fn is default_convert


def _stream_class(base, get_worker_info, shard):
    """An iterable dataset of 0..n-1 (of ``base``, minigrad's or PyTorch's IterableDataset);
    ``shard`` gives each worker every num_workers-th sample, otherwise each reads them all."""

    class Stream(base):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = get_worker_info()
            if info is None or not shard:
                return iter(range(self.n))
            return iter(range(info.id, self.n, info.num_workers))

        def __len__(self):
            return self.n

    return Stream


@pytest.mark.parametrize("shard", [True, False], ids=["sharded", "copied"])
@pytest.mark.parametrize(
    "num_workers,batch_size,drop_last", [(0, 2, False), (2, 2, False), (3, 2, True), (2, None, False)]
)
def test_iterable_dataset_with_workers_as_pytorch(torch, shard, num_workers, batch_size, drop_last):
    def run(lib):
        dataset = _stream_class(lib.IterableDataset, lib.get_worker_info, shard)(7)
        loader = lib.DataLoader(dataset, batch_size=batch_size, drop_last=drop_last, num_workers=num_workers)
        return [_plain(b) for b in loader], len(loader)

    assert run(minigrad.utils.data) == run(torch.utils.data)


def test_iterable_dataset_with_persistent_workers_restarts_each_epoch():
    loader = DataLoader(
        _stream_class(IterableDataset, get_worker_info, True)(5), batch_size=2, num_workers=2, persistent_workers=True
    )
    first = [b.tolist() for b in loader]
    assert sorted(i for b in first for i in b) == list(range(5))
    assert [b.tolist() for b in loader] == first
    del loader


def test_iterable_dataset_refuses_shuffle_and_samplers_as_pytorch(torch):
    for kwargs in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.DataLoader(_stream_class(torch.utils.data.IterableDataset, None, False)(3), **kwargs)
        with pytest.raises(ValueError) as ours:
            DataLoader(_stream_class(IterableDataset, None, False)(3), **kwargs)
        assert str(ours.value).split(" but got")[0] == str(theirs.value).split(" but got")[0]


# ---- collation tables ---------------------------------------------------------------------------

Point = collections.namedtuple("Point", "x y")

COLLATE_CASES = {
    "ints": [1, 2, 3],
    "int then floats": [1, 2.5, 3],
    "floats": [2.5, 1],
    "float then int": [1.5, 2],
    "bools": [True, False],
    "bool then int": [True, 1],
    "int then bool": [1, True],
    "int then numpy float32": [1, np.float32(2.5)],
    "numpy float32": [np.float32(1), np.float32(2)],
    "numpy float32 then float64": [np.float32(1), np.float64(2)],
    "numpy float32 then float": [np.float32(1), 2.0],
    "numpy int8": [np.int8(1), np.int8(2)],
    "numpy int32 then int": [np.int32(1), 2],
    "numpy uint8 then int": [np.uint8(1), 2],
    "numpy bool": [np.bool_(True), np.bool_(False)],
    "numpy float64": [np.float64(1.5), np.float64(2)],
    "0-d arrays": [np.array(1.0), np.array(2.0)],
    "uint8 arrays": [np.zeros((2, 2), np.uint8), np.ones((2, 2), np.uint8)],
    "int and float arrays": [np.array([1, 2]), np.array([1.5, 2.0])],
    "int32 arrays": [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
    "strings": ["a", "b"],
    "bytes": [b"a", b"b"],
    "numpy strings": [np.str_("a"), np.str_("b")],
    "dicts": [{"a": 1, "b": [1.5, 2.5]}, {"a": 2, "b": [3.5, 4.5]}],
    "ordered dicts": [collections.OrderedDict(a=1), collections.OrderedDict(a=2)],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "tuples": [(1, "a"), (2, "b")],
    "lists": [[1, 2], [3, 4]],
    "ranges": [range(2), range(2)],
}


def _tensor_case(lib):
    return {
        "float tensors": [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
        "int and float tensors": [lib.tensor([1, 2]), lib.tensor([1.5, 2.0])],
        "int32 tensors": [lib.tensor([1, 2], dtype=lib.int32), lib.tensor([1, 2])],
        "image and label": [(lib.zeros(1, 2), 0), (lib.ones(1, 2), 1)],
    }


@pytest.mark.parametrize("name", sorted(COLLATE_CASES))
def test_default_collate_as_pytorch(torch, name):
    batch = COLLATE_CASES[name]
    assert _plain(default_collate(batch)) == _plain(torch.utils.data.default_collate(batch))


@pytest.mark.parametrize("name", sorted(_tensor_case(minigrad)))
def test_default_collate_of_tensors_as_pytorch(torch, name):
    ours = default_collate(_tensor_case(minigrad)[name])
    assert _plain(ours) == _plain(torch.utils.data.default_collate(_tensor_case(torch)[name]))


COLLATE_ERRORS = {
    "None": [None, None],
    "objects": [object(), object()],
    "complex": [1 + 2j, 3j],
    "string arrays": [np.array(["a"]), np.array(["b"])],
    "object arrays": [np.array([object()]), np.array([object()])],
    "unequal lists": [[1, 2], [3]],
}


@pytest.mark.parametrize("name", sorted(COLLATE_ERRORS))
def test_default_collate_refuses_as_pytorch(torch, name):
    batch = COLLATE_ERRORS[name]
    with pytest.raises(Exception) as theirs:
        torch.utils.data.default_collate(batch)
    with pytest.raises(theirs.type) as ours:
        default_collate(batch)
    assert str(ours.value) == str(theirs.value)


CONVERT_CASES = {
    "int": 0,
    "float": 1.5,
    "str": "abc",
    "None": None,
    "int array": np.array([0, 1]),
    "numpy float32": np.float32(2),
    "numpy bool": np.bool_(True),
    "string array": np.array(["a"]),
    "tuple": (np.array(1), 2),
    "list": [np.array(1), "x"],
    "dict": {"a": np.array(1.5)},
    "namedtuple": Point(np.array(0), 1),
    "range": range(3),
    "numpy string": np.str_("x"),
}


@pytest.mark.parametrize("name", sorted(CONVERT_CASES))
def test_default_convert_as_pytorch(torch, name):
    value = CONVERT_CASES[name]
    assert _plain(default_convert(value)) == _plain(torch.utils.data.default_convert(value))


def test_collate_fn_map_can_be_extended():
    from minigrad.utils.data._utils.collate import collate, default_collate_fn_map

    class Box:
        def __init__(self, v):
            self.v = v

    custom = {**default_collate_fn_map, Box: lambda batch, *, collate_fn_map: sum(b.v for b in batch)}
    assert collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=custom)[0] == 4
