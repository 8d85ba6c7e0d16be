"""Build, check and report on dataset mirrors (folders usable as ``COURSE_DATA_DIR``).

A mirror has the layout of the course's ``shared/datasets`` folder::

    mnist/mnist.npz
    imdb/imdb.npz   imdb/imdb_word_index.json
    cifar10/cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}
    speech_commands/<word>/*.wav|*.flac   (+ _background_noise_/, split lists if any)

:func:`check_mirror` verifies one; :func:`fetch` fills one from the official URLs (or from
a verified local copy); :func:`status` tells a learner which datasets this machine has.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course_utils import registry
from course_utils.archives import extract
from course_utils.download import (
    DatasetIntegrityError,
    cache_dir,
    data_dir,
    download,
    first_existing,
    search_paths,
    verify_file,
)

DATASETS: tuple[str, ...] = ("mnist", "cifar10", "imdb", "speech_commands")


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one dataset in a mirror: ``state`` is ok, missing or corrupt."""

    name: str
    state: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.state == "ok"


# ----------------------------------------------------------------------------- checks
def _check_mnist(root: Path) -> CheckResult:
    from course_utils.datasets import read_mnist_npz

    path = root / "mnist" / "mnist.npz"
    if not path.is_file():
        return CheckResult("mnist", "missing", f"no {path}")
    verify_file(path, registry.official("mnist.npz"))
    arrays = read_mnist_npz(path)
    return CheckResult(
        "mnist", "ok", f"mnist.npz is the official file; {len(arrays['x_train']):,} train / "
        f"{len(arrays['x_test']):,} test images"
    )


def _check_imdb(root: Path) -> CheckResult:
    from course_utils.imdb import read_imdb_npz, read_word_index

    files = [root / "imdb" / "imdb.npz", root / "imdb" / "imdb_word_index.json"]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        return CheckResult("imdb", "missing", "no " + ", ".join(missing))
    for path in files:
        verify_file(path, registry.official(path.name))
    arrays = read_imdb_npz(files[0])
    words = read_word_index(files[1])
    return CheckResult(
        "imdb", "ok", f"official files; {len(arrays['x_train']):,} train / "
        f"{len(arrays['x_test']):,} test reviews, {len(words):,} words"
    )


def _check_cifar10(root: Path) -> CheckResult:
    from course_utils.cifar import FOLDER, read_cifar10_folder

    folder = root / "cifar10" / FOLDER
    archive = root / "cifar10" / registry.CIFAR10_TAR.name
    if folder.is_dir():
        (x_train, _), (x_test, _) = read_cifar10_folder(folder)
        return CheckResult(
            "cifar10", "ok", f"{FOLDER}/ content matches the official sha256; "
            f"{len(x_train):,} train / {len(x_test):,} test images"
        )
    if archive.is_file():
        verify_file(archive, registry.official(archive.name))
        return CheckResult("cifar10", "ok", f"{archive.name} is the official archive")
    return CheckResult("cifar10", "missing", f"no {folder}/ and no {archive}")


def _check_speech(root: Path) -> CheckResult:
    from course_utils import speech

    folder = root / "speech_commands"
    if not folder.is_dir():
        return CheckResult("speech_commands", "missing", f"no {folder}/")
    words = speech.list_words(folder)
    absent = [w for w in speech.DEFAULT_WORDS if w not in words]
    if absent:
        return CheckResult(
            "speech_commands", "missing", f"{folder}/ lacks the words {', '.join(absent)}"
        )
    split_of = speech.read_split_lists(folder)
    clips = speech.list_clips(folder, words)
    on_disk = {speech._stem(c.rel) for c in clips}
    if split_of is not None:
        stale = sorted(set(split_of) - on_disk)
        if stale:
            raise DatasetIntegrityError(
                f"{folder}: {len(stale)} clips named in the split lists are missing, "
                f"e.g. {stale[0]}"
            )
    speakers = {s: {c.speaker for c in clips if c.split == s} for s in speech.SPLITS}
    shared = (speakers["train"] & speakers["validation"]) | (
        speakers["train"] & speakers["test"]) | (speakers["validation"] & speakers["test"])
    if shared:
        raise DatasetIntegrityError(
            f"{folder}: {len(shared)} speakers are in more than one split, e.g. {min(shared)}"
        )
    speech.decode_clips(folder, [c.rel for c in clips])  # every clip decodes (and matches)
    noise, _ = speech.load_background_noise(folder)
    per_split = {s: sum(c.split == s for c in clips) for s in speech.SPLITS}
    return CheckResult(
        "speech_commands", "ok", f"{len(clips):,} clips of {len(words)} words decode "
        f"(train {per_split['train']:,} / validation {per_split['validation']:,} / "
        f"test {per_split['test']:,}, speaker-disjoint), {len(noise)} noise files"
    )


_CHECKS: dict[str, Callable[[Path], CheckResult]] = {
    "mnist": _check_mnist,
    "cifar10": _check_cifar10,
    "imdb": _check_imdb,
    "speech_commands": _check_speech,
}


def check_one(name: str, root: Path) -> CheckResult:
    """Check one dataset of the mirror ``root``; corruption becomes a ``corrupt`` result."""
    try:
        return _CHECKS[name](root)
    except (DatasetIntegrityError, FileNotFoundError) as exc:
        return CheckResult(name, "corrupt", str(exc))


def check_mirror(root: Path, names: tuple[str, ...] = DATASETS) -> list[CheckResult]:
    """Check every dataset of the mirror ``root``."""
    return [check_one(name, root) for name in names]


# ----------------------------------------------------------------------------- fetch
def _copy_atomically(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def _fetch_file(name: str, folder: Path, local: list[str], *, progress: bool) -> Path:
    """Put a verified ``folder/name`` in place: keep it, copy a local copy, or download."""
    spec = registry.official(name)
    target = folder / name
    if target.is_file():
        verify_file(target, spec)
        return target
    found = first_existing(p for p in search_paths(local, [name]) if p != target)
    if found is not None:
        verify_file(found, spec)
        print(f"  copying the verified local copy {found}")
        return _copy_atomically(found, target)
    return download(spec, folder, progress=progress)


def fetch(name: str, dest: Path, *, progress: bool = True) -> CheckResult:
    """Fill ``dest`` with one dataset in the mirror layout and check it.

    ``name`` is one of :data:`DATASETS` (``speech_commands`` fetches the 8-word
    ``mini_speech_commands.zip``, 182 MB) or ``speech_commands_v2`` (the whole v0.02
    archive, 2.4 GB, with the official split lists and background noise).

    Raises:
        DownloadFailed: the network failed; DatasetIntegrityError: a bad file.
    """
    from course_utils.cifar import FOLDER, keep_batch_file

    check_name = "speech_commands" if name.startswith("speech_commands") else name
    current = check_one(check_name, dest)
    if current.ok and name != "speech_commands_v2":
        return current
    if name == "mnist":
        _fetch_file("mnist.npz", dest / "mnist", ["mnist/mnist.npz"], progress=progress)
    elif name == "imdb":
        for file in ("imdb.npz", "imdb_word_index.json"):
            _fetch_file(file, dest / "imdb", [f"imdb/{file}"], progress=progress)
    elif name == "cifar10":
        target = dest / "cifar10" / FOLDER
        _refuse_existing(target)
        archive = _fetch_file(
            registry.CIFAR10_TAR.name, dest / "cifar10",
            [f"cifar10/{registry.CIFAR10_TAR.name}"], progress=progress,
        )
        extract(archive, target, strip=FOLDER, keep=keep_batch_file)
        archive.unlink()
    elif name in ("speech_commands", "speech_commands_v2"):
        target = dest / "speech_commands"
        if current.ok and (target / "validation_list.txt").is_file():
            return current  # already has the full archive's lists
        _refuse_existing(target)
        spec = registry.SPEECH_COMMANDS_MINI_ZIP if name == "speech_commands" \
            else registry.SPEECH_COMMANDS_V2_TAR
        strip = "mini_speech_commands" if name == "speech_commands" else None
        archive = _fetch_file(spec.name, dest, [spec.name], progress=progress)
        extract(archive, target, strip=strip)
        archive.unlink()
    else:
        raise ValueError(f"unknown dataset {name!r}; use one of {DATASETS} or all.")
    return check_one(check_name, dest)


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise DatasetIntegrityError(
            f"{target} exists but does not pass the check; remove it and fetch again."
        )


# ----------------------------------------------------------------------------- status
@dataclass(frozen=True)
class DatasetStatus:
    """Whether a dataset is on this machine, where, and how to get it if not."""

    name: str
    found: bool
    where: str | None
    how: str


def _how(loader: str, files: list[registry.OfficialFile], layout: str) -> str:
    size = sum(f.size for f in files) / 1e6
    return (
        f"set COURSE_DATA_DIR to a mirror holding {layout}, or let {loader}() download "
        f"{size:,.0f} MB from {files[0].url}"
    )


def status() -> list[DatasetStatus]:
    """Where each course dataset would be loaded from, without reading or hashing it.

    ``found`` means a copy exists where the loader looks first (the mirror
    ``COURSE_DATA_DIR``, then the cache); the loader still verifies it.
    """
    from course_utils import cifar, speech

    results = []
    mnist = first_existing(search_paths(["mnist/mnist.npz"], ["mnist.npz", "mnist/mnist.npz"]))
    results.append(DatasetStatus(
        "mnist", mnist is not None, str(mnist) if mnist else None,
        _how("load_mnist", [registry.official("mnist.npz")], "mnist/mnist.npz"),
    ))
    cifar_at = next((p for p in cifar.folder_candidates() if cifar._is_batch_folder(p)), None)
    cifar_at = cifar_at or first_existing(p for p in cifar.archive_candidates() if p.is_file())
    results.append(DatasetStatus(
        "cifar10", cifar_at is not None, str(cifar_at) if cifar_at else None,
        _how("load_cifar10", [registry.official(registry.CIFAR10_TAR.name)],
             "cifar10/cifar-10-batches-py/"),
    ))
    npz = first_existing(search_paths(["imdb/imdb.npz"], ["imdb.npz", "imdb/imdb.npz"]))
    index = first_existing(search_paths(
        ["imdb/imdb_word_index.json"], ["imdb_word_index.json", "imdb/imdb_word_index.json"]))
    results.append(DatasetStatus(
        "imdb", npz is not None and index is not None,
        str(npz.parent) if npz is not None and index is not None else None,
        _how("load_imdb", [registry.official("imdb.npz"),
                           registry.official("imdb_word_index.json")], "imdb/imdb.npz"),
    ))
    words = speech.DEFAULT_WORDS
    sc = next((p for p in speech.folder_candidates() if speech._covers(p, words, False)), None)
    if sc is None:
        sc = next((p for p, a in speech.archive_candidates()
                   if p.is_file() and speech._archive_covers(a, words, False)), None)
    results.append(DatasetStatus(
        "speech_commands", sc is not None, str(sc) if sc else None,
        _how("load_speech_commands", [registry.official(registry.SPEECH_COMMANDS_MINI_ZIP.name)],
             "speech_commands/<word>/"),
    ))
    return results


def format_status(rows: list[DatasetStatus] | None = None) -> str:
    """A small text table of :func:`status` for notebooks."""
    rows = status() if rows is None else rows
    mirror = data_dir()
    lines = [
        f"COURSE_DATA_DIR = {mirror if mirror is not None else '(not set)'}",
        f"cache           = {cache_dir()}",
        f"{'dataset':<16} {'status':<8} where / how to get it",
    ]
    for row in rows:
        state = "found" if row.found else "MISSING"
        lines.append(f"{row.name:<16} {state:<8} {row.where if row.found else row.how}")
    return "\n".join(lines)
