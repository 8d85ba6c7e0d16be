"""Shared fixtures of the data tests, and the hypothesis profiles.

* ``file_server`` / ``isolated_data``: a local HTTP server and an empty private cache, for
  the download tests (no network).
* ``real_data_cache`` and the ``*_full`` fixtures: the real datasets of the mirror in
  ``COURSE_DATA_DIR``, each loaded **once per test run** (session scope) into a private
  cache; the arrays are read-only so no test can change what another one sees.
* Hypothesis: the default profile as before; ``ci`` (selected when the ``CI`` environment
  variable is set): no deadline (shared CI machines stall), derandomized and without an
  example database, so a CI failure reproduces exactly. Tests that set their own number
  of examples (the 1,120 fuzz cases of ``test_datasets_fuzz.py``) keep it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from datasets_fixtures import MIRROR, SPEECH_CORE, FileServer, serving, using_cache
from hypothesis import settings

settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True, database=None, print_blob=True
)
if os.environ.get("CI"):
    settings.load_profile("ci")

# ----------------------------------------------------------------------------- downloads
@pytest.fixture
def file_server() -> Iterator[FileServer]:
    """A running :class:`FileServer` on a random free port of 127.0.0.1."""
    with serving() as state:
        yield state


@pytest.fixture
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No mirror, an empty cache in ``tmp_path/cache``; returns the cache folder."""
    cache = tmp_path / "cache"
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    return cache


# ----------------------------------------------------------------------------- real data
@pytest.fixture(scope="session")
def real_data_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh writable cache for the real-data tests (never ~/.keras or the CI cache)."""
    if MIRROR is None:
        pytest.skip("COURSE_DATA_DIR is not set: no dataset mirror to test against")
    return tmp_path_factory.mktemp("real-data-cache")


def _read_only(value: Any) -> Any:
    for array in (value if isinstance(value, tuple) else (value,)):
        if isinstance(array, tuple):
            _read_only(array)
        elif isinstance(array, np.ndarray):
            array.setflags(write=False)
    return value


@pytest.fixture(scope="session")
def mnist_full(real_data_cache: Path) -> Any:
    """``load_mnist(profile="full")``, loaded once per test run."""
    from course_utils import datasets

    with using_cache(real_data_cache):
        return _read_only(datasets.load_mnist(profile="full"))


@pytest.fixture(scope="session")
def cifar10_full(real_data_cache: Path) -> Any:
    """``load_cifar10(profile="full")``, loaded (and content-hashed) once per test run."""
    from course_utils import datasets

    with using_cache(real_data_cache):
        return _read_only(datasets.load_cifar10(profile="full"))


@pytest.fixture(scope="session")
def imdb_full(real_data_cache: Path) -> Any:
    """``load_imdb(profile="full")``, loaded once per test run."""
    from course_utils import datasets

    with using_cache(real_data_cache):
        return _read_only(datasets.load_imdb(profile="full"))


@pytest.fixture(scope="session")
def speech_core_unknown(real_data_cache: Path) -> Any:
    """The ten core words plus ``_unknown_`` (every clip of the mirror), decoded and
    checked against the manifest once per test run."""
    from course_utils import datasets

    with using_cache(real_data_cache):
        return datasets.load_speech_commands(words=SPEECH_CORE, unknown=True, profile="full")
