"""Speech Commands clips: the dataset's split rule, listing, decoding and the decode cache.

The split follows the dataset's own rule. When ``validation_list.txt`` and
``testing_list.txt`` are present they decide (anything in neither list is training data);
otherwise :func:`which_set`, the hashing function printed in the dataset's README, assigns
every clip by its speaker id. Either way no speaker is in two splits.

Clips are decoded with soundfile (libsndfile), which reads the official ``.wav`` and the
mirror's lossless ``.flac`` alike, and checked against the mirror's ``manifest.csv`` (PCM
md5 per clip) when there is one. Decoded words are cached as ``.npz`` in the writable
cache (never the mirror), so the second load skips decoding. Used by
:mod:`.speech_commands`.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils.data.errors import DatasetIntegrityError
from course_utils.data.files import (
    already_verified,
    cache_dir,
    remember_verified,
    verified_key,
)

SAMPLE_RATE = 16_000
CLIP_SAMPLES = SAMPLE_RATE  # one second
NOISE_FOLDER = "_background_noise_"
SPLITS: tuple[str, ...] = ("train", "validation", "test")
AUDIO_SUFFIXES: tuple[str, ...] = (".wav", ".flac")
#: From the dataset README: "MAX_NUM_WAVS_PER_CLASS = 2**27 - 1  # ~134M".
MAX_NUM_WAVS_PER_CLASS = 2**27 - 1
_CACHE_FORMAT = 1


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


def stem(rel_path: str) -> str:
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
                split_of[stem(line)] = split
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
                split = split_of.get(stem(rel), "train")
            else:
                split = _SPLIT_OF_PARTITION[which_set(rel)]
            clips.append(Clip(rel=rel, word=word, speaker=speaker_of(rel), split=split))
    return clips


def read_manifest(root: Path) -> dict[str, tuple[int, str]]:
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

    key = verified_key("clip", [path], expected)
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
    remember_verified(key)
    return samples


def fit_to_second(samples: np.ndarray) -> np.ndarray:
    """Zero-pad at the end or trim to exactly 16,000 samples."""
    out = np.zeros(CLIP_SAMPLES, dtype=samples.dtype)
    n = min(CLIP_SAMPLES, samples.size)
    out[:n] = samples[:n]
    return out


def verify_clips(root: Path, rels: Sequence[str]) -> None:
    """Check that every clip decodes (and matches the manifest, if any) without keeping the
    audio; clips that passed earlier in this process, unchanged, are not decoded again."""
    manifest = read_manifest(root)
    for rel in rels:
        path, expected = root / rel, manifest.get(rel)
        if not already_verified(verified_key("clip", [path], expected)):
            decode_audio(path, expected=expected)


def decode_clips(root: Path, rels: Sequence[str]) -> np.ndarray:
    """Decode clips to an int16 array ``(len(rels), 16000)``, checked against the manifest."""
    manifest = read_manifest(root)
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


def load_background_noise(root: Path) -> tuple[list[np.ndarray], list[str]]:
    """The ``_background_noise_`` recordings as float32 arrays (empty if absent)."""
    folder = root / NOISE_FOLDER
    if not folder.is_dir():
        return [], []
    manifest = read_manifest(root)
    arrays, names = [], []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in AUDIO_SUFFIXES:
            expected = manifest.get(f"{NOISE_FOLDER}/{path.name}")
            samples = decode_audio(path, expected=expected)
            arrays.append(samples.astype(np.float32) / 32768.0)
            names.append(path.name)
    return arrays, names
