"""IMDB reviews: read the official ``imdb.npz`` and apply Keras's index conventions.

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

from course_utils.download import DatasetIntegrityError
from course_utils.formats import read_npz

ArrayPair = tuple[np.ndarray, np.ndarray]
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_imdb_npz(path: Path) -> dict[str, np.ndarray]:
    """Read and sanity-check the four arrays of ``imdb.npz``.

    Raises:
        DatasetIntegrityError: missing arrays, wrong shapes, or non-list reviews.
    """
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
