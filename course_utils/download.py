"""Find, download and verify dataset files.

Files are looked for, in order, in the read-only mirror ``COURSE_DATA_DIR``, then in the
writable cache ``COURSE_CACHE_DIR`` (default ``$KERAS_HOME/datasets`` or
``~/.keras/datasets``, the folder Keras itself uses), and only then downloaded from the
official URL. A download goes to a temporary file in the cache folder, is checked against
the registry's size and sha256, and only then renamed into place, so an interrupted or
corrupt download never leaves a file behind.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path

from course_utils.registry import OfficialFile

DATA_DIR_ENV = "COURSE_DATA_DIR"
CACHE_DIR_ENV = "COURSE_CACHE_DIR"
#: Seconds to wait for the server before a download is given up.
TIMEOUT_S = 30.0
_CHUNK = 1 << 20


class DatasetNotFoundError(FileNotFoundError):
    """The dataset is neither in the mirror nor in the cache, and downloading failed."""


class DatasetIntegrityError(ValueError):
    """A dataset file exists but is corrupt, truncated or not the official file."""


def data_dir() -> Path | None:
    """The read-only mirror folder named by ``COURSE_DATA_DIR``, or ``None`` if unset."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """The writable cache: ``COURSE_CACHE_DIR``, else Keras's ``~/.keras/datasets``."""
    value = os.environ.get(CACHE_DIR_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    keras_home = os.environ.get("KERAS_HOME", "").strip()
    base = Path(keras_home).expanduser() if keras_home else Path.home() / ".keras"
    return base / "datasets"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: Path, spec: OfficialFile) -> None:
    """Check a file's size and sha256 against the registry.

    Raises:
        DatasetIntegrityError: naming the file, the expected and the actual value.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DatasetIntegrityError(f"{path}: cannot read it ({exc.strerror}).") from None
    if size != spec.size:
        raise DatasetIntegrityError(
            f"{path} is not the official {spec.name}: expected {spec.size:,} bytes, "
            f"found {size:,} (truncated or a different file). {_fix_hint(path)}"
        )
    if spec.sha256 is not None:
        actual = sha256_of(path)
        if actual != spec.sha256:
            raise DatasetIntegrityError(
                f"{path} is not the official {spec.name}: sha256 expected {spec.sha256}, "
                f"got {actual} (corrupt or modified). {_fix_hint(path)}"
            )


def _fix_hint(path: Path) -> str:
    mirror = data_dir()
    if mirror is not None and _is_within(path, mirror):
        return (
            f"The mirror {mirror} is damaged: check it with "
            f"`python -m course_utils.datasets check {mirror}`."
        )
    return "Delete it; the next call downloads a fresh copy."


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def first_existing(candidates: Iterable[Path]) -> Path | None:
    """The first path in ``candidates`` that exists, or ``None``."""
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return None


class DownloadFailed(OSError):
    """A download could not complete (no network, server error, connection dropped)."""


def download(spec: OfficialFile, dest_dir: Path, *, progress: bool = True) -> Path:
    """Download ``spec`` into ``dest_dir / spec.name``, verified, atomically.

    Bytes stream into a temporary file in ``dest_dir`` with a tqdm progress bar; after the
    size and sha256 match the registry the file is renamed into place. On any failure the
    temporary file is removed.

    Raises:
        DownloadFailed: the network or server failed (no file is left behind).
        DatasetIntegrityError: the bytes arrived but are not the official file.
    """
    from tqdm import tqdm

    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / spec.name
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=dest_dir)
    tmp = Path(tmp_name)
    received = 0
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(spec.url, timeout=TIMEOUT_S) as resp:
                    length = resp.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else spec.size
                    with tqdm(
                        total=total, unit="B", unit_scale=True, unit_divisor=1024,
                        desc=f"Downloading {spec.name}", disable=not progress,
                    ) as bar:
                        while chunk := resp.read(_CHUNK):
                            out.write(chunk)
                            digest.update(chunk)
                            received += len(chunk)
                            bar.update(len(chunk))
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                raise DownloadFailed(
                    f"download of {spec.url} failed after {received:,} of {spec.size:,} "
                    f"bytes: {reason}"
                ) from None
        if received < spec.size:
            raise DownloadFailed(
                f"download of {spec.url} was cut off after {received:,} of "
                f"{spec.size:,} bytes; the partial file was removed"
            )
        if received != spec.size:
            raise DatasetIntegrityError(
                f"downloaded {spec.name} from {spec.url}: expected {spec.size:,} bytes, got "
                f"{received:,}; the file was removed."
            )
        actual = digest.hexdigest()
        if spec.sha256 is not None and actual != spec.sha256:
            raise DatasetIntegrityError(
                f"downloaded {spec.name} from {spec.url}: sha256 expected {spec.sha256}, "
                f"got {actual}; the file was removed. Try again later; if it persists the "
                "server is serving a different file."
            )
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


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


def obtain(
    dataset: str,
    spec: OfficialFile,
    mirror_paths: Sequence[str],
    cache_paths: Sequence[str],
    *,
    download_ok: bool = True,
    progress: bool = True,
) -> Path:
    """Return a verified local copy of one official file, downloading it if needed.

    Args:
        dataset: human name used in messages, e.g. ``"MNIST"``.
        spec: the registry entry.
        mirror_paths: paths relative to ``COURSE_DATA_DIR`` where the file may be.
        cache_paths: paths relative to the cache where the file may be; the download
            lands at ``cache_dir() / spec.name``.
        download_ok: allow the download step.
        progress: show a progress bar while downloading.

    Raises:
        DatasetNotFoundError: not found anywhere and the download failed.
        DatasetIntegrityError: a found or downloaded copy is not the official file.
    """
    searched = search_paths(mirror_paths, cache_paths)
    found = first_existing(searched)
    if found is not None:
        verify_file(found, spec)
        return found
    reason = "downloads are turned off" if not download_ok else None
    if download_ok:
        try:
            return download(spec, cache_dir(), progress=progress)
        except DownloadFailed as exc:
            reason = str(exc)
        except PermissionError as exc:
            reason = f"cannot write to the cache {cache_dir()}: {exc.strerror}"
    raise DatasetNotFoundError(
        not_found_message(
            dataset, [spec.name], searched, [spec], [mirror_paths[0]], reason
        )
    )


def search_paths(mirror_paths: Sequence[str], cache_paths: Sequence[str]) -> list[Path]:
    """The candidate locations, mirror first, then cache."""
    mirror = data_dir()
    paths: list[Path] = []
    if mirror is not None:
        paths += [mirror / rel for rel in mirror_paths]
    cache = cache_dir()
    paths += [cache / rel for rel in cache_paths]
    return paths
