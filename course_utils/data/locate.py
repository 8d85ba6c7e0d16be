"""The search order every loader follows: mirror → cache → official URL.

* :func:`obtain` — one official file (``mnist.npz``): a verified copy from the mirror or the
  cache, else a verified download into the cache.
* :func:`locate_folder` — an extracted folder (CIFAR-10's batches, Speech Commands' word
  folders): an accepted folder in the mirror or the cache, else an official archive found
  there (verified, extracted once into the cache), else the archive downloaded, extracted
  and deleted. :func:`find_folder` is its first two steps without extracting anything, for
  ``status``.

When nothing works, both raise the one teaching :class:`DatasetNotFoundError`
(:func:`not_found_message`): what is missing, where it was looked for, where to put it and
how to get it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from course_utils.data import registry
from course_utils.data.archives import extract
from course_utils.data.errors import DatasetNotFoundError, DownloadFailed
from course_utils.data.files import (
    DATA_DIR_ENV,
    cache_dir,
    copy_atomically,
    data_dir,
    download,
    first_existing,
    verify_file,
)
from course_utils.data.registry import OfficialFile


def file_candidates(spec: OfficialFile) -> list[Path]:
    """Where one official file may be: its mirror paths, then its cache paths."""
    mirror = data_dir()
    paths = [mirror / rel for rel in spec.mirror_paths] if mirror is not None else []
    return paths + [cache_dir() / rel for rel in spec.cache_paths]


def find_file(spec: OfficialFile) -> Path | None:
    """The copy of ``spec`` a loader would read (not verified), or None."""
    return first_existing(file_candidates(spec))


def _download_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return f"cannot write to the cache {cache_dir()}: {exc.strerror}"
    return str(exc)


def obtain(
    dataset: str, name: str, *, download_ok: bool = True, progress: bool = True
) -> Path:
    """Return a verified local copy of the official file ``name``, downloading it if needed.

    Args:
        dataset: human name used in messages, e.g. ``"MNIST"``.
        name: the registry name, e.g. ``"mnist.npz"``.
        download_ok: allow the download step.
        progress: show a progress bar while downloading.

    Raises:
        DatasetNotFoundError: not found anywhere and the download failed.
        DatasetIntegrityError: a found or downloaded copy is not the official file.
    """
    spec = registry.official(name)
    searched = file_candidates(spec)
    found = first_existing(searched)
    if found is not None:
        verify_file(found, spec)
        return found
    reason = "downloads are turned off"
    if download_ok:
        try:
            return download(spec, cache_dir(), progress=progress)
        except (DownloadFailed, PermissionError) as exc:
            reason = _download_reason(exc)
    raise DatasetNotFoundError(
        not_found_message(
            dataset, [spec.name], searched, [spec], [spec.mirror_paths[0]], reason
        )
    )


def mirror_path(name: str, root: Path) -> Path:
    """Where the mirror ``root`` keeps the official file ``name`` (its first mirror path)."""
    return root / registry.official(name).mirror_paths[0]


def fetch_file(name: str, root: Path, *, progress: bool = True) -> Path:
    """Put a verified copy of the official file ``name`` into the mirror ``root``.

    Keeps the file if it is there, else copies a verified local copy (mirror or cache),
    else downloads it.
    """
    spec = registry.official(name)
    target = mirror_path(name, root)
    if target.is_file():
        verify_file(target, spec)
        return target
    found = first_existing(p for p in file_candidates(spec) if p != target)
    if found is not None:
        verify_file(found, spec)
        print(f"  copying the verified local copy {found}")
        return copy_atomically(found, target)
    return download(spec, target.parent, progress=progress)


# ----------------------------------------------------------------------------- folders
def _keep_all(rel: PurePosixPath) -> bool:
    return True


@dataclass(frozen=True)
class ArchiveSource:
    """An official archive that holds a dataset folder, and how to extract it.

    Attributes:
        name: the registry name of the archive.
        extract_to: the folder in the cache it is extracted into.
        strip: the archive's leading folder to remove (None: members are at the top).
        keep: which members (relative paths after ``strip``) to extract.
    """

    name: str
    extract_to: str
    strip: str | None = None
    keep: Callable[[PurePosixPath], bool] = field(default=_keep_all, compare=False)

    @property
    def spec(self) -> OfficialFile:
        return registry.official(self.name)


@dataclass(frozen=True)
class FolderLayout:
    """Where a dataset folder may be, and what the teaching error says when it is not.

    Attributes:
        dataset: the human name (``"CIFAR-10"``).
        mirror_folder: the folder in a mirror (``cifar10/cifar-10-batches-py``).
        cache_folders: extracted folders in the cache (ours first, then Keras's layouts).
        archives: the official archives that hold it, preferred first.
        expected: what the error message says is expected.
        layout: the mirror layout the error message recommends.
    """

    dataset: str
    mirror_folder: str
    cache_folders: tuple[str, ...]
    archives: tuple[ArchiveSource, ...]
    expected: tuple[str, ...]
    layout: str

    def folder_candidates(self) -> list[Path]:
        """Extracted-folder locations, mirror first."""
        mirror = data_dir()
        paths = [mirror / self.mirror_folder] if mirror is not None else []
        return paths + [cache_dir() / rel for rel in self.cache_folders]

    def archive_candidates(self) -> list[tuple[Path, ArchiveSource]]:
        """Official-archive locations: every archive in the mirror, then in the cache."""
        mirror = data_dir()
        out = []
        if mirror is not None:
            out += [(mirror / rel, a) for a in self.archives for rel in a.spec.mirror_paths]
        return out + [(cache_dir() / rel, a) for a in self.archives for rel in a.spec.cache_paths]


def find_folder(
    layout: FolderLayout,
    accept: Callable[[Path], bool],
    usable: Callable[[ArchiveSource], bool] = lambda archive: True,
) -> tuple[Path, ArchiveSource | None] | None:
    """The first accepted folder (``(folder, None)``) or usable archive found, or None.

    Reads and hashes nothing: it is what ``status`` reports and where
    :func:`locate_folder` starts.
    """
    for folder in layout.folder_candidates():
        if accept(folder):
            return folder, None
    for path, archive in layout.archive_candidates():
        if path.is_file() and usable(archive):
            return path, archive
    return None


def locate_folder(
    layout: FolderLayout,
    accept: Callable[[Path], bool],
    *,
    usable: Callable[[ArchiveSource], bool] = lambda archive: True,
    to_download: ArchiveSource,
    download_ok: bool = True,
    progress: bool = True,
) -> Path:
    """Return a dataset folder: found (mirror → cache), extracted, or downloaded.

    Args:
        layout: where to look.
        accept: whether a folder holds what the caller needs (cheap: no hashing).
        usable: whether an archive holds what the caller needs.
        to_download: the archive to download when nothing local is found; it is
            extracted into the cache, then deleted (the folder is what the cache keeps).
        download_ok: allow the download step.
        progress: show a progress bar while downloading.

    Raises:
        DatasetNotFoundError: nothing local and the download failed.
        DatasetIntegrityError: a found or downloaded archive is not the official file.
    """
    found = find_folder(layout, accept, usable)
    if found is not None:
        path, archive = found
        if archive is None:
            return path
        verify_file(path, archive.spec)
        dest = cache_dir() / archive.extract_to
        return extract(path, dest, strip=archive.strip, keep=archive.keep)
    reason = "downloads are turned off"
    if download_ok:
        try:
            path = download(to_download.spec, cache_dir(), progress=progress)
        except (DownloadFailed, PermissionError) as exc:
            reason = _download_reason(exc)
        else:
            dest = cache_dir() / to_download.extract_to
            folder = extract(path, dest, strip=to_download.strip, keep=to_download.keep)
            path.unlink()
            return folder
    searched = layout.folder_candidates() + [p for p, _ in layout.archive_candidates()]
    raise DatasetNotFoundError(
        not_found_message(
            layout.dataset, layout.expected, searched, [to_download.spec], [layout.layout],
            reason,
        )
    )


# ----------------------------------------------------------------------------- the message
def not_found_message(
    dataset: str,
    expected: Sequence[str],
    searched: Sequence[Path],
    specs: Sequence[OfficialFile],
    mirror_layout: Sequence[str],
    reason: str | None,
) -> str:
    """The one message a learner sees when a dataset is missing and cannot be downloaded."""
    mirror = data_dir()
    lines = [f"{dataset} is not available here and could not be downloaded."]
    lines.append("  Expected file(s): " + ", ".join(expected))
    lines.append("  Looked in:")
    if mirror is None:
        lines.append(f"    - (no mirror: {DATA_DIR_ENV} is not set)")
    elif not mirror.is_dir():
        lines.append(f"    - (the mirror {DATA_DIR_ENV}={mirror} does not exist)")
    lines += [f"    - {p}" for p in searched]
    for spec in specs:
        lines.append(f"  Official download: {spec.url} ({spec.size_text})")
    if reason:
        lines.append(f"  Download failed: {reason}")
    layout = ", ".join(mirror_layout)
    lines.append(
        f"Fix: set {DATA_DIR_ENV} to a dataset mirror holding {layout} "
        "(e.g. the course's shared/datasets folder, or one made with "
        "`python -m course_utils.datasets fetch all --dest DIR`), "
        "or connect to the internet and run this again."
    )
    return "\n".join(lines)
