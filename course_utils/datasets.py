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

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from course_utils import registry
from course_utils.download import (
    DatasetIntegrityError,
    DatasetNotFoundError,
    obtain,
)
from course_utils.formats import read_npz
from course_utils.mirror import DatasetStatus
from course_utils.profile import PROFILES, get_profile
from course_utils.speech import DEFAULT_WORDS, SpeechCommands

__all__ = [
    "DatasetIntegrityError",
    "DatasetNotFoundError",
    "DatasetStatus",
    "SpeechCommands",
    "balanced_indices",
    "cifar10_label_names",
    "decode_imdb_review",
    "format_status",
    "imdb_word_index",
    "load_cifar10",
    "load_imdb",
    "load_mnist",
    "load_speech_commands",
    "load_speech_commands_tfds",
    "resolve_profile",
    "status",
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


def read_mnist_npz(path: Path) -> dict[str, np.ndarray]:
    """Read ``mnist.npz`` and check every array's shape, dtype and label range."""
    arrays = read_npz(path, list(registry.MNIST_SHAPES))
    for name, shape in registry.MNIST_SHAPES.items():
        _check_array(path, name, arrays[name], shape, "uint8")
    for name in ("y_train", "y_test"):
        if arrays[name].size and arrays[name].max() > 9:
            raise DatasetIntegrityError(f"{path}: {name} holds labels above 9.")
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
    path = obtain(
        "MNIST",
        registry.official("mnist.npz"),
        mirror_paths=["mnist/mnist.npz"],
        cache_paths=["mnist.npz", "mnist/mnist.npz"],
        download_ok=download,
    )
    arrays = read_mnist_npz(path)
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
        registry.official("imdb.npz"),
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
        registry.official("imdb_word_index.json"),
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


# ----------------------------------------------------------------------------- Speech Commands
def load_speech_commands(
    words: Sequence[str] = DEFAULT_WORDS,
    unknown: bool = False,
    *,
    profile: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    max_unknown: int | None = None,
    download: bool = True,
) -> SpeechCommands:
    """Load real Speech Commands clips as a speaker-disjoint train/validation/test split.

    Args:
        words: the command words to classify (default: the 7 words the mirror holds in
            balance: yes no up down left right stop).
        unknown: add an ``_unknown_`` class made of all the other words in the source.
        profile: ``"full"``, ``"smoke"`` or ``None`` (active). Smoke keeps 8 train /
            4 validation / 4 test clips per class, picked deterministically.
        data_dir: a Speech Commands folder (``<word>/*.wav|flac``) or a mirror holding
            ``speech_commands/``; overrides the usual search.
        max_unknown: cap on ``_unknown_`` clips per split (deterministic pick); None: all.
        download: allow downloading an official archive when no local copy exists.

    Returns:
        A :class:`~course_utils.speech.SpeechCommands` with ``train``, ``validation`` and
        ``test`` ``tf.data.Dataset``\\ s of ``(float32 waveform [16000], int32 label)``,
        ``label_names``, ``background_noise``, ``counts`` and ``files``.
    """
    from course_utils import speech

    profile = resolve_profile(profile)
    words = _check_words(words)
    if data_dir is not None:
        root = Path(data_dir).expanduser()
        if (root / "speech_commands").is_dir():
            root = root / "speech_commands"
        missing = [w for w in words if not (root / w).is_dir()]
        if missing:
            raise DatasetNotFoundError(
                f"Speech Commands: {root} has no folder for {', '.join(missing)}; "
                "data_dir must hold <word>/ folders of .wav or .flac clips."
            )
    else:
        root = speech.locate_speech_commands(words, unknown, download_ok=download)
    return speech.build(
        root, words, unknown=unknown, smoke=profile == "smoke", max_unknown=max_unknown
    )


def _check_words(words: Sequence[str]) -> tuple[str, ...]:
    if isinstance(words, str):
        raise TypeError("words must be a sequence of words, e.g. ('yes', 'no'), not a string.")
    words = tuple(words)
    if not words or len(set(words)) != len(words):
        raise ValueError(f"words must be distinct and non-empty, got {words!r}.")
    bad = [w for w in words if not w or w.startswith(("_", ".")) or "/" in w]
    if bad:
        raise ValueError(f"not a Speech Commands word: {bad!r}.")
    return words


def load_speech_commands_tfds(
    *,
    profile: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> SpeechCommands:
    """The full 12-class Speech Commands v0.02 benchmark through TensorFlow Datasets.

    ``tfds.load("speech_commands")``: the 10 core words plus ``_silence_`` and
    ``_unknown_``, with TFDS's official split (about 85k / 10k / 4.9k clips). It needs the
    internet the first time (a 2.4 GB download plus the 112 MB test set) unless TFDS has
    already prepared it in ``data_dir``. Without either it raises the same
    :class:`DatasetNotFoundError` as the other loaders; offline, use
    :func:`load_speech_commands` with ``COURSE_DATA_DIR``. Smoke keeps the first 96 / 48 /
    48 examples of each split (not class-balanced). ``background_noise`` is empty (TFDS
    folds it into ``_silence_``) and ``counts`` holds per-split totals under ``"total"``.
    """
    from course_utils import speech

    profile = resolve_profile(profile)
    folder = Path(data_dir).expanduser() if data_dir else _tfds_default_dir()
    reason = _tfds_unavailable_reason(folder, download)
    if reason is not None:
        raise DatasetNotFoundError(_tfds_message(folder, reason))
    import tensorflow as tf
    import tensorflow_datasets as tfds

    names = ["train", "validation", "test"]
    if profile == "smoke":
        names = ["train[:96]", "validation[:48]", "test[:48]"]
    try:
        splits, info = tfds.load(
            "speech_commands", split=names, data_dir=str(folder), as_supervised=True,
            download=download, with_info=True,
        )
    except Exception as exc:  # download, extraction or preparation failed
        raise DatasetNotFoundError(_tfds_message(folder, f"{type(exc).__name__}: {exc}")) \
            from None

    def to_second(audio: Any, label: Any) -> tuple[Any, Any]:
        audio = tf.cast(audio[: speech.CLIP_SAMPLES], tf.float32) / 32768.0
        audio = tf.pad(audio, [[0, speech.CLIP_SAMPLES - tf.shape(audio)[0]]])
        return tf.ensure_shape(audio, [speech.CLIP_SAMPLES]), tf.cast(label, tf.int32)

    train, validation, test = (ds.map(to_second) for ds in splits)
    totals = {s: int(info.splits[s].num_examples) for s in ("train", "validation", "test")}
    return speech.SpeechCommands(
        train=train, validation=validation, test=test,
        label_names=list(info.features["label"].names),
        background_noise=[], background_noise_names=[],
        counts={s: {"total": n} for s, n in totals.items()},
        files={s: [] for s in totals}, source=folder,
    )


def _tfds_default_dir() -> Path:
    value = os.environ.get("TFDS_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else Path.home() / "tensorflow_datasets"


def _tfds_unavailable_reason(folder: Path, download: bool) -> str | None:
    """Why ``tfds.load`` cannot work here, checked quickly, or None if it may."""
    if (folder / "speech_commands").is_dir() and any(
        (folder / "speech_commands").glob("*/dataset_info.json")
    ):
        return None  # prepared already: no network needed
    if not download:
        return "downloads are turned off and TFDS has not prepared the dataset here"
    host = "download.tensorflow.org"
    try:
        socket.create_connection((host, 80), timeout=5).close()
    except OSError as exc:
        return f"no connection to {host} ({exc})"
    return None


def _tfds_message(folder: Path, reason: str) -> str:
    v2 = registry.official(registry.SPEECH_COMMANDS_V2_TAR.name)
    return (
        "Speech Commands v0.02 (TensorFlow Datasets 'speech_commands') is not available "
        "here and could not be downloaded.\n"
        f"  Expected: a prepared TFDS dataset in {folder / 'speech_commands'}\n"
        f"  Official download: {v2.url} ({v2.size_text}) and "
        "http://download.tensorflow.org/data/speech_commands_test_set_v0.02.tar.gz "
        "(112.6 MB, 112,563,277 bytes)\n"
        f"  Reason: {reason}\n"
        "Fix: connect to the internet and run this again, or work offline with "
        "load_speech_commands() and COURSE_DATA_DIR set to a dataset mirror holding "
        "speech_commands/<word>/ (e.g. the course's shared/datasets folder)."
    )


# ----------------------------------------------------------------------------- status / CLI
def status() -> list[DatasetStatus]:
    """For each dataset (mnist, cifar10, imdb, speech_commands): found?, where, how to get.

    Cheap (no hashing); the loaders verify what they read. ``print(format_status())``
    shows it as a table.
    """
    from course_utils.mirror import status as _status

    return _status()


def format_status(rows: list[DatasetStatus] | None = None) -> str:
    """:func:`status` as a printable found/missing table."""
    from course_utils.mirror import format_status as _format

    return _format(rows)


if __name__ == "__main__":  # python -m course_utils.datasets fetch|check|status
    from course_utils.data_cli import main

    raise SystemExit(main())
