"""The results at a glance: one row and one panel per task, from ``results/results.json``.

For each task in ``results/anchors.json`` (MNIST, CIFAR-10, IMDB, Speech Commands) the
headline table gives the source article's model (the notebook's own recorded baseline),
the best anchor (one we measured in the same notebook, else a published one with its
citation), this course's result with its 95 % interval and training time, and the
hardware. The interval is the record's own ``test_ci_low``/``test_ci_high`` where the
notebook recorded them, else the Wilson score interval of the accuracy on the test set's
n examples. ``results/headline.png`` shows the same numbers.

    python -m course_utils.headline    # rewrite README's table and results/headline.png

The runner calls :func:`update` after each full run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from course_utils.stats import wilson_interval

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "results.json"
ANCHORS = ROOT / "results" / "anchors.json"
FIGURE = ROOT / "results" / "headline.png"
README = ROOT / "README.md"
START = "<!-- headline:start -->"
END = "<!-- headline:end -->"


class ReportError(ValueError):
    """results.json or anchors.json lacks what the headline table needs."""


def wilson(accuracy: float, n: int) -> tuple[float, float]:
    """The Wilson 95 % interval of an accuracy measured on n test examples
    (:func:`course_utils.stats.wilson_interval` on the count it implies)."""
    if n <= 0 or not 0.0 <= accuracy <= 1.0:
        raise ReportError(f"need 0 <= accuracy <= 1 and n > 0, got {accuracy}, {n}")
    return wilson_interval(round(accuracy * n), n)


def load(results: Path = RESULTS, anchors: Path = ANCHORS) -> tuple[dict, list[dict]]:
    for path in (results, anchors):
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing (make results writes results.json)")
    data = json.loads(results.read_text(encoding="utf-8"))
    return data, json.loads(anchors.read_text(encoding="utf-8"))["tasks"]


def headline_rows(data: dict[str, Any], tasks: list[dict]) -> list[dict[str, Any]]:
    """One dict per task whose notebook has a full-profile record; others are skipped."""
    rows = []
    for task in tasks:
        entry = data.get("notebooks", {}).get(task["notebook"])
        if entry is None:
            continue
        metrics = entry["metrics"]

        def metric(key: str, _metrics=metrics, _task=task) -> Any:
            if key not in _metrics:
                raise ReportError(f"{_task['notebook']} recorded no metric {key!r}; "
                                  f"fix results/anchors.json or rerun the notebook")
            return _metrics[key]

        ours = float(metric(task["ours"]["metric"]))
        n = int(task["test_n"] if "test_n" in task else metric(task["test_n_metric"]))
        if "test_ci_low" in metrics and "test_ci_high" in metrics:
            low, high, how = metrics["test_ci_low"], metrics["test_ci_high"], "recorded"
        else:
            (low, high), how = wilson(ours, n), "Wilson"
        anchors = []
        for anchor in task["anchors"]:
            value = metric(anchor["metric"]) if anchor["kind"] == "measured" else anchor["value"]
            anchors.append({**anchor, "value": float(value)})
        measured = [a for a in anchors if a["kind"] == "measured"]
        best = max(measured or anchors, key=lambda a: a["value"]) if anchors else None
        machine = entry["machine"]
        rows.append({
            "task": task["task"], "notebook": task["notebook"], "n": n,
            "source_model": task["source"]["model"],
            "source": float(metric(task["source"]["metric"])),
            "anchor": best, "anchors": anchors,
            "ours_model": task["ours"]["model"], "ours": ours, "low": low, "high": high,
            "interval": how, "seconds": float(metric(task["ours"]["seconds"])),
            "hardware": f"{machine['cpu']}, {machine['cores']} CPU cores, GPU: {machine['gpu']}",
            "profile": entry["profile"], "date": entry["date"][:10],
        })
    return rows


def pct(value: float) -> str:
    """Two decimals, or three where two would round (88.996 % must not read as 89.00 %)."""
    shown = 100 * value
    return f"{shown:.2f} %" if abs(round(shown, 2) - shown) < 5e-4 else f"{shown:.3f} %"


def _anchor_cell(anchor: dict | None) -> str:
    if anchor is None:
        return "—"
    where = "measured here" if anchor["kind"] == "measured" else "published"
    return f"{pct(anchor['value'])} — {anchor['name']} ({where})"


def headline_table(rows: list[dict[str, Any]], link_prefix: str = "notebooks/") -> str:
    lines = [
        "| task | source article's model | best anchor | this course (95 % interval) "
        "| training time | hardware |",
        "|---|---|---|---|---:|---|",
    ]
    for r in rows:
        ours = (f"**{pct(r['ours'])}** ({100 * r['low']:.2f}–{100 * r['high']:.2f}), "
                f"{r['ours_model']}")
        link = f"[{r['task']}]({link_prefix}{r['notebook']}.ipynb)"
        lines.append(f"| {link} | {pct(r['source'])}, {r['source_model']} | "
                     f"{_anchor_cell(r['anchor'])} | {ours} | {r['seconds'] / 60:.1f} min | "
                     f"{r['hardware']} |")
    notes = [
        "",
        "Test accuracy of each notebook's last full-profile run (`results/results.json`); the "
        "interval is the Wilson 95 % interval over the test set's n examples ("
        + ", ".join(f"{r['task']}: {r['n']:,}" for r in rows) + "). "
        "Every metric of every notebook: [results/RESULTS.md](results/RESULTS.md).",
    ]
    cited = [a for r in rows for a in r["anchors"] if a["kind"] == "published"]
    if cited:
        notes += ["", "Published anchors:", ""]
        notes += [f"- {a['name']}: {a['citation']}" for a in cited]
    return "\n".join(lines + notes)


def figure(rows: list[dict[str, Any]], path: Path = FIGURE) -> Path:
    """One panel per task: source article, anchors, ours with its 95 % interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 3.6), squeeze=False)
    for ax, r in zip(axes[0], rows, strict=True):
        labels = ["source\narticle"] + [
            ("measured\nanchor" if a["kind"] == "measured" else "published\nanchor")
            for a in r["anchors"]] + ["this\ncourse"]
        values = [r["source"]] + [a["value"] for a in r["anchors"]] + [r["ours"]]
        colours = ["#9e9e9e"] + ["#64b5f6" if a["kind"] == "measured" else "#bbdefb"
                                 for a in r["anchors"]] + ["#e65100"]
        x = range(len(values))
        ax.bar(x, [100 * v for v in values], color=colours, edgecolor="black", linewidth=0.5)
        ax.errorbar([len(values) - 1], [100 * r["ours"]],
                    yerr=[[100 * (r["ours"] - r["low"])], [100 * (r["high"] - r["ours"])]],
                    color="black", capsize=4, linewidth=1)
        lo = 100 * min(values + [r["low"]])
        bottom = max(0.0, lo - (100 - lo) * 0.6)
        for xi, v in zip(x, values, strict=True):
            # Inside the bar's lower part, clear of the error bar at its top.
            ax.text(xi, bottom + (100 * v - bottom) * 0.08, pct(v).replace(" ", ""),
                    ha="center", va="bottom", fontsize=8, rotation=90)
        ax.set_ylim(bottom, 100)
        ax.set_xticks(list(x), labels, fontsize=8)
        ax.set_title(r["task"], fontsize=10)
        ax.set_ylabel("test accuracy (%)" if ax is axes[0][0] else "")
    fig.suptitle("Test accuracy: source article vs anchors vs this course "
                 "(error bar: 95 % interval)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # No timestamps in the PNG, so an unchanged result gives an unchanged file.
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def readme_block(rows: list[dict[str, Any]]) -> str:
    return (f"{START}\n{headline_table(rows)}\n\n"
            f"![Test accuracy per task: source article, anchors, this course]"
            f"(results/headline.png)\n{END}")


def update_readme(rows: list[dict[str, Any]], readme: Path = README) -> bool:
    """Replace the block between the README's headline markers; False if none found."""
    if not readme.exists():
        return False
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + readme_block(rows) + tail, encoding="utf-8")
    return True


def update(data: dict[str, Any] | None = None, readme: Path = README,
           figure_path: Path = FIGURE) -> list[dict[str, Any]]:
    """Rewrite the README's headline table and the figure from results.json."""
    loaded, tasks = load()
    rows = headline_rows(data if data is not None else loaded, tasks)
    update_readme(rows, readme)
    figure(rows, figure_path)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    try:
        rows = update()
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote README.md's headline table ({len(rows)} tasks) and {FIGURE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
