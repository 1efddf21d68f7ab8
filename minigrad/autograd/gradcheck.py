"""Gradient checks: analytic gradients against central finite differences in float64.

``gradcheck(fn, inputs)`` compares, for every input that requires grad, the Jacobian that
backward computes with ``(f(x + eps) - f(x - eps)) / (2 eps)``. ``fast_mode=True``
compares only one random projection ``v^T J u`` per input, so large inputs stay cheap.
``gradgradcheck`` runs the same check on the function that returns the gradients.

Tensors are made with the engine's ``make_tensor`` (which is ``Tensor._make``), so that
autograd imports nothing above it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Callable, Sequence, Union

import numpy as np

from ._engine import TensorBase, make_tensor
from .engine import grad as autograd_grad

if TYPE_CHECKING:
    from ..tensor import Tensor

    Outputs = Union[Tensor, Sequence[Tensor]]

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised when an analytic gradient disagrees with its finite-difference estimate.

    A ``RuntimeError``; the message names the output, the input, the element and both values.

    Example:
        >>> x = minigrad.tensor([1.0], dtype=minigrad.float64, requires_grad=True)
        >>> try:
        ...     minigrad.autograd.gradcheck(lambda t: t.detach() * t, (x,))
        ... except minigrad.autograd.GradcheckError as error:
        ...     print(str(error)[:39])
        Jacobian mismatch for output 0 with res
    """


def _tensors(values):
    values = values if isinstance(values, (tuple, list)) else (values,)
    return tuple(values), [i for i, v in enumerate(values) if isinstance(v, TensorBase) and v.requires_grad]


def _as_float64(inputs, checked):
    """Copies of the inputs that require grad, in float64 (a float32 input earns a warning)."""
    out = list(inputs)
    for i in checked:
        t = inputs[i]
        if t._array.dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point: "
                f"gradcheck runs it in float64; a float32 check would give false failures.",
                stacklevel=3,
            )
        out[i] = make_tensor(t._array.astype(np.float64)).requires_grad_(True)
    return tuple(out)


def _outputs(fn, inputs):
    result = fn(*inputs)
    result = result if isinstance(result, (tuple, list)) else (result,)
    return [r for r in result if isinstance(r, TensorBase) and r._array.dtype.kind == "f"]


def _evaluate(fn, inputs):
    # Recording stays on: for gradgradcheck, fn itself differentiates.
    return [o._array.astype(np.float64).ravel() for o in _outputs(fn, inputs)]


def _numerical_column(fn, inputs, t, direction, eps):
    """d outputs / d t along ``direction`` by central differences (one vector per output)."""
    original = t._array.copy()
    t._array[...] = original + eps * direction
    plus = _evaluate(fn, inputs)
    t._array[...] = original - eps * direction
    minus = _evaluate(fn, inputs)
    t._array[...] = original
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _vjp(outputs, t, vectors):
    """v^T J for one input: the gradient of sum(v_k * out_k) with respect to t."""
    pairs = [(o, v) for o, v in zip(outputs, vectors) if o.requires_grad]
    if not pairs:
        return np.zeros(t._array.size)
    grads = autograd_grad(
        [o for o, _ in pairs],
        [t],
        [make_tensor(v.reshape(o.shape).astype(o._array.dtype)) for o, v in pairs],
        retain_graph=True,
        allow_unused=True,
    )
    g = grads[0]
    return np.zeros(t._array.size) if g is None else g._array.astype(np.float64).ravel()


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradcheck(
    fn: Callable[..., Outputs],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against finite differences.

    The inputs are copied to float64 (a float32 input earns a warning).

    Args:
        fn (callable): a function of the inputs returning a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple): the arguments of ``fn``; those with
            ``requires_grad=True`` are checked.
        eps (float): the finite-difference step. Default: 1e-6.
        atol, rtol (float): the tolerances, ``|a - n| <= atol + rtol * |n|``.
            Default: 1e-5 and 1e-3.
        raise_exception (bool): raise ``GradcheckError`` on a mismatch; if False, return
            False instead. Default: True.
        fast_mode (bool): compare one random projection ``v^T J u`` per input instead of
            the full Jacobian. Default: False.
        seed (int): seed of the random projections of ``fast_mode``. Default: 0.

    Returns:
        bool: True when every gradient matches.

    Example:
        >>> x = minigrad.randn(3, dtype=minigrad.float64, requires_grad=True)
        >>> minigrad.autograd.gradcheck(lambda t: (t * t.sin()).sum(), (x,))
        True
    """
    inputs, checked = _tensors(inputs)
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    inputs = _as_float64(inputs, checked)
    outputs = _outputs(fn, inputs)
    sizes = [o._array.size for o in outputs]
    rng = np.random.default_rng(seed)
    for i in checked:
        t = inputs[i]
        if fast_mode:
            u = rng.standard_normal(t._array.shape)
            vs = [rng.standard_normal(n) for n in sizes]
            numeric = sum(float(v @ col) for v, col in zip(vs, _numerical_column(fn, inputs, t, u, eps)))
            analytic = float(_vjp(outputs, t, vs) @ u.ravel())
            if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
                return _fail(
                    f"Jacobian mismatch with respect to input {i} (fast mode, random projection v^T J u): "
                    f"numerical {numeric!r}, analytical {analytic!r}",
                    raise_exception,
                )
            continue
        numeric = np.zeros((t._array.size, sum(sizes)))
        for k in range(t._array.size):
            direction = np.zeros(t._array.size)
            direction[k] = 1.0
            cols = _numerical_column(fn, inputs, t, direction.reshape(t._array.shape), eps)
            numeric[k] = np.concatenate(cols) if cols else numeric[k]
        offset = 0
        for out_index, n in enumerate(sizes):
            for j in range(n):
                vs = [np.zeros(m) for m in sizes]
                vs[out_index][j] = 1.0
                analytic_row = _vjp(outputs, t, vs)
                numeric_row = numeric[:, offset + j]
                bad = ~(np.abs(analytic_row - numeric_row) <= atol + rtol * np.abs(numeric_row))  # NaN is bad
                if bad.any():
                    k = int(np.argmax(bad))
                    element = np.unravel_index(k, t._array.shape) if t._array.ndim else ()
                    out_element = np.unravel_index(j, outputs[out_index].shape) if outputs[out_index].ndim else ()
                    return _fail(
                        f"Jacobian mismatch for output {out_index} with respect to input {i}: "
                        f"d output{[int(e) for e in out_element]} / d input{[int(e) for e in element]}: numerical "
                        f"{float(numeric_row[k])!r}, analytical {float(analytic_row[k])!r} "
                        f"(atol={atol}, rtol={rtol})",
                        raise_exception,
                    )
            offset += n
    return True


def gradgradcheck(
    fn: Callable[..., Outputs],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Tensor | Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of ``(inputs, v) -> v^T d fn / d inputs``.

    Args:
        fn (callable): a function of the inputs returning a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple): the arguments of ``fn``; those with
            ``requires_grad=True`` are checked.
        grad_outputs (Tensor or tuple, optional): the cotangents ``v``, one per output;
            they are checked too. Default: None (random).
        eps (float): the finite-difference step. Default: 1e-6.
        atol, rtol (float): the tolerances. Default: 1e-5 and 1e-3.
        raise_exception (bool): raise ``GradcheckError`` on a mismatch, else return
            False. Default: True.
        fast_mode (bool): one random projection per input. Default: False.
        seed (int): seed of the random cotangents and projections. Default: 0.

    Returns:
        bool: True when every second derivative matches.

    Example:
        >>> x = minigrad.randn(3, dtype=minigrad.float64, requires_grad=True)
        >>> minigrad.autograd.gradgradcheck(lambda t: t**3, (x,))
        True
    """
    inputs, checked = _tensors(inputs)
    inputs = _as_float64(inputs, checked)
    rng = np.random.default_rng(seed + 1)
    outputs = _outputs(fn, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(make_tensor(rng.standard_normal(o.shape)).requires_grad_(True) for o in outputs)
    else:
        grad_outputs = tuple(
            make_tensor(np.asarray(g._array, dtype=np.float64)).requires_grad_(True)
            for g in (grad_outputs if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,))
        )
    n_inputs = len(inputs)

    def first_derivatives(*args):
        xs, vs = args[:n_inputs], args[n_inputs:]
        outs = _outputs(fn, xs)
        wanted = [xs[i] for i in checked]
        grads = autograd_grad(
            [o for o in outs if o.requires_grad],
            wanted,
            [v for o, v in zip(outs, vs) if o.requires_grad],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        fast_mode=fast_mode,
        seed=seed,
    )
