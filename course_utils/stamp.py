"""The full-run stamp: what a results run records about each notebook it executed.

A notebook executed by ``make results`` carries the stamp in its metadata under
:data:`STAMP_KEY`; ``results/results.json`` holds the same fields per notebook (plus the
normalised times). The fields are defined once, here, in :class:`RunStamp`; the runner,
the tests and the student edition import them from this module.

Fields added after the first stamps were committed are optional (``calibration``), so
the stamps already in ``notebooks/`` and ``results/results.json`` stay valid.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import platform
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

#: Metadata key of the stamp in a notebook.
STAMP_KEY = "course_run"
PROFILES = ("full", "smoke")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class StampError(ValueError):
    """A stamp with missing or malformed fields."""


def code_sha256(nb: Any) -> str:
    """sha256 of a notebook's code cells (sources joined), the staleness fingerprint."""
    sources = [
        cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
    ]
    return hashlib.sha256("\n\x1e\n".join(sources).encode("utf-8")).hexdigest()


def utc_now() -> str:
    """The current time in the stamp's format, e.g. ``2026-11-26T07:39:12Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def machine_info() -> dict[str, Any]:
    """CPU model, core count and GPU (or ``"none"``) of this machine."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    gpu = "none"
    if shutil.which("nvidia-smi"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                capture_output=True, text=True, timeout=20, check=True,
            ).stdout.strip()
            gpu = ", ".join(out.splitlines()) or "none"
    return {"cpu": cpu, "cores": os.cpu_count(), "gpu": gpu, "system": platform.system()}


def package_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """Python, TensorFlow and Keras versions, as a stamp records them."""
    return {
        "python": platform.python_version(),
        "tensorflow": package_version("tensorflow"),
        "keras": package_version("keras"),
    }


@dataclass
class RunStamp:
    """One full (or smoke) run of one notebook.

    ``calibration`` is the machine's speed measured before the run
    (:class:`course_utils.calibrate.Calibration` as a dict); ``None`` for runs recorded
    before calibration existed.
    """

    profile: str
    wall_seconds: float
    metrics: dict[str, float | int | str]
    machine: dict[str, Any]
    versions: dict[str, str]
    code_sha256: str
    date: str
    calibration: dict[str, Any] | None = field(default=None)

    def __post_init__(self) -> None:
        problems = []
        if self.profile not in PROFILES:
            problems.append(f"profile must be one of {PROFILES}, got {self.profile!r}")
        if not isinstance(self.code_sha256, str) or not _SHA256.match(self.code_sha256):
            problems.append(f"code_sha256 must be 64 hex digits, got {self.code_sha256!r}")
        if not isinstance(self.date, str) or not _DATE.match(self.date):
            problems.append(f"date must read like 2026-11-26T07:39:12Z, got {self.date!r}")
        wall = self.wall_seconds
        if isinstance(wall, bool) or not isinstance(wall, int | float) or wall < 0:
            problems.append(f"wall_seconds must be a number >= 0, got {wall!r}")
        for name in ("metrics", "machine", "versions"):
            if not isinstance(getattr(self, name), dict):
                problems.append(f"{name} must be a dict, got {getattr(self, name)!r}")
        if self.calibration is not None and not isinstance(self.calibration, dict):
            problems.append(f"calibration must be a dict or absent, got {self.calibration!r}")
        if problems:
            raise StampError("invalid run stamp: " + "; ".join(problems) + ". Re-run the "
                             "notebook with `make results NB=NN` to write a fresh stamp.")

    def to_dict(self) -> dict[str, Any]:
        """The stamp as stored (optional fields left out when absent)."""
        data = asdict(self)
        if data["calibration"] is None:
            del data["calibration"]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> RunStamp:
        """Read a stored stamp; unknown keys (e.g. results.json's normalised times) ignored."""
        if not isinstance(data, dict):
            raise StampError(f"a run stamp must be a dict, got {type(data).__name__}.")
        required = [f.name for f in fields(cls) if f.name != "calibration"]
        missing = [name for name in required if name not in data]
        if missing:
            raise StampError(
                f"run stamp without {', '.join(missing)}; re-run the notebook with "
                "`make results NB=NN` to write a fresh stamp."
            )
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def read_stamp(nb: Any) -> RunStamp | None:
    """The stamp in a notebook's metadata, or ``None`` when it has none."""
    data = nb["metadata"].get(STAMP_KEY)
    return None if data is None else RunStamp.from_dict(data)


def write_stamp(nb: Any, stamp: RunStamp) -> None:
    nb["metadata"][STAMP_KEY] = stamp.to_dict()
