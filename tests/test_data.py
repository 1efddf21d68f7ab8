"""utils.data (DataLoader, samplers, collate, random_split), transforms and dataset readers."""

import collections
import gzip
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import datasets
from minigrad import transforms as T
from minigrad.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _dataset(n=10):
    return TensorDataset(minigrad.arange(n * 3).reshape(n, 3).float(), minigrad.arange(n))


def _order(loader):
    return [int(i) for _, y in loader for i in y.tolist()]


# ---- DataLoader --------------------------------------------------------------------------------


def test_batches_shapes_and_len():
    loader = DataLoader(_dataset(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [tuple(x.shape) for x, _ in batches] == [(4, 3), (4, 3), (2, 3)]
    assert batches[0][1].dtype == minigrad.int64 and batches[0][0].dtype == minigrad.float32
    assert _order(loader) == list(range(10))


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), drop_last=st.booleans(), shuffle=st.booleans())
def test_every_sample_once_per_epoch(n, batch_size, drop_last, shuffle):
    loader = DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last, shuffle=shuffle)
    seen = [i for batch in loader for i in batch.tolist()]
    kept = n - n % batch_size if drop_last else n
    assert len(seen) == kept and len(set(seen)) == kept and len(loader) == -(-kept // batch_size)
    assert all(len(b) == batch_size for b in list(loader)[: kept // batch_size])


def test_drop_last():
    loader = DataLoader(_dataset(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [tuple(y.shape) for _, y in loader] == [(4,), (4,)]


def test_shuffle_follows_manual_seed():
    ds = _dataset(20)
    minigrad.manual_seed(7)
    loader = DataLoader(ds, batch_size=6, shuffle=True)
    first, second = _order(loader), _order(loader)
    minigrad.manual_seed(7)
    assert _order(DataLoader(ds, batch_size=6, shuffle=True)) == first
    assert sorted(first) == list(range(20)) and first != list(range(20))
    assert first != second  # a new order every epoch


def test_shuffle_with_explicit_generator_ignores_global_state():
    ds = _dataset(20)
    orders = []
    for global_seed in (1, 2):
        minigrad.manual_seed(global_seed)
        g = minigrad.Generator().manual_seed(3)
        orders.append(_order(DataLoader(ds, batch_size=5, shuffle=True, generator=g)))
    assert orders[0] == orders[1]


def test_sampler_and_batch_sampler():
    ds = _dataset(10)
    assert _order(DataLoader(ds, batch_size=3, sampler=[9, 1, 4])) == [9, 1, 4]
    loader = DataLoader(ds, batch_sampler=[[0, 1], [5]])
    assert [y.tolist() for _, y in loader] == [[0, 1], [5]] and loader.batch_size is None
    batches = list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=False))
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    drawn = list(RandomSampler(range(5), replacement=True, num_samples=12))
    assert len(drawn) == 12 and all(0 <= i < 5 for i in drawn)


def test_loader_argument_errors():
    ds = _dataset(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="num_workers=2"):
        DataLoader(ds, num_workers=2)


def test_collate_fn_is_used():
    loader = DataLoader(_dataset(4), batch_size=2, collate_fn=lambda batch: len(batch))
    assert list(loader) == [2, 2]


def test_default_collate_structures():
    Point = collections.namedtuple("Point", "x y")
    batch = [
        {"image": np.zeros((2, 2), np.uint8), "label": 1, "weight": 0.5, "name": "a", "p": Point(1, 2.0)},
        {"image": np.ones((2, 2), np.uint8), "label": 2, "weight": 1.5, "name": "b", "p": Point(3, 4.0)},
    ]
    out = default_collate(batch)
    assert out["image"].shape == (2, 2, 2) and out["image"].dtype == minigrad.uint8
    assert out["label"].dtype == minigrad.int64 and out["label"].tolist() == [1, 2]
    assert out["weight"].dtype == minigrad.float64 and out["name"] == ["a", "b"]
    assert isinstance(out["p"], Point) and out["p"].y.tolist() == [2.0, 4.0]
    pairs = default_collate([(minigrad.zeros(3), 0), (minigrad.ones(3), 1)])
    assert isinstance(pairs, list) and pairs[0].shape == (2, 3) and pairs[1].tolist() == [0, 1]
    assert default_collate([[1, 2], [3, 4]])[1].tolist() == [2, 4]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_collated_batches_do_not_record():
    x = minigrad.randn(4, 2, requires_grad=True)
    batch = default_collate([x[0], x[1]])
    assert batch.grad_fn is None and not batch.requires_grad


# ---- datasets and random_split -------------------------------------------------------------------


def test_tensor_dataset_subset_concat():
    ds = _dataset(5)
    assert len(ds) == 5 and ds[2][1].item() == 2 and ds[2][0].tolist() == [6.0, 7.0, 8.0]
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
        TensorDataset(minigrad.zeros(3), minigrad.zeros(4))
    sub = Subset(ds, [4, 0])
    assert len(sub) == 2 and sub[0][1].item() == 4
    both = ds + sub
    assert isinstance(both, ConcatDataset) and len(both) == 7 and both[5][1].item() == 4 and both[-1][1].item() == 0


@pytest.mark.parametrize("n,lengths", [(10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (11, [0.8, 0.2]), (9, [3, 6])])
def test_random_split_lengths_match_torch(n, lengths, torch):
    ours = [len(s) for s in random_split(range(n), lengths)]
    theirs = [len(s) for s in torch.utils.data.random_split(range(n), lengths)]
    assert ours == theirs


def test_random_split_is_a_seeded_partition():
    parts = random_split(range(20), [5, 15], generator=minigrad.Generator().manual_seed(0))
    again = random_split(range(20), [5, 15], generator=minigrad.Generator().manual_seed(0))
    assert [list(p) for p in parts] == [list(p) for p in again]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(20))
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(range(20), [5, 10])


def test_dataset_base_requires_getitem():
    with pytest.raises(NotImplementedError):
        Dataset()[0]


# ---- transforms ----------------------------------------------------------------------------------


def test_to_tensor(rng):
    img = rng.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
    t = T.ToTensor()(img)
    assert t.shape == (3, 4, 5) and t.dtype == minigrad.float32
    np.testing.assert_allclose(t._array, img.transpose(2, 0, 1) / 255, rtol=1e-6)
    assert T.ToTensor()(img[:, :, 0]).shape == (1, 4, 5)
    assert T.ToTensor()(np.zeros((2, 2, 1), np.float64)).dtype == minigrad.float64
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()(t)


def test_normalize(rng):
    x = minigrad.tensor(rng.random((2, 3, 4, 4)).astype(np.float32))
    mean, std = (0.1, 0.2, 0.3), (0.5, 1.0, 2.0)
    out = T.Normalize(mean, std)(x)
    want = (x._array - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    np.testing.assert_allclose(out._array, want, rtol=1e-6)
    assert out is not x and T.Normalize(mean, std, inplace=True)(x) is x
    np.testing.assert_allclose(x._array, want, rtol=1e-6)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0,), (0,))(minigrad.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize((0,), (1,))(minigrad.zeros(1, 2, 2, dtype=minigrad.int64))


@pytest.mark.parametrize(
    "padding,mode", [(1, "constant"), ((1, 2), "edge"), ((1, 2, 3, 0), "reflect"), (2, "symmetric")]
)
def test_pad(padding, mode, rng, torch):
    x = rng.random((2, 4, 5)).astype(np.float32)
    out = T.Pad(padding, fill=0.0, padding_mode=mode)(minigrad.tensor(x))
    left, top, right, bottom = T._padding4(padding)
    torch_mode = {"constant": "constant", "edge": "replicate", "reflect": "reflect", "symmetric": None}[mode]
    if torch_mode is None:
        want = np.pad(x, [(0, 0), (top, bottom), (left, right)], mode="symmetric")
    else:
        want = torch.nn.functional.pad(torch.tensor(x)[None], (left, right, top, bottom), mode=torch_mode)[0].numpy()
    np.testing.assert_array_equal(out._array, want)
    hwc = T.Pad(padding, padding_mode=mode)(np.moveaxis(x, 0, -1))
    np.testing.assert_array_equal(hwc, np.moveaxis(want, 0, -1))


@pytest.mark.parametrize("size", [(8, 12), (3, 2), (5, 5), (4, 7)])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_resize_matches_interpolate(size, mode, rng, torch):
    x = rng.random((2, 3, 4, 5)).astype(np.float32)
    out = T.Resize(size, interpolation=mode)(minigrad.tensor(x))
    kwargs = dict(align_corners=False, antialias=False) if mode == "bilinear" else {}
    want = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode=mode, **kwargs).numpy()
    np.testing.assert_allclose(out._array, want, rtol=1e-5, atol=1e-6)


def test_resize_int_keeps_aspect_and_uint8(rng):
    img = rng.integers(0, 256, size=(4, 8, 3), dtype=np.uint8)
    out = T.Resize(8)(img)
    assert out.shape == (8, 16, 3) and out.dtype == np.uint8
    assert T.Resize(6)(minigrad.zeros(1, 9, 3)).shape == (1, 18, 6)
    assert T.Resize((4, 8))(img) is img


def test_center_and_random_crop(rng):
    x = minigrad.tensor(rng.random((1, 6, 6)).astype(np.float32))
    np.testing.assert_array_equal(T.CenterCrop(2)(x)._array, x._array[:, 2:4, 2:4])
    minigrad.manual_seed(3)
    a = T.RandomCrop(6, padding=2)(x)
    minigrad.manual_seed(3)
    b = T.RandomCrop(6, padding=2)(x)
    assert a.shape == (1, 6, 6) and np.array_equal(a._array, b._array)
    padded = np.pad(x._array, [(0, 0), (2, 2), (2, 2)])
    windows = [padded[:, i : i + 6, j : j + 6] for i in range(5) for j in range(5)]
    assert any(np.array_equal(a._array, w) for w in windows)
    seen = {T.RandomCrop(6, padding=2)(x)._array.tobytes() for _ in range(30)}
    assert len(seen) > 5
    assert T.RandomCrop(8, pad_if_needed=True)(x).shape == (1, 8, 8)
    with pytest.raises(ValueError, match=r"Required crop size \(8, 8\) is larger than input image size \(6, 6\)"):
        T.RandomCrop(8)(x)


def test_flips():
    img = np.arange(12, dtype=np.uint8).reshape(2, 3, 2)  # HWC
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(img), img[:, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(img[..., 0]), img[:, ::-1, 0])  # HW
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(img), img[::-1])
    assert T.RandomHorizontalFlip(p=0.0)(img) is img
    x = minigrad.arange(6).reshape(1, 2, 3)
    assert T.RandomHorizontalFlip(p=1.0)(x).tolist() == [[[2, 1, 0], [5, 4, 3]]]


def test_rotation_by_90_degrees_is_rot90():
    x = np.arange(25, dtype=np.float32).reshape(1, 5, 5)
    out = T.RandomRotation((90, 90))(minigrad.tensor(x))
    np.testing.assert_array_equal(out._array[0], np.rot90(x[0]))  # counter-clockwise
    hwc = T.RandomRotation((-90, -90))(np.moveaxis(x, 0, -1).astype(np.uint8))
    np.testing.assert_array_equal(hwc[..., 0], np.rot90(x[0], k=-1))


@pytest.mark.parametrize("angle", [17.0, -40.0])
def test_bilinear_rotation_matches_grid_sample(angle, rng, torch):
    """torchvision's tensor path: grid_sample (zeros padding, align_corners=False) times the sampled mask."""
    x = rng.random((2, 7, 7)).astype(np.float32)
    out = T.RandomRotation((angle, angle), interpolation="bilinear")(minigrad.tensor(x))
    rad = np.radians(-angle)  # rotate(angle) is the affine map with -angle (clockwise convention)
    inverse = np.linalg.inv(np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]]))
    theta = torch.tensor(np.hstack([inverse, np.zeros((2, 1))])[None], dtype=torch.float32)
    grid = torch.nn.functional.affine_grid(theta, (1, 3, 7, 7), align_corners=False)
    stacked = torch.tensor(np.concatenate([x, np.ones((1, 7, 7), np.float32)]))[None]
    sampled = torch.nn.functional.grid_sample(
        stacked, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )[0].numpy()
    np.testing.assert_allclose(out._array, sampled[:2] * sampled[2:], rtol=1e-5, atol=1e-6)


def test_random_affine_translate_and_scale():
    x = np.zeros((1, 7, 7), np.float32)
    x[0, 3, 3] = 1.0
    shifted = T.RandomAffine(0, translate=(0.3, 0.3))
    minigrad.manual_seed(0)
    angle, (tx, ty), scale, shear = shifted.get_params(7, 7)
    assert angle == 0 and scale == 1.0 and shear == (0.0, 0.0) and abs(tx) <= 2.1 and abs(ty) <= 2.1
    minigrad.manual_seed(0)
    out = shifted(minigrad.tensor(x))._array
    assert out[0, 3 + ty, 3 + tx] == 1.0 and out.sum() == 1.0
    zoom = T.RandomAffine(0, scale=(3.0, 3.0))(minigrad.tensor(x))._array
    assert zoom[0, 2:5, 2:5].sum() == 9.0 and zoom.sum() == 9.0
    sheared = T.RandomAffine(0, shear=(40, 40, -5, -5), interpolation="bilinear", fill=0.5)(minigrad.tensor(x))
    assert sheared.shape == (1, 7, 7) and (sheared._array == 0.5).any() and sheared._array.max() > 0.5
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))


def test_random_resized_crop(rng):
    x = minigrad.tensor(rng.random((3, 20, 30)).astype(np.float32))
    t = T.RandomResizedCrop(8, scale=(0.2, 0.5))
    minigrad.manual_seed(1)
    top, left, h, w = t.get_params(20, 30)
    assert 0.2 * 600 * 0.7 <= h * w <= 0.5 * 600 * 1.3 and 3 / 4 - 0.1 <= w / h <= 4 / 3 + 0.1
    minigrad.manual_seed(1)
    out = t(x)
    want = T.Resize((8, 8))(minigrad.tensor(x._array[:, top : top + h, left : left + w]))
    np.testing.assert_array_equal(out._array, want._array)
    # impossible ranges fall back to the largest central window of an allowed ratio
    assert T.RandomResizedCrop(4, scale=(2.0, 3.0), ratio=(1.0, 1.0)).get_params(20, 30) == (0, 5, 20, 20)
    assert T.RandomResizedCrop((5, 6))(rng.integers(0, 255, (9, 9), dtype=np.uint8)).shape == (5, 6)


def test_color_jitter(rng):
    red = np.zeros((2, 2, 3), np.uint8)
    red[..., 0] = 255
    np.testing.assert_array_equal(T.ColorJitter(hue=(1 / 3, 1 / 3))(red)[0, 0], [0, 255, 0])  # red -> green
    gray = np.full((2, 2, 3), 100, np.uint8)
    np.testing.assert_array_equal(T.ColorJitter(hue=0.5)(gray), gray)  # grey has no hue
    x = minigrad.tensor(rng.random((3, 4, 4)).astype(np.float32))
    np.testing.assert_allclose(T.ColorJitter(brightness=(0.5, 0.5))(x)._array, 0.5 * x._array, rtol=1e-6)
    luma = 0.2989 * x._array[0] + 0.587 * x._array[1] + 0.114 * x._array[2]
    flat = T.ColorJitter(contrast=(0.0, 0.0))(x)._array
    np.testing.assert_allclose(flat, np.full_like(flat, luma.mean()), rtol=1e-5)
    desaturated = T.ColorJitter(saturation=(0.0, 0.0))(x)._array
    np.testing.assert_allclose(desaturated, np.broadcast_to(luma, (3, 4, 4)), rtol=1e-5)
    bright = T.ColorJitter(brightness=(3.0, 3.0))(np.full((2, 2), 100, np.uint8))
    assert bright.dtype == np.uint8 and bright.tolist() == [[255, 255], [255, 255]]  # clipped
    jittered = T.ColorJitter(0.4, 0.4, 0.4, 0.1)(x)
    assert jittered.shape == (3, 4, 4) and 0 <= jittered._array.min() and jittered._array.max() <= 1
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)


def test_compose_notes_pipeline(rng):
    minigrad.manual_seed(0)
    pipeline = T.Compose(
        [
            T.RandomCrop(32, padding=4),
            T.RandomHorizontalFlip(),
            T.RandomRotation(10),
            T.ToTensor(),
            T.Normalize((0.5,) * 3, (0.5,) * 3),
        ]
    )
    out = pipeline(rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8))
    assert out.shape == (3, 32, 32) and out.dtype == minigrad.float32
    assert -1.0 <= out._array.min() and out._array.max() <= 1.0
    assert "RandomCrop" in repr(pipeline)
    batch = T.RandomHorizontalFlip(1.0)(minigrad.zeros(4, 3, 8, 8))
    assert batch.shape == (4, 3, 8, 8)


# ---- Digits ----------------------------------------------------------------------------------


def test_digits_split_and_shapes():
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert (len(train), len(test)) == (1438, 359)
    image, label = train[0]
    assert isinstance(image, minigrad.Tensor) and image.shape == (1, 8, 8) and image.dtype == minigrad.float32
    assert isinstance(label, int) and 0 <= image._array.min() and image._array.max() <= 1.0
    assert set(train.targets.tolist()) == set(range(10)) == set(test.targets.tolist())
    minigrad.manual_seed(123)  # the split does not depend on the global seed
    assert datasets.Digits(train=False).targets.tolist() == test.targets.tolist()


def test_digits_upscaled_and_transforms():
    ds = datasets.Digits(train=False, size=32, transform=T.Normalize((0.5,), (0.5,)), target_transform=lambda y: -y)
    image, label = ds[3]
    assert image.shape == (1, 32, 32) and label == -int(ds.targets._array[3])
    assert image._array.min() >= -1.0 and "Split: Test" in repr(ds)
    x, y = next(iter(DataLoader(datasets.Digits(size=32), batch_size=64, shuffle=True)))
    assert x.shape == (64, 1, 32, 32) and y.shape == (64,) and y.dtype == minigrad.int64


# ---- MNIST / FashionMNIST / CIFAR10 readers on files the tests write ---------------------------


def _idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_mnist(root, name, train, images, labels, compress):
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    prefix = "train" if train else "t10k"
    for suffix, array in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
        path = os.path.join(raw, f"{prefix}-{suffix}")
        data = _idx_bytes(array)
        if compress:
            with gzip.open(path + ".gz", "wb") as f:
                f.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)


@pytest.mark.parametrize(
    "cls,compress", [(datasets.MNIST, False), (datasets.MNIST, True), (datasets.FashionMNIST, True)]
)
def test_mnist_reader(cls, compress, tmp_path, rng):
    images = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9], np.uint8)
    _write_mnist(tmp_path, cls.__name__, False, images, labels, compress)
    ds = cls(str(tmp_path), train=False, transform=T.ToTensor())
    assert len(ds) == 6 and ds.data.dtype == minigrad.uint8 and ds.targets.tolist() == labels.tolist()
    image, label = ds[2]
    assert image.shape == (1, 28, 28) and label == 4
    np.testing.assert_allclose(image._array[0], images[2] / 255, rtol=1e-6)
    raw_image, _ = cls(tmp_path, train=False)[0]
    assert isinstance(raw_image, np.ndarray) and raw_image.shape == (28, 28)
    with pytest.raises(FileNotFoundError, match=os.path.join(cls.__name__, "raw", "train-images-idx3-ubyte")):
        cls(tmp_path, train=True, download=True)


def test_mnist_corrupt_files(tmp_path, rng):
    _write_mnist(tmp_path, "MNIST", True, rng.integers(0, 256, size=(3, 4, 4)), np.zeros(3), False)
    path = os.path.join(tmp_path, "MNIST", "raw", "train-images-idx3-ubyte")
    with open(path, "rb+") as f:
        f.truncate(30)
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        datasets.MNIST(tmp_path)
    with open(path, "wb") as f:
        f.write(b"\x12\x34\x56\x78 not idx")
    with pytest.raises(RuntimeError, match="not an IDX file"):
        datasets.MNIST(tmp_path)
    _write_mnist(tmp_path, "MNIST", True, rng.integers(0, 256, size=(3, 4, 4)), np.zeros(2), False)
    with pytest.raises(RuntimeError, match="3, 4, 4"):
        datasets.MNIST(tmp_path)


def _cifar_records(images, labels):
    planes = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([labels[:, None], planes], axis=1).astype(np.uint8).tobytes()


def test_cifar10_reader(tmp_path, rng):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    batches = []
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        images = rng.integers(0, 256, size=(2, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, size=2).astype(np.uint8)
        (folder / name).write_bytes(_cifar_records(images, labels))
        batches.append((images, labels))
    train = datasets.CIFAR10(tmp_path, train=True)
    assert len(train) == 10 and train.data.shape == (10, 32, 32, 3)
    np.testing.assert_array_equal(train.data[2:4], batches[1][0])
    assert train.targets[2:4] == batches[1][1].tolist()
    test = datasets.CIFAR10(tmp_path, train=False, transform=T.ToTensor())
    image, label = test[1]
    assert image.shape == (3, 32, 32) and label == int(batches[5][1][1])
    np.testing.assert_allclose(image._array[1], batches[5][0][1, :, :, 1] / 255, rtol=1e-6)  # green plane
    (folder / "test_batch.bin").write_bytes(b"\x01" * 100)
    with pytest.raises(RuntimeError, match="test_batch.bin: 100 bytes is not a whole number"):
        datasets.CIFAR10(tmp_path, train=False)
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3.bin"):
        datasets.CIFAR10(tmp_path)
