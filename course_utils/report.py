"""``results/results.json``, ``results/RESULTS.md`` and the README's results table.

The results run (:mod:`course_utils.runner`) merges each notebook's
:class:`~course_utils.stamp.RunStamp` into ``results.json`` with
:func:`update_results`; :func:`results_table` renders the Markdown table and
:func:`update_readme` puts a rendered table between two markers of the README (pass other
markers and another ``render`` function to maintain a second table the same way).

``results.json``::

    {"calibration": {...},            # the speed measured by the latest results run
     "notebooks": {"08_cnn_mnist": {  # the stamp's fields, plus
         ..., "calibration": {...},   # the calibration that applied to this run
         "normalised_seconds": {"wall_seconds": ..., "train_seconds": ...}}}}

Entries recorded before calibration existed have neither key: their times on the
reference machine read "not calibrated" (never estimated).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_utils.calibrate import is_duration, normalised_stamp_seconds
from course_utils.stamp import RunStamp

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"
README = ROOT / "README.md"
README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"
NOT_CALIBRATED = "not calibrated"


def update_results(stamps: dict[str, RunStamp | dict[str, Any]], results_dir: Path = RESULTS_DIR,
                   calibration: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge new stamps into results.json and rewrite RESULTS.md; return the data.

    ``calibration``, when given, becomes the file's top-level ``calibration`` (the speed
    measured by this results run); each stamp carries the calibration that applied to it.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path = results_dir / "results.json"
    data: dict[str, Any] = {"notebooks": {}}
    if json_path.exists():
        data = json.loads(json_path.read_text(encoding="utf-8"))
        data.setdefault("notebooks", {})
    if calibration is not None:
        data = {"calibration": calibration, **{k: v for k, v in data.items()
                                               if k != "calibration"}}
    for name, stamp in stamps.items():
        if not isinstance(stamp, RunStamp):
            stamp = RunStamp.from_dict(stamp)
        entry = stamp.to_dict()
        if stamp.calibration is not None:
            entry["normalised_seconds"] = normalised_stamp_seconds(stamp)
        data["notebooks"][name] = entry
    data["notebooks"] = dict(sorted(data["notebooks"].items()))
    json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    write_results_md(data, results_dir)
    return data


def write_results_md(data: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``RESULTS.md`` (the table of every notebook's last run); return its path."""
    path = results_dir / "RESULTS.md"
    path.write_text(
        "# Results of the last full-profile run of each notebook\n\n"
        "Written by `make results` (course_utils.runner); do not edit by hand. Times "
        "\"on the reference machine\" are normalised by the machine's measured speed "
        "(`python -m course_utils.calibrate`; see the README).\n\n"
        + results_table(data) + "\n",
        encoding="utf-8",
    )
    return path


def fmt_value(value: Any, metric: str = "") -> str:
    """A metric's value as the tables show it."""
    if isinstance(value, float) and metric.endswith(("seconds", "_ms", "ms_per_clip")):
        return f"{value:.1f}"
    if isinstance(value, float) and abs(value) < 10:
        # Four decimals, or five where four would round (0.88996 must not read as 0.8900
        # next to a target of 0.89).
        return f"{value:.4f}" if abs(round(value, 4) - value) < 5e-7 else f"{value:.5f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def reference_time(entry: dict[str, Any], metric: str, *, minutes: bool = False) -> str:
    """An entry's time on the reference machine, as shown: "—" for a metric that is not a
    duration, "not calibrated" for a run recorded without calibration."""
    if metric != "wall_seconds" and not is_duration(metric):
        return "—"
    normalised = (entry.get("normalised_seconds") or {}).get(metric)
    if normalised is None:
        return NOT_CALIBRATED
    return f"{normalised / 60:.1f} min" if minutes else fmt_value(float(normalised), metric)


def results_table(data: dict[str, Any]) -> str:
    """A Markdown table: notebook, metric, value (and on the reference machine), wall time
    (and on the reference machine), machine, date."""
    rows = [
        "| notebook | metric | value | on the reference machine | wall time (full run) "
        "| wall time on the reference machine | machine | date |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for name, entry in data["notebooks"].items():
        machine = entry["machine"]
        where = f"{machine['cpu']}, {machine['cores']} cores, GPU: {machine['gpu']}"
        wall = f"{entry['wall_seconds'] / 60:.1f} min"
        wall_ref = reference_time(entry, "wall_seconds", minutes=True)
        metrics = entry["metrics"] or {"—": "—"}
        for metric, value in metrics.items():
            shown, day = fmt_value(value, metric), entry["date"][:10]
            ref = reference_time(entry, metric) if metric != "—" else "—"
            rows.append(f"| {name} | {metric} | {shown} | {ref} | {wall} | {wall_ref} "
                        f"| {where} | {day} |")
    return "\n".join(rows)


def update_readme(data: dict[str, Any], readme: Path = README, *, start: str = README_START,
                  end: str = README_END,
                  render: Callable[[dict[str, Any]], str] = results_table) -> bool:
    """Replace the text between ``start`` and ``end`` in ``readme`` with ``render(data)``.

    Returns False (and leaves the file alone) when the file or a marker is missing.
    """
    if not readme.exists():
        return False
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{render(data)}\n{end}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m course_utils.report``: re-render RESULTS.md, the README's headline table
    and its figure from results.json (after a change of format; no notebook is run)."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        print("usage: python -m course_utils.report   (no arguments)", file=sys.stderr)
        return 2
    json_path = RESULTS_DIR / "results.json"
    if not json_path.exists():
        print(f"error: {json_path} does not exist; run `make results` first.", file=sys.stderr)
        return 1
    data = json.loads(json_path.read_text(encoding="utf-8"))
    for entry in data["notebooks"].values():
        RunStamp.from_dict(entry)  # every entry must fit the schema
    from course_utils import headline  # the README's table at a glance and its figure

    rows = headline.update(data, README, RESULTS_DIR / "headline.png")
    print(f"wrote {write_results_md(data, RESULTS_DIR)}, README.md's headline table "
          f"({len(rows)} tasks) and {headline.FIGURE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
