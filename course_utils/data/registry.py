"""The official dataset files: names, URLs, sizes, checksums, and where we keep them.

Every value here was published by the dataset's distributor or by Keras/TFDS; each entry
cites where. The loaders never trust a file that does not match these facts.

Sources:

* MNIST and IMDB: ``keras/src/datasets/mnist.py`` and ``keras/src/datasets/imdb.py``
  (keras-team/keras, ``file_hash`` arguments of ``get_file``); the word index has only an
  md5 in Keras, its sha256 was computed from the byte-identical file (see
  ``shared/datasets/imdb/SOURCE.md``).
* CIFAR-10: archive sha256 from ``keras/src/datasets/cifar10.py``; archive md5 and size from
  torchvision ``datasets/cifar.py`` (``tgz_md5``). The *content* hashes of the pixel and
  label arrays are facts of the dataset, not of a file: they live in :mod:`.cifar10`.
* Speech Commands v0.02: URL, size and sha256 from TensorFlow Datasets,
  ``tensorflow_datasets/datasets/speech_commands/checksums.tsv``.
* mini_speech_commands.zip: URL from the TensorFlow ``simple_audio`` tutorial; its size
  (182,082,353 B) is what Keras's download progress prints in many public logs. Google
  publishes no checksum for it, so only the size and the zip's own CRC-32 of every member are
  checked (a third-party record gives sha256 ``49650f23...cf93a0``; not official, so unused).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfficialFile:
    """One official file: where it lives on the web, how to recognise it, where we keep it.

    Attributes:
        name: the official file name (also its name in the Keras cache, where a download
            lands: ``cache_dir() / name``).
        url: the official download URL.
        size: exact size in bytes.
        sha256: hex sha256 of the whole file, or ``None`` when no one publishes one (then
            only the size is checked, plus whatever the format checks itself).
        md5: the legacy md5 (informational; sha256 is what is checked).
        mirror_paths: where a mirror (``COURSE_DATA_DIR``) may hold it, relative to the
            mirror; the first is where ``python -m course_utils.datasets fetch`` puts it.
        cache_paths: where the cache may hold it (ours first, then Keras's layouts).
    """

    name: str
    url: str
    size: int
    sha256: str | None
    md5: str | None = None
    mirror_paths: tuple[str, ...] = ()
    cache_paths: tuple[str, ...] = ()

    @property
    def size_text(self) -> str:
        """The size for humans, e.g. ``'11.5 MB, 11,490,434 bytes'``."""
        return f"{self.size / 1e6:.1f} MB, {self.size:,} bytes"


_KERAS_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

MNIST_NPZ = OfficialFile(
    name="mnist.npz",
    url=_KERAS_BASE + "mnist.npz",
    size=11_490_434,
    sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    md5="8a61469f7ea1b51cbae51d4f78837e45",
    mirror_paths=("mnist/mnist.npz",),
    cache_paths=("mnist.npz", "mnist/mnist.npz"),
)

IMDB_NPZ = OfficialFile(
    name="imdb.npz",
    url=_KERAS_BASE + "imdb.npz",
    size=17_464_789,
    sha256="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    md5="599dadb1135973df5b59232a0e9a887c",
    mirror_paths=("imdb/imdb.npz",),
    cache_paths=("imdb.npz", "imdb/imdb.npz"),
)

IMDB_WORD_INDEX = OfficialFile(
    name="imdb_word_index.json",
    url=_KERAS_BASE + "imdb_word_index.json",
    size=1_641_221,
    sha256="027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6",
    md5="bfafd718b763782e994055a2d397834f",
    mirror_paths=("imdb/imdb_word_index.json",),
    cache_paths=("imdb_word_index.json", "imdb/imdb_word_index.json"),
)

CIFAR10_TAR = OfficialFile(
    name="cifar-10-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    size=170_498_071,
    sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    md5="c58f30108f718f92721af3b95e74349a",
    mirror_paths=("cifar10/cifar-10-python.tar.gz", "cifar-10-python.tar.gz"),
    # ours, then what Keras 3 and Keras 2 leave in ~/.keras/datasets
    cache_paths=(
        "cifar-10-python.tar.gz", "cifar-10-batches-py-target_archive",
        "cifar-10-batches-py.tar.gz",
    ),
)

SPEECH_COMMANDS_MINI_ZIP = OfficialFile(
    name="mini_speech_commands.zip",
    url="http://storage.googleapis.com/download.tensorflow.org/data/mini_speech_commands.zip",
    size=182_082_353,
    sha256=None,
    mirror_paths=("mini_speech_commands.zip", "speech_commands/mini_speech_commands.zip"),
    cache_paths=("mini_speech_commands.zip",),
)

SPEECH_COMMANDS_V2_TAR = OfficialFile(
    name="speech_commands_v0.02.tar.gz",
    url="http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz",
    size=2_428_923_189,
    sha256="af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
    mirror_paths=(
        "speech_commands_v0.02.tar.gz", "speech_commands/speech_commands_v0.02.tar.gz",
    ),
    cache_paths=("speech_commands_v0.02.tar.gz",),
)

#: Every official file by name (tests point these at a local server by monkeypatching).
FILES: dict[str, OfficialFile] = {
    f.name: f
    for f in (
        MNIST_NPZ,
        IMDB_NPZ,
        IMDB_WORD_INDEX,
        CIFAR10_TAR,
        SPEECH_COMMANDS_MINI_ZIP,
        SPEECH_COMMANDS_V2_TAR,
    )
}


def official(name: str) -> OfficialFile:
    """The registry entry for an official file name (looked up at call time, so tests can
    point ``FILES`` at a local server)."""
    return FILES[name]
