"""Speech Commands v0.02, the 12-class benchmark, through TensorFlow Datasets.

The alternative source of :mod:`.speech_commands`: ``tfds.load("speech_commands")`` needs
the internet the first time (or a dataset TFDS prepared already); when neither is there it
raises the same :class:`DatasetNotFoundError` as the other loaders, quickly (a connection
test instead of a long TFDS traceback).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from course_utils.data.base import resolve_profile
from course_utils.data.errors import DatasetNotFoundError
from course_utils.data.speech_clips import CLIP_SAMPLES
from course_utils.data.speech_commands import V2, SpeechCommands


def load_speech_commands_tfds(
    *,
    profile: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> SpeechCommands:
    """The full 12-class Speech Commands v0.02 benchmark through TensorFlow Datasets.

    ``tfds.load("speech_commands")``: the 10 core words plus ``_silence_`` and
    ``_unknown_``, with TFDS's official split (about 85k / 10k / 4.9k clips). It needs the
    internet the first time (a 2.4 GB download plus the 112 MB test set) unless TFDS has
    already prepared it in ``data_dir``. Without either it raises the same
    :class:`DatasetNotFoundError` as the other loaders; offline, use
    :func:`load_speech_commands` with ``COURSE_DATA_DIR``. Smoke keeps the first 96 / 48 /
    48 examples of each split (not class-balanced). ``background_noise`` is empty (TFDS
    folds it into ``_silence_``) and ``counts`` holds per-split totals under ``"total"``.
    """
    profile = resolve_profile(profile)
    folder = Path(data_dir).expanduser() if data_dir else _tfds_default_dir()
    reason = _tfds_unavailable_reason(folder, download)
    if reason is not None:
        raise DatasetNotFoundError(_tfds_message(folder, reason))
    import tensorflow as tf
    import tensorflow_datasets as tfds

    names = ["train", "validation", "test"]
    if profile == "smoke":
        names = ["train[:96]", "validation[:48]", "test[:48]"]
    try:
        splits, info = tfds.load(
            "speech_commands", split=names, data_dir=str(folder), as_supervised=True,
            download=download, with_info=True,
        )
    except Exception as exc:  # download, extraction or preparation failed
        raise DatasetNotFoundError(_tfds_message(folder, f"{type(exc).__name__}: {exc}")) \
            from None

    def to_second(audio: Any, label: Any) -> tuple[Any, Any]:
        audio = tf.cast(audio[: CLIP_SAMPLES], tf.float32) / 32768.0
        audio = tf.pad(audio, [[0, CLIP_SAMPLES - tf.shape(audio)[0]]])
        return tf.ensure_shape(audio, [CLIP_SAMPLES]), tf.cast(label, tf.int32)

    train, validation, test = (ds.map(to_second) for ds in splits)
    totals = {s: int(info.splits[s].num_examples) for s in ("train", "validation", "test")}
    return SpeechCommands(
        train=train, validation=validation, test=test,
        label_names=list(info.features["label"].names),
        background_noise=[], background_noise_names=[],
        counts={s: {"total": n} for s, n in totals.items()},
        files={s: [] for s in totals}, source=folder,
    )


def _tfds_default_dir() -> Path:
    value = os.environ.get("TFDS_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else Path.home() / "tensorflow_datasets"


def _tfds_unavailable_reason(folder: Path, download: bool) -> str | None:
    """Why ``tfds.load`` cannot work here, checked quickly, or None if it may."""
    if (folder / "speech_commands").is_dir() and any(
        (folder / "speech_commands").glob("*/dataset_info.json")
    ):
        return None  # prepared already: no network needed
    if not download:
        return "downloads are turned off and TFDS has not prepared the dataset here"
    host = "download.tensorflow.org"
    try:
        socket.create_connection((host, 80), timeout=5).close()
    except OSError as exc:
        return f"no connection to {host} ({exc})"
    return None


def _tfds_message(folder: Path, reason: str) -> str:
    v2 = V2.spec
    return (
        "Speech Commands v0.02 (TensorFlow Datasets 'speech_commands') is not available "
        "here and could not be downloaded.\n"
        f"  Expected: a prepared TFDS dataset in {folder / 'speech_commands'}\n"
        f"  Official download: {v2.url} ({v2.size_text}) and "
        "http://download.tensorflow.org/data/speech_commands_test_set_v0.02.tar.gz "
        "(112.6 MB, 112,563,277 bytes)\n"
        f"  Reason: {reason}\n"
        "Fix: connect to the internet and run this again, or work offline with "
        "load_speech_commands() and COURSE_DATA_DIR set to a dataset mirror holding "
        "speech_commands/<word>/ (e.g. the course's shared/datasets folder)."
    )
