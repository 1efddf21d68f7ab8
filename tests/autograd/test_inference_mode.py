"""inference_mode: as a context manager and a decorator, mode=, nesting with the grad modes,
per thread; each scenario also run on PyTorch where it is installed."""

import threading

import pytest

import minigrad


def modes_seen(t):
    """The (grad, inference) switches and whether ops record, through nested modes."""
    seen = []
    w = t.ones(2, requires_grad=True)

    def look():
        seen.append((t.is_grad_enabled(), t.is_inference_mode_enabled(), (w * 2).requires_grad))

    look()
    with t.inference_mode():
        look()
        with t.enable_grad():
            look()
        with t.inference_mode(False):
            look()
        with t.inference_mode(mode=False), t.no_grad():
            look()
        look()
    with t.no_grad(), t.inference_mode(False):
        look()
    look()

    @t.inference_mode
    def bare():
        look()

    @t.inference_mode()
    def called():
        look()

    @t.inference_mode(False)
    def off():
        look()

    bare(), called(), off()
    return seen


def test_modes_as_in_torch(torch):
    assert modes_seen(minigrad) == modes_seen(torch)


def test_modes():
    on, off = (False, True, False), (True, False, True)
    assert modes_seen(minigrad) == [off, on, (True, True, False), off, (False, False, False), on, off, off, on, on, off]


def test_decorator_keeps_the_name_and_restores_on_error():
    @minigrad.inference_mode
    def predict(x):
        """Doc."""
        raise ValueError(x)

    assert predict.__name__ == "predict" and predict.__doc__ == "Doc."
    with pytest.raises(ValueError):
        predict(1)
    assert minigrad.is_grad_enabled() and not minigrad.is_inference_mode_enabled()


def test_model_output_has_no_graph():
    model = minigrad.nn.Linear(3, 2)
    with minigrad.inference_mode():
        out = model(minigrad.ones(4, 3))
    assert out.grad_fn is None and not out.requires_grad


def test_per_thread():
    seen = []
    with minigrad.inference_mode():
        thread = threading.Thread(target=lambda: seen.append(minigrad.is_inference_mode_enabled()))
        thread.start()
        thread.join()
        assert minigrad.is_inference_mode_enabled()
    assert seen == [False]
