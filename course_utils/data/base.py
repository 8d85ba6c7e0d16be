"""The interface every dataset module exposes to the mirror tools, and subset helpers.

A dataset module (:mod:`.mnist`, :mod:`.cifar10`, ...) defines one :class:`Dataset`,
``DATASET``, which :mod:`.mirror` loops over for ``check``, ``fetch`` and ``status``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils.data.errors import DatasetIntegrityError
from course_utils.profile import PROFILES, get_profile

ArrayPair = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one dataset in a mirror: ``state`` is ok, missing or corrupt."""

    name: str
    state: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.state == "ok"


@dataclass(frozen=True)
class Dataset:
    """What the mirror tools need to know about one dataset.

    Attributes:
        name: the command-line name and mirror folder (``"mnist"``).
        loader: the public loader's name in :mod:`course_utils.datasets`.
        layout: what a mirror holds, for humans (``"mnist/mnist.npz"``).
        files: the official files a learner downloads (registry names), for ``status``.
        find: where the loader would read the data from, without hashing (or None).
        check: verify the dataset in a mirror folder; raises
            :class:`~.errors.DatasetIntegrityError` when it is corrupt.
        fetch: fill a mirror folder, ``fetch(dest, name, progress)``; ``name`` is this
            dataset's name or one of ``variants``.
        variants: extra names ``fetch`` accepts (not part of ``fetch all``).
    """

    name: str
    loader: str
    layout: str
    files: tuple[str, ...]
    find: Callable[[], Path | None]
    check: Callable[[Path], CheckResult]
    fetch: Callable[[Path, str, bool], None]
    variants: tuple[str, ...] = ()


def resolve_profile(profile: str | None) -> str:
    """``profile`` if given, else the active one from :mod:`course_utils.profile`."""
    if profile is None:
        return get_profile()
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r}; use one of {PROFILES} or None (active).")
    return profile


def balanced_indices(
    labels: np.ndarray, per_class: int, *, at_most: bool = False
) -> np.ndarray:
    """Indices of the first ``per_class`` examples of every class, in original order.

    Deterministic (no randomness): the official files are already in a fixed, mixed order.
    With ``at_most=True`` a class with fewer examples contributes all it has.

    Raises:
        ValueError: if a class has fewer than ``per_class`` examples (and not ``at_most``).
    """
    flat = np.asarray(labels).reshape(-1)
    chosen = []
    for cls in np.unique(flat):
        idx = np.flatnonzero(flat == cls)
        if len(idx) < per_class and not at_most:
            raise ValueError(f"class {cls} has only {len(idx)} examples, {per_class} needed")
        chosen.append(idx[:per_class])
    return np.sort(np.concatenate(chosen))


def subset(pair: ArrayPair, per_class: int) -> ArrayPair:
    """The first ``per_class`` examples of every class of ``(x, y)``."""
    x, y = pair
    idx = balanced_indices(y, per_class)
    return x[idx], y[idx]


def refuse_existing(target: Path) -> None:
    """For ``fetch``: never overwrite a folder that failed its check."""
    if target.exists():
        raise DatasetIntegrityError(
            f"{target} exists but does not pass the check; remove it and fetch again."
        )
