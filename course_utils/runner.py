"""The results run: execute notebooks in the full profile, stamp them, collect results.

Usage::

    python -m course_utils.runner            # every notebook, in order
    python -m course_utils.runner 08 10      # only notebooks whose names start so

Each notebook is executed in place with a fresh kernel (nbclient). Its metadata gets a
``course_run`` stamp (profile, hash of its code cells, date, versions, machine, wall
time, the metrics it recorded with :func:`course_utils.results.record`); then
``results/results.json``, ``results/RESULTS.md`` and the README's results table are
rewritten. Only one run executes at a time on a machine (a file lock): two trainings
on the same cores would make both timings false.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from course_utils.results import ENV_VAR as RESULTS_ENV_VAR
from course_utils.results import read_recorded

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS_DIR = ROOT / "results"
STAMP_KEY = "course_run"
README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"
LOCK_PATH = Path(tempfile.gettempdir()) / "course_fullrun.lock"


def code_sha256(nb: Any) -> str:
    """sha256 of a notebook's code cells (sources joined), the staleness fingerprint."""
    sources = [
        cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
    ]
    return hashlib.sha256("\n\x1e\n".join(sources).encode("utf-8")).hexdigest()


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


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def find_notebooks(prefixes: list[str] | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks to run, in order; ``prefixes`` like ``["08"]`` select some.

    ``00_*`` comes last: its course map shows the wall times the other runs record.
    """
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"), key=lambda p: (p.name[:3] == "00_", p.name))
    if prefixes:
        chosen = [p for p in paths if any(p.name.startswith(x) for x in prefixes)]
        missing = [x for x in prefixes if not any(p.name.startswith(x) for p in paths)]
        if missing:
            raise ValueError(
                f"no notebook in {folder.name}/ starts with {', '.join(missing)}; "
                f"available: {', '.join(p.stem for p in paths)}"
            )
        return chosen
    return paths


@contextlib.contextmanager
def run_lock(path: Path = LOCK_PATH) -> Iterator[None]:
    """Hold the machine-wide lock for a CPU-heavy run (waits for the current holder)."""
    with path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another full run to finish (lock {path}) ...", flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _path_replacements() -> list[tuple[str, str]]:
    """Machine-specific folders and the portable names that replace them in outputs."""
    import site
    import sysconfig

    pairs = [(p, "<site-packages>") for p in site.getsitepackages()]
    pairs.append((sysconfig.get_paths()["purelib"], "<site-packages>"))
    pairs += [(sys.prefix, "<venv>"), (str(ROOT), "<course>"), (str(Path.home()), "~")]
    # longest first, so a folder inside another is replaced by its own name
    return sorted({(a, b) for a, b in pairs if a and a != "/"}, key=lambda x: -len(x[0]))


def portable_outputs(nb: Any) -> int:
    """Replace this machine's folders (venv, checkout, home) in text outputs; return count.

    Library warnings quote their own file's absolute path; a committed notebook should
    not carry the path of the machine it ran on.
    """
    replacements = _path_replacements()
    changed = 0

    def clean(text: str) -> str:
        nonlocal changed
        for old, new in replacements:
            if old in text:
                text = text.replace(old, new)
                changed += 1
        return text

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = clean(output["text"])
            data = output.get("data", {})
            if "text/plain" in data:
                data["text/plain"] = clean(data["text/plain"])
    return changed


def execute_notebook(path: Path, profile: str = "full", timeout: int = 3600) -> dict[str, Any]:
    """Execute ``path`` in place with a fresh kernel and stamp it; return its stamp."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp) / "metrics.jsonl"
        env_patch = {
            "COURSE_PROFILE": profile,
            RESULTS_ENV_VAR: str(metrics_file),
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        }
        saved = {k: os.environ.get(k) for k in env_patch}
        os.environ.update(env_patch)
        try:
            client = NotebookClient(
                nb, timeout=timeout, kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
                # TensorFlow's C++ start-up chatter (absl logs written to the process's
                # stderr before logging is configured) stays in the runner's log instead
                # of the committed notebook; Python-level output is captured as usual.
                extra_arguments=["--IPKernelApp.capture_fd_output=False"],
            )
            start = time.perf_counter()
            client.execute()
            wall = time.perf_counter() - start
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        metrics = read_recorded(metrics_file)
    stamp = {
        "profile": profile,
        "code_sha256": code_sha256(nb),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_seconds": round(wall, 1),
        "metrics": metrics,
        "versions": {
            "python": platform.python_version(),
            "tensorflow": _version("tensorflow"),
            "keras": _version("keras"),
        },
        "machine": machine_info(),
    }
    portable_outputs(nb)
    nb.metadata[STAMP_KEY] = stamp
    nbformat.write(nb, path)
    return stamp


def update_results(stamps: dict[str, dict[str, Any]], results_dir: Path = RESULTS_DIR) -> dict:
    """Merge new stamps into results.json and rewrite RESULTS.md; return the data."""
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path = results_dir / "results.json"
    data: dict[str, Any] = {"notebooks": {}}
    if json_path.exists():
        data = json.loads(json_path.read_text(encoding="utf-8"))
        data.setdefault("notebooks", {})
    for name, stamp in stamps.items():
        data["notebooks"][name] = {
            "profile": stamp["profile"],
            "wall_seconds": stamp["wall_seconds"],
            "metrics": stamp["metrics"],
            "machine": stamp["machine"],
            "versions": stamp["versions"],
            "code_sha256": stamp["code_sha256"],
            "date": stamp["date"],
        }
    data["notebooks"] = dict(sorted(data["notebooks"].items()))
    json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    table = results_table(data)
    (results_dir / "RESULTS.md").write_text(
        "# Results of the last full-profile run of each notebook\n\n"
        "Written by `make results` (course_utils.runner); do not edit by hand.\n\n"
        + table + "\n",
        encoding="utf-8",
    )
    return data


def _fmt(value: Any, metric: str = "") -> str:
    if isinstance(value, float) and metric.endswith(("seconds", "_ms", "ms_per_clip")):
        return f"{value:.1f}"
    if isinstance(value, float) and abs(value) < 10:
        # Four decimals, or five where four would round (0.88996 must not read as 0.8900
        # next to a target of 0.89).
        return f"{value:.4f}" if abs(round(value, 4) - value) < 5e-7 else f"{value:.5f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def results_table(data: dict[str, Any]) -> str:
    """A Markdown table: notebook, metric, value, wall time, machine, date."""
    rows = [
        "| notebook | metric | value | wall time (full run) | machine | date |",
        "|---|---|---:|---:|---|---|",
    ]
    for name, entry in data["notebooks"].items():
        machine = entry["machine"]
        where = f"{machine['cpu']}, {machine['cores']} cores, GPU: {machine['gpu']}"
        wall = f"{entry['wall_seconds'] / 60:.1f} min"
        metrics = entry["metrics"] or {"—": "—"}
        for metric, value in metrics.items():
            shown, day = _fmt(value, metric), entry["date"][:10]
            rows.append(f"| {name} | {metric} | {shown} | {wall} | {where} | {day} |")
    return "\n".join(rows)


def update_readme(data: dict[str, Any], readme: Path = ROOT / "README.md") -> bool:
    """Replace the table between the README's results markers; False if none found."""
    if not readme.exists():
        return False
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(
        f"{head}{README_START}\n{results_table(data)}\n{README_END}{tail}", encoding="utf-8"
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="name prefixes, e.g. 08 (default: all)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        paths = find_notebooks(args.notebooks or None)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed: list[str] = []
    with run_lock():
        for path in paths:
            print(f"== {path.name}: executing in the full profile ...", flush=True)
            try:
                stamp = execute_notebook(path, "full", args.timeout)
            except Exception as err:  # nbclient's CellExecutionError and kernel deaths
                print(f"!! {path.name} failed:\n{err}", file=sys.stderr, flush=True)
                failed.append(path.name)
                continue
            data = update_results({path.stem: stamp})
            update_readme(data)
            shown = ", ".join(f"{k}={_fmt(v)}" for k, v in stamp["metrics"].items())
            print(f"   done in {stamp['wall_seconds']:.0f} s  {shown}", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
