"""
Visualizing forward and backward graphs
=======================================

The tape is a graph, and :mod:`minigrad.viz` draws it with Graphviz: the graph recorded
by a forward pass, the operations the backward pass actually runs, and a model's graph
grouped by its modules, optionally annotated with time, memory and mult-adds. Every
picture on this page is drawn by the code above it. (The guide :doc:`/viz` describes
every option.)
"""

import minigrad
from minigrad import models
from minigrad.autograd import grad
from minigrad.viz import draw_graph, make_dot, render

minigrad.manual_seed(0)

# %%
# The recorded graph
# ------------------
# A two-layer perceptron on a batch of four. :func:`~minigrad.viz.make_dot` draws one
# box per recorded node, named as the node (``MmBackward0`` is the node that will
# differentiate a matmul), the leaves in blue, named from ``params``.
x = minigrad.randn(4, 3)
w1 = minigrad.randn(3, 5, requires_grad=True)
w2 = minigrad.randn(5, 2, requires_grad=True)
loss = ((x @ w1).relu() @ w2).pow(2).mean()
mlp_forward = make_dot(loss, params={"w1": w1, "w2": w2})

# %%
# What each node keeps for backward
# ---------------------------------
# ``show_saved=True`` adds, in orange, every array a node saved for its backward: the
# memory a graph holds on to until backward frees it. ``show_attrs=True`` adds the
# nodes' hyper-parameters.
mlp_saved = make_dot(loss, params={"w1": w1, "w2": w2}, show_saved=True, show_attrs=True)

# %%
# The backward pass
# -----------------
# ``view="backward"`` runs backward once (leaving ``.grad`` untouched) and draws the ops
# it executed, each inside a dashed box naming the node whose backward ran it. The
# matmul's backward is two more matmuls with transposed operands; relu's is a mask.
mlp_backward = make_dot(loss, params={"w1": w1, "w2": w2}, view="backward")

# %%
# The graph of a gradient
# -----------------------
# A gradient taken with ``create_graph=True`` has a graph of its own, and it reaches back
# into the forward graph: this is what tutorial 3 differentiates a second time.
(g1,) = grad(loss, w1, create_graph=True)
gradient_graph = make_dot(g1.sum(), params={"w1": w1, "w2": w2})

# %%
# A model, grouped by module
# --------------------------
# :func:`~minigrad.viz.draw_graph` runs a model once with hooks on every module, and
# draws the nodes inside nested boxes, one per module call. ``depth=1`` folds every
# top-level child into a single box; ``None`` shows every op. LeNet-5, folded:
lenet = models.lenet5()
image = minigrad.randn(1, 1, 32, 32)
lenet_folded = draw_graph(lenet, image, depth=1)

# %%
# and its backward pass, every op, grouped by the layer whose forward recorded the node
# being differentiated. In the two ``Conv2d`` boxes the convolution's backward shows up
# as the tutorial 5 pair: ``ConvTranspose2d`` (the flipped-kernel convolution, for the
# input gradient) and ``Conv2dWeight`` (the cross-correlation, for the weight gradient).
# The first convolution has no ``ConvTranspose2d``: nothing needs the gradient of the
# image, so that kernel never runs. (Click the image to see it at full size.)
lenet_backward = draw_graph(lenet, image, view="backward")

# %%
# Where time and memory go
# ------------------------
# ``profile=True`` runs the model once more, times every op forward and backward,
# measures what each saves for backward and counts mult-adds, and shades the boxes by
# ``shade_by`` ('time', 'memory' or 'macs'). A ResNet basic block, shaded by mult-adds
# (counts do not change from run to run; times would):
block = models.BasicBlock(8, 8)
block_profile = draw_graph(block, minigrad.randn(2, 8, 16, 16), profile=True, shade_by="macs")

# %%
# Writing files
# -------------
# Every graph is a ``graphviz.Digraph``: ``render`` writes it as SVG, PNG, PDF or DOT
# (the DOT text needs no Graphviz install), and in Jupyter a graph displays itself.
# The same pictures from the command line::
#
#     minigrad graph lenet5 --input 1,32,32 -o lenet5.svg
#     minigrad graph lenet5 --input 1,32,32 --backward -o lenet5_backward.svg
#     minigrad graph resnet18 --input 3,64,64 --depth 2 -o resnet18.svg
import os  # noqa: E402
import tempfile  # noqa: E402

folder = tempfile.mkdtemp()
for name, graph in [("mlp_forward.svg", mlp_forward), ("lenet5_backward.dot", lenet_backward)]:
    path = render(graph, os.path.join(folder, name))
    print(os.path.basename(path), os.path.getsize(path), "bytes")
print(lenet_folded.source.splitlines()[0], "...", len(lenet_folded.source.splitlines()), "lines of DOT")
