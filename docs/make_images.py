"""Draw the graph pictures of docs/viz.md into docs/images/ (needs Graphviz's `dot`).

The docs build runs this first (``docs/sphinxext/minigrad_images.py``), so the pictures
always show what today's code draws; docs/images/ is a build output, ignored by git. To
look at them without building the site:

    python docs/make_images.py            # all pictures
    python docs/make_images.py lenet5     # only those whose name contains 'lenet5'

Everything is seeded, so reruns give the same SVG files, except the profiled picture,
whose times change from run to run.
"""

import os
import sys

import numpy as np

import minigrad
from minigrad import models, nn
from minigrad.autograd import grad
from minigrad.viz import draw_graph, make_dot, render

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "images")


def _leaf(*shape, seed=0):
    data = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape).astype(np.float32)
    return minigrad.tensor(data, requires_grad=True)


def small():
    x, w = _leaf(2, 3), _leaf(3, 4, seed=1)
    return (x @ w).relu().sum(), {"x": x, "w": w}


def small_forward():
    y, params = small()
    return make_dot(y, params=params)


def small_saved_attrs():
    y, params = small()
    return make_dot(y, params=params, show_saved=True, show_attrs=True)


def small_backward():
    y, params = small()
    return make_dot(y, params=params, view="backward")


def conv_backward():
    x, w, b = _leaf(1, 2, 6, 6), _leaf(3, 2, 3, 3, seed=1), _leaf(3, seed=2)
    y = nn.functional.conv2d(x, w, b, padding=1)
    return make_dot(y, params={"x": x, "weight": w, "bias": b}, view="backward", show_attrs=True)


def gradient_graph():
    x = _leaf(3)
    y = (x * x.tanh()).sum()
    (g,) = grad(y, x, create_graph=True)
    return make_dot(g, params={"x": x})


def _lenet():
    minigrad.manual_seed(0)
    return models.lenet5(), minigrad.randn(1, 1, 32, 32)


def lenet5_forward():
    return draw_graph(*_lenet())


def lenet5_backward():
    return draw_graph(*_lenet(), view="backward")


def lenet5_profile():
    return draw_graph(*_lenet(), depth=2, profile=True)


def resnet18_depth2():
    minigrad.manual_seed(0)
    return draw_graph(models.resnet18(), minigrad.randn(1, 3, 64, 64), depth=2)


def resnet18_backward_depth2():
    minigrad.manual_seed(0)
    return draw_graph(models.resnet18(), minigrad.randn(1, 3, 64, 64), depth=2, view="backward")


PICTURES = [
    small_forward,
    small_saved_attrs,
    small_backward,
    conv_backward,
    gradient_graph,
    lenet5_forward,
    lenet5_backward,
    lenet5_profile,
    resnet18_depth2,
    resnet18_backward_depth2,
]


def main(argv, out_dir=IMAGES):
    """Render the pictures whose names contain a word of ``argv`` (all if empty); return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for make in PICTURES:
        if argv and not any(word in make.__name__ for word in argv):
            continue
        paths.append(render(make(), os.path.join(out_dir, make.__name__ + ".svg")))
    return paths


if __name__ == "__main__":
    for path in main(sys.argv[1:]):
        print(f"{os.path.relpath(path)}: {os.path.getsize(path) // 1024} KiB")
