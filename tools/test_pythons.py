"""Run the unit tests on every Python the course claims to support (`make test-pythons`).

For each version in pyproject's `requires-python` range (or the versions given on the
command line) found on this machine: a fresh venv in `.venvs/pyXY`, `pip install -e
'.[dev,teach]'` as `make lab` does, then `pytest tests -m "not student and not lab"` (the
unit tests; no notebook is executed). One summary line per version at the end. A venv is
removed after a clean run and kept after a failure, so the failure can be rerun.

    python tools/test_pythons.py            # each Python of requires-python found here
    python tools/test_pythons.py 3.12 3.13  # just these
    python tools/test_pythons.py --keep     # keep every venv

Runs the versions one after the other (never two test runs at once).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venvs"
MARKERS = "not student and not lab"  # student: executes every notebook; lab: starts JupyterLab


def claimed_versions() -> list[str]:
    """3.11 ... 3.13 from `requires-python = ">=3.11,<3.14"` (a regex: any Python runs this)."""
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'^requires-python\s*=\s*">=3\.(\d+),\s*<3\.(\d+)"', text, re.M)
    if not match:
        sys.exit('pyproject.toml: expected requires-python = ">=3.X,<3.Y"')
    low, high = int(match.group(1)), int(match.group(2))
    return [f"3.{minor}" for minor in range(low, high)]


def _reports(python: str, version: str) -> tuple[str, str] | None:
    """(real executable, full version) if `python` runs and is Python `version`, else None."""
    try:
        out = subprocess.run(
            [python, "-c", "import platform, sys; print(sys.executable, "
             "platform.python_version())"],
            capture_output=True, text=True, timeout=30,
        )
    except OSError:
        return None
    executable, _, full = out.stdout.strip().rpartition(" ")
    if out.returncode == 0 and full.startswith(version + "."):
        return executable, full
    return None


def find_python(version: str) -> tuple[str, str] | None:
    """(path, full version) of a `pythonX.Y` on PATH, else the newest pyenv install of it."""
    on_path = shutil.which(f"python{version}")
    # A pyenv shim is on PATH even when its version is not selected: ask it, do not trust it.
    if on_path and (found := _reports(on_path, version)):
        return found
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

    def patch(path: Path) -> int:
        tail = path.parent.parent.name.split(".")[2:3]
        return int(tail[0]) if tail and tail[0].isdigit() else -1

    for candidate in sorted(pyenv.glob(f"{version}.*/bin/python{version}"), key=patch,
                            reverse=True):
        if found := _reports(str(candidate), version):
            return found
    return None


def _counts(junit: Path) -> dict[str, int]:
    suite = next(ET.parse(junit).getroot().iter("testsuite"))  # the root, or its first child
    n = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    n["passed"] = n["tests"] - n["failures"] - n["errors"] - n["skipped"]
    return n


def _size(path: Path) -> int:
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() or f.is_symlink())


def run_version(version: str, python: str, full: str, keep: bool) -> tuple[bool, str]:
    venv = VENVS / f"py{version.replace('.', '')}"
    if venv.exists():
        print(f"== removing the previous {venv.relative_to(ROOT)}…", flush=True)
        shutil.rmtree(venv)
    venv.parent.mkdir(exist_ok=True)
    log = venv.parent / f"{venv.name}-install.log"
    start = time.monotonic()
    print(f"== Python {full} ({python}): fresh venv {venv.relative_to(ROOT)}, installing…",
          flush=True)
    bin_dir = venv / "bin"
    steps = [
        [python, "-m", "venv", str(venv)],
        [str(bin_dir / "python"), "-m", "pip", "install", "--upgrade", "pip"],
        [str(bin_dir / "python"), "-m", "pip", "install", "-e", ".[dev,teach]"],
    ]
    failed: list[str] | None = None
    with log.open("w") as out:
        for step in steps:
            if subprocess.run(step, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode:
                failed = step
                break
    if failed is not None:
        errors = [ln for ln in log.read_text().splitlines() if ln.startswith("ERROR")]
        return False, (f"{full:<8} FAIL install ({' '.join(failed[-3:])}): "
                       f"{errors[-1] if errors else 'see the log'} [{log.relative_to(ROOT)}]")
    installed = time.monotonic() - start
    print(f"== Python {full}: installed in {installed:.0f} s, running the unit tests…",
          flush=True)
    junit = venv / "junit.xml"
    start = time.monotonic()
    env = {**os.environ, "VIRTUAL_ENV": str(venv),  # as if activated: tools found on PATH
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")}
    code = subprocess.run(
        [str(bin_dir / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests",
         "-m", MARKERS, f"--junitxml={junit}"],
        cwd=ROOT, env=env,
    ).returncode
    tested = time.monotonic() - start
    n = _counts(junit) if junit.exists() else None
    size = _size(venv) / 2**30
    ok = code == 0
    if n is None:
        result = f"pytest exited with {code} before writing a report"
    else:
        result = (f"{n['passed']} passed, {n['failures']} failed, {n['errors']} errors, "
                  f"{n['skipped']} skipped")
    line = (f"{full:<8} {'ok  ' if ok else 'FAIL'} {result} | install {installed:.0f} s, "
            f"tests {tested:.0f} s | venv {size:.1f} GiB")
    if ok and not keep:
        shutil.rmtree(venv)
        log.unlink()
    elif not ok:
        line += f" (kept: {venv.relative_to(ROOT)})"
    return ok, line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="*", help="e.g. 3.12 3.13 (default: requires-python)")
    parser.add_argument("--keep", action="store_true", help="keep the venvs of passing runs")
    args = parser.parse_args(argv)
    versions = args.versions or claimed_versions()
    lines, all_ok, ran = [], True, 0
    for version in versions:
        if not re.fullmatch(r"3\.\d+", version):
            parser.error(f"{version!r} is not a version like 3.12")
        found = find_python(version)
        if found is None:
            lines.append(f"{version:<8} skipped: no python{version} on PATH or in pyenv's "
                         "versions folder")
            continue
        ok, line = run_version(version, *found, keep=args.keep)
        all_ok, ran = all_ok and ok, ran + 1
        lines.append(line)
    print(f"\nUnit tests (-m '{MARKERS}') per Python, each in a fresh venv:")
    print("\n".join(lines))
    if ran == 0:
        print("No Python of the range was found: nothing was tested.")
        return 1
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
