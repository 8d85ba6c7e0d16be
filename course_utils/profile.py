"""The run profile: ``full`` (real sizes, for learners) or ``smoke`` (tiny, for CI).

Notebooks never branch on the profile by hand. They ask for a size with
:func:`pick`, so both profiles run exactly the same code path::

    epochs = pick(full=20, smoke=1)
"""

from __future__ import annotations

import os
from typing import TypeVar

PROFILES: tuple[str, ...] = ("full", "smoke")
DEFAULT_PROFILE = "full"
ENV_VAR = "COURSE_PROFILE"

T = TypeVar("T")


def get_profile() -> str:
    """Return the active profile, read from ``COURSE_PROFILE`` (default ``full``).

    Raises:
        ValueError: if the variable holds anything but one of :data:`PROFILES`.
    """
    value = os.environ.get(ENV_VAR, "").strip().lower() or DEFAULT_PROFILE
    if value not in PROFILES:
        allowed = ", ".join(PROFILES)
        raise ValueError(
            f"{ENV_VAR}={os.environ.get(ENV_VAR)!r} is not a run profile; "
            f"use one of: {allowed} (unset means {DEFAULT_PROFILE!r})."
        )
    return value


def is_smoke() -> bool:
    """True when running the small CI profile."""
    return get_profile() == "smoke"


def pick(*, full: T, smoke: T) -> T:
    """Return the value meant for the active profile.

    >>> import os; os.environ["COURSE_PROFILE"] = "smoke"
    >>> pick(full=20, smoke=1)
    1
    """
    return full if get_profile() == "full" else smoke


def seed_everything(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow, and turn on deterministic TensorFlow ops.

    ``keras.utils.set_random_seed`` seeds ``random``, ``numpy`` and the backend;
    ``enable_op_determinism`` makes TensorFlow pick deterministic kernels, so the
    same notebook gives the same numbers on the same machine.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
