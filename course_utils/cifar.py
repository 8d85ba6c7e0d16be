"""CIFAR-10: find the python batches (folder or official archive) and read them, verified.

Search order: the mirror's ``cifar10/cifar-10-batches-py/``; extracted folders in the cache
(ours, and the layouts Keras 2 and Keras 3 leave in ``~/.keras/datasets``); then the
official ``cifar-10-python.tar.gz`` in the mirror or cache (sha256-checked, then extracted
once into the cache); then the official download. A folder is accepted only when its
pixels and labels match the published content sha256 (``registry.CIFAR10_CONTENT_SHA256``),
which holds for the official pickles and for the mirror's lossless rebuild alike.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

import numpy as np

from course_utils import registry
from course_utils.archives import extract
from course_utils.download import (
    DatasetIntegrityError,
    DatasetNotFoundError,
    DownloadFailed,
    cache_dir,
    data_dir,
    download,
    not_found_message,
    verify_file,
)
from course_utils.formats import read_cifar_batch

ArrayPair = tuple[np.ndarray, np.ndarray]
FOLDER = registry.CIFAR10_FOLDER
ARCHIVE_NAME = registry.CIFAR10_TAR.name
_MIRROR_FOLDER = f"cifar10/{FOLDER}"
_CACHE_FOLDERS = (FOLDER, f"cifar-10-batches-py-target/{FOLDER}", f"cifar10/{FOLDER}")
_MIRROR_ARCHIVES = (f"cifar10/{ARCHIVE_NAME}", ARCHIVE_NAME)
_CACHE_ARCHIVES = (ARCHIVE_NAME, "cifar-10-batches-py-target_archive", f"{FOLDER}.tar.gz")
_NEEDED = (*registry.CIFAR10_TRAIN_BATCHES, registry.CIFAR10_TEST_BATCH)


def folder_candidates() -> list[Path]:
    """Extracted-folder locations, mirror first."""
    mirror = data_dir()
    paths = [mirror / _MIRROR_FOLDER] if mirror is not None else []
    return paths + [cache_dir() / rel for rel in _CACHE_FOLDERS]


def archive_candidates() -> list[Path]:
    """Official-archive locations, mirror first."""
    mirror = data_dir()
    paths = [mirror / rel for rel in _MIRROR_ARCHIVES] if mirror is not None else []
    return paths + [cache_dir() / rel for rel in _CACHE_ARCHIVES]


def _is_batch_folder(path: Path) -> bool:
    return path.is_dir() and any((path / name).exists() for name in _NEEDED)


def extract_archive(archive: Path, dest: Path) -> Path:
    """Verify the official archive and extract its batches into ``dest``."""
    verify_file(archive, registry.official(ARCHIVE_NAME))
    return extract(archive, dest, strip=FOLDER, keep=keep_batch_file)


def locate_cifar10(*, download_ok: bool = True, progress: bool = True) -> Path:
    """Return a folder holding the CIFAR-10 python batches (not yet content-verified).

    Raises:
        DatasetNotFoundError: nothing local and the download failed.
        DatasetIntegrityError: a found archive is not the official file.
    """
    for folder in folder_candidates():
        if _is_batch_folder(folder):
            return folder
    target = cache_dir() / FOLDER
    for archive in archive_candidates():
        if archive.is_file():
            return extract_archive(archive, target)
    reason = "downloads are turned off"
    if download_ok:
        try:
            archive = download(registry.official(ARCHIVE_NAME), cache_dir(), progress=progress)
        except DownloadFailed as exc:
            reason = str(exc)
        except PermissionError as exc:
            reason = f"cannot write to the cache {cache_dir()}: {exc.strerror}"
        else:
            folder = extract(archive, target, strip=FOLDER, keep=keep_batch_file)
            archive.unlink()  # the extracted, verified batches are what the cache keeps
            return folder
    searched = folder_candidates() + archive_candidates()
    raise DatasetNotFoundError(
        not_found_message(
            "CIFAR-10",
            [f"{FOLDER}/ ({', '.join(_NEEDED)})", f"or {ARCHIVE_NAME}"],
            searched,
            [registry.official(ARCHIVE_NAME)],
            [f"{_MIRROR_FOLDER}/"],
            reason,
        )
    )


def read_cifar10_folder(folder: Path) -> tuple[ArrayPair, ArrayPair]:
    """Read and verify the six batches in ``folder``; Keras's layout and dtypes.

    Raises:
        DatasetIntegrityError: a batch is missing, malformed, or the content hashes differ.
    """
    missing = [name for name in _NEEDED if not (folder / name).is_file()]
    if missing:
        raise DatasetIntegrityError(
            f"{folder} is an incomplete CIFAR-10 folder: missing {', '.join(missing)}."
        )
    n_train, n_test = registry.CIFAR10_COUNTS["train"], registry.CIFAR10_COUNTS["test"]
    x_train = np.empty((n_train, 3072), dtype=np.uint8)
    y_train = np.empty((n_train,), dtype=np.uint8)
    start = 0
    for name in registry.CIFAR10_TRAIN_BATCHES:
        data, labels = read_cifar_batch(folder / name)
        stop = start + len(data)
        if stop > n_train:
            raise DatasetIntegrityError(
                f"{folder / name}: the training batches hold more than {n_train:,} images."
            )
        x_train[start:stop], y_train[start:stop] = data, labels
        start = stop
    if start != n_train:
        raise DatasetIntegrityError(
            f"{folder}: the training batches hold {start:,} images, expected {n_train:,}."
        )
    x_test, y_test = read_cifar_batch(folder / registry.CIFAR10_TEST_BATCH)
    if len(x_test) != n_test:
        raise DatasetIntegrityError(
            f"{folder}: the test batch holds {len(x_test):,} images, expected {n_test:,}."
        )
    _verify_content(folder, x_train, y_train, x_test, y_test)
    train = (_to_images(x_train), y_train.reshape(-1, 1))
    return train, (_to_images(x_test), y_test.reshape(-1, 1))


def _verify_content(folder: Path, *arrays: np.ndarray) -> None:
    names = ("train_data", "train_labels", "test_data", "test_labels")
    for name, array in zip(names, arrays, strict=True):
        actual = hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()
        expected = registry.CIFAR10_CONTENT_SHA256[name]
        if actual != expected:
            raise DatasetIntegrityError(
                f"{folder}: CIFAR-10 {name.replace('_', ' ')} differ from the official data "
                f"(content sha256 expected {expected}, got {actual})."
            )


def _to_images(rows: np.ndarray) -> np.ndarray:
    """(N, 3072) channel-planar rows -> (N, 32, 32, 3) channels-last images (a copy)."""
    return np.ascontiguousarray(rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


def keep_batch_file(rel: PurePosixPath) -> bool:
    """Archive members worth extracting: the files directly in ``cifar-10-batches-py/``."""
    return len(rel.parts) == 1
