"""IMDB reviews (Maas et al. 2011): Keras's ``imdb.npz`` and ``imdb_word_index.json``.

Layout: two official files, ``imdb/imdb.npz`` and ``imdb/imdb_word_index.json`` in a mirror
(registry entries of the same names). Reviews are object arrays of Python lists, read with
the restricted unpickler only.

The conventions follow the documented behaviour of ``keras.datasets.imdb.load_data``
(checked against it in ``tests/test_datasets_real.py``): shuffle train and test with one
``RandomState(seed)``; shift ranks by ``index_from`` and prepend ``start_char``; drop
reviews of ``maxlen`` or more tokens; map ranks outside ``[skip_top, num_words)`` to
``oov_char`` (or drop them when ``oov_char`` is None).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from course_utils.data.base import ArrayPair, CheckResult, Dataset, resolve_profile
from course_utils.data.errors import DatasetIntegrityError
from course_utils.data.files import recall_verified, remember_verified, verified_key, verify_file
from course_utils.data.formats import read_npz
from course_utils.data.locate import fetch_file, find_file, mirror_path, obtain
from course_utils.data.registry import official

#: The dataset's name on the command line and its folder in a mirror.
NAME = "imdb"
FILES: tuple[str, str] = ("imdb.npz", "imdb_word_index.json")
_KEYS = ("x_train", "y_train", "x_test", "y_test")
#: Smoke-profile reviews per class and split.
SMOKE_PER_CLASS = 250


def read_imdb_npz(path: Path) -> dict[str, np.ndarray]:
    """Read and sanity-check the four arrays of ``imdb.npz``.

    Raises:
        DatasetIntegrityError: missing arrays, wrong shapes, or non-list reviews.
    """
    key = verified_key("imdb.npz", [path], None)
    arrays = read_npz(path, _KEYS, allow_object=True)
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 1 or y.shape != x.shape or x.dtype != object:
            raise DatasetIntegrityError(
                f"{path}: x_{split}/y_{split} have shapes {x.shape}/{y.shape}; expected two "
                "1-D arrays of equal length (reviews and labels)."
            )
        if not all(type(review) is list for review in x):
            raise DatasetIntegrityError(f"{path}: x_{split} holds something other than lists.")
        if y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() > 1)):
            raise DatasetIntegrityError(f"{path}: y_{split} is not a 0/1 label array.")
    remember_verified(key, (len(arrays["x_train"]), len(arrays["x_test"])))
    return arrays


def _lists(flat: np.ndarray, lengths: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Split a flat token array into a 1-D object array of Python lists (Keras's format)."""
    ends = np.cumsum(lengths)
    starts = ends - lengths
    if rows is None:
        rows = np.arange(len(lengths))
    out = np.empty(len(rows), dtype=object)  # np.array(...) would go 2-D on equal lengths
    out[:] = [flat[starts[i]:ends[i]].tolist() for i in rows]
    return out


def keras_style_sequences(
    raw: dict[str, np.ndarray],
    *,
    num_words: int | None,
    skip_top: int,
    maxlen: int | None,
    seed: int,
    start_char: int | None,
    oov_char: int | None,
    index_from: int,
    per_class: int | None = None,
) -> tuple[ArrayPair, ArrayPair]:
    """Apply Keras's IMDB conventions to the raw arrays of ``imdb.npz``.

    Works on one flat NumPy array of tokens per split (about twice as fast as lists).
    ``per_class`` keeps only the first ``per_class`` reviews of each label per split (the
    smoke subset), chosen after shuffling and ``maxlen`` filtering, as if the full result
    had been subset.
    """
    rng = np.random.RandomState(seed)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for split in ("train", "test"):
        x, y = raw[f"x_{split}"], raw[f"y_{split}"]
        order = np.arange(len(x))
        rng.shuffle(order)
        x, y = x[order], y[order]
        lengths = np.fromiter(map(len, x), dtype=np.int64, count=len(x))
        flat = np.fromiter(
            itertools.chain.from_iterable(x), dtype=np.int64, count=int(lengths.sum())
        )
        flat += index_from
        if start_char is not None:
            flat = np.insert(flat, np.cumsum(lengths) - lengths, start_char)
            lengths = lengths + 1
        if maxlen:
            keep = lengths < maxlen
            flat, lengths, y = flat[np.repeat(keep, lengths)], lengths[keep], y[keep]
            if not len(lengths):
                raise ValueError(f"maxlen={maxlen} leaves no {split} review; use a larger one.")
        parts.append((flat, lengths, y))
    if not num_words:
        num_words = int(max(flat.max() for flat, _, _ in parts if flat.size))
    result = []
    for flat, lengths, y in parts:
        in_vocab = (flat >= skip_top) & (flat < num_words)
        if oov_char is not None:
            flat = np.where(in_vocab, flat, oov_char)
        else:
            review = np.repeat(np.arange(len(lengths)), lengths)
            flat = flat[in_vocab]
            lengths = np.bincount(review[in_vocab], minlength=len(lengths))
        rows = None
        if per_class is not None:
            rows = np.sort(np.concatenate(
                [np.flatnonzero(y == label)[:per_class] for label in np.unique(y)]
            ))
            y = y[rows]
        result.append((_lists(flat, lengths, rows), y))
    return result[0], result[1]


def read_word_index(path: Path) -> dict[str, int]:
    """Read ``imdb_word_index.json`` (``{word: rank}``).

    Raises:
        DatasetIntegrityError: not valid JSON of that shape.
    """
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetIntegrityError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(index, dict) or not all(
        isinstance(k, str) and type(v) is int for k, v in index.items()
    ):
        raise DatasetIntegrityError(f"{path} is not a {{word: rank}} mapping.")
    return index


# ----------------------------------------------------------------------------- loaders
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
    profile = resolve_profile(profile)
    raw = read_imdb_npz(obtain("IMDB", FILES[0], download_ok=download))
    return keras_style_sequences(
        raw,
        num_words=num_words,
        skip_top=skip_top,
        maxlen=maxlen,
        seed=seed,
        start_char=start_char,
        oov_char=oov_char,
        index_from=index_from,
        per_class=SMOKE_PER_CLASS if profile == "smoke" else None,
    )


def imdb_word_index(*, download: bool = True) -> dict[str, int]:
    """The IMDB word index ``{word: rank}`` (rank 1 = most frequent), like Keras's
    ``keras.datasets.imdb.get_word_index()``. Add ``index_from`` (3) to a rank to get the
    number used in :func:`load_imdb` sequences.
    """
    return read_word_index(obtain("IMDB word index", FILES[1], download_ok=download))


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


# ----------------------------------------------------------------------------- mirror
def _check(root: Path) -> CheckResult:
    files = [mirror_path(name, root) for name in FILES]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        return CheckResult(NAME, "missing", "no " + ", ".join(missing))
    for name, path in zip(FILES, files, strict=True):
        verify_file(path, official(name))
    counts = recall_verified(verified_key("imdb.npz", [files[0]], None))  # read already?
    if not isinstance(counts, tuple):
        arrays = read_imdb_npz(files[0])
        counts = (len(arrays["x_train"]), len(arrays["x_test"]))
    n_train, n_test = counts
    words = read_word_index(files[1])
    return CheckResult(
        NAME, "ok", f"official files; {n_train:,} train / {n_test:,} test reviews, "
        f"{len(words):,} words"
    )


def _fetch(dest: Path, name: str, progress: bool) -> None:
    for file in FILES:
        fetch_file(file, dest, progress=progress)


def _find() -> Path | None:
    found = [find_file(official(name)) for name in FILES]
    return found[0].parent if all(found) else None  # type: ignore[union-attr]


DATASET = Dataset(
    name=NAME,
    loader="load_imdb",
    layout=official(FILES[0]).mirror_paths[0],
    files=FILES,
    find=_find,
    check=_check,
    fetch=_fetch,
)
