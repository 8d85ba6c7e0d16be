"""MNIST (LeCun et al. 1998): the ``mnist.npz`` that ``keras.datasets.mnist`` downloads.

Layout: one official file, ``mnist/mnist.npz`` in a mirror, ``mnist.npz`` in the cache
(registry entry ``mnist.npz``). Read strictly: the four uint8 arrays must have the
published shapes and labels 0-9.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from course_utils.data.base import ArrayPair, CheckResult, Dataset, resolve_profile, subset
from course_utils.data.errors import DatasetIntegrityError
from course_utils.data.files import recall_verified, remember_verified, verified_key, verify_file
from course_utils.data.formats import read_npz
from course_utils.data.locate import fetch_file, find_file, mirror_path, obtain
from course_utils.data.registry import official

#: The dataset's name on the command line and its folder in a mirror.
NAME = "mnist"
FILE = "mnist.npz"
#: The arrays of ``mnist.npz`` (keras.datasets.mnist docs).
SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 28, 28), "y_train": (60000,),
    "x_test": (10000, 28, 28), "y_test": (10000,),
}
#: Smoke-profile examples per class (train, test).
SMOKE_PER_CLASS: tuple[int, int] = (100, 50)


def read_mnist_npz(path: Path) -> dict[str, np.ndarray]:
    """Read ``mnist.npz`` and check every array's shape, dtype and label range."""
    key = verified_key("mnist.npz", [path], tuple(SHAPES.items()))
    arrays = read_npz(path, list(SHAPES))
    for name, shape in SHAPES.items():
        array = arrays[name]
        if array.shape != shape or array.dtype != np.uint8:
            raise DatasetIntegrityError(
                f"{path}: array {name!r} has shape {array.shape} and dtype {array.dtype}, "
                f"expected {shape} uint8."
            )
    for name in ("y_train", "y_test"):
        if arrays[name].size and arrays[name].max() > 9:
            raise DatasetIntegrityError(f"{path}: {name} holds labels above 9.")
    remember_verified(key, (len(arrays["x_train"]), len(arrays["x_test"])))
    return arrays


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
    arrays = read_mnist_npz(obtain("MNIST", FILE, download_ok=download))
    train = (arrays["x_train"], arrays["y_train"])
    test = (arrays["x_test"], arrays["y_test"])
    if profile == "smoke":
        n_train, n_test = SMOKE_PER_CLASS
        train, test = subset(train, n_train), subset(test, n_test)
    return train, test


# ----------------------------------------------------------------------------- mirror
def _check(root: Path) -> CheckResult:
    path = mirror_path(FILE, root)
    if not path.is_file():
        return CheckResult(NAME, "missing", f"no {path}")
    verify_file(path, official(FILE))
    counts = recall_verified(verified_key("mnist.npz", [path], tuple(SHAPES.items())))
    if not isinstance(counts, tuple):  # not read yet in this process (or changed since)
        arrays = read_mnist_npz(path)
        counts = (len(arrays["x_train"]), len(arrays["x_test"]))
    n_train, n_test = counts
    return CheckResult(
        NAME, "ok", f"{FILE} is the official file; {n_train:,} train / {n_test:,} test images"
    )


def _fetch(dest: Path, name: str, progress: bool) -> None:
    fetch_file(FILE, dest, progress=progress)


DATASET = Dataset(
    name=NAME,
    loader="load_mnist",
    layout=official(FILE).mirror_paths[0],
    files=(FILE,),
    find=lambda: find_file(official(FILE)),
    check=_check,
    fetch=_fetch,
)
