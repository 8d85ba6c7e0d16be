"""The data layer's shared pieces: verification remembered per process, safe extraction."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from datasets_fixtures import (
    cifar_batches,
    speech_files,
    tar_gz_bytes,
    use_small_cifar,
    write_cifar_folder,
    write_tree,
    zip_bytes,
)

from course_utils import datasets
from course_utils.data import archives, files, registry
from course_utils.data.errors import DatasetIntegrityError
from course_utils.data.registry import OfficialFile


def _age(*paths: Path, seconds: float = 60.0) -> None:
    """Date files back, as a mirror's files are (fresh files are never remembered)."""
    stamp = time.time() - seconds
    for path in paths:
        os.utime(path, (stamp, stamp))


@pytest.fixture
def sha_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = files.sha256_of

    def counting(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(files, "sha256_of", counting)
    return calls


def _spec(path: Path, sha: str | None = None) -> OfficialFile:
    import hashlib

    data = path.read_bytes()
    return OfficialFile(path.name, "http://127.0.0.1:9/x", len(data),
                        sha or hashlib.sha256(data).hexdigest())


def test_a_verified_file_is_hashed_once_until_it_changes(tmp_path, sha_calls) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"official bytes")
    _age(path)
    spec = _spec(path)
    files.verify_file(path, spec)
    files.verify_file(path, spec)
    assert len(sha_calls) == 1
    path.write_bytes(b"modified bytes")  # same size, new content
    _age(path, seconds=30)
    with pytest.raises(DatasetIntegrityError, match="sha256 expected"):
        files.verify_file(path, spec)
    assert len(sha_calls) == 2


def test_a_fresh_file_is_never_taken_from_memory(tmp_path, sha_calls) -> None:
    """Timestamps are coarse: a file written just now is checked every time."""
    path = tmp_path / "f.bin"
    path.write_bytes(b"official bytes")
    spec = _spec(path)
    files.verify_file(path, spec)
    files.verify_file(path, spec)
    assert len(sha_calls) == 2


def test_a_failed_check_is_not_remembered(tmp_path, sha_calls) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"official bytes")
    _age(path)
    wrong = _spec(path, sha="0" * 64)
    for _ in range(2):
        with pytest.raises(DatasetIntegrityError):
            files.verify_file(path, wrong)
    assert len(sha_calls) == 2


def test_cifar10_content_is_hashed_again_after_a_change(isolated_data, monkeypatch) -> None:
    batches = cifar_batches()
    use_small_cifar(monkeypatch, batches)
    folder = write_cifar_folder(isolated_data / "cifar-10-batches-py", batches)
    _age(*folder.iterdir())
    (x_train, _), _ = datasets.load_cifar10(profile="full", download=False)
    batches["data_batch_2"][b"data"][0, 0] ^= 1  # one pixel off, same file size
    write_cifar_folder(folder, batches)
    _age(*folder.iterdir(), seconds=30)
    with pytest.raises(DatasetIntegrityError, match="train data differ"):
        datasets.load_cifar10(profile="full", download=False)
    assert x_train.shape == (100, 32, 32, 3)


def test_the_unhashed_mini_archive_is_checked_by_size_only(
    tmp_path, isolated_data, monkeypatch
) -> None:
    """Google publishes no checksum for mini_speech_commands.zip: its size must match."""
    clips = {f"mini_speech_commands/{k}": v
             for k, v in speech_files(("yes", "no"), 4).items() if not k.startswith("_")}
    data = zip_bytes(clips)
    mirror = write_tree(tmp_path / "mirror", {"mini_speech_commands.zip": data})
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror))
    spec = replace(registry.official("mini_speech_commands.zip"), size=len(data))
    assert spec.sha256 is None
    monkeypatch.setitem(registry.FILES, spec.name, spec)
    sc = datasets.load_speech_commands(words=("yes", "no"), profile="full", download=False)
    assert sum(sum(c.values()) for c in sc.counts.values()) == 8
    shutil.rmtree(isolated_data / "mini_speech_commands")  # extracted copy: look again
    monkeypatch.setitem(registry.FILES, spec.name, replace(spec, size=len(data) + 1))
    with pytest.raises(DatasetIntegrityError, match=f"expected {len(data) + 1:,} bytes"):
        datasets.load_speech_commands(words=("yes", "no"), profile="full", download=False)


# ----------------------------------------------------------------------------- extraction
def _hostile_tar() -> bytes:
    """A tar with one good file and members that must never land outside ``dest``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        def add(name: str, data: bytes = b"x", **attrs: object) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            for key, value in attrs.items():
                setattr(info, key, value)
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)

        add("top/good.txt", b"good")
        add("top/../../escape.txt")
        add("/abs/escape.txt")
        add("top/link", type=tarfile.SYMTYPE, linkname="/etc/passwd", size=0)
        add("top/hard", type=tarfile.LNKTYPE, linkname="top/good.txt", size=0)
        add("top/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3, size=0)
    return buf.getvalue()


@pytest.mark.parametrize("tar_filter", [True, False], ids=["data-filter", "no-filter"])
def test_extract_keeps_only_safe_regular_files(tmp_path, monkeypatch, tar_filter) -> None:
    """With tarfile's data filter (Python 3.10.12+/3.11.4+) and without it (older 3.10)."""
    if tar_filter and not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile data filter")
    monkeypatch.setattr(archives, "HAS_TAR_FILTER", tar_filter)
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(_hostile_tar())
    dest = archives.extract(archive, tmp_path / "work" / "out", strip="top")
    found = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert found == ["a.tar.gz", "work", "work/out", "work/out/good.txt"]
    assert (dest / "good.txt").read_bytes() == b"good"


def test_extract_of_a_truncated_archive_leaves_nothing(tmp_path) -> None:
    data = tar_gz_bytes({"top/a.bin": np.arange(50_000, dtype=np.int64).tobytes()})
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetIntegrityError, match="truncated or corrupt"):
        archives.extract(archive, tmp_path / "out", strip="top")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz"]


def test_extract_zip_skips_unsafe_names(tmp_path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(zip_bytes({"top/ok.wav": b"ok", "top/../../evil": b"x", "/abs": b"x"}))
    dest = archives.extract(archive, tmp_path / "out", strip="top")
    assert [p.name for p in dest.rglob("*")] == ["ok.wav"]
    assert not (tmp_path / "evil").exists()
