"""micrograd's PyTorch-side test, in our own words: scalar float64 tensors made with the
legacy constructor, ``requires_grad = True``, ``.relu()``, ``**``, reversed operators, and the
value and gradient read back with ``.item()``; minigrad gives the same numbers."""

from tutorial_support import run_both


def chain_of_scalar_ops(torch, same_weights):
    x = torch.Tensor([-3.0]).double()
    x.requires_grad = True
    s = 3 * x + 1 + x
    t = s.relu() + s * x
    u = (s * s).relu()
    out = u + t + t * x
    out.backward()
    return out.data.item(), x.grad.item(), x.dtype == torch.float64


def more_scalar_ops(torch, same_weights):
    a = torch.Tensor([-3.5]).double()
    b = torch.Tensor([1.5]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    return g.data.item(), a.grad.item(), b.grad.item()


def test_chain_of_scalar_ops(torch):
    run_both(chain_of_scalar_ops, torch, rtol=1e-12, atol=1e-12)


def test_more_scalar_ops(torch):
    run_both(more_scalar_ops, torch, rtol=1e-12, atol=1e-12)
