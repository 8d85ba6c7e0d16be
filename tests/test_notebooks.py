"""Every notebook: skeleton, naming, metadata, clean outputs and a fresh full-run stamp."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.stamp import STAMP_KEY, code_sha256

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SECTIONS = [
    "Learning objectives", "Prerequisites", "Estimated time", "Exercises", "Summary",
    "References",
]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])(/home/|/root/|/work/|/Users/|/tmp/|[A-Z]:\\\\)")
MAX_OUTPUT_BYTES = 1_000_000


def _ids(paths):
    return [p.stem for p in paths]


def _read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def course_plan() -> list[str]:
    """The notebooks of the course, in order, from the README's table of notebooks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| \d\d \| `(\d\d_[a-z0-9_]+)` \|", readme, flags=re.M)


def test_the_course_plan_is_numbered_without_gaps():
    plan = course_plan()
    assert plan, "README.md has no table of notebooks"
    bad = [n for n in plan if not re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)*", n)]
    assert bad == [], f"names must be NN_snake_case: {bad}"
    assert [int(n[:2]) for n in plan] == list(range(len(plan))), f"plan has gaps: {plan}"


def test_every_notebook_has_its_planned_name():
    plan = course_plan()
    for path in NOTEBOOKS:
        number = int(path.name[:2]) if path.name[:2].isdigit() else -1
        assert 0 <= number < len(plan) and path.stem == plan[number], (
            f"{path.name}: not in the README's table of notebooks as number {path.name[:2]}"
        )
    written = {p.stem for p in NOTEBOOKS}
    missing = [n for n in plan if n not in written]
    if missing:  # the course is built in order of the issues; say what is still to come
        print(f"planned, not written yet: {', '.join(missing)}")
    assert plan[0] in written, "00_start_here must exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_skeleton_sections_in_order(path):
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        f"{path.name}: the first cell must be a markdown '# Title'"
    )
    headings = [
        line[3:].strip()
        for cell in nb.cells if cell.cell_type == "markdown"
        for line in cell.source.splitlines() if line.startswith("## ")
    ]
    positions = []
    for section in SECTIONS:
        found = [i for i, h in enumerate(headings) if h.lower().startswith(section.lower())]
        assert found, f"{path.name}: missing section '## {section}'"
        positions.append(found[0])
    assert positions == sorted(positions), f"{path.name}: sections out of order {SECTIONS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_kernel_metadata_is_the_course_standard(path):
    nb = _read(path)
    assert nb.metadata.get("kernelspec") == KERNELSPEC, f"{path.name}: kernelspec"
    assert nb.metadata.get("language_info", {}).get("name") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_outputs_are_clean_portable_and_small(path):
    nb = _read(path)
    for index, cell in enumerate(nb.cells):
        where = f"{path.name} cell {index}"
        assert not ABSOLUTE_PATH.search(cell.source), f"{where}: absolute path in source"
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{where}: stored error output"
            text = json.dumps(output)
            assert len(text) <= MAX_OUTPUT_BYTES, f"{where}: output over 1 MB"
            plain = output.get("data", {}).get("text/plain", "")
            shown = output.get("text", "") + json.dumps(plain)
            assert not ABSOLUTE_PATH.search(shown), f"{where}: absolute path in output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_outputs_come_from_a_fresh_full_run(path):
    nb = _read(path)
    stamp = nb.metadata.get(STAMP_KEY)
    assert stamp, f"{path.name}: no results stamp; run `make results NB={path.name[:2]}`"
    assert stamp["profile"] == "full", f"{path.name}: outputs are from a {stamp['profile']} run"
    assert stamp["code_sha256"] == code_sha256(nb), (
        f"{path.name}: code changed since its last full run (stale outputs); "
        f"run `make results NB={path.name[:2]}`"
    )
    results = json.loads((ROOT / "results" / "results.json").read_text())["notebooks"]
    assert results.get(path.stem, {}).get("code_sha256") == stamp["code_sha256"], (
        f"{path.name}: results/results.json does not hold this run; commit results/ with it"
    )
    executed = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count for c in executed), f"{path.name}: unexecuted code cells"
