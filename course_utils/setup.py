"""One call at the top of every notebook: quiet start-up, fixed seeds, one line of facts.

Every notebook's first code cell is::

    from course_utils.setup import setup

    setup()  # quiet TensorFlow start-up, seeds fixed, profile and versions on one line

It must run **before** ``import tensorflow`` or ``import keras``: TensorFlow's C++ core
writes start-up lines (``WARNING: All log messages before absl::InitializeLog() ...``,
``cudart_stub.cc ... Could not find cuda drivers``, oneDNN notices) straight to the
process's standard error while it is imported. In JupyterLab the kernel forwards that
stream into the notebook, where the lines show in red although nothing is wrong. So
:func:`setup` sets TensorFlow's log level and imports TensorFlow with the process's
stderr pointed at the null device, then restores it: Python's own warnings and errors
still show, because they do not go through that file descriptor.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
from collections.abc import Iterator
from importlib import metadata

from course_utils.profile import get_profile, seed_everything

#: Versions the course is tested with (pyproject.toml): (package, lowest, first excluded).
SUPPORTED: tuple[tuple[str, str, str], ...] = (
    ("tensorflow", "2.20", "2.22"),
    ("keras", "3.13", "4"),
)
MIN_PYTHON = (3, 11)  # requires-python in pyproject.toml


class EnvironmentProblem(RuntimeError):
    """The Python environment cannot run the course; the message says what to install."""


def _as_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def check_versions() -> dict[str, str]:
    """Return the installed versions; raise :class:`EnvironmentProblem` if one is off."""
    if sys.version_info[:2] < MIN_PYTHON:
        raise EnvironmentProblem(
            f"Python {platform.python_version()} is too old for this course: it needs "
            f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer. Install a newer Python, then run "
            "`make lab` again (it rebuilds .venv)."
        )
    found = {"python": platform.python_version()}
    for package, low, high in SUPPORTED:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            raise EnvironmentProblem(
                f"{package} is not installed in this kernel's environment "
                f"({sys.executable}). Run `make lab` from the course folder, or "
                f"`pip install '{package}>={low},<{high}'`, and pick the kernel "
                "'Python (Keras course)'."
            ) from None
        if not _as_tuple(low) <= _as_tuple(version) < _as_tuple(high):
            raise EnvironmentProblem(
                f"{package} {version} is installed, but the course is tested with "
                f"{package}>={low},<{high}. Run `pip install '{package}>={low},<{high}'` "
                "in this environment (or `make lab`, which installs the tested ranges)."
            )
        found[package] = version
    return found


@contextlib.contextmanager
def stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at the null device for the duration of the block.

    Only C/C++ code writing to the descriptor is affected; ``sys.stderr`` in a Jupyter
    kernel is a Python object and keeps working.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr descriptor at all (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras with their C++ start-up lines kept out of sight."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:  # already imported: its start-up lines are out
        return
    with stderr_silenced():
        import keras  # noqa: F401  (imports TensorFlow, the backend)
        import tensorflow  # noqa: F401


def setup(seed: int = 42, *, quiet: bool = False) -> str:
    """Prepare a notebook: quiet TensorFlow, seed everything, print one line of facts.

    Call it in the first code cell, before importing TensorFlow or Keras. It checks the
    versions (raising :class:`EnvironmentProblem` with what to install when one is
    off), imports TensorFlow without its C++ start-up lines, seeds Python, NumPy and
    TensorFlow and turns on deterministic ops (:func:`course_utils.profile.seed_everything`),
    sets the course's plotting style (:func:`course_utils.plots.use_course_style`: dpi 80,
    light grid), and prints e.g. ``profile: full | seed 42 | Python 3.11.7 | TensorFlow 2.21.0 |
    Keras 3.15.1``. Returns that line.
    """
    versions = check_versions()
    profile = get_profile()
    import_tensorflow_quietly()
    seed_everything(seed)
    from course_utils.plots import use_course_style  # here: matplotlib only when needed

    use_course_style()
    line = (
        f"profile: {profile} | seed {seed} | Python {versions['python']} | "
        f"TensorFlow {versions['tensorflow']} | Keras {versions['keras']}"
    )
    if not quiet:
        print(line)
    return line
