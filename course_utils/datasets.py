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
SMOKE_PER_CLASS = {"mnist": (100, 50), "cifar10": (100, 50), "imdb": (250, 250)}  # train, test


def resolve_profile(profile: str | None) -> str:
    """``profile`` if given, else the active one from :mod:`course_utils.profile`."""
    if profile is None:
        return get_profile()
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r}; use one of {PROFILES} or None (active).")
    return profile


def balanced_indices(
    labels: np.ndarray, per_class: int, *, at_most: bool = False
) -> np.ndarray:
    """Indices of the first ``per_class`` examples of every class, in original order.

    Deterministic (no randomness): the official files are already in a fixed, mixed order.
    With ``at_most=True`` a class with fewer examples contributes all it has.

    Raises:
        ValueError: if a class has fewer than ``per_class`` examples (and not ``at_most``).
    """
    flat = np.asarray(labels).reshape(-1)
    chosen = []
    for cls in np.unique(flat):
        idx = np.flatnonzero(flat == cls)
        if len(idx) < per_class and not at_most:
            raise ValueError(f"class {cls} has only {len(idx)} examples, {per_class} needed")
        chosen.append(idx[:per_class])
    return np.sort(np.concatenate(chosen))


def _subset(pair: ArrayPair, per_class: int, *, at_most: bool = False) -> ArrayPair:
    x, y = pair
    idx = balanced_indices(y, per_class, at_most=at_most)
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


# ----------------------------------------------------------------------------- CIFAR-10
def load_cifar10(
    *, profile: str | None = None, download: bool = True
) -> tuple[ArrayPair, ArrayPair]:
    """Load CIFAR-10 like ``keras.datasets.cifar10.load_data()`` (channels last).

    Reads the python batches (``cifar-10-batches-py/``) from the mirror or cache, or the
    official ``cifar-10-python.tar.gz`` (checked, then extracted once into the cache). The
    pixels and labels are always checked against the published content sha256.

    Args:
        profile: ``"full"``, ``"smoke"`` or ``None`` (active). Smoke gives 1,000 training
            images (100 per class) and 500 test images (50 per class).
        download: allow downloading the official archive when no local copy exists.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1) in the full profile.
    """
    from course_utils.cifar import locate_cifar10, read_cifar10_folder

    profile = resolve_profile(profile)
    folder = locate_cifar10(download_ok=download)
    (x_train, y_train), (x_test, y_test) = read_cifar10_folder(folder)
    train = (x_train, y_train)
    test = (x_test, y_test)
    if profile == "smoke":
        n_train, n_test = SMOKE_PER_CLASS["cifar10"]
        train, test = _subset(train, n_train), _subset(test, n_test)
    return train, test


def cifar10_label_names() -> list[str]:
    """The 10 CIFAR-10 class names, in label order (``airplane`` ... ``truck``)."""
    return list(registry.CIFAR10_LABEL_NAMES)


# ----------------------------------------------------------------------------- IMDB
def load_imdb(
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    *,
    profile: str | None = None,
    download: bool = True,
) -> tuple[ArrayPair, ArrayPair]:
    """Load the IMDB reviews like ``keras.datasets.imdb.load_data()``.

    Reviews are lists of word ranks (1 = most frequent word). As in Keras, both splits are
    shuffled with ``seed``, every rank is shifted by ``index_from``, ``start_char`` marks
    the start of each review, reviews of ``maxlen`` words or more are dropped, and ranks
    outside ``[skip_top, num_words)`` become ``oov_char`` (or are removed when it is None).

    Args:
        num_words: keep the ``num_words - index_from`` most frequent words (None: all).
        skip_top: also map the most frequent ranks below this value to ``oov_char``.
        maxlen: drop reviews whose (shifted, start-marked) length is ``>= maxlen``.
        seed: shuffling seed (Keras's default 113).
        start_char, oov_char, index_from: Keras's index conventions.
        profile: ``"full"``, ``"smoke"`` or ``None`` (active). Smoke keeps the first 250
            positive and 250 negative reviews of each split (after shuffling/filtering).
        download: allow downloading the official file when no local copy exists.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of lists of ints and
        int64 label arrays (1 = positive); 25,000 reviews per split in full.
    """
    from course_utils.imdb import keras_style_sequences, read_imdb_npz

    profile = resolve_profile(profile)
    path = obtain(
        "IMDB",
        registry.IMDB_NPZ,
        mirror_paths=["imdb/imdb.npz"],
        cache_paths=["imdb.npz", "imdb/imdb.npz"],
        download_ok=download,
    )
    raw = read_imdb_npz(path)
    train, test = keras_style_sequences(
        raw,
        num_words=num_words,
        skip_top=skip_top,
        maxlen=maxlen,
        seed=seed,
        start_char=start_char,
        oov_char=oov_char,
        index_from=index_from,
        per_class=SMOKE_PER_CLASS["imdb"][0] if profile == "smoke" else None,
    )
    return train, test


def imdb_word_index(*, download: bool = True) -> dict[str, int]:
    """The IMDB word index ``{word: rank}`` (rank 1 = most frequent), like Keras's
    ``keras.datasets.imdb.get_word_index()``. Add ``index_from`` (3) to a rank to get the
    number used in :func:`load_imdb` sequences.
    """
    from course_utils.imdb import read_word_index

    path = obtain(
        "IMDB word index",
        registry.IMDB_WORD_INDEX,
        mirror_paths=["imdb/imdb_word_index.json"],
        cache_paths=["imdb_word_index.json", "imdb/imdb_word_index.json"],
        download_ok=download,
    )
    return read_word_index(path)


def decode_imdb_review(
    sequence: list[int] | np.ndarray,
    word_index: dict[str, int] | None = None,
    *,
    index_from: int = 3,
) -> str:
    """Turn one :func:`load_imdb` sequence back into words (``?`` for pad/start/oov)."""
    if word_index is None:
        word_index = imdb_word_index()
    by_number = {rank + index_from: word for word, rank in word_index.items()}
    return " ".join(by_number.get(int(n), "?") for n in sequence)
