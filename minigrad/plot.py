"""Learning curves as a small standalone SVG (no plotting library needed)."""

from __future__ import annotations

import os
from typing import Any, Mapping
from xml.sax.saxutils import escape

__all__ = ["learning_curves_svg"]

_WIDTH, _HEIGHT, _MARGIN = 360, 220, 44
_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"]


def _panel(title, series, x0):
    """One chart: ``series`` maps a label to its list of values (one per epoch)."""
    values = [v for ys in series.values() for v in ys]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    n = max(len(ys) for ys in series.values())
    width, height = _WIDTH - 2 * _MARGIN, _HEIGHT - 2 * _MARGIN

    def point(i, y):
        px = x0 + _MARGIN + (width * i / (n - 1) if n > 1 else width / 2)
        py = _MARGIN + height * (1 - (y - lo) / (hi - lo))
        return f"{px:.1f},{py:.1f}"

    parts = [
        f'<text x="{x0 + _WIDTH / 2}" y="20" text-anchor="middle" font-size="13">{escape(title)}</text>',
        f'<rect x="{x0 + _MARGIN}" y="{_MARGIN}" width="{width}" height="{height}" fill="none" stroke="#999"/>',
        f'<text x="{x0 + _MARGIN - 4}" y="{_MARGIN + 4}" text-anchor="end" font-size="10">{hi:.3g}</text>',
        f'<text x="{x0 + _MARGIN - 4}" y="{_MARGIN + height}" text-anchor="end" font-size="10">{lo:.3g}</text>',
        f'<text x="{x0 + _WIDTH / 2}" y="{_HEIGHT - 12}" text-anchor="middle" font-size="11">epoch (1 .. {n})</text>',
    ]
    for k, (label, ys) in enumerate(series.items()):
        colour = _COLOURS[k % len(_COLOURS)]
        points = " ".join(point(i, y) for i, y in enumerate(ys))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{x0 + _MARGIN + width - 6}" y="{_MARGIN + height / 2 + 13 * k}" '
            f'text-anchor="end" font-size="11" fill="{colour}">{escape(label)}</text>'
        )
    return parts


def learning_curves_svg(history: Mapping[str, Any], path: str | os.PathLike) -> str | os.PathLike:
    """Write loss and accuracy per epoch (``history`` from ``minigrad.trainer.fit``) to ``path``."""
    panels = [
        ("loss", {"train": history["train_loss"], "test": history["test_loss"]}),
        ("accuracy", {"train": history["train_accuracy"], "test": history["test_accuracy"]}),
    ]
    body = []
    for i, (title, series) in enumerate(panels):
        body += _panel(title, series, i * _WIDTH)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * _WIDTH}" height="{_HEIGHT}" '
        f'font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
    with open(path, "w") as f:
        f.write(svg)
    return path
