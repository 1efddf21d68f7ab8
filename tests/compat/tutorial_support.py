"""Run one tutorial-style script on PyTorch and on minigrad from the same initial weights.

A script is a function ``script(torch, same_weights)`` written once against the torch API.
It calls ``same_weights(model)`` right after building each model (after a Lazy model's dry
run): on PyTorch this records the model's state_dict, on minigrad it loads the recorded
values, so both frameworks train the same network. The script returns its numbers (losses,
outputs, gradients, names) as nested lists, tuples, dicts, strings, floats or arrays, which ``run_both`` compares
to float32 precision.
"""

import numpy as np

import minigrad


def digits(n=None, train=True):
    """minigrad's bundled 8x8 digits as numpy arrays: images (N, 1, 8, 8) float32, labels (N,) int64."""
    ds = minigrad.datasets.Digits(train=train)
    images, labels = ds.data.numpy(), ds.targets.numpy().astype(np.int64)
    return (images, labels) if n is None else (images[:n], labels[:n])


def _flatten(result):
    if isinstance(result, (list, tuple)):
        return [x for item in result for x in _flatten(item)]
    if isinstance(result, str):
        return [result]
    if isinstance(result, dict):
        return [x for key in sorted(result) for x in _flatten(result[key])]
    return [np.asarray(result, dtype=np.float64)]


def run_both(script, torch, rtol=2e-4, atol=2e-5, **kwargs):
    """Run ``script`` on PyTorch, then on minigrad with PyTorch's initial weights; compare."""
    recorded = []

    def record(model):
        recorded.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
        return model

    loaded = iter(recorded)

    def load(model):
        model.load_state_dict({k: minigrad.tensor(v) for k, v in next(loaded).items()})
        return model

    theirs = script(torch, record, **kwargs)
    ours = script(minigrad, load, **kwargs)
    theirs, ours = _flatten(theirs), _flatten(ours)
    assert len(theirs) == len(ours)
    for i, (t, o) in enumerate(zip(theirs, ours)):
        if isinstance(t, str) or isinstance(o, str):
            assert o == t, f"result {i}: {o!r}, PyTorch's {t!r}"
            continue
        assert t.shape == o.shape, f"result {i}: shape {o.shape}, PyTorch's {t.shape}"
        np.testing.assert_allclose(o, t, rtol=rtol, atol=atol, err_msg=f"result {i}")
    return ours
