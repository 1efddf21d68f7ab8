"""Image transforms in the style of torchvision.transforms, on numpy alone.

Notation: an image is either a Tensor of shape (..., C, H, W) (torchvision's tensor
path; leading batch dimensions allowed) or a numpy array of shape (H, W, C) or (H, W),
which plays the part of a PIL image (MNIST and CIFAR10 samples are such arrays).
Geometric transforms (crops, flips, pads, resizing, rotations, affine maps) return the
type, layout and dtype they were given; integer images are interpolated in float32 and
rounded back. ``ToTensor`` turns an (H, W, C) array into a (C, H, W) float tensor and
``Normalize`` works on tensors. Random transforms draw from the global generator that
``minigrad.manual_seed`` seeds. Transforms work on the data and are never recorded by
autograd.

Example (the notes' augmentation for 32x32 images)::

    >>> t = Compose([RandomCrop(32, padding=4), RandomHorizontalFlip(), ToTensor(),
    ...              Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
    >>> t(np.zeros((32, 32, 3), dtype=np.uint8)).shape
    minigrad.Size([3, 32, 32])
"""

from __future__ import annotations

import math
import numbers
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Sequence, Tuple, Union

import numpy as np

from .random import rng_of
from .tensor import Tensor

__all__ = [
    "Compose",
    "Lambda",
    "ToTensor",
    "Normalize",
    "Pad",
    "Resize",
    "CenterCrop",
    "RandomCrop",
    "RandomResizedCrop",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "RandomRotation",
    "RandomAffine",
    "ColorJitter",
    "InterpolationMode",
]

if TYPE_CHECKING:
    Image = Union[Tensor, np.ndarray]  # a (..., C, H, W) Tensor or an (H, W, C) / (H, W) array
    Size = Union[int, Sequence[int]]  # an int or (h, w)
    Range = Union[float, Tuple[float, float]]  # a number d for (-d, d), or (min, max)


class InterpolationMode(str, Enum):
    """Interpolation methods; each member equals its lowercase name (``"bilinear"``).

    Attributes:
        NEAREST: the nearest source pixel.
        BILINEAR: linear in both directions, half-pixel centres.

    Example:
        >>> InterpolationMode.BILINEAR == "bilinear"
        True
    """

    NEAREST = "nearest"
    BILINEAR = "bilinear"


def _interpolation(mode):
    try:
        return InterpolationMode(mode)
    except ValueError:
        raise ValueError(f"interpolation should be 'nearest' or 'bilinear', got {mode!r}") from None


# ---- helpers: every transform works on an array whose last two axes are H and W -------------


def _planes(img):
    """(array with H, W last, function turning such an array back into ``img``'s kind)."""
    if isinstance(img, Tensor):
        return img._array, Tensor._make
    if isinstance(img, np.ndarray):
        if img.ndim == 2:
            return img[None], lambda a: np.ascontiguousarray(a[0])
        if img.ndim == 3:
            return np.moveaxis(img, -1, 0), lambda a: np.ascontiguousarray(np.moveaxis(a, 0, -1))
        raise ValueError(f"img should be a 2 or 3 dimensional (H, W[, C]) array. Got {img.ndim} dimensions.")
    raise TypeError(f"img should be a Tensor or a numpy array. Got {type(img).__name__}")


def _as_dtype(values, dtype):
    """Float results back to the image's dtype: rounded and clipped for integer images."""
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        values = np.clip(np.round(values), info.min, info.max)
    return values.astype(dtype, copy=False)


def _work_dtype(dtype):
    return dtype if np.dtype(dtype).kind == "f" else np.float32


def _pair(value, name):
    """An image size as (h, w), torchvision's way: a number (truncated to int) gives a square."""
    if isinstance(value, numbers.Number):
        return int(value), int(value)
    if len(value) == 1:
        return int(value[0]), int(value[0])
    if len(value) != 2:
        raise ValueError(f"{name} should be an int or a sequence of length 1 or 2, got {value}")
    return int(value[0]), int(value[1])


def _range(value, name):
    """A number d gives (-d, d); a pair is taken as it is."""
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return -float(value), float(value)
    if len(value) != 2:
        raise ValueError(f"If {name} is a sequence, it must be of len 2.")
    return float(value[0]), float(value[1])


# ---- composition ----------------------------------------------------------------------------


class Compose:
    """Apply several transforms one after the other.

    Args:
        transforms (sequence of callable): the transforms, first applied first.

    Example:
        >>> t = Compose([CenterCrop(2), ToTensor()])
        >>> t(np.full((4, 4, 3), 255, dtype=np.uint8)).shape
        minigrad.Size([3, 2, 2])
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({body}\n)"


class Lambda:
    """Apply a user function as a transform.

    Args:
        lambd (callable): ``lambd(img)`` returns the transformed image.

    Example:
        >>> Lambda(lambda x: x * 2)(minigrad.ones(2))
        tensor([2., 2.])
    """

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


# ---- conversion and normalization -----------------------------------------------------------


class ToTensor:
    """Convert an (H, W, C) or (H, W) array (or a PIL image) to a (C, H, W) tensor.

    uint8 values are scaled to float32 in [0, 1]; other dtypes are kept as they are.

    Example:
        >>> image = np.array([[[0, 255]]], dtype=np.uint8)  # (H, W, C) = (1, 1, 2)
        >>> ToTensor()(image)
        tensor([[[0.]],
        <BLANKLINE>
                [[1.]]])
    """

    def __call__(self, pic: np.ndarray | Tensor) -> Tensor:
        if isinstance(pic, Tensor):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        array = np.asarray(pic)
        if array.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
        if array.ndim == 2:
            array = array[:, :, None]
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            chw = chw.astype(np.float32) / np.float32(255)
        return Tensor._make(chw)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class Normalize:
    """Normalize each channel of a (..., C, H, W) float tensor: ``(x - mean[c]) / std[c]``.

    Args:
        mean (sequence): per-channel means.
        std (sequence): per-channel standard deviations.
        inplace (bool): write into the input tensor. Default: False.

    Example:
        >>> Normalize(mean=(0.5,), std=(0.25,))(minigrad.tensor([[[0.0, 1.0]]]))
        tensor([[[-2.,  2.]]])
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError(
                "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                f"{tuple(tensor.shape)}"
            )
        dtype = tensor._array.dtype
        mean = np.asarray(self.mean, dtype=dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
        if self.inplace:
            tensor._array -= mean
            tensor._array /= std
            return tensor
        return Tensor._make((tensor._array - mean) / std)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


# ---- padding, resizing, cropping ------------------------------------------------------------

_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def _padding4(padding):
    """(left, top, right, bottom) from an int, a (left/right, top/bottom) pair or a 4-sequence."""
    if isinstance(padding, numbers.Number):
        return (int(padding),) * 4
    padding = [int(p) for p in padding]
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return tuple(padding)
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


def _pad(array, padding, fill, padding_mode):
    left, top, right, bottom = padding
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        return np.pad(array, widths, mode="constant", constant_values=fill)
    return np.pad(array, widths, mode=padding_mode)


class Pad:
    """Pad the image's borders.

    Args:
        padding (int or sequence): all borders, (left/right, top/bottom) or (left, top, right, bottom).
        fill (number): value for ``padding_mode='constant'``. Default: 0.
        padding_mode (str): ``'constant'``, ``'edge'``, ``'reflect'`` or ``'symmetric'``.
            Default: ``'constant'``.

    Example:
        >>> Pad(1, padding_mode="edge")(minigrad.tensor([[[1.0, 2.0]]]))
        tensor([[[1., 1., 2., 2.],
                 [1., 1., 2., 2.],
                 [1., 1., 2., 2.]]])
    """

    def __init__(self, padding: Size, fill: float = 0, padding_mode: str = "constant") -> None:
        if padding_mode not in _PAD_MODES:
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding = _padding4(padding)
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        return back(_pad(array, self.padding, self.fill, self.padding_mode))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


def _source_index(out_size, in_size, mode):
    """Source coordinates of the output pixels along one axis (half-pixel centres, no antialias)."""
    scale = in_size / out_size
    dst = np.arange(out_size, dtype=np.float64)
    if mode is InterpolationMode.NEAREST:
        return np.minimum(np.floor(dst * scale).astype(np.intp), in_size - 1)
    return np.maximum(scale * (dst + 0.5) - 0.5, 0.0)


def _resize(array, size, mode):
    (in_h, in_w), (out_h, out_w) = array.shape[-2:], size
    if mode is InterpolationMode.NEAREST:
        return array[..., _source_index(out_h, in_h, mode)[:, None], _source_index(out_w, in_w, mode)]
    values = array.astype(_work_dtype(array.dtype), copy=False)
    for axis, (out_n, in_n) in ((-2, (out_h, in_h)), (-1, (out_w, in_w))):
        src = _source_index(out_n, in_n, mode)
        lo = src.astype(np.intp)
        hi = np.minimum(lo + 1, in_n - 1)
        w_hi = (src - lo).astype(values.dtype)
        shape = (-1, 1) if axis == -2 else (-1,)
        w_hi = w_hi.reshape(shape)
        values = np.take(values, lo, axis=axis) * (1 - w_hi) + np.take(values, hi, axis=axis) * w_hi
    return _as_dtype(values, array.dtype)


class Resize:
    """Resize to ``size``: (h, w), or an int that the smaller edge is matched to (keeping the aspect ratio).

    Bilinear interpolation uses half-pixel centres (``align_corners=False``) without
    antialiasing: the same as ``F.interpolate(..., antialias=False)``. Upscaling equals
    torchvision's result; downscaling differs from its antialiased default.

    Args:
        size (int or (int, int)): the output size.
        interpolation (str or InterpolationMode): ``'bilinear'`` (default) or ``'nearest'``.

    Example:
        >>> Resize(4)(np.zeros((2, 6, 3), dtype=np.uint8)).shape  # the smaller edge becomes 4
        (4, 12, 3)
        >>> Resize((2, 2), interpolation="nearest")(minigrad.arange(16.0).view(1, 4, 4))
        tensor([[[ 0.,  2.],
                 [ 8., 10.]]])
    """

    def __init__(self, size: Size, interpolation: str | InterpolationMode = "bilinear") -> None:
        self.size = size if isinstance(size, numbers.Number) else tuple(size)
        self.interpolation = _interpolation(interpolation)

    def _output_size(self, h, w):
        if not isinstance(self.size, numbers.Number):
            return _pair(self.size, "size")
        short, long = (h, w) if h <= w else (w, h)
        new_short, new_long = int(self.size), int(self.size * long / short)
        return (new_short, new_long) if h <= w else (new_long, new_short)

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        size = self._output_size(*array.shape[-2:])
        if size == array.shape[-2:]:
            return img
        return back(_resize(array, size, self.interpolation))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation.value})"


def _crop(array, top, left, height, width):
    return array[..., top : top + height, left : left + width]


class CenterCrop:
    """Crop the centre of the image to ``size``.

    Args:
        size (int or (int, int)): the crop's (h, w); an int for a square.

    Example:
        >>> CenterCrop(2)(minigrad.arange(16).view(1, 4, 4))
        tensor([[[ 5,  6],
                 [ 9, 10]]])
    """

    def __init__(self, size: Size) -> None:
        self.size = _pair(size, "size")

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        (h, w), (th, tw) = array.shape[-2:], self.size
        if th > h or tw > w:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        return back(_crop(array, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size})"


class RandomCrop:
    """Crop a random ``size`` window, after optional padding (the notes' "pad 4, crop 32").

    Args:
        size (int or (int, int)): the crop's (h, w).
        padding (int or sequence, optional): padding applied first, as in :class:`Pad`.
        pad_if_needed (bool): pad an image smaller than ``size`` up to it. Default: False.
        fill (number): constant padding value. Default: 0.
        padding_mode (str): as in :class:`Pad`. Default: ``'constant'``.

    Example:
        >>> crop = RandomCrop(32, padding=4)  # the notes' CIFAR-10 augmentation
        >>> crop(np.zeros((32, 32, 3), dtype=np.uint8)).shape
        (32, 32, 3)
    """

    def __init__(
        self,
        size: Size,
        padding: Size | None = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
    ) -> None:
        if padding_mode not in _PAD_MODES:
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.size = _pair(size, "size")
        self.padding = None if padding is None else _padding4(padding)
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        if self.padding is not None:
            array = _pad(array, self.padding, self.fill, self.padding_mode)
        (h, w), (th, tw) = array.shape[-2:], self.size
        if self.pad_if_needed and (h < th or w < tw):
            dw, dh = max(tw - w, 0), max(th - h, 0)
            array = _pad(array, (dw, dh, dw, dh), self.fill, self.padding_mode)
            h, w = array.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        rng = rng_of(None)
        top, left = int(rng.integers(0, h - th + 1)), int(rng.integers(0, w - tw + 1))
        return back(_crop(array, top, left, th, tw))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class RandomResizedCrop:
    """Crop a random window of random area and aspect ratio, then resize it to ``size``.

    The window covers a fraction of the area drawn from ``scale`` and has an aspect
    ratio (w / h) drawn log-uniformly from ``ratio``; after ten failed draws it falls
    back to the largest central window within ``ratio``, as torchvision does.

    Args:
        size (int or (int, int)): output (h, w).
        scale ((float, float)): range of the window's area fraction. Default: (0.08, 1.0).
        ratio ((float, float)): range of the window's aspect ratio. Default: (3/4, 4/3).
        interpolation (str or InterpolationMode): ``'bilinear'`` (default) or ``'nearest'``.

    Example:
        >>> RandomResizedCrop(8)(minigrad.rand(3, 20, 30)).shape
        minigrad.Size([3, 8, 8])
    """

    def __init__(
        self,
        size: Size,
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: str | InterpolationMode = "bilinear",
    ) -> None:
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError("Scale and ratio should be of kind (min, max)")
        self.size = _pair(size, "size")
        self.scale = scale
        self.ratio = ratio
        self.interpolation = _interpolation(interpolation)

    def get_params(self, height: int, width: int) -> tuple[int, int, int, int]:
        """Draw the window (top, left, h, w).

        Args:
            height (int): the image's height.
            width (int): the image's width.

        Example:
            >>> top, left, h, w = RandomResizedCrop(8, scale=(0.25, 0.25), ratio=(1.0, 1.0)).get_params(20, 20)
            >>> h, w
            (10, 10)
        """
        rng, area = rng_of(None), height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target_area = area * rng.uniform(*self.scale)
            aspect = math.exp(rng.uniform(*log_ratio))
            w, h = int(round(math.sqrt(target_area * aspect))), int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1)), h, w
        in_ratio = width / height
        if in_ratio < min(self.ratio):
            w, h = width, int(round(width / min(self.ratio)))
        elif in_ratio > max(self.ratio):
            h, w = height, int(round(height * max(self.ratio)))
        else:
            h, w = height, width
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        window = _crop(array, *self.get_params(*array.shape[-2:]))
        return back(_resize(window, self.size, self.interpolation))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(size={self.size}, scale={self.scale}, ratio={self.ratio}, "
            f"interpolation={self.interpolation.value})"
        )


class RandomHorizontalFlip:
    """Mirror the image left-right with probability ``p``.

    Args:
        p (float): the probability of flipping. Default: 0.5.

    Example:
        >>> RandomHorizontalFlip(p=1.0)(minigrad.tensor([[[1, 2, 3]]]))
        tensor([[[3, 2, 1]]])
    """

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Image) -> Image:
        if rng_of(None).random() >= self.p:
            return img
        array, back = _planes(img)
        return back(array[..., ::-1])

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Flip the image upside down with probability ``p``.

    Args:
        p (float): the probability of flipping. Default: 0.5.

    Example:
        >>> RandomVerticalFlip(p=1.0)(minigrad.tensor([[[1], [2]]]))
        tensor([[[2],
                 [1]]])
    """

    def __call__(self, img: Image) -> Image:
        if rng_of(None).random() >= self.p:
            return img
        array, back = _planes(img)
        return back(array[..., ::-1, :])


# ---- rotations and affine maps --------------------------------------------------------------


def _affine_matrix(angle, translate, scale, shear):
    """The forward map in pixel units about the image centre: ``out = A @ in + t``.

    Rotation by ``angle`` degrees clockwise (x right, y down), shears in degrees along x
    and y, then ``scale``: torchvision's rotation-scale-shear matrix.
    """
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    return scale * np.array([[a, b], [c, d]]), np.asarray(translate, dtype=np.float64)


def _warp(array, matrix, translate, mode, fill):
    """Sample ``array`` at the pre-images of its pixels under ``out = matrix @ in + translate``."""
    h, w = array.shape[-2:]
    centre = np.array([(w - 1) / 2, (h - 1) / 2])
    ys, xs = np.mgrid[0:h, 0:w]
    out = np.stack([xs.ravel(), ys.ravel()]) - (centre + translate)[:, None]
    src_x, src_y = np.linalg.solve(matrix, out) + centre[:, None]
    values = array.astype(_work_dtype(array.dtype), copy=False)
    if mode is InterpolationMode.NEAREST:
        xi, yi = np.rint(src_x).astype(np.intp), np.rint(src_y).astype(np.intp)
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        sampled = values[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
        result = np.where(inside, sampled, np.asarray(fill, dtype=values.dtype))
    else:
        x0, y0 = np.floor(src_x).astype(np.intp), np.floor(src_y).astype(np.intp)
        fx, fy = (src_x - x0).astype(values.dtype), (src_y - y0).astype(values.dtype)
        sampled = np.zeros(values.shape[:-2] + (h * w,), dtype=values.dtype)
        mask = np.zeros(h * w, dtype=values.dtype)
        for dy, wy in ((0, 1 - fy), (1, fy)):
            for dx, wx in ((0, 1 - fx), (1, fx)):
                xi, yi = x0 + dx, y0 + dy
                weight = np.where((xi >= 0) & (xi < w) & (yi >= 0) & (yi < h), wx * wy, 0).astype(values.dtype)
                sampled += values[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)] * weight
                mask += weight
        # torchvision blends the sampled image (zero outside) with the fill by the sampled mask.
        result = sampled * mask + (1 - mask) * np.asarray(fill, dtype=values.dtype)
    return _as_dtype(result.reshape(array.shape), array.dtype)


class RandomRotation:
    """Rotate by a random angle in ``degrees`` (counter-clockwise for positive angles) about the centre.

    Args:
        degrees (number or (min, max)): a number d means the range (-d, d).
        interpolation (str or InterpolationMode): ``'nearest'`` (default) or ``'bilinear'``.
        fill (number): value of the pixels that come from outside the image. Default: 0.

    Example:
        >>> image = minigrad.tensor([[[0.0, 1.0], [0.0, 0.0]]])
        >>> RandomRotation((90, 90))(image)  # 90 degrees counter-clockwise
        tensor([[[1., 0.],
                 [0., 0.]]])
    """

    def __init__(self, degrees: Range, interpolation: str | InterpolationMode = "nearest", fill: float = 0) -> None:
        self.degrees = _range(degrees, "degrees")
        self.interpolation = _interpolation(interpolation)
        self.fill = fill

    def __call__(self, img: Image) -> Image:
        angle = float(rng_of(None).uniform(*self.degrees))
        array, back = _planes(img)
        matrix, translate = _affine_matrix(-angle, (0.0, 0.0), 1.0, (0.0, 0.0))
        return back(_warp(array, matrix, translate, self.interpolation, self.fill))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation.value})"


class RandomAffine:
    """A random affine map about the centre: rotation, translation, scale and shear.

    Args:
        degrees (number or (min, max)): rotation range in degrees (clockwise, as
            torchvision's affine); a number d means (-d, d); 0 for none.
        translate ((a, b), optional): largest shifts as fractions of the width and height;
            shifts are drawn in (-a*W, a*W) and (-b*H, b*H) and rounded to whole pixels.
        scale ((min, max), optional): scale factor range.
        shear (number or sequence, optional): x-shear range (a number s means (-s, s),
            a pair the range), or four numbers for x and y ranges.
        interpolation (str or InterpolationMode): ``'nearest'`` (default) or ``'bilinear'``.
        fill (number): value of the pixels that come from outside the image. Default: 0.

    Example:
        >>> shift = RandomAffine(degrees=0, translate=(0.5, 0.0))
        >>> shift(minigrad.tensor([[[1.0, 2.0, 3.0, 4.0]]]))
        tensor([[[2., 3., 4., 0.]]])
    """

    def __init__(
        self,
        degrees: Range,
        translate: tuple[float, float] | None = None,
        scale: tuple[float, float] | None = None,
        shear: Range | Sequence[float] | None = None,
        interpolation: str | InterpolationMode = "nearest",
        fill: float = 0,
    ) -> None:
        self.degrees = _range(degrees, "degrees")
        if translate is not None and not all(0.0 <= t <= 1.0 for t in translate):
            raise ValueError("translation values should be between 0 and 1")
        if scale is not None and not all(s > 0 for s in scale):
            raise ValueError("scale values should be positive")
        self.translate = translate
        self.scale = scale
        if shear is None or isinstance(shear, numbers.Number) or len(shear) == 2:
            self.shear = None if shear is None else _range(shear, "shear") + (0.0, 0.0)
        elif len(shear) == 4:
            self.shear = tuple(float(s) for s in shear)
        else:
            raise ValueError("shear should be a number or a sequence of length 2 or 4")
        self.interpolation = _interpolation(interpolation)
        self.fill = fill

    def get_params(self, height: int, width: int) -> tuple[float, tuple[int, int], float, tuple[float, float]]:
        """Draw (angle, (tx, ty), scale, (shear_x, shear_y)) from the configured ranges.

        Args:
            height (int): the image's height (scales the vertical shift).
            width (int): the image's width (scales the horizontal shift).

        Example:
            >>> RandomAffine(degrees=(30, 30), scale=(2, 2)).get_params(28, 28)
            (30.0, (0, 0), 2.0, (0.0, 0.0))
        """
        rng = rng_of(None)
        angle = float(rng.uniform(*self.degrees))
        tx = ty = 0
        if self.translate is not None:
            max_dx, max_dy = self.translate[0] * width, self.translate[1] * height
            tx, ty = int(round(rng.uniform(-max_dx, max_dx))), int(round(rng.uniform(-max_dy, max_dy)))
        scale = 1.0 if self.scale is None else float(rng.uniform(*self.scale))
        shear = (0.0, 0.0)
        if self.shear is not None:
            shear = (float(rng.uniform(*self.shear[:2])), float(rng.uniform(*self.shear[2:])))
        return angle, (tx, ty), scale, shear

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        angle, translate, scale, shear = self.get_params(*array.shape[-2:])
        matrix, translate = _affine_matrix(angle, translate, scale, shear)
        return back(_warp(array, matrix, translate, self.interpolation, self.fill))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
            f"shear={self.shear}, interpolation={self.interpolation.value})"
        )


# ---- colour ---------------------------------------------------------------------------------


def _max_value(dtype):
    return 1.0 if np.dtype(dtype).kind == "f" else float(np.iinfo(dtype).max)


def _blend(image, other, ratio, dtype):
    """``ratio * image + (1 - ratio) * other`` clipped to the dtype's range; integers truncate, as torchvision."""
    return np.clip(ratio * image + (1.0 - ratio) * other, 0, _max_value(dtype)).astype(dtype, copy=False)


def _grayscale(values, dtype):
    """Luma (ITU-R 601-2) of a (..., 3, H, W) image, keeping the channel axis; a 1-channel image is itself."""
    if values.shape[-3] == 1:
        return values
    r, g, b = values[..., 0:1, :, :], values[..., 1:2, :, :], values[..., 2:3, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b).astype(dtype, copy=False).astype(values.dtype, copy=False)


def _shift_hue(values, shift):
    """Rotate the hue of a (..., 3, H, W) float image in [0, 1] by ``shift`` turns."""
    r, g, b = values[..., 0, :, :], values[..., 1, :, :], values[..., 2, :, :]
    maxc, minc = values.max(axis=-3), values.min(axis=-3)
    delta = maxc - minc
    safe_delta = np.where(delta == 0, 1, delta)
    rc, gc, bc = (maxc - r) / safe_delta, (maxc - g) / safe_delta, (maxc - b) / safe_delta
    hue = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    hue = np.where(delta == 0, 0, (hue / 6.0) % 1.0)
    hue = (hue + shift) % 1.0
    saturation = delta / np.where(maxc == 0, 1, maxc)
    sector = np.floor(hue * 6.0)
    frac = hue * 6.0 - sector
    p, q, t = maxc * (1 - saturation), maxc * (1 - saturation * frac), maxc * (1 - saturation * (1 - frac))
    sector = sector.astype(np.intp) % 6
    choices = [(maxc, t, p), (q, maxc, p), (p, maxc, t), (p, q, maxc), (t, p, maxc), (maxc, p, q)]
    return np.stack([np.choose(sector, [c[k] for c in choices]) for k in range(3)], axis=-3)


class ColorJitter:
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Each argument is a number ``v`` giving the range (max(0, 1 - v), 1 + v) of the factor
    (for hue: (-v, v) turns of the colour wheel, ``v <= 0.5``), or a (min, max) pair;
    0 leaves that property alone. Brightness scales the image, contrast blends it with
    its mean grey level, saturation with its greyscale version (3-channel images only),
    hue rotates it in HSV space; results are clipped to [0, 1] (float) or [0, 255]
    (uint8), the tensor path of torchvision.

    Args:
        brightness (number or (min, max)): the brightness factor's range. Default: 0.
        contrast (number or (min, max)): the contrast factor's range. Default: 0.
        saturation (number or (min, max)): the saturation factor's range. Default: 0.
        hue (number or (min, max)): the hue shift's range, in turns. Default: 0.

    Example:
        >>> darker = ColorJitter(brightness=(0.5, 0.5))
        >>> darker(minigrad.full((3, 1, 2), 0.8))
        tensor([[[0.4000, 0.4000]],
        <BLANKLINE>
                [[0.4000, 0.4000]],
        <BLANKLINE>
                [[0.4000, 0.4000]]])
    """

    def __init__(self, brightness: Range = 0, contrast: Range = 0, saturation: Range = 0, hue: Range = 0) -> None:
        self.brightness = self._factor_range(brightness, "brightness", 1.0, (0, float("inf")))
        self.contrast = self._factor_range(contrast, "contrast", 1.0, (0, float("inf")))
        self.saturation = self._factor_range(saturation, "saturation", 1.0, (0, float("inf")))
        self.hue = self._factor_range(hue, "hue", 0.0, (-0.5, 0.5))

    @staticmethod
    def _factor_range(value, name, center, bounds):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            low, high = center - float(value), center + float(value)
            if center == 1.0:
                low = max(low, 0.0)
        else:
            low, high = float(value[0]), float(value[1])
        if not bounds[0] <= low <= high <= bounds[1]:
            raise ValueError(f"{name} values should be between {bounds}, but got {(low, high)}.")
        return None if low == high == center else (low, high)

    def __call__(self, img: Image) -> Image:
        array, back = _planes(img)
        if array.ndim < 3:
            raise ValueError(f"ColorJitter expects a (..., C, H, W) tensor image, got shape {array.shape}")
        dtype, rng = array.dtype, rng_of(None)
        for which in rng.permutation(4).tolist():
            factor_range = (self.brightness, self.contrast, self.saturation, self.hue)[which]
            if factor_range is not None:
                array = self._adjust(which, array, float(rng.uniform(*factor_range)), dtype)
        return back(array)

    @staticmethod
    def _adjust(which, array, factor, dtype):
        """Apply adjustment ``which`` (0 brightness, 1 contrast, 2 saturation, 3 hue) by ``factor``."""
        values = array.astype(_work_dtype(dtype), copy=False)
        if which == 0:
            return _blend(values, 0.0, factor, dtype)
        if which == 1:
            return _blend(values, _grayscale(values, dtype).mean(axis=(-3, -2, -1), keepdims=True), factor, dtype)
        if array.shape[-3] != 3:  # saturation and hue need colour
            return array
        if which == 2:
            return _blend(values, _grayscale(values, dtype), factor, dtype)
        scale = _max_value(dtype)
        return (_shift_hue(values / scale, factor) * scale).astype(dtype, copy=False)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, "
            f"saturation={self.saturation}, hue={self.hue})"
        )
