"""Safe, atomic extraction of the official ``.tar.gz`` and ``.zip`` dataset archives.

Only regular files are extracted, only under the destination (no absolute paths, no ``..``,
no links or devices), into a temporary folder next to the destination that is renamed into
place when complete. A damaged archive raises one :class:`DatasetIntegrityError` naming it.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from course_utils.download import DatasetIntegrityError

_CHUNK = 1 << 20


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


def _members(archive: Path) -> Iterator[tuple[str, Callable[[], IO[bytes]]]]:
    """Yield (name, opener) for every regular file in a tar or zip archive."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    yield info.filename, (lambda info=info: zf.open(info))
        return
    with tarfile.open(archive, mode="r:*") as tf:
        for member in tf:
            if member.isfile():
                yield member.name, (lambda member=member: tf.extractfile(member))  # type: ignore[misc]
        # Read to the end so gzip checks its CRC-32 and length trailer too.
        while tf.fileobj is not None and tf.fileobj.read(_CHUNK):
            pass


def extract(
    archive: Path,
    dest: Path,
    *,
    strip: str | None = None,
    keep: Callable[[PurePosixPath], bool] = lambda rel: True,
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
        count = 0
        try:
            for name, opener in _members(archive):
                rel = _safe_relative(name, strip)
                if rel is None or not keep(rel):
                    continue
                target = tmp.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with opener() as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
                count += 1
        except Exception as exc:  # tarfile/zipfile/gzip/zlib/EOF/CRC errors
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
