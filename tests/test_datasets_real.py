"""Real-data checks against the mirror named by COURSE_DATA_DIR (skipped when unset).

Numbers are the published ones: MNIST class counts (LeCun et al.), CIFAR-10 5,000/1,000
images per class and per-batch label counts (Krizhevsky 2009), IMDB 25,000/25,000 balanced
(Maas et al. 2011) and the Speech Commands subset counts of shared/datasets/README.md.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from datasets_fixtures import MIRROR, SPEECH_CORE, using_cache

from course_utils import datasets
from course_utils.data import speech_clips, speech_commands
from course_utils.data.cli import main as cli

pytestmark = pytest.mark.skipif(
    MIRROR is None, reason="COURSE_DATA_DIR is not set: no dataset mirror to test against"
)


@pytest.fixture(scope="module", autouse=True)
def private_cache(real_data_cache: Path) -> Iterator[Path]:
    """The session's fresh writable cache, so these tests neither read nor fill ~/.keras;
    the session fixtures (``mnist_full`` ...) loaded into the same one."""
    with using_cache(real_data_cache):
        yield real_data_cache


# ----------------------------------------------------------------------------- MNIST
def test_mnist_full_matches_published_numbers(mnist_full) -> None:
    (x_train, y_train), (x_test, y_test) = mnist_full
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert np.bincount(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist_smoke_is_balanced_real_subset(mnist_full) -> None:
    (x_full, y_full), _ = mnist_full
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(profile="smoke")
    assert x_train.shape == (1000, 28, 28) and x_test.shape == (500, 28, 28)
    assert np.bincount(y_train).tolist() == [100] * 10
    assert np.bincount(y_test).tolist() == [50] * 10
    idx = datasets.balanced_indices(y_full, 100)
    np.testing.assert_array_equal(x_train, x_full[idx])


# ----------------------------------------------------------------------------- CIFAR-10
def test_cifar10_full_matches_published_numbers(cifar10_full) -> None:
    (x_train, y_train), (x_test, y_test) = cifar10_full
    assert x_train.shape == (50000, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (50000, 1) and y_test.shape == (10000, 1)
    assert x_test.shape == (10000, 32, 32, 3)
    assert np.bincount(y_train[:, 0]).tolist() == [5000] * 10
    assert np.bincount(y_test[:, 0]).tolist() == [1000] * 10
    assert np.bincount(y_train[:10000, 0]).tolist() == [
        1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981]  # data_batch_1
    assert y_test[:10, 0].tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]
    # official first pixels (R plane) of test image 0 and its channel-last layout
    assert x_test[0, 0, :3, 0].tolist() == [158, 159, 165]
    mean = x_train.reshape(-1, 3).mean(axis=0) / 255
    np.testing.assert_allclose(mean, [0.4914, 0.4822, 0.4465], atol=1e-4)
    assert datasets.cifar10_label_names()[:2] == ["airplane", "automobile"]


def test_cifar10_smoke_is_balanced_real_subset(cifar10_full) -> None:
    (x_full, y_full), _ = cifar10_full
    (x_train, y_train), (x_test, y_test) = datasets.load_cifar10(profile="smoke")
    assert x_train.shape == (1000, 32, 32, 3) and y_train.shape == (1000, 1)
    idx = datasets.balanced_indices(y_full, 100)
    np.testing.assert_array_equal(x_train, x_full[idx])
    assert np.bincount(y_train[:, 0]).tolist() == [100] * 10
    assert np.bincount(y_test[:, 0]).tolist() == [50] * 10


# ----------------------------------------------------------------------------- IMDB
def test_imdb_full_matches_published_numbers(imdb_full) -> None:
    (x_train, y_train), (x_test, y_test) = imdb_full
    assert x_train.shape == (25000,) and x_test.shape == (25000,)
    assert np.bincount(y_train).tolist() == [12500, 12500]
    assert np.bincount(y_test).tolist() == [12500, 12500]
    assert x_train[0][:10] == [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65]
    assert len(x_train[0]) == 218 and y_train[:5].tolist() == [1, 0, 0, 1, 0]
    assert x_test[0][:8] == [1, 591, 202, 14, 31, 6, 717, 10]
    index = datasets.imdb_word_index()
    assert len(index) == 88584 and index["the"] == 1
    assert datasets.decode_imdb_review(x_train[0][:4], index) == "? this film was"


def test_imdb_equals_keras_load_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same arrays as keras.datasets.imdb.load_data on the same official file."""
    import keras
    from keras.src.backend import config as keras_config

    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "imdb.npz").symlink_to(MIRROR / "imdb" / "imdb.npz")
    # Keras reads KERAS_HOME once at import; point its cache at the official file here.
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(tmp_path))
    kwargs = {"num_words": 5000, "skip_top": 10, "maxlen": 300, "seed": 7}
    (a, b), (c, d) = keras.datasets.imdb.load_data(**kwargs)
    (a2, b2), (c2, d2) = datasets.load_imdb(**kwargs, profile="full")
    assert len(a) == len(a2) and len(c) == len(c2)
    assert all(x == y for x, y in zip(a, a2, strict=True))
    assert all(x == y for x, y in zip(c, c2, strict=True))
    np.testing.assert_array_equal(b, b2)
    np.testing.assert_array_equal(d, d2)


def test_imdb_smoke_is_balanced_real_subset(imdb_full) -> None:
    (x_full, y_full), _ = imdb_full
    (x_train, y_train), (x_test, y_test) = datasets.load_imdb(profile="smoke")
    assert len(x_train) == 500 and len(x_test) == 500
    assert np.bincount(y_train).tolist() == [250, 250]
    assert np.bincount(y_test).tolist() == [250, 250]
    idx = datasets.balanced_indices(y_full, 250)
    assert all(x == y for x, y in zip(x_train, x_full[idx], strict=True))


# ----------------------------------------------------------------------------- Speech Commands
CORE = SPEECH_CORE
README_COUNTS = {  # shared/datasets/README.md, train / validation / test
    **{w: (290, 35, 35) for w in ("yes", "no", "up", "down", "left", "right", "stop")},
    "on": (15, 6, 35), "off": (14, 7, 35), "go": (15, 4, 35), "_unknown_": (380, 35, 35),
}


def test_speech_commands_counts_match_the_readme(speech_core_unknown) -> None:
    sc = speech_core_unknown
    assert sc.label_names == [*CORE, "_unknown_"]
    for label, (train, val, test) in README_COUNTS.items():
        assert (sc.counts["train"][label], sc.counts["validation"][label],
                sc.counts["test"][label]) == (train, val, test), label
    assert sum(sum(c.values()) for c in sc.counts.values()) == 3136
    for a, b in [("train", "validation"), ("train", "test"), ("validation", "test")]:
        assert sc.speakers(a).isdisjoint(sc.speakers(b)), (a, b)
    assert len(sc.background_noise) == 6
    assert all(n.dtype == np.float32 and n.ndim == 1 for n in sc.background_noise)
    assert sum(n.size for n in sc.background_noise) / 16000 == pytest.approx(399.4, abs=0.1)


def test_speech_commands_default_words_and_cache(private_cache: Path) -> None:
    first = datasets.load_speech_commands(profile="full")
    assert first.label_names == list(speech_commands.DEFAULT_WORDS)
    assert {s: sum(c.values()) for s, c in first.counts.items()} == {
        "train": 2030, "validation": 245, "test": 245}
    assert list((private_cache / "speech_commands_decoded").rglob("yes.npz"))
    second = datasets.load_speech_commands(profile="full")  # from the .npz cache
    x1, y1 = first.as_numpy("validation")
    x2, y2 = second.as_numpy("validation")
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    waveform, label = next(iter(second.train))
    assert waveform.shape == (16000,) and waveform.dtype.name == "float32"
    assert -1.0 <= float(np.min(x1)) and float(np.max(x1)) < 1.0


def test_speech_commands_smoke_profile() -> None:
    sc = datasets.load_speech_commands(profile="smoke")
    for split, n in speech_commands.SMOKE_PER_CLASS.items():
        assert set(sc.counts[split].values()) == {n}, split


def test_which_set_reproduces_the_official_lists() -> None:
    """The README's hashing rule puts every mirror clip where the official lists do."""
    root = MIRROR / "speech_commands"
    clips = speech_clips.list_clips(root, speech_clips.list_words(root))
    assert len(clips) == 3136
    partition = {"train": "training", "validation": "validation", "test": "testing"}
    assert all(speech_clips.which_set(c.rel) == partition[c.split] for c in clips)


# ----------------------------------------------------------------------------- check command
def test_check_command_passes_on_the_mirror(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["check", str(MIRROR)]) == 0
    out = capsys.readouterr().out
    assert "4 of 4 datasets OK" in out


def test_check_command_flags_a_corrupted_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "mirror"
    (copy / "mnist").mkdir(parents=True)
    shutil.copyfile(MIRROR / "mnist" / "mnist.npz", copy / "mnist" / "mnist.npz")
    with (copy / "mnist" / "mnist.npz").open("r+b") as fh:
        fh.seek(5_000_000)
        byte = fh.read(1)
        fh.seek(5_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    assert cli(["check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "mnist            CORRUPT" in out and "sha256 expected" in out
    assert "cifar10          MISSING" in out and "speech_commands  MISSING" in out
