"""ONNX export: ``minigrad.onnx.export(model, args, f)``, as ``torch.onnx.export`` (needs the ``onnx`` package)."""

from .exporter import export

__all__ = ["export"]
