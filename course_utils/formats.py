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

from course_utils.download import DatasetIntegrityError


def _numpy_reconstruct() -> Any:
    try:
        from numpy._core.multiarray import _reconstruct  # NumPy >= 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct
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
    """Parse one ``.npy`` payload (format 1.0-3.0) without NumPy's unrestricted pickle."""
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"unsupported .npy format version {version}")
    offset = stream.tell()
    if dtype.hasobject:
        if not allow_object:
            raise ValueError("holds Python objects where numbers were expected")
        array = restricted_loads(raw[offset:], encoding="latin1")
        if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
            raise ValueError("object array does not match its header")
        return array
    count = int(np.prod(shape, dtype=np.int64))
    nbytes = count * dtype.itemsize
    if len(raw) - offset != nbytes:
        raise ValueError(
            f"holds {len(raw) - offset:,} data bytes, its header promises {nbytes:,}"
        )
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
    order = "F" if fortran else "C"
    return flat.reshape(shape, order=order).copy(order="C")


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


def read_pickle_file(path: Path) -> Any:
    """Read a python-pickle dataset file (CIFAR batches) with the restricted unpickler.

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
            f"{path} is not a valid CIFAR-10 python batch: {type(exc).__name__}: {exc}"
        ) from None


def read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 python batch: ``data`` (N, 3072) uint8 and labels (N,) uint8.

    The official batches are dicts with the keys ``b'batch_label'``, ``b'labels'`` (a list
    of ints 0-9), ``b'data'`` (a uint8 array N x 3072, channel planes R, G, B) and
    ``b'filenames'``.

    Raises:
        DatasetIntegrityError: the file is not such a batch.
    """
    batch = read_pickle_file(path)

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


def read_cifar_meta(path: Path) -> list[str]:
    """Read ``batches.meta`` and return the 10 label names."""
    meta = read_pickle_file(path)
    names = meta.get(b"label_names", meta.get("label_names")) if isinstance(meta, dict) else None
    if not isinstance(names, list) or len(names) != 10 \
            or not all(isinstance(n, (bytes, str)) for n in names):
        raise DatasetIntegrityError(f"{path} is not CIFAR-10's batches.meta (no 10 label names)")
    return [n.decode("latin1") if isinstance(n, bytes) else n for n in names]
