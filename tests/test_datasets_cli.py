"""The teachers' command line: fetch a mirror from (local) official URLs, then check it.

The fixtures ``file_server`` and ``isolated_data`` come from ``conftest.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from datasets_fixtures import (
    cifar_batches,
    cifar_tar_bytes,
    dead_url,
    imdb_arrays,
    mnist_arrays,
    npz_bytes,
    speech_files,
    use_small_cifar,
    use_small_mnist,
    word_index_bytes,
    zip_bytes,
)

from course_utils import datasets
from course_utils.data import registry
from course_utils.data.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def served(file_server, isolated_data, monkeypatch):
    """Every official file of ``fetch all`` served small from 127.0.0.1."""
    use_small_mnist(monkeypatch)
    batches = cifar_batches()
    use_small_cifar(monkeypatch, batches)
    mini = {f"mini_speech_commands/{k}": v for k, v in speech_files().items()
            if not k.startswith("_")}
    file_server.serve("mnist.npz", npz_bytes(mnist_arrays()), monkeypatch=monkeypatch)
    file_server.serve("imdb.npz", npz_bytes(imdb_arrays()), monkeypatch=monkeypatch)
    file_server.serve("imdb_word_index.json", word_index_bytes(), monkeypatch=monkeypatch)
    file_server.serve("cifar-10-python.tar.gz", cifar_tar_bytes(batches), monkeypatch=monkeypatch)
    file_server.serve("mini_speech_commands.zip", zip_bytes(mini), monkeypatch=monkeypatch)
    return file_server


def test_fetch_all_builds_a_mirror_that_checks_and_loads(
    served, tmp_path, monkeypatch, capsys
) -> None:
    dest = tmp_path / "mirror"
    assert cli(["fetch", "all", "--dest", str(dest), "--no-progress"]) == 0
    assert (dest / "mnist" / "mnist.npz").is_file()
    assert (dest / "imdb" / "imdb_word_index.json").is_file()
    assert (dest / "cifar10" / "cifar-10-batches-py" / "test_batch").is_file()
    assert (dest / "speech_commands" / "yes").is_dir()
    assert not list(dest.glob("*.zip")) and not list(dest.rglob("*.tar.gz"))
    assert not [p for p in dest.rglob("*") if p.name.endswith(".part")]
    assert len(served.requests) == 5

    assert cli(["check", str(dest)]) == 0
    assert "4 of 4 datasets OK" in capsys.readouterr().out

    assert cli(["fetch", "all", "--dest", str(dest), "--no-progress"]) == 0  # idempotent
    assert len(served.requests) == 5

    monkeypatch.setenv("COURSE_DATA_DIR", str(dest))  # usable as a mirror
    (x_train, _), _ = datasets.load_cifar10(profile="full", download=False)
    sc = datasets.load_speech_commands(profile="full", download=False)
    assert x_train.shape == (100, 32, 32, 3) and sc.source == dest / "speech_commands"


def test_fetch_reports_a_dead_server(isolated_data, tmp_path, monkeypatch, capsys) -> None:
    from dataclasses import replace

    monkeypatch.setitem(
        registry.FILES, "mnist.npz",
        replace(registry.official("mnist.npz"), url=dead_url("mnist.npz")),
    )
    assert cli(["fetch", "mnist", "--dest", str(tmp_path / "m"), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "mnist            FAILED" in out and "127.0.0.1" in out


def test_check_reports_missing_and_corrupt(served, tmp_path, capsys) -> None:
    dest = tmp_path / "mirror"
    assert cli(["fetch", "mnist", "imdb", "--dest", str(dest), "--no-progress"]) == 0
    capsys.readouterr()
    (dest / "imdb" / "imdb_word_index.json").write_bytes(b"{}")
    assert cli(["check", str(dest)]) == 1
    out = capsys.readouterr().out
    assert "mnist            OK" in out
    assert "imdb             CORRUPT" in out and "imdb_word_index.json" in out
    assert "cifar10          MISSING" in out
    assert "1 of 4 datasets OK" in out
    assert cli(["check", str(dest), "--only", "mnist"]) == 0


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "course_utils.datasets", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0 and "fetch" in result.stdout and "check" in result.stdout
