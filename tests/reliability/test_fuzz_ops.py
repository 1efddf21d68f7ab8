"""Fuzz the conv, pool, pad, unfold and fold ops against PyTorch (issue 11).

Hypothesis draws calls by category: valid calls, ranks, zero sizes, negative and huge
hyper-parameters, wrong types, layouts (non-contiguous inputs), dtypes, NaN/inf and huge
sizes. The cases run in batches, each batch in a child process that makes the call in
PyTorch and in minigrad and judges the pair, so an interpreter crash is caught and
blamed on its case; a case that takes longer than ``HANG_SECONDS`` is a hang (the child
is killed and the batch goes on in a new one). Each case ends in one verdict:

- ``crash``, ``hang``: the minigrad call killed the child or did not return;
- ``wrong``: both accept and the values, shapes or gradients differ beyond tolerance, or
  minigrad accepts an argument that PyTorch refuses as the wrong type;
- ``unclear``: both refuse, and minigrad's exception type differs from PyTorch's (neither
  derives from the other) or its message names neither the op nor the argument the case
  changed (when PyTorch's own message names neither, only minigrad's message is judged);
- ``accepted`` / ``refused``: minigrad accepts what PyTorch refuses for another reason
  than a type, or refuses what PyTorch accepts (float16 and integer inputs, for
  example): differences, counted but not failures;
- ``ok``: the same values, or the same kind of refusal.

The tests below run a fixed draw of 240 cases and 80 more in the categories whose
open findings are the kernels' (together about a minute on two cores); the slow one
1,000 more. Before a release: ``tools/fuzz.sh 5000`` (this file as a script:
``--cases``, ``--seed``, ``--batch``) prints the figures per category.
"""

import argparse
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
HANG_SECONDS = 20.0  # a case's time limit; the calls are small, so only a hang comes near it
MEMORY_LIMIT = 4 << 30  # address space of a child: a runaway allocation fails instead of swapping
FAILURES = ("crash", "hang", "wrong", "unclear")
VERDICTS = FAILURES + ("accepted", "refused", "ok", "skipped")
CATEGORIES = (
    "valid",
    "ranks",
    "zero sizes",
    "negative",
    "huge",
    "wrong types",
    "layouts",
    "dtypes",
    "nan/inf",
    "huge sizes",
)


# ---- the cases ----------------------------------------------------------------------------
# A case is plain data: {"category", "op", "kwargs", "arg"}, where "arg" names the argument
# the category changed and a tensor argument is {"tensor": {shape, dtype, layout, fill, seed}}.


def _tensor(shape, dtype="float64", layout="contiguous", fill="normal", seed=0, **extra):
    return {"tensor": dict(shape=tuple(shape), dtype=dtype, layout=layout, fill=fill, seed=seed, **extra)}


def _is_tensor(value):
    return isinstance(value, dict) and "tensor" in value


small = st.integers(1, 4)


@st.composite
def _conv(draw, nd, transposed):
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, cout = groups * draw(small), groups * draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 8)) for _ in range(nd))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    kw = dict(input=_tensor((draw(st.integers(1, 2)), cin) + spatial, seed=draw(st.integers(0, 99))))
    if transposed:
        kw["weight"] = _tensor((cin, cout // groups) + kernel, seed=1)
        kw.update(stride=stride, padding=draw(st.integers(0, 2)), dilation=dilation, groups=groups)
        kw["output_padding"] = draw(st.integers(0, max(stride, dilation) - 1))
    else:
        kw["weight"] = _tensor((cout, cin // groups) + kernel, seed=1)
        padding = draw(st.sampled_from([0, 1, 2, "same", "valid"]))
        kw.update(stride=1 if padding == "same" else stride, padding=padding, dilation=dilation, groups=groups)
    if draw(st.booleans()):
        kw["bias"] = _tensor((cout,), seed=2)
    return kw


@st.composite
def _unfold(draw):
    return dict(
        input=_tensor((draw(st.integers(1, 2)), draw(small), draw(st.integers(2, 8)), draw(st.integers(2, 8)))),
        kernel_size=draw(st.sampled_from([1, 2, 3, (2, 1)])),
        dilation=draw(st.integers(1, 2)),
        padding=draw(st.integers(0, 1)),
        stride=draw(st.integers(1, 2)),
    )


@st.composite
def _fold(draw):
    out = (draw(st.integers(2, 7)), draw(st.integers(2, 7)))
    k, d, p, s = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(0, 1)), draw(st.integers(1, 2))
    blocks = [(o + 2 * p - d * (k - 1) - 1) // s + 1 for o in out]
    length = max(blocks[0], 0) * max(blocks[1], 0)
    return dict(
        input=_tensor((1, draw(small) * k * k, length)), output_size=out, kernel_size=k, dilation=d, padding=p, stride=s
    )


@st.composite
def _pool(draw, op):
    nd = 1 if op.endswith("1d") else 2
    k = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(k, 9)) for _ in range(nd))
    kw = dict(input=_tensor((draw(st.integers(1, 2)), draw(small)) + spatial, seed=draw(st.integers(0, 99))))
    kw.update(kernel_size=k, stride=draw(st.sampled_from([None, 1, 2, 3])), padding=draw(st.integers(0, k // 2)))
    kw["ceil_mode"] = draw(st.booleans())
    if op.startswith("max"):
        kw.update(dilation=draw(st.integers(1, 2)), return_indices=draw(st.booleans()))
    else:
        kw["count_include_pad"] = draw(st.booleans())
        if nd == 2:
            kw["divisor_override"] = draw(st.sampled_from([None, None, 1, 3, -2]))
    return kw


@st.composite
def _adaptive(draw, op):
    size = draw(st.one_of(st.integers(1, 6), st.tuples(st.integers(1, 6), st.sampled_from([1, 3, None]))))
    kw = dict(input=_tensor((draw(st.integers(1, 2)), draw(small), draw(st.integers(1, 9)), draw(st.integers(1, 9)))))
    kw["output_size"] = size
    if op == "adaptive_max_pool2d":
        kw["return_indices"] = draw(st.booleans())
    return kw


@st.composite
def _unpool(draw):
    k = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    p = draw(st.integers(0, k // 2))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    out = [(n - 1) * s - 2 * p + k for n in (h, w)]
    shape = (1, draw(small), h, w)
    kw = dict(input=_tensor(shape), kernel_size=k, stride=s, padding=p)
    kw["indices"] = _tensor(shape, dtype="int64", fill="indices", plane=max(out[0] * out[1], 0))
    return kw


@st.composite
def _pad(draw):
    mode = draw(st.sampled_from(["constant", "constant", "reflect", "replicate", "circular"]))
    k = draw(st.integers(1, 3))
    lead = draw(st.integers(1, 2))
    shape = tuple(draw(st.integers(2, 6)) for _ in range(lead + k))
    low = -1 if mode != "circular" else 0
    pad = tuple(draw(st.integers(low, 2)) for _ in range(2 * k))
    kw = dict(input=_tensor(shape), pad=pad, mode=mode)
    if mode == "constant" and draw(st.booleans()):
        kw["value"] = draw(st.sampled_from([0.5, -3, float("nan")]))
    return kw


BASES = {
    "conv1d": _conv(1, False),
    "conv2d": _conv(2, False),
    "conv_transpose1d": _conv(1, True),
    "conv_transpose2d": _conv(2, True),
    "unfold": _unfold(),
    "fold": _fold(),
    "max_pool1d": _pool("max_pool1d"),
    "max_pool2d": _pool("max_pool2d"),
    "avg_pool1d": _pool("avg_pool1d"),
    "avg_pool2d": _pool("avg_pool2d"),
    "adaptive_avg_pool2d": _adaptive("adaptive_avg_pool2d"),
    "adaptive_max_pool2d": _adaptive("adaptive_max_pool2d"),
    "max_unpool2d": _unpool(),
    "pad": _pad(),
}
INT_ARGS = ("kernel_size", "stride", "padding", "dilation", "groups", "output_padding", "output_size")
INT_ARGS += ("divisor_override", "pad")
WRONG_VALUES = [2.0, 2.5, "a", None, True, [2.0], (2, "a"), (1, 1, 1), (), np.int64(2), np.float64(2.0)]
WRONG_VALUES += [np.array([2, 2]), np.bool_(True), 1 + 2j, [np.int32(1), np.int64(2)]]
WRONG_TENSORS = [None, 3.0, [[1.0]], np.ones((1, 2, 3, 3)), "x"]


def _ints(kwargs):
    return sorted(name for name in kwargs if name in INT_ARGS and kwargs[name] is not None)


def _replace_ints(value, new):
    """``value`` (an int, a tuple of ints or a pad tuple) with one of its ints set to ``new``."""
    if isinstance(value, tuple) and value:
        return value[:-1] + (new,)
    return new


@st.composite
def cases(draw, categories=CATEGORIES):
    category = draw(st.sampled_from(categories))
    op = draw(st.sampled_from(sorted(BASES)))
    kw = draw(BASES[op])
    arg = "input"
    x = kw["input"]["tensor"]
    if category in ("negative", "huge") or (category == "wrong types" and draw(st.integers(0, 3))):
        arg = draw(st.sampled_from(_ints(kw)))
        if category == "negative":
            kw[arg] = _replace_ints(kw[arg], draw(st.sampled_from([0, -1, -2, -(2**31)])))
        elif category == "huge":
            huge = draw(st.sampled_from([10**5, 2**31, 2**40, 2**62, 2**63 - 1, 2**63, 2**64]))
            kw[arg] = _replace_ints(kw[arg], huge)
        else:
            kw[arg] = draw(st.sampled_from(WRONG_VALUES))
    elif category == "wrong types":
        arg = draw(st.sampled_from(sorted(name for name in kw if _is_tensor(kw[name]))))
        kw[arg] = draw(st.sampled_from(WRONG_TENSORS))
    elif category == "ranks":
        rank = draw(st.integers(0, 6).filter(lambda r: r != len(x["shape"])))
        x["shape"] = (x["shape"] + (2,) * 6)[:rank] if rank > len(x["shape"]) else x["shape"][-rank:] if rank else ()
    elif category == "zero sizes":
        dim = draw(st.integers(0, len(x["shape"]) - 1))
        x["shape"] = x["shape"][:dim] + (0,) + x["shape"][dim + 1 :]
    elif category == "layouts":
        x["layout"] = draw(st.sampled_from(["transposed", "strided", "channels_last"]))
    elif category == "dtypes":
        dtype = draw(st.sampled_from(["float32", "float16", "int64", "int32", "bool", "uint8", "mixed"]))
        for value in kw.values():
            if _is_tensor(value) and value["tensor"]["fill"] != "indices":
                value["tensor"]["dtype"] = "float32" if dtype == "mixed" else dtype
        if dtype == "mixed":
            x["dtype"] = "float64"
    elif category == "nan/inf":
        name = draw(st.sampled_from(sorted(n for n in kw if _is_tensor(kw[n]) and kw[n]["tensor"]["fill"] == "normal")))
        kw[name]["tensor"]["fill"] = draw(st.sampled_from(["nan", "inf", "mixed"]))
        arg = name
    elif category == "huge sizes":
        big = draw(st.sampled_from([2**16, 3 * 10**5]))
        if op != "fold":  # one long row: (1, C, ..., big), at most a few million elements
            x["shape"] = (1,) + tuple(min(n, 3) for n in x["shape"][1:-1]) + (big,)
        if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
            kw["output_size"] = (draw(st.sampled_from([1, 512, 2**12])), 1)
            arg = "output_size"
        if op == "fold":
            kw["output_size"] = (10**4, 10**4)
            arg = "output_size"
    return dict(category=category, op=op, kwargs=kw, arg=arg)


def draw_cases(n, seed_value=None, categories=CATEGORIES):
    """``n`` distinct cases drawn by hypothesis (derandomized, the same every run, without a
    seed); hypothesis is asked for twice as many, as it repeats some."""
    drawn = []

    @settings(
        max_examples=2 * n,
        database=None,
        deadline=None,
        derandomize=seed_value is None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases(categories))
    def collect(case):
        drawn.append(case)

    (collect if seed_value is None else seed(seed_value)(collect))()
    unique = {describe(case): case for case in drawn}  # hypothesis repeats some examples
    return list(unique.values())[:n]


# ---- one case, in the child ---------------------------------------------------------------


def _array(spec):
    rng = np.random.default_rng(spec["seed"])
    shape = spec["shape"]
    if spec["fill"] == "indices":
        plane = spec["plane"]
        planes = int(np.prod(shape[:2]))
        per_plane = int(np.prod(shape[2:]))
        if plane < per_plane or per_plane == 0:
            return rng.integers(0, max(plane, 1), size=shape).astype(np.int64)
        return np.stack([rng.permutation(plane)[:per_plane] for _ in range(planes)]).reshape(shape).astype(np.int64)
    stored = list(shape)
    if spec["layout"] == "transposed" and len(shape) >= 2:
        stored[-1], stored[-2] = stored[-2], stored[-1]
    elif spec["layout"] == "strided" and shape:
        stored[-1] *= 2
    elif spec["layout"] == "channels_last" and len(shape) == 4:
        stored = [shape[0], shape[2], shape[3], shape[1]]
    data = rng.standard_normal(stored)
    if spec["fill"] != "normal" and data.size:
        specials = {"nan": [np.nan], "inf": [np.inf, -np.inf], "mixed": [np.nan, np.inf, -np.inf]}[spec["fill"]]
        where = rng.random(data.shape) < 0.2
        where.flat[0] = True
        data[where] = rng.choice(specials, size=int(where.sum()))
    if spec["dtype"] == "bool":
        return data > 0
    if spec["dtype"] in ("int64", "int32", "uint8"):
        return np.nan_to_num(np.abs(data) * 3).astype(spec["dtype"])
    return data.astype(spec["dtype"])


def _with_layout(t, spec):
    """The leaf tensor ``t`` viewed in the spec's layout (the same view in either library)."""
    shape = spec["shape"]
    if spec["layout"] == "transposed" and len(shape) >= 2:
        return t.transpose(-1, -2)
    if spec["layout"] == "strided" and shape:
        return t[..., ::2]
    if spec["layout"] == "channels_last" and len(shape) == 4:
        return t.permute(0, 3, 1, 2)
    return t


def _call(lib, case):
    """Run the case in ``lib`` ('torch' or 'minigrad'): ("ok", outputs, gradients) or ("raise", type, message)."""
    if lib == "torch":
        import torch
        import torch.nn.functional as F

        make = torch.from_numpy
    else:
        import minigrad
        import minigrad.nn.functional as F

        make = minigrad.tensor
    leaves, kwargs = [], {}
    for name, value in case["kwargs"].items():
        if _is_tensor(value):
            spec = value["tensor"]
            leaf = make(_array(spec))
            if spec["dtype"] in ("float32", "float64"):
                leaf.requires_grad_(True)
                leaves.append(leaf)
            value = _with_layout(leaf, spec)
        kwargs[name] = value
    try:
        out = getattr(F, case["op"])(**kwargs)
    except Exception as e:
        return "raise", [c.__name__ for c in type(e).__mro__], str(e)
    outs = list(out) if isinstance(out, tuple) else [out]
    arrays = [np.asarray(o.detach().numpy()) for o in outs]
    grads = None
    if leaves and outs[0].requires_grad:
        cotangent = np.random.default_rng(7).standard_normal(arrays[0].shape).astype(arrays[0].dtype)
        try:
            (outs[0] * make(cotangent)).sum().backward()
            grads = [None if leaf.grad is None else np.array(leaf.grad.numpy()) for leaf in leaves]
        except Exception as e:
            grads = ("raise", [c.__name__ for c in type(e).__mro__], str(e))
    return "ok", arrays, grads


def _names_op_or_arg(message, case):
    text = message.lower()
    arg = case["arg"]
    words = {case["op"], arg, arg.replace("_", " "), arg.split("_")[0]}
    if arg == "padding":
        words.add("pad")
    return any(w in text for w in words)


def _related(ours, theirs):
    """Whether an ``except`` written for one exception type catches the other: the same
    type, or one derived from the other (NotImplementedError is a RuntimeError). Each
    type comes as the names of its classes, itself first."""
    return ours[0] in theirs or theirs[0] in ours


def _close(a, b):
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    if a.dtype.kind != "f":
        return np.array_equal(a, b)
    tol = 1e-3 if np.float32 in (a.dtype, b.dtype) or a.dtype == np.float16 else 1e-9
    finite = np.abs(b[np.isfinite(b)])
    scale = 1.0 + (finite.max() if finite.size else 0.0)
    return np.allclose(a, b, rtol=tol, atol=tol * scale, equal_nan=True)


def _numpy_ints(value):
    items = value if isinstance(value, (tuple, list)) else [value]
    return any(isinstance(v, np.integer) for v in items)


def judge(case, theirs, ours):
    """The verdict on a case (see the module docstring) and a one-line reason."""
    if theirs[0] == "raise" and ours[0] == "raise":
        if not _names_op_or_arg(ours[2], case):
            return "unclear", f"{ours[1][0]}: {ours[2]}  (names neither {case['op']} nor {case['arg']})"
        if not _related(ours[1], theirs[1]) and _names_op_or_arg(theirs[2], case):
            return "unclear", f"{ours[1][0]} where PyTorch raises {theirs[1][0]}: {ours[2]}"
        return "ok", ""
    if theirs[0] == "raise":
        by_design = _numpy_ints(case["kwargs"].get(case["arg"]))  # minigrad takes them wherever ints go
        kind = "wrong" if theirs[1][0] == "TypeError" and not by_design else "accepted"
        return kind, f"accepted; PyTorch raises {theirs[1][0]}: {theirs[2]}"
    if ours[0] == "raise":
        return "refused", f"{ours[1][0]}: {ours[2]}"
    if len(theirs[1]) != len(ours[1]):
        return "wrong", f"{len(ours[1])} outputs, PyTorch {len(theirs[1])}"
    for i, (t, o) in enumerate(zip(theirs[1], ours[1])):
        if not _close(o, t):
            return "wrong", f"output {i}: shape {o.shape} {o.dtype}, PyTorch {t.shape} {t.dtype}" + (
                f", max difference {np.nanmax(np.abs(o - t)):.3g}" if o.shape == t.shape and o.size else ""
            )
    if theirs[2] is not None and not isinstance(theirs[2], tuple):
        if isinstance(ours[2], tuple) or ours[2] is None:
            return "wrong", f"backward: {ours[2]}"
        for i, (t, o) in enumerate(zip(theirs[2], ours[2])):
            if (t is None) != (o is None) or (t is not None and not _close(o, t)):
                return "wrong", f"gradient {i} differs"
    return "ok", ""


def _send(stream, message):
    data = pickle.dumps(message)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        return None
    return pickle.loads(stream.read(struct.unpack("<Q", head)[0]))


def worker():
    """The child: read a batch, and for each case report PyTorch's turn, then the verdict."""
    import resource
    import warnings

    warnings.simplefilter("ignore")  # PyTorch's and numpy's warnings about the odd calls
    np.seterr(all="ignore")
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import torch

    import minigrad  # noqa: F401

    torch.set_num_threads(1)
    out = sys.stdout.buffer
    batch = _receive(sys.stdin.buffer)
    for case in batch:
        try:
            theirs = _call("torch", case)
        except Exception:
            theirs = ("raise", ["Exception"], traceback.format_exc(limit=1))
        _send(out, ("torch done",))
        try:
            verdict = judge(case, theirs, _call("minigrad", case))
        except Exception:  # minigrad returned something that is not a Tensor (or a tuple of them)
            verdict = ("wrong", "unreadable result: " + traceback.format_exc(limit=2))
        _send(out, verdict)


# ---- the parent: batches in children ------------------------------------------------------


def _start(batch):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env["OMP_NUM_THREADS"] = "1"
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=str(ROOT),
    )
    _send(child.stdin, batch)
    child.stdin.close()
    return child


def _read_one(child, deadline):
    """The child's next message, or "hang" past the deadline, or "exit" if it died."""
    fd = child.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "hang"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            message = _receive(child.stdout)
            return "exit" if message is None else message


def run_batch(batch):
    """[(verdict, reason)] for each case of ``batch``. After a crash or a hang the rest of
    the batch goes on in a new child, and the case runs again alone in a fresh one, so
    that what a case is blamed for is what it does by itself (not a slow machine, not a
    case before it)."""
    results = []
    while len(results) < len(batch):
        rest = batch[len(results) :]
        child = _start(rest)
        failed = None
        try:
            for _ in rest:
                torch_turn = _read_one(child, time.monotonic() + HANG_SECONDS + 30)  # the first includes imports
                if torch_turn in ("hang", "exit"):
                    results.append(("skipped", f"PyTorch did not return ({torch_turn})"))
                    break
                verdict = _read_one(child, time.monotonic() + HANG_SECONDS)
                if verdict == "hang":
                    failed = ("hang", f"no result within {HANG_SECONDS:.0f} s")
                    break
                if verdict == "exit":
                    child.wait()
                    code = child.returncode
                    name = signal.Signals(-code).name if code < 0 else f"exit status {code}"
                    failed = ("crash", f"the child died: {name}")
                    break
                results.append(verdict)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()
        if failed:
            results.append(failed if len(rest) == 1 else run_batch(rest[:1])[0])
    return results


def fuzz(cases_, batch_size):
    """Run the cases in batches of ``batch_size``: [(case, verdict, reason)]."""
    out = []
    for start in range(0, len(cases_), batch_size):
        batch = cases_[start : start + batch_size]
        out += [(case, v, r) for case, (v, r) in zip(batch, run_batch(batch))]
    return out


def describe(case):
    def show(value):
        if _is_tensor(value):
            t = value["tensor"]
            extra = "" if t["layout"] == "contiguous" and t["fill"] == "normal" else f", {t['layout']}, {t['fill']}"
            return f"<{t['dtype']} {list(t['shape'])}{extra}>"
        return repr(value)

    args = ", ".join(f"{k}={show(v)}" for k, v in case["kwargs"].items())
    return f"[{case['category']}] F.{case['op']}({args})"


def figures(results):
    """Per category: the count of each verdict."""
    table = defaultdict(Counter)
    for case, verdict, _ in results:
        table[case["category"]][verdict] += 1
    return table


def print_figures(results, show=20):
    table = figures(results)
    cols = ("cases",) + VERDICTS[:-2] + ("skipped",)
    print(f"{'category':<12}" + "".join(f"{c:>10}" for c in cols))
    total = Counter()
    for category in CATEGORIES:
        row = table.get(category, Counter())
        total.update(row)
        print(f"{category:<12}{sum(row.values()):>10}" + "".join(f"{row[c]:>10}" for c in cols[1:]))
    print(f"{'total':<12}{sum(total.values()):>10}" + "".join(f"{total[c]:>10}" for c in cols[1:]))
    for verdict in FAILURES + ("accepted", "refused"):
        found = [(case, reason) for case, v, reason in results if v == verdict]
        if found:
            print(f"\n{verdict} ({len(found)}):")
            for case, reason in found[:show]:
                print(f"  {describe(case)}\n      {reason[:300]}")


# ---- the tests ----------------------------------------------------------------------------


# The categories whose findings were in the kernels (inf/NaN through the flipped kernel,
# work growing with huge strides): a test of their own, so a regression names them.
KERNEL_CATEGORIES = ("nan/inf", "huge")
PYTHON_CATEGORIES = tuple(c for c in CATEGORIES if c not in KERNEL_CATEGORIES)


def _check(results):
    failures = [f"{v}: {describe(case)}\n    {reason[:300]}" for case, v, reason in results if v in FAILURES]
    assert not failures, f"{len(failures)} of {len(results)} cases failed:\n" + "\n".join(failures)


def test_fuzz_ops_against_torch(torch):  # the fixture skips without PyTorch; the children import it
    _check(fuzz(draw_cases(240, categories=PYTHON_CATEGORIES), batch_size=120))


def test_fuzz_kernel_categories_against_torch(torch):  # the fixture skips without PyTorch; the children import it
    _check(fuzz(draw_cases(80, categories=KERNEL_CATEGORIES), batch_size=80))


@pytest.mark.slow
def test_fuzz_ops_against_torch_more_cases(torch):  # the fixture skips without PyTorch; the children import it
    _check(fuzz(draw_cases(1000, seed_value=11, categories=PYTHON_CATEGORIES), batch_size=250))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000, help="how many calls to draw (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--batch", type=int, default=250, help="cases per child process (default 250)")
    parser.add_argument("--show", type=int, default=20, help="cases listed per verdict (default 20)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()
    started = time.monotonic()
    results = fuzz(draw_cases(args.cases, seed_value=args.seed), args.batch)
    print_figures(results, args.show)
    print(f"\n{len(results)} cases in {time.monotonic() - started:.0f} s")
    return 1 if any(v in FAILURES for _, v, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
