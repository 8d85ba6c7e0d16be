"""Download, cache, integrity and error paths of course_utils.datasets (127.0.0.1 only).

The fixtures ``file_server`` and ``isolated_data`` come from ``conftest.py``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from datasets_fixtures import (
    cifar_batches,
    cifar_tar_bytes,
    dead_url,
    imdb_arrays,
    mnist_arrays,
    npz_bytes,
    snapshot,
    speech_files,
    tar_gz_bytes,
    use_small_cifar,
    use_small_mnist,
    word_index_bytes,
    write_cifar_folder,
    write_tree,
    zip_bytes,
)

from course_utils import datasets
from course_utils.data import cifar10, files, mnist, registry, speech_clips, speech_tfds
from course_utils.datasets import DatasetIntegrityError, DatasetNotFoundError


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*")] if folder.exists() else []


# ----------------------------------------------------------------------------- MNIST download
def test_download_verifies_shows_progress_and_caches(
    file_server, isolated_data, monkeypatch, capsys
) -> None:
    use_small_mnist(monkeypatch)
    arrays = mnist_arrays()
    file_server.serve("mnist.npz", npz_bytes(arrays), monkeypatch=monkeypatch)

    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(profile="full")

    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert (isolated_data / "mnist.npz").is_file()  # Keras's cache layout
    assert _leftovers(isolated_data) == ["mnist.npz"]  # no temporary file left
    err = capsys.readouterr().err
    assert "Downloading mnist.npz" in err and "100%" in err  # tqdm byte progress
    assert file_server.requests == ["/mnist.npz"]

    datasets.load_mnist(profile="full")  # second call: a cache hit
    assert file_server.requests == ["/mnist.npz"]


def test_smoke_profile_is_balanced_subset_of_the_same_file(
    file_server, isolated_data, monkeypatch
) -> None:
    use_small_mnist(monkeypatch)
    arrays = mnist_arrays()
    file_server.serve("mnist.npz", npz_bytes(arrays), monkeypatch=monkeypatch)
    monkeypatch.setattr(mnist, "SMOKE_PER_CLASS", (3, 1))
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()
    assert np.bincount(y_train).tolist() == [3] * 10
    assert np.bincount(y_test).tolist() == [1] * 10
    idx = datasets.balanced_indices(arrays["y_train"], 3)
    np.testing.assert_array_equal(x_train, arrays["x_train"][idx])


def test_checksum_mismatch_raises_and_leaves_no_file(
    file_server, isolated_data, monkeypatch
) -> None:
    use_small_mnist(monkeypatch)
    spec = file_server.serve("mnist.npz", npz_bytes(mnist_arrays()))
    wrong = "0" * 64
    monkeypatch.setitem(registry.FILES, "mnist.npz", replace(spec, sha256=wrong))
    with pytest.raises(DatasetIntegrityError) as info:
        datasets.load_mnist(profile="full")
    message = str(info.value)
    assert wrong in message and spec.sha256 in message  # expected vs actual
    assert _leftovers(isolated_data) == []


def test_wrong_size_download_raises_and_leaves_no_file(
    file_server, isolated_data, monkeypatch
) -> None:
    spec = file_server.serve("mnist.npz", npz_bytes(mnist_arrays()))
    monkeypatch.setitem(registry.FILES, "mnist.npz", replace(spec, size=spec.size - 10))
    with pytest.raises(DatasetIntegrityError, match="expected"):
        datasets.load_mnist(profile="full")
    assert _leftovers(isolated_data) == []


def test_connection_closed_mid_body_leaves_no_partial_file(
    file_server, isolated_data, monkeypatch
) -> None:
    file_server.serve("mnist.npz", npz_bytes(mnist_arrays()), monkeypatch=monkeypatch)
    file_server.cut.add("/mnist.npz")
    with pytest.raises(DatasetNotFoundError) as info:
        datasets.load_mnist(profile="full")
    assert "mnist.npz" in str(info.value)
    assert _leftovers(isolated_data) == []


def test_server_down_gives_the_offline_message(isolated_data, monkeypatch) -> None:
    url = dead_url("mnist.npz")
    monkeypatch.setitem(
        registry.FILES, "mnist.npz", replace(registry.official("mnist.npz"), url=url)
    )
    with pytest.raises(DatasetNotFoundError) as info:
        datasets.load_mnist(profile="full")
    message = str(info.value)
    for part in ("MNIST", "mnist.npz", str(isolated_data / "mnist.npz"), url,
                 "11,490,434 bytes", "COURSE_DATA_DIR", "COURSE_DATA_DIR is not set"):
        assert part in message, part
    # one clean message: no chained network traceback behind it
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_download_false_does_not_touch_the_network(
    file_server, isolated_data, monkeypatch
) -> None:
    file_server.serve("mnist.npz", npz_bytes(mnist_arrays()), monkeypatch=monkeypatch)
    with pytest.raises(DatasetNotFoundError, match="downloads are turned off"):
        datasets.load_mnist(profile="full", download=False)
    assert file_server.requests == []


def test_corrupt_cached_file_is_reported_by_name(isolated_data, monkeypatch) -> None:
    isolated_data.mkdir(parents=True)
    bad = isolated_data / "mnist.npz"
    bad.write_bytes(b"not an npz at all")
    with pytest.raises(DatasetIntegrityError) as info:
        datasets.load_mnist(profile="full", download=False)
    assert str(bad) in str(info.value) and "Delete it" in str(info.value)


def test_mirror_is_preferred_and_never_written(
    tmp_path, file_server, isolated_data, monkeypatch
) -> None:
    """A read-only mirror with MNIST, a CIFAR archive and WAV clips stays byte-identical."""
    use_small_mnist(monkeypatch)
    batches = cifar_batches()
    use_small_cifar(monkeypatch, batches)
    mirror = tmp_path / "mirror"
    mnist_data = npz_bytes(mnist_arrays())
    tar = cifar_tar_bytes(batches)
    write_tree(mirror, {"mnist/mnist.npz": mnist_data, "cifar10/cifar-10-python.tar.gz": tar})
    write_tree(mirror / "speech_commands", speech_files(lists=True))
    file_server.serve("mnist.npz", mnist_data, monkeypatch=monkeypatch)  # registry facts
    file_server.serve("cifar-10-python.tar.gz", tar, monkeypatch=monkeypatch)
    before = snapshot(mirror)
    for path in [mirror, *mirror.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror))
    try:
        datasets.load_mnist(profile="full")
        (x_train, y_train), _ = datasets.load_cifar10(profile="full")
        sc = datasets.load_speech_commands(profile="full")
        sc = datasets.load_speech_commands(profile="full")  # from the decode cache
    finally:
        for path in [mirror, *mirror.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert snapshot(mirror) == before
    assert file_server.requests == []  # nothing downloaded: the mirror served everything
    assert x_train.shape == (100, 32, 32, 3) and y_train.shape == (100, 1)
    assert (isolated_data / "cifar-10-batches-py" / "data_batch_1").is_file()
    assert sc.source == mirror / "speech_commands"
    assert list((isolated_data / "speech_commands_decoded").rglob("*.npz"))


# ----------------------------------------------------------------------------- CIFAR-10
def test_cifar10_download_extracts_verifies_and_removes_archive(
    file_server, isolated_data, monkeypatch
) -> None:
    batches = cifar_batches()
    use_small_cifar(monkeypatch, batches)
    file_server.serve("cifar-10-python.tar.gz", cifar_tar_bytes(batches), monkeypatch=monkeypatch)
    (x_train, y_train), (x_test, y_test) = datasets.load_cifar10(profile="full")
    assert x_train.shape == (100, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (100, 1) and x_test.shape == (20, 32, 32, 3)
    # channels last: pixel (row 0, col 1) of image 0 = bytes 1, 1025, 2049 of its row
    row = batches["data_batch_1"][b"data"][0]
    assert x_train[0, 0, 1].tolist() == [row[1], row[1025], row[2049]]
    assert y_test[:3, 0].tolist() == batches["test_batch"][b"labels"][:3]
    assert sorted(_leftovers(isolated_data)) == sorted(
        ["cifar-10-batches-py", "batches.meta", "readme.html", *cifar10.TRAIN_BATCHES,
         "test_batch"]
    )
    datasets.load_cifar10(profile="full")
    assert file_server.requests == ["/cifar-10-python.tar.gz"]


def test_cifar10_content_hash_mismatch_is_an_error(
    tmp_path, isolated_data, monkeypatch
) -> None:
    batches = cifar_batches()
    use_small_cifar(monkeypatch, batches)
    batches["data_batch_3"][b"data"][0, 0] ^= 1  # one pixel off
    write_cifar_folder(isolated_data / "cifar-10-batches-py", batches)
    with pytest.raises(DatasetIntegrityError, match="train data differ"):
        datasets.load_cifar10(profile="full", download=False)


def test_cifar10_pickle_with_foreign_global_is_refused(isolated_data, monkeypatch) -> None:
    batches = cifar_batches()
    use_small_cifar(monkeypatch, batches)
    folder = write_cifar_folder(isolated_data / "cifar-10-batches-py", batches)
    # A pickle that would call os.system if loaded with the plain unpickler.
    evil = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
    (folder / "data_batch_2").write_bytes(evil)
    with pytest.raises(DatasetIntegrityError, match="refusing to load os.system"):
        datasets.load_cifar10(profile="full", download=False)


# ----------------------------------------------------------------------------- IMDB
def test_imdb_download_follows_keras_conventions(file_server, isolated_data, monkeypatch) -> None:
    raw = imdb_arrays()
    file_server.serve("imdb.npz", npz_bytes(raw), monkeypatch=monkeypatch)
    file_server.serve("imdb_word_index.json", word_index_bytes(), monkeypatch=monkeypatch)
    (x_train, y_train), (x_test, y_test) = datasets.load_imdb(profile="full")
    order = np.arange(40)
    rng = np.random.RandomState(113)
    rng.shuffle(order)
    assert x_train[0] == [1] + [w + 3 for w in raw["x_train"][order[0]]]
    assert y_train.tolist() == raw["y_train"][order].tolist()
    (x_small, _), _ = datasets.load_imdb(num_words=20, oov_char=2, profile="full")
    assert all(2 <= w < 20 or w == 1 for review in x_small for w in review)
    index = datasets.imdb_word_index()
    assert index["w1"] == 1 and len(index) == 59
    assert datasets.decode_imdb_review([1, 4, 5], index) == "? w1 w2"
    assert len(file_server.requests) == 2


# ----------------------------------------------------------------------------- Speech Commands
def test_speech_mini_zip_download_uses_the_hashing_split(
    file_server, isolated_data, monkeypatch
) -> None:
    files = {f"mini_speech_commands/{k}": v for k, v in speech_files().items()
             if not k.startswith("_")}
    files["mini_speech_commands/README.md"] = b"mini"
    file_server.serve("mini_speech_commands.zip", zip_bytes(files), monkeypatch=monkeypatch)
    sc = datasets.load_speech_commands(words=("yes", "no"), profile="full")
    assert file_server.requests == ["/mini_speech_commands.zip"]
    assert not (isolated_data / "mini_speech_commands.zip").exists()
    assert sc.label_names == ["yes", "no"]
    which_set = speech_clips.which_set
    expected = {"training": "train", "validation": "validation", "testing": "test"}
    for split, rels in sc.files.items():
        assert all(expected[which_set(rel)] == split for rel in rels)
    assert sum(sum(c.values()) for c in sc.counts.values()) == 24
    assert sc.background_noise == []  # mini_speech_commands has no noise folder
    waveform, label = next(iter(sc.train))
    assert waveform.shape == (16000,) and waveform.dtype.name == "float32"
    assert label.dtype.name == "int32"


def test_speech_v2_tar_uses_the_official_lists_and_noise(
    file_server, isolated_data, monkeypatch
) -> None:
    words = ("yes", "no", "up")
    file_server.serve(
        "speech_commands_v0.02.tar.gz", tar_gz_bytes(speech_files(lists=True)),
        monkeypatch=monkeypatch,
    )
    sc = datasets.load_speech_commands(words=words, unknown=True, profile="full")
    assert sc.label_names == ["yes", "no", "up", "_unknown_"]
    # speakers 0-1 validation, 2-3 test, 4-11 train; 5 other words form _unknown_
    assert sc.counts["validation"] == {"yes": 2, "no": 2, "up": 2, "_unknown_": 10}
    assert sc.counts["train"] == {"yes": 8, "no": 8, "up": 8, "_unknown_": 40}
    assert sc.speakers("train").isdisjoint(sc.speakers("test"))
    assert sc.background_noise_names == ["white_noise.wav"]
    assert sc.background_noise[0].dtype == np.float32 and sc.background_noise[0].size == 40000
    x, y = sc.as_numpy("test")
    assert x.shape == (sum(sc.counts["test"].values()), 16000)
    # test clips (speakers 2-3) have 12,800 or 13,200 samples: zero-padded to one second
    assert np.all(x[:, 13200:] == 0) and not np.all(x[:, 12000:12800] == 0)


def test_speech_smoke_profile_and_max_unknown(tmp_path, isolated_data, monkeypatch) -> None:
    root = write_tree(tmp_path / "sc", speech_files(lists=True))
    sc = datasets.load_speech_commands(
        words=("yes", "no"), unknown=True, profile="smoke", data_dir=root
    )
    assert sc.counts["train"] == {"yes": 8, "no": 8, "_unknown_": 8}
    assert sc.counts["validation"] == {"yes": 2, "no": 2, "_unknown_": 4}
    again = datasets.load_speech_commands(
        words=("yes", "no"), unknown=True, profile="smoke", data_dir=root
    )
    assert again.files == sc.files  # deterministic
    capped = datasets.load_speech_commands(
        words=("yes",), unknown=True, profile="full", data_dir=root, max_unknown=5
    )
    assert capped.counts["train"]["_unknown_"] == 5


def test_speech_missing_gives_the_offline_message(isolated_data, monkeypatch) -> None:
    monkeypatch.setitem(
        registry.FILES, "mini_speech_commands.zip",
        replace(registry.official("mini_speech_commands.zip"),
                url=dead_url("mini_speech_commands.zip")),
    )
    with pytest.raises(DatasetNotFoundError) as info:
        datasets.load_speech_commands(profile="smoke")
    message = str(info.value)
    assert "Speech Commands" in message and "mini_speech_commands.zip" in message
    assert "COURSE_DATA_DIR" in message and "182,082,353 bytes" in message


def test_speech_bad_words_are_rejected() -> None:
    with pytest.raises(TypeError):
        datasets.load_speech_commands(words="yes")
    with pytest.raises(ValueError):
        datasets.load_speech_commands(words=("yes", "yes"))


def test_speech_tfds_offline_error(tmp_path, monkeypatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable")

    monkeypatch.setattr(speech_tfds.socket, "create_connection", no_network)
    with pytest.raises(DatasetNotFoundError) as info:
        datasets.load_speech_commands_tfds(data_dir=tmp_path / "tfds")
    message = str(info.value)
    assert "speech_commands_v0.02.tar.gz" in message and "network is unreachable" in message
    assert "COURSE_DATA_DIR" in message
    with pytest.raises(DatasetNotFoundError, match="downloads are turned off"):
        datasets.load_speech_commands_tfds(data_dir=tmp_path / "tfds", download=False)


# ----------------------------------------------------------------------------- status
def test_status_lists_every_dataset(tmp_path, isolated_data, monkeypatch) -> None:
    mirror = write_tree(tmp_path / "mirror", {"mnist/mnist.npz": b"x"})
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror))
    rows = {row.name: row for row in datasets.status()}
    assert list(rows) == ["mnist", "cifar10", "imdb", "speech_commands"]
    assert rows["mnist"].found and rows["mnist"].where == str(mirror / "mnist" / "mnist.npz")
    assert not rows["cifar10"].found and "COURSE_DATA_DIR" in rows["cifar10"].how
    table = datasets.format_status()
    assert "MISSING" in table and "found" in table


def test_profile_argument_is_validated() -> None:
    with pytest.raises(ValueError, match="profile"):
        datasets.load_mnist(profile="tiny")


def test_env_paths(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("COURSE_CACHE_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert files.cache_dir() == tmp_path / "datasets"
    monkeypatch.setenv("COURSE_DATA_DIR", "  ")
    assert files.data_dir() is None
    assert os.fspath(files.cache_dir()).endswith("datasets")

