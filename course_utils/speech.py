"""Speech Commands (Warden 2018): real one-second clips, a speaker-disjoint split, noise.

Where the clips come from, in order: the mirror ``COURSE_DATA_DIR/speech_commands/``; an
extracted folder in the cache (ours, or what Keras/the TensorFlow audio tutorial leave
there); the official ``speech_commands_v0.02.tar.gz`` or ``mini_speech_commands.zip`` in the
mirror or cache (checked, then extracted once into the cache); the official download
(``mini_speech_commands.zip``, 182 MB, when the 8 mini words suffice, else the 2.4 GB v0.02
archive).

The split follows the dataset's own rule. When ``validation_list.txt`` and
``testing_list.txt`` are present they decide (anything in neither list is training data);
otherwise :func:`which_set`, the hashing function printed in the dataset's README, assigns
every clip by its speaker id. Either way no speaker is in two splits.

Clips are decoded with soundfile (libsndfile), which reads the official ``.wav`` and the
mirror's lossless ``.flac`` alike. Decoded words are cached as ``.npz`` in the writable
cache (never the mirror), so the second load skips decoding.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from course_utils import registry
from course_utils.archives import extract
from course_utils.download import (
    DatasetIntegrityError,
    DatasetNotFoundError,
    DownloadFailed,
    cache_dir,
    data_dir,
    download,
    not_found_message,
    verify_file,
)

SAMPLE_RATE = registry.SPEECH_SAMPLE_RATE
CLIP_SAMPLES = SAMPLE_RATE  # one second
DEFAULT_WORDS: tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "stop")
UNKNOWN = "_unknown_"
NOISE_FOLDER = "_background_noise_"
SPLITS: tuple[str, ...] = ("train", "validation", "test")
AUDIO_SUFFIXES: tuple[str, ...] = (".wav", ".flac")
#: Smoke-profile clips per class and split.
SMOKE_PER_CLASS: dict[str, int] = {"train": 8, "validation": 4, "test": 4}
#: From the dataset README: "MAX_NUM_WAVS_PER_CLASS = 2**27 - 1  # ~134M".
MAX_NUM_WAVS_PER_CLASS = 2**27 - 1
_CACHE_FORMAT = 1
_MINI_NAME = registry.SPEECH_COMMANDS_MINI_ZIP.name
_V2_NAME = registry.SPEECH_COMMANDS_V2_TAR.name


# ----------------------------------------------------------------------------- split rule
def which_set(
    filename: str, validation_percentage: float = 10.0, testing_percentage: float = 10.0
) -> str:
    """The dataset README's partition rule: ``'training'``, ``'validation'`` or ``'testing'``.

    Everything after ``_nohash_`` in the file name is ignored, so all clips of a speaker
    share a partition; the sha1 of that speaker part, reduced modulo
    ``MAX_NUM_WAVS_PER_CLASS + 1`` and scaled to a percentage, picks the partition.
    """
    base_name = os.path.basename(filename)
    hash_name = re.sub(r"_nohash_.*$", "", base_name)
    hash_name_hashed = hashlib.sha1(hash_name.encode("utf-8")).hexdigest()
    percentage_hash = (int(hash_name_hashed, 16) % (MAX_NUM_WAVS_PER_CLASS + 1)) * (
        100.0 / MAX_NUM_WAVS_PER_CLASS
    )
    if percentage_hash < validation_percentage:
        return "validation"
    if percentage_hash < testing_percentage + validation_percentage:
        return "testing"
    return "training"


_SPLIT_OF_PARTITION = {"training": "train", "validation": "validation", "testing": "test"}


def speaker_of(rel_path: str) -> str:
    """The speaker id of a clip, the file-name part before ``_nohash_``."""
    return re.sub(r"_nohash_.*$", "", os.path.basename(rel_path))


def _stem(rel_path: str) -> str:
    """``word/abc_nohash_0.flac`` -> ``word/abc_nohash_0`` (lists may say .wav or .flac)."""
    root, ext = os.path.splitext(rel_path.strip().replace("\\", "/"))
    return root if ext.lower() in AUDIO_SUFFIXES else rel_path.strip()


def read_split_lists(root: Path) -> dict[str, str] | None:
    """``{clip stem: 'validation' | 'test'}`` from the official lists, or None if absent."""
    lists = {"validation": root / "validation_list.txt", "test": root / "testing_list.txt"}
    if not all(p.is_file() for p in lists.values()):
        return None
    split_of: dict[str, str] = {}
    for split, path in lists.items():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DatasetIntegrityError(f"{path}: cannot read the split list ({exc}).") from None
        for line in text.splitlines():
            if line.strip():
                split_of[_stem(line)] = split
    return split_of


# ----------------------------------------------------------------------------- clips
@dataclass(frozen=True)
class Clip:
    """One clip: its path relative to the dataset root, word, speaker and split."""

    rel: str
    word: str
    speaker: str
    split: str


def list_words(root: Path) -> list[str]:
    """Word folders in ``root`` (not ``_background_noise_`` or other ``_`` folders)."""
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


def list_clips(root: Path, words: Iterable[str]) -> list[Clip]:
    """All clips of ``words`` under ``root`` with their split, sorted by path."""
    split_of = read_split_lists(root)
    clips = []
    for word in words:
        folder = root / word
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in AUDIO_SUFFIXES or not path.is_file():
                continue
            rel = f"{word}/{path.name}"
            if split_of is not None:
                split = split_of.get(_stem(rel), "train")
            else:
                split = _SPLIT_OF_PARTITION[which_set(rel)]
            clips.append(Clip(rel=rel, word=word, speaker=speaker_of(rel), split=split))
    return clips


def _read_manifest(root: Path) -> dict[str, tuple[int, str]]:
    """``{rel: (num_samples, pcm_md5)}`` from the mirror's ``manifest.csv`` (if any)."""
    path = root / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return {
                row["path"]: (int(row["num_samples"]), row["pcm_md5"])
                for row in csv.DictReader(fh)
            }
    except (OSError, KeyError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetIntegrityError(f"{path} is not a valid manifest ({exc}).") from None


def decode_audio(path: Path, *, expected: tuple[int, str] | None = None) -> np.ndarray:
    """Decode a 16 kHz mono WAV/FLAC file to int16 samples (any length).

    Args:
        path: the audio file.
        expected: ``(num_samples, md5 of the int16 samples)`` to verify, if known.

    Raises:
        DatasetIntegrityError: unreadable, not 16 kHz mono, empty, or not the expected PCM.
    """
    import soundfile as sf

    try:
        with sf.SoundFile(path) as fh:
            rate, channels = fh.samplerate, fh.channels
            samples = fh.read(dtype="int16")
    except FileNotFoundError:
        raise
    except Exception as exc:  # libsndfile errors, bad headers, truncated frames
        raise DatasetIntegrityError(
            f"{path} is not a readable WAV/FLAC file: {exc}".replace("\n", " ")
        ) from None
    if rate != SAMPLE_RATE or channels != 1:
        raise DatasetIntegrityError(
            f"{path}: expected 16 kHz mono audio, found {rate} Hz with {channels} channels."
        )
    if samples.size == 0:
        raise DatasetIntegrityError(f"{path} holds no audio samples (truncated?).")
    if expected is not None:
        num, md5 = expected
        actual = hashlib.md5(samples.astype("<i2").tobytes()).hexdigest()
        if samples.size != num or actual != md5:
            raise DatasetIntegrityError(
                f"{path} differs from the manifest: expected {num} samples with PCM md5 "
                f"{md5}, decoded {samples.size} samples with md5 {actual}."
            )
    return samples


def fit_to_second(samples: np.ndarray) -> np.ndarray:
    """Zero-pad at the end or trim to exactly 16,000 samples."""
    out = np.zeros(CLIP_SAMPLES, dtype=samples.dtype)
    n = min(CLIP_SAMPLES, samples.size)
    out[:n] = samples[:n]
    return out


def decode_clips(root: Path, rels: Sequence[str]) -> np.ndarray:
    """Decode clips to an int16 array ``(len(rels), 16000)``, checked against the manifest."""
    manifest = _read_manifest(root)
    audio = np.zeros((len(rels), CLIP_SAMPLES), dtype=np.int16)
    for i, rel in enumerate(rels):
        audio[i] = fit_to_second(decode_audio(root / rel, expected=manifest.get(rel)))
    return audio


# ----------------------------------------------------------------------------- decode cache
def _fingerprint(root: Path, rels: Sequence[str]) -> str:
    digest = hashlib.sha256(f"v{_CACHE_FORMAT}".encode())
    for rel in rels:
        st = (root / rel).stat()
        digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def decoded_cache_path(root: Path, word: str) -> Path:
    """Where the decoded clips of one word of one source folder are cached."""
    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "speech_commands_decoded" / key / f"{word}.npz"


def _load_cached(path: Path, fingerprint: str, rels: Sequence[str]) -> np.ndarray | None:
    try:
        with np.load(path, allow_pickle=False) as f:
            if str(f["fingerprint"]) != fingerprint or list(f["rels"]) != list(rels):
                return None
            audio = f["audio"]
    except Exception:  # a missing or damaged cache entry is simply rebuilt
        return None
    if audio.shape != (len(rels), CLIP_SAMPLES) or audio.dtype != np.int16:
        return None
    return audio


def _save_cached(path: Path, fingerprint: str, rels: Sequence[str], audio: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".npz.part", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, fingerprint=np.array(fingerprint), rels=np.array(rels), audio=audio)
        os.replace(tmp, path)
    except OSError:  # a read-only cache only costs speed
        if "tmp" in locals():
            Path(tmp).unlink(missing_ok=True)


def decode_word(root: Path, word: str, rels: Sequence[str]) -> np.ndarray:
    """All clips of one word, decoded, through the ``.npz`` cache."""
    fingerprint = _fingerprint(root, rels)
    path = decoded_cache_path(root, word)
    audio = _load_cached(path, fingerprint, rels)
    if audio is None:
        audio = decode_clips(root, rels)
        _save_cached(path, fingerprint, rels, audio)
    return audio


# ----------------------------------------------------------------------------- locating
_MIRROR_FOLDER = "speech_commands"
_CACHE_FOLDERS: tuple[str, ...] = (
    "speech_commands",
    "mini_speech_commands",
    "mini_speech_commands_extracted/mini_speech_commands",
    "speech_commands_v0_extracted",
    "speech_commands_v0.02",
)


@dataclass(frozen=True)
class _Archive:
    name: str  # official file name, a key of registry.FILES
    words: tuple[str, ...] | None  # None: every word
    strip: str | None
    extract_to: str

    @property
    def spec(self) -> registry.OfficialFile:
        return registry.official(self.name)


_ARCHIVES = (
    _Archive(_V2_NAME, None, None, "speech_commands"),
    _Archive(
        _MINI_NAME, registry.SPEECH_MINI_WORDS, "mini_speech_commands", "mini_speech_commands"
    ),
)


def _covers(root: Path, words: Sequence[str], unknown: bool) -> bool:
    if not root.is_dir() or not all((root / w).is_dir() for w in words):
        return False
    return not unknown or any(w not in words for w in list_words(root))


def folder_candidates() -> list[Path]:
    """Extracted folders that may hold the clips, mirror first."""
    mirror = data_dir()
    paths = [mirror / _MIRROR_FOLDER] if mirror is not None else []
    return paths + [cache_dir() / rel for rel in _CACHE_FOLDERS]


def archive_candidates() -> list[tuple[Path, _Archive]]:
    """Official archives that may be present, mirror first."""
    mirror = data_dir()
    bases = [mirror, mirror / _MIRROR_FOLDER] if mirror is not None else []
    bases.append(cache_dir())
    return [(base / a.name, a) for base in bases for a in _ARCHIVES]


def _archive_covers(archive: _Archive, words: Sequence[str], unknown: bool) -> bool:
    if archive.words is None:
        return True
    return all(w in archive.words for w in words) and (
        not unknown or any(w not in words for w in archive.words)
    )


def locate_speech_commands(
    words: Sequence[str], unknown: bool, *, download_ok: bool = True, progress: bool = True
) -> Path:
    """Return the root folder of a Speech Commands copy holding ``words``.

    Raises:
        DatasetNotFoundError: no local copy has the words and the download failed.
        DatasetIntegrityError: a found archive is not the official file.
    """
    for folder in folder_candidates():
        if _covers(folder, words, unknown):
            return folder
    for path, archive in archive_candidates():
        if path.is_file() and _archive_covers(archive, words, unknown):
            verify_file(path, archive.spec)
            return extract(path, cache_dir() / archive.extract_to, strip=archive.strip)
    # Download the 182 MB mini archive when it has the words; an _unknown_ class needs the
    # many other words of the full v0.02 archive.
    mini_ok = not unknown and _archive_covers(_ARCHIVES[1], words, unknown)
    wanted = _ARCHIVES[1] if mini_ok else _ARCHIVES[0]
    reason = "downloads are turned off"
    if download_ok:
        try:
            path = download(wanted.spec, cache_dir(), progress=progress)
        except DownloadFailed as exc:
            reason = str(exc)
        except PermissionError as exc:
            reason = f"cannot write to the cache {cache_dir()}: {exc.strerror}"
        else:
            folder = extract(path, cache_dir() / wanted.extract_to, strip=wanted.strip)
            path.unlink()
            return folder
    searched = folder_candidates() + [p for p, _ in archive_candidates()]
    raise DatasetNotFoundError(
        not_found_message(
            "Speech Commands",
            [f"speech_commands/<word>/*.wav|*.flac for the words {', '.join(words)}"
             + (" and other words for _unknown_" if unknown else ""),
             f"or {_V2_NAME} / {_MINI_NAME}"],
            searched,
            [wanted.spec],
            ["speech_commands/<word>/"],
            reason,
        )
    )


# ----------------------------------------------------------------------------- result
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


def load_background_noise(root: Path) -> tuple[list[np.ndarray], list[str]]:
    """The ``_background_noise_`` recordings as float32 arrays (empty if absent)."""
    folder = root / NOISE_FOLDER
    if not folder.is_dir():
        return [], []
    manifest = _read_manifest(root)
    arrays, names = [], []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in AUDIO_SUFFIXES:
            expected = manifest.get(f"{NOISE_FOLDER}/{path.name}")
            samples = decode_audio(path, expected=expected)
            arrays.append(samples.astype(np.float32) / 32768.0)
            names.append(path.name)
    return arrays, names


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
