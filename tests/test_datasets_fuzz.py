"""Fuzzing: truncated or bit-flipped dataset files end in the package's own errors only.

Each format's reader is fed its small, valid file (built by ``datasets_fixtures``) cut at a
random point or with a few random bytes changed. The reader may still succeed when the damage
hits bytes that do not matter (a zip timestamp, a WAV sample), but it must never raise
anything but the data layer's :class:`~course_utils.data.errors.DatasetError`
(``DatasetIntegrityError``, a ``ValueError``; ``DatasetNotFoundError``, a
``FileNotFoundError``): a bare zlib/pickle/NumPy ``ValueError``/libsndfile error is a
failure. 1,120 cases in all, in every hypothesis profile.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from datasets_fixtures import (
    MNIST_SMALL,
    cifar_batches,
    cifar_tar_bytes,
    clip,
    imdb_arrays,
    mnist_arrays,
    npz_bytes,
    py2_pickle,
    speech_files,
    wav_bytes,
    word_index_bytes,
    zip_bytes,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils.data.archives import extract
from course_utils.data.cifar10 import FOLDER as CIFAR10_FOLDER
from course_utils.data.cifar10 import read_cifar_batch
from course_utils.data.errors import DatasetError
from course_utils.data.formats import read_npz
from course_utils.data.imdb import read_imdb_npz, read_word_index
from course_utils.data.speech_clips import decode_audio

CASES = 160  # per format; 7 formats -> 1,120 cases
FUZZ = settings(
    max_examples=CASES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="fuzz-datasets-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """A truncation of ``data``, or ``data`` with 1-4 bytes replaced."""
    truncate = st.integers(0, len(data) - 1).map(lambda n: data[:n])

    def flip(edits: list[tuple[int, int]]) -> bytes:
        out = bytearray(data)
        for pos, value in edits:
            out[pos % len(out)] ^= value
        return bytes(out)

    flips = st.lists(
        st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)), min_size=1, max_size=4
    ).map(flip)
    return st.one_of(truncate, flips)


def _run(reader: Callable[[Path], object], path: Path, blob: bytes) -> None:
    path.write_bytes(blob)
    try:
        reader(path)
    except DatasetError:  # anything else (a raw ValueError included) fails the test
        pass


MNIST_NPZ = npz_bytes(mnist_arrays())
IMDB_NPZ = npz_bytes(imdb_arrays())
BATCHES = cifar_batches()
CIFAR_BATCH = py2_pickle(BATCHES["data_batch_1"])
CIFAR_TAR = cifar_tar_bytes({"data_batch_1": BATCHES["data_batch_1"]})
SPEECH_ZIP = zip_bytes({k: v for k, v in list(speech_files(("yes",), 3).items())[:3]})
WAV = wav_bytes(clip(1, 2000))
FLAC = wav_bytes(clip(2, 2000), fmt="FLAC")
WORD_INDEX = word_index_bytes()


@FUZZ
@given(blob=damaged(MNIST_NPZ))
def test_fuzz_mnist_npz(workdir: Path, blob: bytes) -> None:
    def reader(path: Path) -> None:
        arrays = read_npz(path, list(MNIST_SMALL))
        assert arrays["x_train"].shape == MNIST_SMALL["x_train"]

    _run(reader, workdir / "mnist.npz", blob)


@FUZZ
@given(blob=damaged(IMDB_NPZ))
def test_fuzz_imdb_npz_with_object_arrays(workdir: Path, blob: bytes) -> None:
    _run(read_imdb_npz, workdir / "imdb.npz", blob)


@FUZZ
@given(blob=damaged(CIFAR_BATCH))
def test_fuzz_cifar_pickle_batch(workdir: Path, blob: bytes) -> None:
    def reader(path: Path) -> None:
        data, labels = read_cifar_batch(path)
        assert data.dtype == np.uint8 and data.shape[1] == 3072 and labels.max() <= 9

    _run(reader, workdir / "data_batch_1", blob)


@settings(FUZZ, max_examples=CASES // 2)
@given(blob=damaged(CIFAR_TAR))
def test_fuzz_cifar_tar_gz(workdir: Path, blob: bytes) -> None:
    dest = workdir / "extracted"

    def reader(path: Path) -> None:
        try:
            extract(path, dest, strip=CIFAR10_FOLDER)
        finally:
            shutil.rmtree(dest, ignore_errors=True)
            assert not [p for p in workdir.iterdir() if p.name.endswith(".part")]

    _run(reader, workdir / "cifar-10-python.tar.gz", blob)


@settings(FUZZ, max_examples=CASES // 2)
@given(blob=damaged(SPEECH_ZIP))
def test_fuzz_speech_zip(workdir: Path, blob: bytes) -> None:
    dest = workdir / "speech"

    def reader(path: Path) -> None:
        try:
            extract(path, dest)
        finally:
            shutil.rmtree(dest, ignore_errors=True)

    _run(reader, workdir / "mini_speech_commands.zip", blob)


@FUZZ
@given(blob=damaged(WAV))
def test_fuzz_wav_clip(workdir: Path, blob: bytes) -> None:
    _run(decode_audio, workdir / "clip.wav", blob)


@FUZZ
@given(blob=damaged(FLAC))
def test_fuzz_flac_clip(workdir: Path, blob: bytes) -> None:
    _run(decode_audio, workdir / "clip.flac", blob)


@FUZZ
@given(blob=damaged(WORD_INDEX))
def test_fuzz_word_index_json(workdir: Path, blob: bytes) -> None:
    _run(read_word_index, workdir / "imdb_word_index.json", blob)


def test_fuzz_inputs_are_valid_when_undamaged(workdir: Path) -> None:
    """The fuzz seeds themselves load: the damage, not the seed, causes the errors."""
    for name, blob, reader in [
        ("m.npz", MNIST_NPZ, lambda p: read_npz(p, list(MNIST_SMALL))),
        ("i.npz", IMDB_NPZ, read_imdb_npz),
        ("b", CIFAR_BATCH, read_cifar_batch),
        ("c.wav", WAV, decode_audio),
        ("c.flac", FLAC, decode_audio),
        ("w.json", WORD_INDEX, read_word_index),
    ]:
        path = workdir / name
        path.write_bytes(blob)
        reader(path)
