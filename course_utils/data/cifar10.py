"""CIFAR-10 (Krizhevsky 2009): the python batches, from a folder or the official archive.

Layout: a mirror holds ``cifar10/cifar-10-batches-py/`` (or the official
``cifar-10-python.tar.gz``); the cache holds the extracted folder (ours, or the layouts
Keras 2 and Keras 3 leave in ``~/.keras/datasets``). Search order: folders (mirror, then
cache), then the archive (mirror, then cache; sha256-checked, extracted once into the
cache), then the download (:func:`~.locate.locate_folder`). A folder is accepted only when
its pixels and labels match the published content sha256 (:data:`CONTENT_SHA256`, from
``shared/datasets/README.md``), which holds for the official pickles and for the mirror's
lossless rebuild alike.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

import numpy as np

from course_utils.data.archives import extract
from course_utils.data.base import (
    ArrayPair,
    CheckResult,
    Dataset,
    refuse_existing,
    resolve_profile,
    subset,
)
from course_utils.data.errors import DatasetIntegrityError
from course_utils.data.files import (
    already_verified,
    remember_verified,
    verified_key,
    verify_file,
)
from course_utils.data.formats import read_pickle_file
from course_utils.data.locate import (
    ArchiveSource,
    FolderLayout,
    fetch_file,
    find_folder,
    locate_folder,
    mirror_path,
)
from course_utils.data.registry import CIFAR10_TAR

#: The dataset's name on the command line and its folder in a mirror.
NAME = "cifar10"
FOLDER = "cifar-10-batches-py"
ARCHIVE = CIFAR10_TAR.name
TRAIN_BATCHES: tuple[str, ...] = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
BATCHES: tuple[str, ...] = (*TRAIN_BATCHES, TEST_BATCH)
LABEL_NAMES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
#: Images per split: 5 training batches of 10,000 and one test batch.
COUNTS: dict[str, int] = {"train": 50000, "test": 10000}
#: sha256 of the stacked uint8 ``data`` arrays and labels (shared/datasets/README.md).
CONTENT_SHA256: dict[str, str] = {
    "train_data": "9d5c2eddadb0deff02c14c350c0385aab7b1d5ff1edfeb4997c8dc8644960111",
    "test_data": "177777c33ba79825320efa646ad04a94bdc3c80e4ebe3bd21724f8cdfd4b9d56",
    "train_labels": "2b7cd2f24487317614016b72ffd53071c3062f592f0eb300c18a770d41ae1253",
    "test_labels": "cec8a24a1e92aa2ecaa0bbd3dbfa86bf6cd8759fbd209a832824c8cf0afca9d5",
}
#: Smoke-profile images per class (train, test).
SMOKE_PER_CLASS: tuple[int, int] = (100, 50)


def keep_batch_file(rel: PurePosixPath) -> bool:
    """Archive members worth extracting: the files directly in ``cifar-10-batches-py/``."""
    return len(rel.parts) == 1


SOURCE = ArchiveSource(ARCHIVE, extract_to=FOLDER, strip=FOLDER, keep=keep_batch_file)
LAYOUT = FolderLayout(
    dataset="CIFAR-10",
    mirror_folder=f"{NAME}/{FOLDER}",
    cache_folders=(FOLDER, f"cifar-10-batches-py-target/{FOLDER}", f"{NAME}/{FOLDER}"),
    archives=(SOURCE,),
    expected=(f"{FOLDER}/ ({', '.join(BATCHES)})", f"or {ARCHIVE}"),
    layout=f"{NAME}/{FOLDER}/",
)


def is_batch_folder(path: Path) -> bool:
    """Whether ``path`` looks like a batch folder (cheap; the reader verifies it)."""
    return path.is_dir() and any((path / name).exists() for name in BATCHES)


def locate_cifar10(*, download_ok: bool = True, progress: bool = True) -> Path:
    """Return a folder holding the CIFAR-10 python batches (not yet content-verified)."""
    return locate_folder(
        LAYOUT, is_batch_folder, to_download=SOURCE, download_ok=download_ok,
        progress=progress,
    )


# ----------------------------------------------------------------------------- reading
def read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 python batch: ``data`` (N, 3072) uint8 and labels (N,) uint8.

    The official batches are dicts with the keys ``b'batch_label'``, ``b'labels'`` (a list
    of ints 0-9), ``b'data'`` (a uint8 array N x 3072, channel planes R, G, B) and
    ``b'filenames'``.

    Raises:
        DatasetIntegrityError: the file is not such a batch.
    """
    batch = read_pickle_file(path, "CIFAR-10 python batch")

    def bad(what: str) -> DatasetIntegrityError:
        return DatasetIntegrityError(f"{path} is not a valid CIFAR-10 python batch: {what}")

    if not isinstance(batch, dict):
        raise bad(f"it holds a {type(batch).__name__}, not a dict")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != 3072:
        raise bad("b'data' is not a uint8 array of shape (N, 3072)")
    if not isinstance(labels, list) or len(labels) != data.shape[0]:
        raise bad(f"b'labels' is not a list of {data.shape[0]} labels")
    if not all(type(v) is int and 0 <= v <= 9 for v in labels):
        raise bad("b'labels' holds values outside the integers 0-9")
    return np.ascontiguousarray(data), np.asarray(labels, dtype=np.uint8)


def _content_key(folder: Path) -> object:
    expected = (tuple(sorted(CONTENT_SHA256.items())), tuple(sorted(COUNTS.items())))
    return verified_key("cifar10-content", [folder / name for name in BATCHES], expected)


def read_cifar10_folder(folder: Path) -> tuple[ArrayPair, ArrayPair]:
    """Read and verify the six batches in ``folder``; Keras's layout and dtypes.

    Batches are read one at a time straight into the channels-last result while their
    bytes feed the content sha256 (skipped when the same unchanged files passed earlier in
    this process), so memory stays near the size of the result.

    Raises:
        DatasetIntegrityError: a batch is missing, malformed, or the content hashes differ.
    """
    missing = [name for name in BATCHES if not (folder / name).is_file()]
    if missing:
        raise DatasetIntegrityError(
            f"{folder} is an incomplete CIFAR-10 folder: missing {', '.join(missing)}."
        )
    key = _content_key(folder)
    hashed = not already_verified(key)
    train = _read_split(folder, "train", TRAIN_BATCHES, hashed)
    test = _read_split(folder, "test", (TEST_BATCH,), hashed)
    remember_verified(key)
    return train, test


def _read_split(folder: Path, split: str, batches: tuple[str, ...], hashed: bool) -> ArrayPair:
    expected = COUNTS[split]
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
        if hashed:
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
        want = CONTENT_SHA256[f"{split}_{what}"]
        if hashed and digest.hexdigest() != want:
            raise DatasetIntegrityError(
                f"{folder}: CIFAR-10 {split} {what} differ from the official data "
                f"(content sha256 expected {want}, got {digest.hexdigest()})."
            )
    return images, labels


# ----------------------------------------------------------------------------- loaders
def load_cifar10(
    *, profile: str | None = None, download: bool = True
) -> tuple[ArrayPair, ArrayPair]:
    """Load CIFAR-10 like ``keras.datasets.cifar10.load_data()`` (channels last).

    Reads the python batches (``cifar-10-batches-py/``) from the mirror or cache, or the
    official ``cifar-10-python.tar.gz`` (checked, then extracted once into the cache). The
    pixels and labels are always checked against the published content sha256.

    Args:
        profile: ``"full"``, ``"smoke"`` or ``None`` (active). Smoke gives 1,000 training
            images (100 per class) and 500 test images (50 per class).
        download: allow downloading the official archive when no local copy exists.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1) in the full profile.
    """
    profile = resolve_profile(profile)
    train, test = read_cifar10_folder(locate_cifar10(download_ok=download))
    if profile == "smoke":
        n_train, n_test = SMOKE_PER_CLASS
        train, test = subset(train, n_train), subset(test, n_test)
    return train, test


def cifar10_label_names() -> list[str]:
    """The 10 CIFAR-10 class names, in label order (``airplane`` ... ``truck``)."""
    return list(LABEL_NAMES)


# ----------------------------------------------------------------------------- mirror
def _check(root: Path) -> CheckResult:
    folder = root / LAYOUT.mirror_folder
    archive = mirror_path(ARCHIVE, root)
    if folder.is_dir():
        if not already_verified(_content_key(folder)):  # else: passed in this process
            read_cifar10_folder(folder)
        return CheckResult(
            NAME, "ok", f"{FOLDER}/ content matches the official sha256; "
            f"{COUNTS['train']:,} train / {COUNTS['test']:,} test images"
        )
    if archive.is_file():
        verify_file(archive, SOURCE.spec)
        return CheckResult(NAME, "ok", f"{ARCHIVE} is the official archive")
    return CheckResult(NAME, "missing", f"no {folder}/ and no {archive}")


def _fetch(dest: Path, name: str, progress: bool) -> None:
    target = dest / LAYOUT.mirror_folder
    refuse_existing(target)
    archive = fetch_file(ARCHIVE, dest, progress=progress)
    extract(archive, target, strip=SOURCE.strip, keep=SOURCE.keep)
    archive.unlink()


def _find() -> Path | None:
    found = find_folder(LAYOUT, is_batch_folder)
    return found[0] if found else None


DATASET = Dataset(
    name=NAME,
    loader="load_cifar10",
    layout=LAYOUT.layout,
    files=(ARCHIVE,),
    find=_find,
    check=_check,
    fetch=_fetch,
)
