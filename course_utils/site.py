"""Build the course website: the committed notebooks, outputs included, as static HTML.

Nothing is executed: the pages show the outputs of each notebook's last full-profile run.
``prepare`` writes the Sphinx sources into ``build/site-src/`` (git-ignored): a home page
made from README.md and results/results.json, a copy of every numbered notebook with tool
markers (``# NBVAL_CHECK_OUTPUT``) removed from its code, the glossary, TEACHING,
CONTRIBUTING and the full results table. ``main`` then runs ``sphinx-build -W`` with
``docs/conf.py`` into ``site/``. Needs the ``site`` extra (``pip install -e '.[site]'``).

    python -m course_utils.site            # build site/
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from course_utils import glossary, headline

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "build" / "site-src"
OUTPUT = ROOT / "site"
CONF_DIR = ROOT / "docs"
# Lines that only steer a tool (nbval, ruff, nbgrader's autograder): not for readers.
TOOL_MARKER = re.compile(r"^\s*#\s*(NBVAL_\w+|noqa\b.*|ruff:.*|fmt:\s*(on|off|skip))\s*$")
NOTEBOOK_ROW = re.compile(r"^\|\s*(\d\d)\s*\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$")
HOME_TITLE = "Deep learning with Keras, from the perceptron to keyword spotting"


def strip_markers(nb: dict) -> dict:
    """Drop tool-marker lines from code cells (the copy only; the notebook is untouched)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        kept = [line for line in src.splitlines(keepends=True) if not TOOL_MARKER.match(line)]
        cell["source"] = "".join(kept).lstrip("\n")
    return nb


def source_note(stem: str) -> dict:
    """A first cell that links the page to its notebook source (downloadable)."""
    text = (f"*This page is the notebook `notebooks/{stem}.ipynb` with the outputs of its last "
            f"full-profile run. Source: {{download}}`{stem}.ipynb <_notebook_files/{stem}.ipynb>`"
            " — open it in JupyterLab (`make lab`) to run it yourself.*")
    return {"cell_type": "markdown", "id": f"site-source-{stem}", "metadata": {}, "source": text}


def readme_sections(readme: str) -> dict[str, str]:
    """README's level-2 sections by title, and its intro under the key ''."""
    parts = re.split(r"^## (.+)$", readme, flags=re.M)
    sections = {"": parts[0].split("\n", 1)[1].strip()}
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[title.strip()] = body.strip()
    return sections


def course_map(readme: str, stems: list[str], data: dict) -> str:
    """The README's notebook table, limited to the notebooks that exist, with run times."""
    described = {m.group(2): m.group(3) for m in map(NOTEBOOK_ROW.match, readme.splitlines())
                 if m}
    rows = ["| # | notebook | what you learn | full run |", "|---|---|---|---:|"]
    for stem in stems:
        entry = data.get("notebooks", {}).get(stem)
        wall = f"{entry['wall_seconds'] / 60:.1f} min" if entry else "not yet run"
        what = described.get(stem, "")
        rows.append(f"| {stem[:2]} | [{stem}](notebooks/{stem}.ipynb) | {what} | {wall} |")
    return "\n".join(rows)


def home_page(readme: str, stems: list[str], data: dict, tasks: list[dict]) -> str:
    sections = readme_sections(readme)
    start = next(body for title, body in sections.items() if title.startswith("Start"))
    commands = start.split("```", 2)
    two_commands = f"```{commands[1]}```" if len(commands) == 3 else start
    rows = headline.headline_rows(data, tasks)
    return "\n\n".join([
        f"# {HOME_TITLE}",
        sections[""],
        "## Start",
        two_commands,
        "Open [00_start_here](notebooks/00_start_here.ipynb) first: it checks your environment"
        " and data and explains how the notebooks and exercises work. The pages of this site "
        "show each notebook with the outputs of its last full-profile run; the "
        "[glossary](GLOSSARY.md) gives every key term in English and 中文.",
        "## Course map",
        "Full run: the wall time of the notebook's last full-profile run on the machine in the"
        " results table below.",
        course_map(readme, stems, data),
        "## Results at a glance",
        headline.headline_table(rows),
        "![Test accuracy per task: source article, anchors, this course](results/headline.png)",
        "```{toctree}\n:caption: Notebooks\n:maxdepth: 1\n:hidden:\n\n"
        + "\n".join(f"notebooks/{s}" for s in stems) + "\n```",
        "```{toctree}\n:caption: Reference\n:maxdepth: 1\n:hidden:\n\n"
        "GLOSSARY\nresults/RESULTS\nTEACHING\nCONTRIBUTING\n```",
    ]) + "\n"


def prepare(source: Path = SOURCE) -> list[str]:
    """Write the Sphinx sources; return the notebook stems included."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks" / "_notebook_files").mkdir(parents=True)
    (source / "results").mkdir()
    stems = []
    for path in glossary.notebook_paths():
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb["cells"].insert(1 if nb["cells"] else 0, source_note(path.stem))
        (source / "notebooks" / path.name).write_text(
            json.dumps(strip_markers(nb), ensure_ascii=False, indent=1), encoding="utf-8")
        shutil.copy2(path, source / "notebooks" / "_notebook_files" / path.name)
        stems.append(path.stem)
    text, problems = glossary.build()
    if problems:
        raise glossary.GlossaryError("the glossary disagrees with the notebooks:\n"
                                     + "\n".join(problems))
    (source / "GLOSSARY.md").write_text(text, encoding="utf-8")
    for name in ("TEACHING.md", "CONTRIBUTING.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copy2(ROOT / "results" / "RESULTS.md", source / "results" / "RESULTS.md")
    shutil.copy2(headline.FIGURE, source / "results" / "headline.png")
    data, tasks = headline.load()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (source / "index.md").write_text(home_page(readme, stems, data, tasks), encoding="utf-8")
    return stems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output folder (site/)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        stems = prepare()
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
           "-c", str(CONF_DIR), "-d", str(ROOT / "build" / "site-doctrees"),
           str(SOURCE), str(args.out)]
    scratch = args.out.resolve().parent / "jupyter_execute"  # myst-nb writes it there
    had_scratch = scratch.exists()
    done = subprocess.run(cmd, check=False)
    if not had_scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    if done.returncode != 0:
        return done.returncode
    pages = sum(not p.relative_to(args.out).parts[0].startswith("_")
                for p in args.out.rglob("*.html"))
    print(f"built {args.out} ({len(stems)} notebooks, {pages} HTML pages) "
          f"in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
