"""Strict readers for the on-disk formats of the datasets: ``.npz`` and CIFAR pickles.

Both formats may contain pickles (IMDB's object arrays, CIFAR-10's python batches). Python's
``pickle`` can run arbitrary code, so these readers use a restricted unpickler that builds
only the few objects the official files contain: builtin containers and scalars (which the
pickle opcodes create without any import) plus NumPy arrays and dtypes. Anything else is a
corrupt or foreign file. Every failure is reported as one :class:`DatasetIntegrityError`
(a ``ValueError``) naming the file and what is wrong; no raw NumPy/zlib/pickle traceback.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.data.errors import DatasetIntegrityError


def _numpy_reconstruct() -> Any:
    try:
        from numpy._core.multiarray import _reconstruct  # NumPy >= 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct  # type: ignore[no-redef]
    return _reconstruct


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only NumPy's array/dtype reconstruction helpers.

    Official pickles name ``numpy.core.multiarray._reconstruct`` (written by NumPy 1.x),
    ``numpy.ndarray`` and ``numpy.dtype``; NumPy 2 writes ``numpy._core...``. Lists, dicts,
    ints, bytes and str need no global at all.
    """

    _ALLOWED: dict[tuple[str, str], Any] = {
        ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct(),
        ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct(),
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: not part of the dataset format"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent ids are not part of the dataset format")


def restricted_loads(data: bytes, *, encoding: str = "bytes") -> Any:
    """Unpickle ``data`` allowing only builtin values and NumPy arrays."""
    return _RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def _parse_npy(raw: bytes, *, allow_object: bool) -> np.ndarray:
    """Parse one ``.npy`` payload strictly.

    Numeric arrays are read by ``numpy.lib.format.read_array(..., allow_pickle=False)``;
    object arrays (IMDB's lists) only with ``allow_object``, through the restricted
    unpickler. Bytes after the array are an error, as is a header NumPy cannot parse.
    """
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"unsupported .npy format version {version}")
    if dtype.hasobject:
        if not allow_object:
            raise ValueError("holds Python objects where numbers were expected")
        array = restricted_loads(raw[stream.tell():], encoding="latin1")
        if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
            raise ValueError("object array does not match its header")
        return array
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - stream.tell() != nbytes:
        raise ValueError(
            f"holds {len(raw) - stream.tell():,} data bytes, its header promises {nbytes:,}"
        )
    stream.seek(0)
    array = np.lib.format.read_array(stream, allow_pickle=False)
    return np.ascontiguousarray(array)


def read_npz(
    path: Path,
    keys: Sequence[str],
    *,
    allow_object: bool = False,
) -> dict[str, np.ndarray]:
    """Read the named arrays from an ``.npz`` file, strictly.

    Args:
        path: the ``.npz`` file.
        keys: array names that must be present (e.g. ``x_train``).
        allow_object: accept object arrays (IMDB's lists), built by the restricted
            unpickler; numeric files should keep this ``False``.

    Raises:
        DatasetIntegrityError: the file is not a readable ``.npz`` with these arrays.
    """
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for key in keys:
                member = f"{key}.npy"
                if member not in names:
                    raise ValueError(f"it has no array {key!r} (found: {sorted(names)})")
                try:
                    raw = zf.read(member)
                    arrays[key] = _parse_npy(raw, allow_object=allow_object)
                except DatasetIntegrityError:
                    raise
                except Exception as exc:  # zlib, CRC, header, pickle errors
                    raise ValueError(f"array {key!r} is unreadable: {exc}") from None
    except FileNotFoundError:
        raise
    except DatasetIntegrityError:
        raise
    except zipfile.BadZipFile as exc:
        raise DatasetIntegrityError(
            f"{path} is not a valid .npz (zip) file: {exc}; it is truncated or corrupt."
        ) from None
    except Exception as exc:
        raise DatasetIntegrityError(f"{path} is corrupt: {exc}") from None
    return arrays


def read_pickle_file(path: Path, what: str = "python pickle") -> Any:
    """Read a python-pickle dataset file (CIFAR batches) with the restricted unpickler.

    ``what`` names the expected content in the error message.

    Raises:
        DatasetIntegrityError: the file is not a readable pickle of the expected kind.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise DatasetIntegrityError(f"{path}: cannot read it ({exc.strerror}).") from None
    try:
        return restricted_loads(data, encoding="bytes")
    except Exception as exc:  # UnpicklingError, EOFError, ValueError, numpy errors...
        raise DatasetIntegrityError(
            f"{path} is not a valid {what}: {type(exc).__name__}: {exc}"
        ) from None
