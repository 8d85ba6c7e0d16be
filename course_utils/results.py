"""Record a notebook's headline numbers so the results run can collect them.

A notebook calls ``record("test_accuracy", 0.9951)``. Nothing is printed: the
notebook shows the learner each number in its own words (with its interval, its
unit), and a ``[result] ...`` echo under it was plumbing. When the results runner
executes the notebook, the value is appended to the file named by
``COURSE_RESULTS_FILE``; the runner then writes it into ``results/results.json``.
Inside a notebook, assign the value it returns (``acc = record(...)``) or end the
line with ``;`` when ``record`` is the last line of a cell, so no ``Out[]`` echo
appears either (a test checks every notebook's cells for that).
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

ENV_VAR = "COURSE_RESULTS_FILE"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

#: Everything recorded in this Python process, newest value last.
recorded: dict[str, float | int | str] = {}


def record(name: str, value: float | int | str) -> float | int | str:
    """Record one headline number (or short string) under ``name``.

    Args:
        name: snake_case metric name, e.g. ``"test_accuracy"``.
        value: a finite number, or a short string such as a model name.

    Returns:
        The value, so ``acc = record("test_accuracy", acc)`` reads naturally.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"metric name {name!r} must be snake_case (letters, digits, _), "
            "e.g. 'test_accuracy'."
        )
    if hasattr(value, "item") and callable(value.item):  # NumPy / TF scalars
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(
            f"record({name!r}, ...) takes a number or a string, got "
            f"{type(value).__name__}; convert it with float(...)."
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"record({name!r}, {value}) is not finite; check the training run.")
    recorded[name] = value
    path = os.environ.get(ENV_VAR)
    if path:
        with Path(path).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "value": value}) + "\n")
    return value


def read_recorded(path: str | os.PathLike[str]) -> dict[str, float | int | str]:
    """Read the metrics a notebook wrote to ``path`` (last value of a name wins)."""
    metrics: dict[str, float | int | str] = {}
    p = Path(path)
    if not p.exists():
        return metrics
    for line in p.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            metrics[item["name"]] = item["value"]
    return metrics
