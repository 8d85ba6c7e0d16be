"""Safe, atomic extraction of the official ``.tar.gz`` and ``.zip`` dataset archives.

Only regular files are extracted, only under the destination (no absolute paths, no ``..``,
no links or devices), into a temporary folder next to the destination that is renamed into
place when complete. Tar members also pass through tarfile's ``data`` extraction filter
(PEP 706) where this Python has it (3.12+, 3.11.4+, 3.10.12+); older 3.10 patch releases
get the same path checks from :func:`_safe_relative` alone. A damaged archive raises one
:class:`DatasetIntegrityError` naming it.
"""

from __future__ import annotations

import copy
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from course_utils.data.errors import DatasetIntegrityError

_CHUNK = 1 << 20
#: tarfile's PEP 706 filters exist on this Python (the ``filter=`` argument of extract).
HAS_TAR_FILTER = hasattr(tarfile, "data_filter")


def _keep_all(rel: PurePosixPath) -> bool:
    return True


def _safe_relative(name: str, strip: str | None) -> PurePosixPath | None:
    """The member's path below ``strip`` if it is safe, else ``None`` (skipped)."""
    path = PurePosixPath(name.replace("\\", "/"))
    parts = [p for p in path.parts if p not in ("", ".")]
    if strip is not None:
        if not parts or parts[0] != strip:
            return None
        parts = parts[1:]
    if not parts or path.is_absolute() or any(p == ".." for p in parts):
        return None
    return PurePosixPath(*parts)


def _copy_member(src: IO[bytes] | None, target: Path) -> None:
    if src is None:
        raise ValueError(f"no data for {target.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with src, target.open("wb") as out:
        shutil.copyfileobj(src, out, _CHUNK)


def _extract_tar(
    archive: Path, tmp: Path, strip: str | None, keep: Callable[[PurePosixPath], bool]
) -> int:
    count = 0
    with tarfile.open(archive, mode="r:*") as tf:
        for member in tf:  # one forward pass: each member is extracted as it is reached
            rel = _safe_relative(member.name, strip) if member.isfile() else None
            if rel is None or not keep(rel):
                continue
            if HAS_TAR_FILTER:
                renamed = copy.copy(member)
                renamed.name = rel.as_posix()
                tf.extract(renamed, tmp, set_attrs=False, filter="data")
            else:  # pragma: no cover - Python 3.10.0-3.10.11
                _copy_member(tf.extractfile(member), tmp.joinpath(*rel.parts))
            count += 1
        # Read to the end so gzip checks its CRC-32 and length trailer too.
        while tf.fileobj is not None and tf.fileobj.read(_CHUNK):
            pass
    return count


def _extract_zip(
    archive: Path, tmp: Path, strip: str | None, keep: Callable[[PurePosixPath], bool]
) -> int:
    count = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = None if info.is_dir() else _safe_relative(info.filename, strip)
            if rel is None or not keep(rel):
                continue
            _copy_member(zf.open(info), tmp.joinpath(*rel.parts))
            count += 1
    return count


def extract(
    archive: Path,
    dest: Path,
    *,
    strip: str | None = None,
    keep: Callable[[PurePosixPath], bool] = _keep_all,
) -> Path:
    """Extract ``archive`` into the new folder ``dest``, atomically.

    Args:
        archive: a ``.tar.gz``/``.tar`` or ``.zip`` file (already checksum-verified).
        dest: the folder to create; must not exist yet.
        strip: a leading folder name to remove from member paths (members outside it are
            skipped), e.g. ``"cifar-10-batches-py"``.
        keep: predicate on the relative path; members it rejects are skipped.

    Returns:
        ``dest``.

    Raises:
        DatasetIntegrityError: the archive is truncated, corrupt or holds no files.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        try:
            is_zip = zipfile.is_zipfile(archive)
            count = (_extract_zip if is_zip else _extract_tar)(archive, tmp, strip, keep)
        except Exception as exc:  # tarfile/zipfile/gzip/zlib/EOF/CRC/filter errors
            raise DatasetIntegrityError(
                f"{archive} is not a readable archive ({type(exc).__name__}: {exc}); "
                "it is truncated or corrupt."
            ) from None
        if count == 0:
            raise DatasetIntegrityError(f"{archive} holds none of the expected files.")
        try:
            tmp.rename(dest)
        except OSError:
            if not dest.is_dir():
                raise
            shutil.rmtree(tmp)  # another process finished first; keep its copy
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
