"""The "learning PyTorch with examples" sequence, in our own words: fitting sin(x) with a
cubic, first with hand-written gradients on tensors, then autograd with updates under
no_grad, a custom autograd Function (the Legendre polynomial P3), an nn.Sequential of
Linear + Flatten, an optimizer, a custom Module, and a Module whose forward uses Python
control flow. Each runs on PyTorch and minigrad from the same weights."""

import math

from tutorial_support import run_both


def points(torch):
    x = torch.linspace(-math.pi, math.pi, 200, dtype=torch.float, device=torch.device("cpu"))
    return x, torch.sin(x)


def starting_coefficients(torch):
    values = [0.1, -0.2, 0.3, -0.05]
    return [torch.tensor(v, dtype=torch.float) for v in values]


def manual_gradients(torch, same_weights):
    x, y = points(torch)
    a, b, c, d = starting_coefficients(torch)
    lr, losses = 1e-5, []
    for _ in range(20):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        a -= lr * grad_y_pred.sum()
        b -= lr * (grad_y_pred * x).sum()
        c -= lr * (grad_y_pred * x**2).sum()
        d -= lr * (grad_y_pred * x**3).sum()
    return losses, [a.item(), b.item(), c.item(), d.item()]


def with_autograd(torch, same_weights):
    x, y = points(torch)
    coefficients = starting_coefficients(torch)
    for t in coefficients:
        t.requires_grad = True
    a, b, c, d = coefficients
    lr, losses = 1e-5, []
    for _ in range(20):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for t in coefficients:
                t -= lr * t.grad
                t.grad = None
    return losses, [t.item() for t in coefficients]


def legendre_function(torch):
    class CubicLegendre(torch.autograd.Function):
        """P3(x) = (5x^3 - 3x) / 2, with its derivative written by hand."""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    return CubicLegendre


def custom_function(torch, same_weights):
    x, y = points(torch)
    a = torch.full((), 0.0, dtype=torch.float, requires_grad=True)
    b = torch.full((), -1.0, dtype=torch.float, requires_grad=True)
    c = torch.full((), 0.0, dtype=torch.float, requires_grad=True)
    d = torch.full((), 0.3, dtype=torch.float, requires_grad=True)
    P3 = legendre_function(torch).apply
    lr, losses = 5e-6, []
    for _ in range(20):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for t in (a, b, c, d):
                t -= lr * t.grad
                t.grad = None
    return losses, [t.item() for t in (a, b, c, d)], P3(x).grad_fn is not None


def nn_package(torch, same_weights):
    x, y = points(torch)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = same_weights(torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    lr, losses = 1e-6, []
    for _ in range(20):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    linear_layer = model[0]
    return losses, linear_layer.bias.item(), [linear_layer.weight[:, i].item() for i in range(3)], xx.shape == (200, 3)


def optim_package(torch, same_weights):
    x, y = points(torch)
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    model = same_weights(torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(20):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def cubic_module(torch):
    class Cubic(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            return (
                f"y = {self.a.item():.3f} + {self.b.item():.3f} x + {self.c.item():.3f} x^2 + {self.d.item():.3f} x^3"
            )

    return Cubic


def custom_module(torch, same_weights):
    x, y = points(torch)
    model = same_weights(cubic_module(torch)())
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    losses = []
    for _ in range(20):
        loss = criterion(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses, [
        float(v)
        for v in model.string().replace(" x^3", "").replace(" x^2", "").replace(" x", "").split("=")[1].split("+")
    ]


def control_flow(torch, same_weights):
    class DynamicCubic(cubic_module(torch)):
        def __init__(self):
            super().__init__()
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x, extra_terms):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, 4 + extra_terms):
                y = y + self.e * x**exp
            return y

    x, y = points(torch)
    model = same_weights(DynamicCubic())
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for step in range(12):
        loss = criterion(model(x, step % 3), y)  # what random.randint picks in the original
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def test_manual_gradients(torch):
    run_both(manual_gradients, torch)


def test_with_autograd(torch):
    run_both(with_autograd, torch)


def test_custom_function(torch):
    run_both(custom_function, torch)


def test_nn_package(torch):
    run_both(nn_package, torch)


def test_optim_package(torch):
    run_both(optim_package, torch)


def test_custom_module(torch):
    run_both(custom_module, torch, atol=2e-3)  # string() rounds to 3 decimals


def test_control_flow(torch):
    run_both(control_flow, torch)
