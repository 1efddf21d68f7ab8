"""The d2l textbook's convolution chapters, in our own words: cross-correlation by hand, a
Conv2D module built on it, learning an edge kernel with a LazyConv2d updated through
.data, output shapes under padding and strides, multi-channel correlation with torch.stack,
1x1 convolution as a matmul, and pooling by hand against nn.MaxPool2d / AvgPool2d.
Numbers are PyTorch's from the same weights."""

from tutorial_support import run_both


def corr2d(torch, X, K):
    """2-D cross-correlation, one output element at a time."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


def cross_correlation(torch, same_weights):
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])

    class Conv2D(torch.nn.Module):
        def __init__(self, kernel_size):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.rand(kernel_size))
            self.bias = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return corr2d(torch, x, self.weight) + self.bias

    edges = torch.ones((6, 8))
    edges[:, 2:6] = 0
    K_edge = torch.tensor([[1.0, -1.0]])
    Y = corr2d(torch, edges, K_edge)
    layer = same_weights(Conv2D((1, 2)))
    out = layer(edges)
    out.sum().backward()
    return (
        corr2d(torch, X, K).tolist(),
        Y.tolist(),
        corr2d(torch, edges.t(), K_edge).tolist(),
        out.tolist(),
        layer.weight.grad.tolist(),
    )


def learn_kernel(torch, same_weights):
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    Y = corr2d(torch, X, torch.tensor([[1.0, -1.0]]))
    conv2d = torch.nn.LazyConv2d(1, kernel_size=(1, 2), bias=False)
    X = X.reshape((1, 1, 6, 8))
    Y = Y.reshape((1, 1, 6, 7))
    conv2d(X)
    conv2d = same_weights(conv2d)
    lr, losses = 3e-2, []
    for i in range(10):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741  (the book's name)
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        if (i + 1) % 2 == 0:
            losses.append(f"epoch {i + 1}, loss {l.sum():.3f}")
    return losses, conv2d.weight.data.reshape((1, 2)).tolist()


def padding_and_strides(torch, same_weights):
    def comp_conv2d(conv2d, X):
        X = X.reshape((1, 1) + X.shape)
        Y = conv2d(X)
        return Y.reshape(Y.shape[2:])

    nn = torch.nn
    X = torch.rand(size=(8, 8))
    shapes = [
        comp_conv2d(nn.LazyConv2d(1, kernel_size=3, padding=1), X).shape,
        comp_conv2d(nn.LazyConv2d(1, kernel_size=(5, 3), padding=(2, 1)), X).shape,
        comp_conv2d(nn.LazyConv2d(1, kernel_size=3, padding=1, stride=2), X).shape,
        comp_conv2d(nn.LazyConv2d(1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), X).shape,
    ]
    return [tuple(s) for s in shapes], [s == (4, 4) for s in shapes]


def channels(torch, same_weights):
    def corr2d_multi_in(X, K):
        return sum(corr2d(torch, x, k) for x, k in zip(X, K))

    def corr2d_multi_in_out(X, K):
        return torch.stack([corr2d_multi_in(X, k) for k in K], 0)

    def corr2d_multi_in_out_1x1(X, K):
        c_i, h, w = X.shape
        c_o = K.shape[0]
        X = X.reshape((c_i, h * w))
        K = K.reshape((c_o, c_i))
        Y = torch.matmul(K, X)
        return Y.reshape((c_o, h, w))

    X = torch.tensor(
        [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]
    )
    K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    K3 = torch.stack((K, K + 1, K + 2), 0)
    X2 = torch.normal(0, 1, (3, 3, 3))
    K2 = torch.normal(0, 1, (2, 3, 1, 1))
    Y1 = corr2d_multi_in_out_1x1(X2, K2)
    Y2 = corr2d_multi_in_out(X2, K2)
    return (
        corr2d_multi_in(X, K).tolist(),
        tuple(K3.shape),
        corr2d_multi_in_out(X, K3).tolist(),
        float(torch.abs(Y1 - Y2).sum()) < 1e-6,
    )


def pooling(torch, same_weights):
    def pool2d(X, pool_size, mode="max"):
        p_h, p_w = pool_size
        Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                if mode == "max":
                    Y[i, j] = X[i : i + p_h, j : j + p_w].max()
                elif mode == "avg":
                    Y[i, j] = X[i : i + p_h, j : j + p_w].mean()
        return Y

    nn = torch.nn
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    X4 = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
    X8 = torch.cat((X4, X4 + 1), 1)
    return (
        pool2d(X, (2, 2)).tolist(),
        pool2d(X, (2, 2), "avg").tolist(),
        nn.MaxPool2d(3)(X4).tolist(),
        nn.MaxPool2d(3, padding=1, stride=2)(X4).tolist(),
        nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X4).tolist(),
        nn.MaxPool2d(3, padding=1, stride=2)(X8).tolist(),
        nn.AvgPool2d(2)(X8).tolist(),
    )


def test_cross_correlation(torch):
    run_both(cross_correlation, torch)


def test_learn_kernel(torch):
    run_both(learn_kernel, torch)


def test_padding_and_strides(torch):
    run_both(padding_and_strides, torch)


def test_channels(torch):
    run_both(channels, torch)


def test_pooling(torch):
    run_both(pooling, torch)
