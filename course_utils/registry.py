"""Facts about the official dataset files: names, URLs, sizes and checksums.

Every value here was published by the dataset's distributor or by Keras/TFDS; each entry
cites where. The loaders never trust a file that does not match these facts.

Sources:

* MNIST and IMDB: ``keras/src/datasets/mnist.py`` and ``keras/src/datasets/imdb.py``
  (keras-team/keras, ``file_hash`` arguments of ``get_file``); the word index has only an
  md5 in Keras, its sha256 was computed from the byte-identical file (see
  ``shared/datasets/imdb/SOURCE.md``).
* CIFAR-10: archive sha256 from ``keras/src/datasets/cifar10.py``; archive md5 and size from
  torchvision ``datasets/cifar.py`` (``tgz_md5``). The *content* hashes (sha256 of the raw
  pixel and label arrays) come from ``shared/datasets/README.md``; they are the same for the
  official pickles and the lossless mirror rebuild.
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
    """One official file: where it lives on the web and how to recognise it.

    Attributes:
        name: the official file name (also its name in the Keras cache).
        url: the official download URL.
        size: exact size in bytes.
        sha256: hex sha256 of the whole file, or ``None`` when no one publishes one.
        md5: the legacy md5 (informational; sha256 is what is checked).
    """

    name: str
    url: str
    size: int
    sha256: str | None
    md5: str | None = None

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
)

IMDB_NPZ = OfficialFile(
    name="imdb.npz",
    url=_KERAS_BASE + "imdb.npz",
    size=17_464_789,
    sha256="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    md5="599dadb1135973df5b59232a0e9a887c",
)

IMDB_WORD_INDEX = OfficialFile(
    name="imdb_word_index.json",
    url=_KERAS_BASE + "imdb_word_index.json",
    size=1_641_221,
    sha256="027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6",
    md5="bfafd718b763782e994055a2d397834f",
)

CIFAR10_TAR = OfficialFile(
    name="cifar-10-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    size=170_498_071,
    sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    md5="c58f30108f718f92721af3b95e74349a",
)

SPEECH_COMMANDS_MINI_ZIP = OfficialFile(
    name="mini_speech_commands.zip",
    url="http://storage.googleapis.com/download.tensorflow.org/data/mini_speech_commands.zip",
    size=182_082_353,
    sha256=None,
)

SPEECH_COMMANDS_V2_TAR = OfficialFile(
    name="speech_commands_v0.02.tar.gz",
    url="http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz",
    size=2_428_923_189,
    sha256="af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
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


# --- MNIST array facts (keras.datasets.mnist docs) ---
MNIST_SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 28, 28), "y_train": (60000,),
    "x_test": (10000, 28, 28), "y_test": (10000,),
}

# --- CIFAR-10 content facts (shared/datasets/README.md; hold for the official files too) ---
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_TRAIN_BATCHES: tuple[str, ...] = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCH = "test_batch"
CIFAR10_META = "batches.meta"
CIFAR10_LABEL_NAMES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
#: Images per split (Krizhevsky 2009): 5 training batches of 10,000 and one test batch.
CIFAR10_COUNTS: dict[str, int] = {"train": 50000, "test": 10000}
CIFAR10_CONTENT_SHA256: dict[str, str] = {
    "train_data": "9d5c2eddadb0deff02c14c350c0385aab7b1d5ff1edfeb4997c8dc8644960111",
    "test_data": "177777c33ba79825320efa646ad04a94bdc3c80e4ebe3bd21724f8cdfd4b9d56",
    "train_labels": "2b7cd2f24487317614016b72ffd53071c3062f592f0eb300c18a770d41ae1253",
    "test_labels": "cec8a24a1e92aa2ecaa0bbd3dbfa86bf6cd8759fbd209a832824c8cf0afca9d5",
}

# --- Speech Commands facts (dataset README, Warden 2018) ---
SPEECH_SAMPLE_RATE = 16_000
SPEECH_CORE_WORDS: tuple[str, ...] = (
    "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
)
SPEECH_MINI_WORDS: tuple[str, ...] = ("down", "go", "left", "no", "right", "stop", "up", "yes")
