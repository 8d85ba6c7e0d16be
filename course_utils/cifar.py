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

    Batches are read one at a time straight into the channels-last result while their
    bytes feed the content sha256, so memory stays near the size of the result.

    Raises:
        DatasetIntegrityError: a batch is missing, malformed, or the content hashes differ.
    """
    missing = [name for name in _NEEDED if not (folder / name).is_file()]
    if missing:
        raise DatasetIntegrityError(
            f"{folder} is an incomplete CIFAR-10 folder: missing {', '.join(missing)}."
        )
    train = _read_split(folder, "train", registry.CIFAR10_TRAIN_BATCHES)
    test = _read_split(folder, "test", (registry.CIFAR10_TEST_BATCH,))
    return train, test


def _read_split(folder: Path, split: str, batches: tuple[str, ...]) -> ArrayPair:
    expected = registry.CIFAR10_COUNTS[split]
    images = np.empty((expected, 32, 32, 3), dtype=np.uint8)
    labels = np.empty((expected, 1), dtype=np.uint8)
    data_hash, label_hash = hashlib.sha256(), hashlib.sha256()
    start = 0
    for name in batches:
        data, batch_labels = read_cifar_batch(folder / name)
        stop = start + len(data)
        if stop > expected:
            raise DatasetIntegrityError(
                f"{folder / name}: the {split} batches hold more than {expected:,} images."
            )
        data_hash.update(data.data)
        label_hash.update(batch_labels.data)
        images[start:stop] = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        labels[start:stop, 0] = batch_labels
        start = stop
        del data
    if start != expected:
        raise DatasetIntegrityError(
            f"{folder}: the {split} batches hold {start:,} images, expected {expected:,}."
        )
    for what, digest in (("data", data_hash), ("labels", label_hash)):
        want = registry.CIFAR10_CONTENT_SHA256[f"{split}_{what}"]
        if digest.hexdigest() != want:
            raise DatasetIntegrityError(
                f"{folder}: CIFAR-10 {split} {what} differ from the official data "
                f"(content sha256 expected {want}, got {digest.hexdigest()})."
            )
    return images, labels


def keep_batch_file(rel: PurePosixPath) -> bool:
    """Archive members worth extracting: the files directly in ``cifar-10-batches-py/``."""
    return len(rel.parts) == 1
