"""Where dataset files live, how they are verified, and how one is downloaded atomically.

Files are looked for in the read-only mirror ``COURSE_DATA_DIR``, then in the writable
cache ``COURSE_CACHE_DIR`` (default ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``, the
folder Keras itself uses), and only then downloaded (see :mod:`.locate`). A download goes to
a temporary file in the cache folder, is checked against the registry's size and sha256,
and only then renamed into place, so an interrupted or corrupt download never leaves a file
behind.

Verification results are remembered for the life of the process, keyed by the files'
path, device, inode, size and modification time (:func:`remember_verified`): loading the
same official file twice hashes it once, and any change to the file hashes it again (files
modified in the last two seconds are always checked again, as timestamps are coarse).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path

from course_utils.data.errors import DatasetIntegrityError, DownloadFailed
from course_utils.data.registry import OfficialFile

DATA_DIR_ENV = "COURSE_DATA_DIR"
CACHE_DIR_ENV = "COURSE_CACHE_DIR"
#: Seconds to wait for the server before a download is given up.
TIMEOUT_S = 30.0
_CHUNK = 1 << 20


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


# ----------------------------------------------------------------------------- verification
_VERIFIED: dict[Hashable, object] = {}
#: Files younger than this are never taken as verified from memory (see remember_verified).
RACY_S = 2.0


def _state(paths: Sequence[Path]) -> tuple[Hashable, ...]:
    out = []
    for path in paths:
        st = path.stat()
        out.append((str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def verified_key(kind: str, paths: Sequence[Path], expected: Hashable) -> Hashable | None:
    """A key naming these files as they are now and what they must match (None if one is
    unreadable). Take it *before* reading the files, pass it to :func:`remember_verified`
    after they passed: a file changed in between gets a new key and is checked again."""
    try:
        return (kind, _state(paths), expected)
    except OSError:
        return None


def remember_verified(key: Hashable | None, facts: object = True) -> None:
    """Note that the files of ``key`` passed their check (in this process), with what the
    check found (``facts``, e.g. the number of examples) for :func:`recall_verified`.

    Files modified in the last :data:`RACY_S` seconds are not remembered: file systems
    stamp times with a coarse clock, so a same-size rewrite a few milliseconds later could
    keep the same mtime (git's "racily clean" problem). They are simply checked again.
    """
    if key is None:
        return
    newest = max(state[-1] for state in key[1])  # type: ignore[index]
    if newest < time.time_ns() - int(RACY_S * 1e9):
        _VERIFIED[key] = facts


def recall_verified(key: Hashable | None) -> object | None:
    """What the check of ``key`` found earlier in this process, or None if it never ran on
    these files as they are now."""
    return None if key is None else _VERIFIED.get(key)


def already_verified(key: Hashable | None) -> bool:
    """Whether the files of ``key`` passed this very check earlier in this process."""
    return recall_verified(key) is not None


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: Path, spec: OfficialFile) -> None:
    """Check a file's size and sha256 against the registry (hashed once per process).

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
            f"found {size:,} (truncated or a different file). {fix_hint(path)}"
        )
    if spec.sha256 is None:
        return  # nothing published to compare with: the size is all we can check here
    key = verified_key("sha256", [path], spec.sha256)
    if already_verified(key):
        return
    actual = sha256_of(path)
    if actual != spec.sha256:
        raise DatasetIntegrityError(
            f"{path} is not the official {spec.name}: sha256 expected {spec.sha256}, "
            f"got {actual} (corrupt or modified). {fix_hint(path)}"
        )
    remember_verified(key)


def fix_hint(path: Path) -> str:
    """How to repair a bad file: check the mirror, or delete the cached copy."""
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


# ----------------------------------------------------------------------------- writing
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
    if spec.sha256 is not None:
        remember_verified(verified_key("sha256", [final], spec.sha256))
    return final


def copy_atomically(src: Path, dest: Path) -> Path:
    """Copy ``src`` to ``dest`` through a temporary file renamed into place."""
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
