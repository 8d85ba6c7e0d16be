"""Speech Commands (Warden 2018): real one-second clips, a speaker-disjoint split, noise.

Layout: a mirror holds ``speech_commands/<word>/*.wav|*.flac`` (plus
``_background_noise_/``, the official split lists and a ``manifest.csv`` if any). Where the
clips come from, in order (:func:`~.locate.locate_folder`): the mirror's folder; an
extracted folder in the cache (ours, or what Keras/the TensorFlow audio tutorial leave
there); the official ``speech_commands_v0.02.tar.gz`` or ``mini_speech_commands.zip`` in
the mirror or cache (checked, then extracted once into the cache); the official download
(``mini_speech_commands.zip``, 182 MB, when the 8 mini words suffice, else the 2.4 GB v0.02
archive). The mini archive has no published checksum: only its size (and the zip's own
CRC-32 of every member) is checked. Clips are listed, split and decoded by
:mod:`.speech_clips`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from course_utils.data.archives import extract
from course_utils.data.base import CheckResult, Dataset, refuse_existing, resolve_profile
from course_utils.data.errors import DatasetIntegrityError, DatasetNotFoundError
from course_utils.data.locate import (
    ArchiveSource,
    FolderLayout,
    fetch_file,
    find_folder,
    locate_folder,
)
from course_utils.data.registry import SPEECH_COMMANDS_MINI_ZIP, SPEECH_COMMANDS_V2_TAR
from course_utils.data.speech_clips import (
    CLIP_SAMPLES,
    SAMPLE_RATE,
    SPLITS,
    Clip,
    decode_clips,
    decode_word,
    list_clips,
    list_words,
    load_background_noise,
    read_split_lists,
    speaker_of,
    stem,
    verify_clips,
)

#: The dataset's name on the command line and its folder in a mirror.
NAME = "speech_commands"
DEFAULT_WORDS: tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "stop")
UNKNOWN = "_unknown_"
#: Smoke-profile clips per class and split.
SMOKE_PER_CLASS: dict[str, int] = {"train": 8, "validation": 4, "test": 4}
#: The words of ``mini_speech_commands.zip`` (the v0.02 archive has all 35).
MINI_WORDS: tuple[str, ...] = ("down", "go", "left", "no", "right", "stop", "up", "yes")

V2 = ArchiveSource(SPEECH_COMMANDS_V2_TAR.name, extract_to=NAME)
MINI = ArchiveSource(
    SPEECH_COMMANDS_MINI_ZIP.name, extract_to="mini_speech_commands",
    strip="mini_speech_commands",
)
_ARCHIVE_WORDS: dict[str, tuple[str, ...] | None] = {V2.name: None, MINI.name: MINI_WORDS}
LAYOUT = FolderLayout(
    dataset="Speech Commands",
    mirror_folder=NAME,
    cache_folders=(
        NAME,
        "mini_speech_commands",
        "mini_speech_commands_extracted/mini_speech_commands",
        "speech_commands_v0_extracted",
        "speech_commands_v0.02",
    ),
    archives=(V2, MINI),
    expected=("speech_commands/<word>/*.wav|*.flac", f"or {V2.name} / {MINI.name}"),
    layout="speech_commands/<word>/",
)


# ----------------------------------------------------------------------------- locating
def covers(root: Path, words: Sequence[str], unknown: bool) -> bool:
    """Whether the folder ``root`` has every word (and other words, for ``_unknown_``)."""
    if not root.is_dir() or not all((root / w).is_dir() for w in words):
        return False
    return not unknown or any(w not in words for w in list_words(root))


def archive_covers(archive: ArchiveSource, words: Sequence[str], unknown: bool) -> bool:
    """Whether an official archive holds every word (and others, for ``_unknown_``)."""
    held = _ARCHIVE_WORDS[archive.name]
    if held is None:
        return True
    return all(w in held for w in words) and (not unknown or any(w not in words for w in held))


def locate_speech_commands(
    words: Sequence[str], unknown: bool, *, download_ok: bool = True, progress: bool = True
) -> Path:
    """Return the root folder of a Speech Commands copy holding ``words``.

    Raises:
        DatasetNotFoundError: no local copy has the words and the download failed.
        DatasetIntegrityError: a found archive is not the official file.
    """
    # Download the 182 MB mini archive when it has the words; an _unknown_ class needs the
    # many other words of the full v0.02 archive.
    mini_ok = not unknown and archive_covers(MINI, words, unknown)
    wanted = ", ".join(words) + (" and other words for _unknown_" if unknown else "")
    layout = replace(LAYOUT, expected=(
        f"speech_commands/<word>/*.wav|*.flac for the words {wanted}", LAYOUT.expected[1]
    ))
    return locate_folder(
        layout,
        lambda folder: covers(folder, words, unknown),
        usable=lambda archive: archive_covers(archive, words, unknown),
        to_download=MINI if mini_ok else V2,
        download_ok=download_ok,
        progress=progress,
    )


@dataclass
class SpeechCommands:
    """A speaker-disjoint split of Speech Commands clips.

    Attributes:
        train, validation, test: ``tf.data.Dataset`` of ``(waveform, label)``: float32
            waveforms of 16,000 samples in [-1, 1), int32 labels indexing ``label_names``.
        label_names: the class names (the requested words, then ``_unknown_`` if asked).
        background_noise: the long ``_background_noise_`` recordings, float32 at 16 kHz
            (empty when the source has none, e.g. ``mini_speech_commands``).
        background_noise_names: their file names.
        counts: ``{split: {label: number of clips}}``.
        files: ``{split: [clip path relative to the source, ...]}`` in dataset order.
        source: the folder the clips were read from.
        sample_rate: 16,000.
    """

    train: Any
    validation: Any
    test: Any
    label_names: list[str]
    background_noise: list[np.ndarray]
    background_noise_names: list[str]
    counts: dict[str, dict[str, int]]
    files: dict[str, list[str]]
    source: Path | None
    sample_rate: int = SAMPLE_RATE
    _arrays: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def as_numpy(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """``(waveforms float32 (N, 16000), labels int32 (N,))`` of one split."""
        if split not in self._arrays:
            raise KeyError(f"split {split!r} has no NumPy copy; use one of {list(self._arrays)}")
        audio, labels = self._arrays[split]
        return audio.astype(np.float32) / 32768.0, labels.copy()

    def speakers(self, split: str) -> set[str]:
        """The speaker ids in one split."""
        return {speaker_of(rel) for rel in self.files[split]}


def _stable_order(clips: Sequence[Clip]) -> list[Clip]:
    """Clips in a fixed pseudo-random order (by sha1 of the path): deterministic picks."""
    return sorted(clips, key=lambda c: hashlib.sha1(c.rel.encode()).hexdigest())


def select_clips(
    clips: Sequence[Clip],
    label_of: dict[str, int],
    *,
    per_class: dict[str, int] | None,
    max_unknown: int | None,
    unknown_label: int | None,
) -> dict[str, list[tuple[Clip, int]]]:
    """Group clips by split with their labels, optionally capping clips per class."""
    out: dict[str, list[tuple[Clip, int]]] = {s: [] for s in SPLITS}
    for split in SPLITS:
        by_label: dict[int, list[Clip]] = {}
        for clip in clips:
            if clip.split == split:
                by_label.setdefault(label_of[clip.word], []).append(clip)
        for label, group in sorted(by_label.items()):
            cap = per_class[split] if per_class is not None else None
            if label == unknown_label and max_unknown is not None:
                cap = max_unknown if cap is None else min(cap, max_unknown)
            if cap is not None:
                group = _stable_order(group)[:cap]
            out[split] += [(c, label) for c in group]
        out[split].sort(key=lambda item: item[0].rel)
    return out


def _dataset(audio: np.ndarray, labels: np.ndarray) -> Any:
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((audio, labels))
    return ds.map(lambda x, y: (tf.cast(x, tf.float32) / 32768.0, y))


def build(
    root: Path,
    words: Sequence[str],
    *,
    unknown: bool,
    smoke: bool,
    max_unknown: int | None = None,
) -> SpeechCommands:
    """Build the :class:`SpeechCommands` result from a located source folder."""
    label_names = list(words) + ([UNKNOWN] if unknown else [])
    label_of = {w: i for i, w in enumerate(words)}
    all_words = list(words)
    if unknown:
        others = [w for w in list_words(root) if w not in label_of]
        label_of.update({w: len(words) for w in others})
        all_words += others
    clips = list_clips(root, all_words)
    chosen = select_clips(
        clips,
        label_of,
        per_class=SMOKE_PER_CLASS if smoke else None,
        max_unknown=max_unknown,
        unknown_label=len(words) if unknown else None,
    )
    # Decode: smoke decodes just its few clips; full goes word by word through the cache.
    audio_of: dict[str, np.ndarray] = {}
    if smoke:
        rels = [c.rel for split in SPLITS for c, _ in chosen[split]]
        audio_of = dict(zip(rels, decode_clips(root, rels), strict=True))
    else:
        needed = {c.rel for split in SPLITS for c, _ in chosen[split]}
        for word in all_words:
            rels = [c.rel for c in clips if c.word == word]
            if any(r in needed for r in rels):
                audio_of.update(zip(rels, decode_word(root, word, rels), strict=True))
    result: dict[str, Any] = {}
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    counts: dict[str, dict[str, int]] = {}
    files: dict[str, list[str]] = {}
    for split in SPLITS:
        items = chosen[split]
        audio = np.stack([audio_of[c.rel] for c, _ in items]) if items else np.zeros(
            (0, CLIP_SAMPLES), np.int16)
        labels = np.array([label for _, label in items], dtype=np.int32)
        arrays[split] = (audio, labels)
        result[split] = _dataset(audio, labels)
        counts[split] = {name: int((labels == i).sum()) for i, name in enumerate(label_names)}
        files[split] = [c.rel for c, _ in items]
    noise, noise_names = load_background_noise(root)
    return SpeechCommands(
        train=result["train"],
        validation=result["validation"],
        test=result["test"],
        label_names=label_names,
        background_noise=noise,
        background_noise_names=noise_names,
        counts=counts,
        files=files,
        source=root,
        _arrays=arrays,
    )


# ----------------------------------------------------------------------------- loaders
def load_speech_commands(
    words: Sequence[str] = DEFAULT_WORDS,
    unknown: bool = False,
    *,
    profile: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    max_unknown: int | None = None,
    download: bool = True,
) -> SpeechCommands:
    """Load real Speech Commands clips as a speaker-disjoint train/validation/test split.

    Args:
        words: the command words to classify (default: the 7 words the mirror holds in
            balance: yes no up down left right stop).
        unknown: add an ``_unknown_`` class made of all the other words in the source.
        profile: ``"full"``, ``"smoke"`` or ``None`` (active). Smoke keeps 8 train /
            4 validation / 4 test clips per class, picked deterministically.
        data_dir: a Speech Commands folder (``<word>/*.wav|flac``) or a mirror holding
            ``speech_commands/``; overrides the usual search.
        max_unknown: cap on ``_unknown_`` clips per split (deterministic pick); None: all.
        download: allow downloading an official archive when no local copy exists.

    Returns:
        A :class:`SpeechCommands` with ``train``, ``validation`` and
        ``test`` ``tf.data.Dataset``\\ s of ``(float32 waveform [16000], int32 label)``,
        ``label_names``, ``background_noise``, ``counts`` and ``files``.
    """
    profile = resolve_profile(profile)
    words = _check_words(words)
    if data_dir is not None:
        root = Path(data_dir).expanduser()
        if (root / LAYOUT.mirror_folder).is_dir():
            root = root / LAYOUT.mirror_folder
        missing = [w for w in words if not (root / w).is_dir()]
        if missing:
            raise DatasetNotFoundError(
                f"Speech Commands: {root} has no folder for {', '.join(missing)}; "
                "data_dir must hold <word>/ folders of .wav or .flac clips."
            )
    else:
        root = locate_speech_commands(words, unknown, download_ok=download)
    return build(
        root, words, unknown=unknown, smoke=profile == "smoke", max_unknown=max_unknown
    )


def _check_words(words: Sequence[str]) -> tuple[str, ...]:
    if isinstance(words, str):
        raise TypeError("words must be a sequence of words, e.g. ('yes', 'no'), not a string.")
    words = tuple(words)
    if not words or len(set(words)) != len(words):
        raise ValueError(f"words must be distinct and non-empty, got {words!r}.")
    bad = [w for w in words if not w or w.startswith(("_", ".")) or "/" in w]
    if bad:
        raise ValueError(f"not a Speech Commands word: {bad!r}.")
    return words


# ----------------------------------------------------------------------------- mirror
def _check(root: Path) -> CheckResult:
    folder = root / LAYOUT.mirror_folder
    if not folder.is_dir():
        return CheckResult(NAME, "missing", f"no {folder}/")
    words = list_words(folder)
    absent = [w for w in DEFAULT_WORDS if w not in words]
    if absent:
        return CheckResult(
            NAME, "missing", f"{folder}/ lacks the words {', '.join(absent)}"
        )
    split_of = read_split_lists(folder)
    clips = list_clips(folder, words)
    on_disk = {stem(c.rel) for c in clips}
    if split_of is not None:
        stale = sorted(set(split_of) - on_disk)
        if stale:
            raise DatasetIntegrityError(
                f"{folder}: {len(stale)} clips named in the split lists are missing, "
                f"e.g. {stale[0]}"
            )
    speakers = {s: {c.speaker for c in clips if c.split == s} for s in SPLITS}
    shared = (speakers["train"] & speakers["validation"]) | (
        speakers["train"] & speakers["test"]) | (speakers["validation"] & speakers["test"])
    if shared:
        raise DatasetIntegrityError(
            f"{folder}: {len(shared)} speakers are in more than one split, e.g. {min(shared)}"
        )
    verify_clips(folder, [c.rel for c in clips])  # every clip decodes (and matches)
    noise, _ = load_background_noise(folder)
    per_split = {s: sum(c.split == s for c in clips) for s in SPLITS}
    return CheckResult(
        NAME, "ok", f"{len(clips):,} clips of {len(words)} words decode "
        f"(train {per_split['train']:,} / validation {per_split['validation']:,} / "
        f"test {per_split['test']:,}, speaker-disjoint), {len(noise)} noise files"
    )


def _fetch(dest: Path, name: str, progress: bool) -> None:
    """``speech_commands``: the 8-word mini archive; ``speech_commands_v2``: all of v0.02
    (2.4 GB, with the official split lists and background noise)."""
    target = dest / LAYOUT.mirror_folder
    if name == "speech_commands_v2" and (target / "validation_list.txt").is_file() \
            and _check(dest).ok:
        return  # already holds the full archive's lists
    refuse_existing(target)
    source = MINI if name == NAME else V2
    archive = fetch_file(source.name, dest, progress=progress)
    extract(archive, target, strip=source.strip)
    archive.unlink()


def _find() -> Path | None:
    found = find_folder(
        LAYOUT,
        lambda folder: covers(folder, DEFAULT_WORDS, False),
        lambda archive: archive_covers(archive, DEFAULT_WORDS, False),
    )
    return found[0] if found else None


DATASET = Dataset(
    name=NAME,
    loader="load_speech_commands",
    layout=LAYOUT.layout,
    files=(MINI.name,),
    find=_find,
    check=_check,
    fetch=_fetch,
    variants=("speech_commands_v2",),
)
