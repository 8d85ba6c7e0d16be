"""Real datasets for the course: MNIST, CIFAR-10, IMDB and Speech Commands.

Each loader returns the official data, verified by checksum, from the first place that has
it: the read-only mirror ``COURSE_DATA_DIR``, the writable cache ``COURSE_CACHE_DIR``
(default ``~/.keras/datasets``), or the official URL (downloaded once, with a progress bar).
When none works, one :class:`DatasetNotFoundError` says what is missing, where it looked and
how to fix it.

In the ``smoke`` profile (``COURSE_PROFILE=smoke`` or ``profile="smoke"``) each loader
returns a small, deterministic, class-balanced subset of the same real data.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()        # doctest: +SKIP
>>> x_train.shape, x_train.dtype                               # doctest: +SKIP
((60000, 28, 28), dtype('uint8'))
"""

from __future__ import annotations

import numpy as np

from course_utils import registry
from course_utils.download import (
    DatasetIntegrityError,
    DatasetNotFoundError,
    obtain,
)
from course_utils.formats import read_npz
from course_utils.profile import PROFILES, get_profile

__all__ = [
    "DatasetIntegrityError",
    "DatasetNotFoundError",
    "load_mnist",
    "resolve_profile",
    "balanced_indices",
]

ArrayPair = tuple[np.ndarray, np.ndarray]

#: Smoke-profile sizes per class (train, test).
SMOKE_PER_CLASS = {"mnist": (100, 50), "cifar10": (100, 50), "imdb": (250, 250)}


def resolve_profile(profile: str | None) -> str:
    """``profile`` if given, else the active one from :mod:`course_utils.profile`."""
    if profile is None:
        return get_profile()
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r}; use one of {PROFILES} or None (active).")
    return profile


def balanced_indices(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first ``per_class`` examples of every class, in original order.

    Deterministic (no randomness): the official files are already in a fixed, mixed order.

    Raises:
        ValueError: if a class has fewer than ``per_class`` examples.
    """
    flat = np.asarray(labels).reshape(-1)
    chosen = []
    for cls in np.unique(flat):
        idx = np.flatnonzero(flat == cls)
        if len(idx) < per_class:
            raise ValueError(f"class {cls} has only {len(idx)} examples, {per_class} needed")
        chosen.append(idx[:per_class])
    return np.sort(np.concatenate(chosen))


def _subset(pair: ArrayPair, per_class: int) -> ArrayPair:
    x, y = pair
    idx = balanced_indices(y, per_class)
    return x[idx], y[idx]


# ----------------------------------------------------------------------------- MNIST
def _check_array(
    path: object, name: str, array: np.ndarray, shape: tuple[int, ...], dtype: str
) -> None:
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise DatasetIntegrityError(
            f"{path}: array {name!r} has shape {array.shape} and dtype {array.dtype}, "
            f"expected {shape} {dtype}."
        )


def load_mnist(
    *, profile: str | None = None, download: bool = True
) -> tuple[ArrayPair, ArrayPair]:
    """Load MNIST like ``keras.datasets.mnist.load_data()``.

    Args:
        profile: ``"full"``, ``"smoke"`` or ``None`` (the active profile). Smoke gives
            1,000 training images (100 per digit) and 500 test images (50 per digit).
        download: allow downloading the official file when no local copy exists.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (60000, 28, 28),
        (60000,), (10000, 28, 28), (10000,) in the full profile.
    """
    profile = resolve_profile(profile)
    path = obtain(
        "MNIST",
        registry.MNIST_NPZ,
        mirror_paths=["mnist/mnist.npz"],
        cache_paths=["mnist.npz", "mnist/mnist.npz"],
        download_ok=download,
    )
    arrays = read_npz(path, ["x_train", "y_train", "x_test", "y_test"])
    _check_array(path, "x_train", arrays["x_train"], (60000, 28, 28), "uint8")
    _check_array(path, "y_train", arrays["y_train"], (60000,), "uint8")
    _check_array(path, "x_test", arrays["x_test"], (10000, 28, 28), "uint8")
    _check_array(path, "y_test", arrays["y_test"], (10000,), "uint8")
    train = (arrays["x_train"], arrays["y_train"])
    test = (arrays["x_test"], arrays["y_test"])
    if profile == "smoke":
        n_train, n_test = SMOKE_PER_CLASS["mnist"]
        train, test = _subset(train, n_train), _subset(test, n_test)
    return train, test
