"""Shared by the ONNX tests: export a model, run it with ONNX Runtime, compare with minigrad."""

import io

import numpy as np
import pytest

import minigrad

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install -e '.[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install -e '.[onnx]')")

import minigrad.onnx  # noqa: E402  (needs onnx)

# float32 outputs of minigrad and ONNX Runtime agree to this, relative to the output's scale
# (the largest |output|, at least 1): deep random networks (ResNet-50) reach outputs near 30,
# where float32 summation order alone moves the last digits.
TOLERANCE = 1e-5


def exported_session(model, example, **kwargs):
    """``model`` exported on ``example`` with a dynamic batch axis: (ModelProto, InferenceSession)."""
    buffer = io.BytesIO()
    kwargs.setdefault("dynamic_axes", {"input": [0], "output": [0]})
    proto = minigrad.onnx.export(model, example, buffer, **kwargs)
    onnx.checker.check_model(onnx.load_from_string(buffer.getvalue()))
    return proto, ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])


def check_matches(model, session, x):
    """ONNX Runtime's output on ``x`` equals the eval-mode model's (to TOLERANCE times the output's scale);
    returns the largest difference."""
    model.eval()
    with minigrad.no_grad():
        expected = model(x).numpy()
    (got,) = session.run(None, {"input": x.numpy()})
    difference = float(np.abs(got - expected).max()) if expected.size else 0.0
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    assert got.shape == expected.shape
    assert difference <= TOLERANCE * scale, f"largest difference {difference:.3g} at output scale {scale:.3g}"
    return difference
