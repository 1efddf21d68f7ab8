"""Datasets in torchvision's style: ``Dataset(root, train=True, transform=None, target_transform=None)``.

``Digits`` ships with minigrad (no files needed); ``MNIST``, ``FashionMNIST`` and
``CIFAR10`` read the standard files from a local folder. minigrad never downloads:
``download=True`` is accepted for compatibility, and a missing file raises
FileNotFoundError naming the path it was expected at.

Samples are ``(image, target)`` with an int target. Digits images are (1, S, S) float32
tensors in [0, 1]; MNIST-style images are (H, W) uint8 arrays and CIFAR10 images
(32, 32, 3) uint8 arrays, the stand-ins for torchvision's PIL images, which
``transforms.ToTensor()`` turns into float tensors.
"""

from __future__ import annotations

import functools
import gzip
import os
from typing import Any, Callable

import numpy as np

from .tensor import Tensor
from .transforms import InterpolationMode, _resize
from .utils.data import Dataset

__all__ = ["VisionDataset", "Digits", "MNIST", "FashionMNIST", "CIFAR10", "read_idx"]

_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class VisionDataset(Dataset):
    """Base of the image datasets: keeps ``root`` and the transforms, applies them, prints a summary.

    Args:
        root (str or path, optional): the folder of the data files.
        transform (callable, optional): applied to each image. Default: None.
        target_transform (callable, optional): applied to each target. Default: None.

    Example:
        >>> class Blank(VisionDataset):
        ...     train = True
        ...
        ...     def __len__(self):
        ...         return 3
        ...
        ...     def __getitem__(self, index):
        ...         return self._sample(np.zeros((2, 2), np.uint8), index)
        >>> ds = Blank(None, target_transform=lambda y: y * 10)
        >>> ds[2][1]
        20
        >>> print(ds)
        Dataset Blank
            Number of datapoints: 3
            Split: Train
            Target transform: <function <lambda> at ...>
    """

    def __init__(
        self,
        root: str | os.PathLike | None,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
    ) -> None:
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        self.transform = transform
        self.target_transform = target_transform

    def _sample(self, image, target):
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _missing(self, path, download):
        hint = " (minigrad never downloads: place the file there yourself)" if download else ""
        return FileNotFoundError(f"{type(self).__name__}: dataset file not found: {path}{hint}")

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        lines.append(f"    Split: {'Train' if self.train else 'Test'}")
        for name in ("transform", "target_transform"):
            if getattr(self, name) is not None:
                lines.append(f"    {name.replace('_', ' ').capitalize()}: {getattr(self, name)!r}")
        return "\n".join(lines)


# ---- the embedded digits ----------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _digits_arrays():
    table = np.loadtxt(os.path.join(_DATA_DIR, "digits.csv.gz"), delimiter=",", dtype=np.uint8)
    return table[:, :64].reshape(-1, 8, 8), table[:, 64].astype(np.int64)


class Digits(VisionDataset):
    """The 1797 handwritten 8x8 digits (UCI optdigits, as scikit-learn ships them), embedded in minigrad.

    A fixed split (a permutation with seed 0, independent of ``manual_seed``) puts 1438
    images in the training set and 359 (one fifth) in the test set. Images are (1, S, S)
    float32 tensors with the 0..16 pixel counts scaled to [0, 1]; ``size`` upscales them
    bilinearly (``Digits(size=32)`` gives LeNet-5's 1x32x32 inputs).

    Args:
        root: ignored (the data is part of minigrad); accepted for torchvision's signature.
        train (bool): the training split (default) or the test split.
        transform, target_transform (callable, optional): applied to each image / target.
        download (bool): ignored; nothing is ever downloaded.
        size (int): side of the returned images. Default: 8.

    Attributes:
        split_seed (int): the seed of the fixed train/test split (0).

    Example:
        >>> ds = Digits(train=False, size=32)
        >>> len(ds), ds[0][0].shape, ds[0][1]
        (359, minigrad.Size([1, 32, 32]), 2)
    """

    classes = [str(d) for d in range(10)]
    split_seed = 0

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        download: bool = False,
        size: int = 8,
    ) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        self.size = size
        images, labels = _digits_arrays()
        order = np.random.default_rng(self.split_seed).permutation(len(labels))
        n_test = len(labels) // 5
        index = np.sort(order[n_test:] if train else order[:n_test])
        data = images[index][:, None].astype(np.float32) / np.float32(16)
        if size != 8:
            data = _resize(data, (size, size), InterpolationMode.BILINEAR)
        self.data = Tensor._make(np.ascontiguousarray(data))
        self.targets = Tensor._make(labels[index])

    def __len__(self) -> int:
        return len(self.targets._array)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._sample(Tensor._make(self.data._array[index]), int(self.targets._array[index]))


# ---- MNIST and Fashion-MNIST (IDX files) ------------------------------------------------------

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str) -> np.ndarray:
    """The array in an IDX file (raw or gzip-compressed), as in the MNIST distribution.

    Args:
        path (str): the file; a name ending in ``.gz`` is decompressed.

    Returns:
        numpy.ndarray: of the shape and dtype the file's header gives.

    Example:
        >>> import os, tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> def write_idx(path, array):  # magic 0, 0, 0x08 (uint8), ndim; big-endian sizes
        ...     sizes = b"".join(n.to_bytes(4, "big") for n in array.shape)
        ...     with open(path, "wb") as f:
        ...         f.write(bytes([0, 0, 8, array.ndim]) + sizes + array.tobytes())
        >>> write_idx(os.path.join(tmp.name, "labels"), np.array([7, 2, 1], np.uint8))
        >>> read_idx(os.path.join(tmp.name, "labels"))
        array([7, 2, 1], dtype=uint8)
        >>> tmp.cleanup()
    """
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise RuntimeError(f"{path}: cannot read the IDX file ({e})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise RuntimeError(
            f"{path}: IDX file of shape {list(shape)} should be {expected} bytes, but it is "
            f"{len(raw)} (truncated or corrupt)"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """MNIST from the IDX files in ``root/MNIST/raw/`` (raw or ``.gz``).

    The files are ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (60,000
    training images), ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (10,000
    test images). ``data`` is an (N, 28, 28) uint8 tensor and ``targets`` an int64 one;
    samples are (28, 28) uint8 arrays with an int label.

    Args:
        root (str or path): the folder holding ``MNIST/raw/``.
        train (bool): the training files (default) or the test files.
        transform (callable, optional): applied to each image. Default: None.
        target_transform (callable, optional): applied to each label. Default: None.
        download (bool): accepted for compatibility; nothing is downloaded. Default: False.

    Example:
        >>> import os, tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> def write_idx(path, array):  # magic 0, 0, 0x08 (uint8), ndim; big-endian sizes
        ...     sizes = b"".join(n.to_bytes(4, "big") for n in array.shape)
        ...     with open(path, "wb") as f:
        ...         f.write(bytes([0, 0, 8, array.ndim]) + sizes + array.tobytes())
        >>> raw = os.path.join(tmp.name, "MNIST", "raw")
        >>> os.makedirs(raw)
        >>> write_idx(os.path.join(raw, "t10k-images-idx3-ubyte"), np.zeros((2, 28, 28), np.uint8))
        >>> write_idx(os.path.join(raw, "t10k-labels-idx1-ubyte"), np.array([7, 2], np.uint8))
        >>> ds = MNIST(tmp.name, train=False)
        >>> len(ds), ds[1][0].shape, ds.classes[ds[1][1]]
        (2, (28, 28), '2 - two')
        >>> tmp.cleanup()
    """

    files = {
        True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    }
    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        images_file, labels_file = (self._find(name, download) for name in self.files[train])
        images, labels = read_idx(images_file), read_idx(labels_file)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise RuntimeError(
                f"{type(self).__name__}: {images_file} holds {list(images.shape)} images but "
                f"{labels_file} holds {list(labels.shape)} labels"
            )
        self.data = Tensor._make(images)
        self.targets = Tensor._make(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        """The folder of the IDX files: ``root/<class name>/raw``."""
        return os.path.join(self.root, type(self).__name__, "raw")

    def _find(self, name, download):
        path = os.path.join(self.raw_folder, name)
        for candidate in (path, path + ".gz"):
            if os.path.isfile(candidate):
                return candidate
        raise self._missing(f"{path} (or {name}.gz)", download)

    def __len__(self) -> int:
        return len(self.targets._array)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._sample(self.data._array[index], int(self.targets._array[index]))


class FashionMNIST(MNIST):
    """Fashion-MNIST: MNIST's file names and layout, under ``root/FashionMNIST/raw/``.

    Args:
        root (str or path): the folder holding ``FashionMNIST/raw/``.
        train (bool): the training files (default) or the test files.
        transform (callable, optional): applied to each image. Default: None.
        target_transform (callable, optional): applied to each label. Default: None.
        download (bool): accepted for compatibility; nothing is downloaded. Default: False.

    Example:
        >>> import os, tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> def write_idx(path, array):  # magic 0, 0, 0x08 (uint8), ndim; big-endian sizes
        ...     sizes = b"".join(n.to_bytes(4, "big") for n in array.shape)
        ...     with open(path, "wb") as f:
        ...         f.write(bytes([0, 0, 8, array.ndim]) + sizes + array.tobytes())
        >>> raw = os.path.join(tmp.name, "FashionMNIST", "raw")
        >>> os.makedirs(raw)
        >>> write_idx(os.path.join(raw, "t10k-images-idx3-ubyte"), np.zeros((2, 28, 28), np.uint8))
        >>> write_idx(os.path.join(raw, "t10k-labels-idx1-ubyte"), np.array([7, 2], np.uint8))
        >>> ds = FashionMNIST(tmp.name, train=False)
        >>> len(ds), ds[1][0].shape, ds.classes[ds[1][1]]
        (2, (28, 28), 'Pullover')
        >>> tmp.cleanup()
    """

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---- CIFAR-10 (binary version) ----------------------------------------------------------------


class CIFAR10(VisionDataset):
    """CIFAR-10 from the binary version in ``root/cifar-10-batches-bin/``.

    Training images come from ``data_batch_1.bin`` ... ``data_batch_5.bin`` (50,000), test
    images from ``test_batch.bin`` (10,000). Each record is one label byte followed by
    3072 bytes: the red, green and blue 32x32 planes. ``data`` is an (N, 32, 32, 3) uint8
    array and ``targets`` a list of ints, as in torchvision.

    Args:
        root (str or path): the folder holding ``cifar-10-batches-bin/``.
        train (bool): the training files (default) or the test files.
        transform (callable, optional): applied to each image. Default: None.
        target_transform (callable, optional): applied to each label. Default: None.
        download (bool): accepted for compatibility; nothing is downloaded. Default: False.

    Attributes:
        base_folder (str): the subfolder of ``root`` with the ``.bin`` files.

    Example:
        >>> import os, tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> os.makedirs(os.path.join(tmp.name, "cifar-10-batches-bin"))
        >>> record = np.zeros(1 + 3 * 32 * 32, np.uint8)  # a label byte, then R, G, B planes
        >>> record[0], record[1] = 3, 255  # a cat whose top-left pixel is red
        >>> record.tofile(os.path.join(tmp.name, "cifar-10-batches-bin", "test_batch.bin"))
        >>> ds = CIFAR10(tmp.name, train=False)
        >>> image, label = ds[0]
        >>> image.shape, image[0, 0], ds.classes[label]
        ((32, 32, 3), array([255,   0,   0], dtype=uint8), 'cat')
        >>> tmp.cleanup()
    """

    base_folder = "cifar-10-batches-bin"
    train_list = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list = ["test_batch.bin"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    _record = 1 + 3 * 32 * 32

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        images, labels = [], []
        for name in self.train_list if train else self.test_list:
            path = os.path.join(self.root, self.base_folder, name)
            if not os.path.isfile(path):
                raise self._missing(path, download)
            raw = np.fromfile(path, dtype=np.uint8)
            if raw.size == 0 or raw.size % self._record:
                raise RuntimeError(
                    f"{path}: {raw.size} bytes is not a whole number of {self._record}-byte CIFAR-10 "
                    "records (truncated or corrupt)"
                )
            records = raw.reshape(-1, self._record)
            labels.extend(records[:, 0].tolist())
            images.append(records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        self.data = np.ascontiguousarray(np.concatenate(images))
        self.targets = labels

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._sample(self.data[index], self.targets[index])
