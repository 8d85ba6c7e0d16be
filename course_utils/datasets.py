"""Real datasets for the course: MNIST, CIFAR-10, IMDB and Speech Commands.

Each loader returns the official data, verified by checksum, from the first place that has
it: the read-only mirror ``COURSE_DATA_DIR``, the writable cache ``COURSE_CACHE_DIR``
(default ``~/.keras/datasets``), or the official URL (downloaded once, with a progress bar).
When none works, one :class:`DatasetNotFoundError` says what is missing, where it looked and
how to fix it; a file that is there but damaged raises :class:`DatasetIntegrityError`.

In the ``smoke`` profile (``COURSE_PROFILE=smoke`` or ``profile="smoke"``) each loader
returns a small, deterministic, class-balanced subset of the same real data.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()        # doctest: +SKIP
>>> x_train.shape, x_train.dtype                               # doctest: +SKIP
((60000, 28, 28), dtype('uint8'))

This module is the public face of :mod:`course_utils.data`, where each dataset has its
own module. Teachers build and check mirrors from the command line::

    python -m course_utils.datasets fetch all --dest DIR   # download once, mirror layout
    python -m course_utils.datasets check DIR              # verify; non-zero exit if bad
    python -m course_utils.datasets status                 # what this machine has
"""

from __future__ import annotations

from course_utils.data.base import balanced_indices, resolve_profile
from course_utils.data.cifar10 import cifar10_label_names, load_cifar10
from course_utils.data.errors import DatasetError, DatasetIntegrityError, DatasetNotFoundError
from course_utils.data.imdb import decode_imdb_review, imdb_word_index, load_imdb
from course_utils.data.mirror import DatasetStatus, format_status, status
from course_utils.data.mnist import load_mnist, read_mnist_npz
from course_utils.data.speech_commands import SpeechCommands, load_speech_commands
from course_utils.data.speech_tfds import load_speech_commands_tfds

__all__ = [
    "DatasetError",
    "DatasetIntegrityError",
    "DatasetNotFoundError",
    "DatasetStatus",
    "SpeechCommands",
    "balanced_indices",
    "cifar10_label_names",
    "decode_imdb_review",
    "format_status",
    "imdb_word_index",
    "load_cifar10",
    "load_imdb",
    "load_mnist",
    "load_speech_commands",
    "load_speech_commands_tfds",
    "read_mnist_npz",
    "resolve_profile",
    "status",
]

if __name__ == "__main__":  # python -m course_utils.datasets fetch|check|status
    from course_utils.data.cli import main

    raise SystemExit(main())
