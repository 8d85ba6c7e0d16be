"""The results run: measure the machine, execute notebooks in the full profile, stamp them.

Usage::

    python -m course_utils.runner            # every notebook, in order
    python -m course_utils.runner 08 10      # only notebooks whose names start so
    python -m course_utils.runner --no-calibrate 08   # skip the speed measurement

A run first measures the machine's speed once (:mod:`course_utils.calibrate`, about
30 s). Then each notebook is executed in place with a fresh kernel (nbclient). Its
metadata gets a ``course_run`` stamp (:class:`course_utils.stamp.RunStamp`: profile, hash
of its code cells, date, versions, machine, wall time, the metrics it recorded with
:func:`course_utils.results.record`, the calibration); then ``results/results.json``,
``results/RESULTS.md``, the README's table at a glance and its figure are rewritten
(:mod:`course_utils.report`), durations also normalised to the reference machine. Only
one run executes at a time on a machine (a file lock): two trainings on the same cores
would make both timings false.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from course_utils import headline
from course_utils.calibrate import Calibration
from course_utils.report import README_END as README_END
from course_utils.report import README_START as README_START
from course_utils.report import fmt_value as _fmt
from course_utils.report import results_table as results_table
from course_utils.report import update_readme as update_readme
from course_utils.report import update_results as update_results
from course_utils.results import ENV_VAR as RESULTS_ENV_VAR
from course_utils.results import read_recorded
from course_utils.stamp import STAMP_KEY as STAMP_KEY
from course_utils.stamp import RunStamp, machine_info, utc_now, versions, write_stamp
from course_utils.stamp import code_sha256 as code_sha256

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS_DIR = ROOT / "results"
README = ROOT / "README.md"
LOCK_PATH = Path(tempfile.gettempdir()) / "course_fullrun.lock"
#: Passed to every kernel (and the calibration) unless already set by the caller.
QUIET_TF = {"TF_CPP_MIN_LOG_LEVEL": "3"}


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
def run_lock(path: Path | None = None) -> Iterator[None]:
    """Hold the machine-wide lock for a CPU-heavy run (waits for the current holder).

    ``filelock`` works the same on Linux, macOS and Windows.
    """
    path = LOCK_PATH if path is None else path
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"waiting for another full run to finish (lock {path}) ...", flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def kernel_env(profile: str, metrics_file: Path,
               base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a notebook's kernel starts with: ours plus the run's settings.

    The runner's own ``os.environ`` is left alone.
    """
    env = dict(os.environ if base is None else base)
    for key, value in QUIET_TF.items():
        env.setdefault(key, value)
    env["COURSE_PROFILE"] = profile
    env[RESULTS_ENV_VAR] = str(metrics_file)
    return env


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


def execute_notebook(path: Path, profile: str = "full", timeout: int = 3600,
                     calibration: dict[str, Any] | None = None) -> RunStamp:
    """Execute ``path`` in place with a fresh kernel and stamp it; return its stamp.

    ``calibration`` (a :class:`course_utils.calibrate.Calibration` as a dict) is the
    machine speed measured for this run; it goes into the stamp.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp) / "metrics.jsonl"
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            # TensorFlow's C++ start-up chatter (absl logs written to the process's
            # stderr before logging is configured) stays in the runner's log instead
            # of the committed notebook; Python-level output is captured as usual.
            extra_arguments=["--IPKernelApp.capture_fd_output=False"],
        )
        start = time.perf_counter()
        # Keyword arguments of execute() go to the kernel manager's start_kernel().
        client.execute(env=kernel_env(profile, metrics_file))
        wall = time.perf_counter() - start
        metrics = read_recorded(metrics_file)
    stamp = RunStamp(
        profile=profile, wall_seconds=round(wall, 1), metrics=metrics, machine=machine_info(),
        versions=versions(), code_sha256=code_sha256(nb), date=utc_now(),
        calibration=calibration,
    )
    portable_outputs(nb)
    write_stamp(nb, stamp)
    nbformat.write(nb, path)
    return stamp


def measure_machine(timeout: int = 600) -> dict[str, Any]:
    """Run ``python -m course_utils.calibrate --json`` in a fresh process; its record.

    A separate process, like a kernel: the runner itself never imports TensorFlow.
    """
    env = {**QUIET_TF, **os.environ}
    done = subprocess.run(
        [sys.executable, "-m", "course_utils.calibrate", "--json"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(
            f"the speed measurement failed (exit {done.returncode}):\n{done.stderr[-2000:]}"
            "\nRun `python -m course_utils.calibrate` to see why, or pass --no-calibrate."
        )
    record = json.loads(lines[-1])
    Calibration.from_dict(record)  # a usable speed, or CalibrationError
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="name prefixes, e.g. 08 (default: all)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--no-calibrate", action="store_true",
                        help="skip the speed measurement (times then read 'not calibrated')")
    args = parser.parse_args(argv)
    try:
        paths = find_notebooks(args.notebooks or None, NOTEBOOKS)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed: list[str] = []
    with run_lock():
        calibration = None
        if not args.no_calibrate:
            print("== measuring this machine's speed (python -m course_utils.calibrate) ...",
                  flush=True)
            calibration = measure_machine()
            print(f"   {calibration['images_per_second']:.0f} images/s, "
                  f"{calibration['speed_factor']:.2f} x the reference machine", flush=True)
        for path in paths:
            print(f"== {path.name}: executing in the full profile ...", flush=True)
            try:
                stamp = execute_notebook(path, "full", args.timeout, calibration)
            except Exception as err:  # nbclient's CellExecutionError and kernel deaths
                print(f"!! {path.name} failed:\n{err}", file=sys.stderr, flush=True)
                failed.append(path.name)
                continue
            data = update_results({path.stem: stamp}, RESULTS_DIR, calibration)
            headline.update(data, README, RESULTS_DIR / "headline.png")  # README at a glance
            shown = ", ".join(f"{k}={_fmt(v, k)}" for k, v in stamp.metrics.items())
            print(f"   done in {stamp.wall_seconds:.0f} s  {shown}", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
