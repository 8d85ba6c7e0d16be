"""Small files in the official dataset formats, and a local HTTP server, for data tests.

The pytest fixtures built on these (``file_server``, ``isolated_data``) are in
``conftest.py``.

Nothing here is a stand-in for real data in the course: these files exist only so the
download, cache, integrity and error paths can be tested without the network. They are
built in the official *formats* (Keras's npz keys, CIFAR's python-2-style pickled batches
in a tar.gz, Speech Commands WAV clips in the archive layout).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import os
import pickle
import struct
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import cifar10, mnist, registry
from course_utils.data.registry import OfficialFile

RNG_SEED = 1234


# ----------------------------------------------------------------------------- real data
#: Published numbers are checked against this mirror (the real-data tests skip without it).
MIRROR = Path(os.environ["COURSE_DATA_DIR"]) if os.environ.get("COURSE_DATA_DIR") else None
#: The ten core words of Speech Commands.
SPEECH_CORE = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")


@contextlib.contextmanager
def using_cache(cache: Path) -> Iterator[None]:
    """``COURSE_CACHE_DIR=cache`` for the duration (the notebooks run later in the same
    session must keep the usual cache)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_CACHE_DIR", str(cache))
        yield



# ----------------------------------------------------------------------------- HTTP server
@dataclass
class FileServer:
    """A threaded HTTP server on 127.0.0.1 serving in-memory files.

    ``files`` maps a URL path (``/mnist.npz``) to bytes; ``cut`` holds paths whose
    response announces the full length but closes the connection half-way; ``requests``
    records every path asked for.
    """

    port: int
    files: dict[str, bytes] = field(default_factory=dict)
    cut: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, name: str, data: bytes, *, spec_name: str | None = None,
              monkeypatch: pytest.MonkeyPatch | None = None) -> OfficialFile:
        """Serve ``data`` at ``/name``; with ``monkeypatch``, point the registry at it."""
        self.files[f"/{name}"] = data
        spec_name = spec_name or name
        facts = {"url": self.url(f"/{name}"), "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest()}
        known = registry.FILES.get(spec_name)  # keep its mirror and cache paths
        spec = replace(known, **facts) if known else OfficialFile(name=spec_name, **facts)
        if monkeypatch is not None:
            monkeypatch.setitem(registry.FILES, spec.name, spec)
        return spec


def handler(server_state: FileServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            server_state.requests.append(self.path)
            data = server_state.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.path in server_state.cut:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    return Handler


@contextlib.contextmanager
def serving() -> Iterator[FileServer]:
    """A running :class:`FileServer` on a random free port of 127.0.0.1."""
    state = FileServer(port=0)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def dead_url(name: str) -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


# ----------------------------------------------------------------------------- MNIST / IMDB
MNIST_SMALL = {"x_train": (60, 28, 28), "y_train": (60,), "x_test": (20, 28, 28), "y_test": (20,)}


def mnist_arrays() -> dict[str, np.ndarray]:
    """Small uint8 arrays with Keras's MNIST keys, every digit present."""
    rng = np.random.default_rng(RNG_SEED)
    return {
        "x_train": rng.integers(0, 256, MNIST_SMALL["x_train"], dtype=np.uint8),
        "y_train": np.arange(60, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, MNIST_SMALL["x_test"], dtype=np.uint8),
        "y_test": np.arange(20, dtype=np.uint8) % 10,
    }


def npz_bytes(arrays: dict[str, np.ndarray], *, compressed: bool = True) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def use_small_mnist(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the loaders expect the small MNIST shapes."""
    monkeypatch.setattr(mnist, "SHAPES", dict(MNIST_SMALL))


def imdb_arrays() -> dict[str, np.ndarray]:
    """Small object arrays of word-rank lists with Keras's IMDB keys."""
    rng = np.random.default_rng(RNG_SEED)

    def reviews(n: int) -> np.ndarray:
        out = np.empty(n, dtype=object)
        out[:] = [rng.integers(1, 60, rng.integers(3, 30)).tolist() for _ in range(n)]
        return out

    return {
        "x_train": reviews(40), "y_train": np.arange(40, dtype=np.int64) % 2,
        "x_test": reviews(30), "y_test": np.arange(30, dtype=np.int64) % 2,
    }


def word_index_bytes() -> bytes:
    return json.dumps({f"w{i}": i for i in range(1, 60)}).encode()


# ----------------------------------------------------------------------------- CIFAR-10
CIFAR_PER_BATCH = 20
CIFAR_SMALL_COUNTS = {"train": 5 * CIFAR_PER_BATCH, "test": CIFAR_PER_BATCH}


class _Py2StylePickler(pickle._Pickler):  # type: ignore[name-defined]
    """Protocol 2 with Python 2's string opcodes, as the official CIFAR batches were written.

    Python 3 pickles ``bytes`` under protocol 2 through ``_codecs.encode``; Python 2's
    cPickle wrote ``SHORT_BINSTRING``/``BINSTRING``, which is what the loader expects.
    """

    dispatch = pickle._Pickler.dispatch.copy()  # type: ignore[attr-defined]

    def _save_binstring(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_binstring


def py2_pickle(obj: object) -> bytes:
    """Pickle ``obj`` like Python 2's ``cPickle.dump(obj, f, 2)``."""
    buf = io.BytesIO()
    _Py2StylePickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def cifar_batches() -> dict[str, dict[bytes, object]]:
    """Small CIFAR python batches: dicts with bytes keys, uint8 data (N, 3072), int labels."""
    rng = np.random.default_rng(RNG_SEED)
    batches: dict[str, dict[bytes, object]] = {}
    names = [*cifar10.TRAIN_BATCHES, cifar10.TEST_BATCH]
    for k, name in enumerate(names):
        batches[name] = {
            b"batch_label": f"batch {k}".encode(),
            b"labels": [int(v) for v in (np.arange(CIFAR_PER_BATCH) + k) % 10],
            b"data": rng.integers(0, 256, (CIFAR_PER_BATCH, 3072), dtype=np.uint8),
            b"filenames": [f"img_{k}_{i}.png".encode() for i in range(CIFAR_PER_BATCH)],
        }
    return batches


def cifar_meta() -> dict[bytes, object]:
    return {
        b"num_cases_per_batch": CIFAR_PER_BATCH,
        b"label_names": [n.encode() for n in cifar10.LABEL_NAMES],
        b"num_vis": 3072,
    }


def cifar_content_hashes(batches: dict[str, dict[bytes, object]]) -> dict[str, str]:
    train = [batches[n] for n in cifar10.TRAIN_BATCHES]
    test = batches[cifar10.TEST_BATCH]

    def h(array: np.ndarray) -> str:
        return hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()

    return {
        "train_data": h(np.concatenate([b[b"data"] for b in train])),
        "train_labels": h(np.concatenate([np.array(b[b"labels"], np.uint8) for b in train])),
        "test_data": h(test[b"data"]),
        "test_labels": h(np.array(test[b"labels"], np.uint8)),
    }


def use_small_cifar(monkeypatch: pytest.MonkeyPatch, batches: dict) -> None:
    """Make the loaders expect the small batches (counts and content hashes)."""
    monkeypatch.setattr(cifar10, "COUNTS", dict(CIFAR_SMALL_COUNTS))
    monkeypatch.setattr(cifar10, "CONTENT_SHA256", cifar_content_hashes(batches))


def write_cifar_folder(folder: Path, batches: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, batch in batches.items():
        (folder / name).write_bytes(py2_pickle(batch))
    (folder / "batches.meta").write_bytes(py2_pickle(cifar_meta()))
    return folder


def tar_gz_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def cifar_tar_bytes(batches: dict) -> bytes:
    """``cifar-10-python.tar.gz`` layout: everything under ``cifar-10-batches-py/``."""
    files = {f"cifar-10-batches-py/{n}": py2_pickle(b) for n, b in batches.items()}
    files["cifar-10-batches-py/batches.meta"] = py2_pickle(cifar_meta())
    files["cifar-10-batches-py/readme.html"] = b"<html></html>"
    return tar_gz_bytes(files)


# ----------------------------------------------------------------------------- Speech Commands
def wav_bytes(samples: np.ndarray, *, rate: int = 16000, fmt: str = "WAV") -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, samples, rate, subtype="PCM_16", format=fmt)
    return buf.getvalue()


def clip(seed: int, n: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-3000, 3000, n, dtype=np.int16)


SPEECH_WORDS = ("yes", "no", "up", "down", "left", "right", "stop", "go")


def speech_files(
    words: tuple[str, ...] = SPEECH_WORDS, speakers: int = 12, *, lists: bool = False
) -> dict[str, bytes]:
    """Clips in the archive layout ``<word>/<speaker>_nohash_<n>.wav`` (+ noise, lists).

    Speaker ids are 8 hex digits like the official ones; lengths vary (some < 1 s).
    With ``lists`` the official-style ``validation_list.txt``/``testing_list.txt`` put
    speakers 0-1 in validation and 2-3 in test.
    """
    files: dict[str, bytes] = {}
    val, test = [], []
    for w, word in enumerate(words):
        for s in range(speakers):
            speaker = hashlib.sha1(f"speaker{s}".encode()).hexdigest()[:8]
            rel = f"{word}/{speaker}_nohash_0.wav"
            files[rel] = wav_bytes(clip(100 * w + s, 12000 + 400 * s))
            (val if s < 2 else test if s < 4 else []).append(rel)
    files["_background_noise_/white_noise.wav"] = wav_bytes(clip(7, 40000))
    if lists:
        files["validation_list.txt"] = ("\n".join(val) + "\n").encode()
        files["testing_list.txt"] = ("\n".join(test) + "\n").encode()
    return files


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``root`` with size, mtime and sha256 (to prove nothing changed)."""
    return {
        str(p.relative_to(root)): (
            p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    } | {str(p.relative_to(root)) + "/": (0, 0, "") for p in root.rglob("*") if p.is_dir()}
