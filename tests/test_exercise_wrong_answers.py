"""Each exercise's check catches the mistakes it exists for.

For every exercise of every notebook, ``tests/exercise_wrong_answers.py`` holds at least two
plausible wrong answers. Each is run through the notebook's **own** check cell (read from the
committed notebook, not re-typed) in a fresh namespace made of: the notebooks' imports, the
lesson definitions the check uses (copied from the notebook by name), small stand-ins for
the data arrays it reads, the notebook's solutions of the earlier exercises (a check may call
them), then the wrong answer in place of the answer cell. The check must raise an
``AssertionError`` whose message teaches: not the "not answered yet" one.

Control: the notebook's own solution passes the same harness, so a failure really is the
check's verdict on the wrong answer, not a broken namespace.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from exercise_wrong_answers import CONTEXT, IMPORTS, KNOWN_MISSES, LESSON_NAMES, WRONG

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@cache
def _cells(nn: str) -> list[dict]:
    path = next(p for p in NOTEBOOKS if p.stem.startswith(nn + "_"))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for c in cells:
        c["source"] = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
    return cells


def _grade_id(cell: dict) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def exercises() -> list[str]:
    """Every exercise of every notebook, as 'exNN_K'."""
    found = []
    for path in NOTEBOOKS:
        for cell in _cells(path.stem[:2]):
            gid = _grade_id(cell)
            if gid.endswith("_answer"):
                found.append(gid.removesuffix("_answer"))
    return found


def _lesson_definitions(nn: str, names: list[str]) -> str:
    """The top-level statements of the notebook that define ``names`` (def, class, =)."""
    pieces = {}
    for cell in _cells(nn):
        if cell["cell_type"] != "code" or "nbgrader" in cell.get("metadata", {}):
            continue
        try:
            tree = ast.parse(cell["source"])
        except SyntaxError:
            continue
        for node in tree.body:
            defined = []
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                defined = [node.name]
            elif isinstance(node, ast.Assign):
                defined = [t.id for t in node.targets if isinstance(t, ast.Name)]
            for name in set(defined) & set(names):
                pieces[name] = ast.get_source_segment(cell["source"], node)
    missing = set(names) - set(pieces)
    assert not missing, f"notebook {nn} defines no {sorted(missing)} any more: update LESSON_NAMES"
    return "\n\n".join(pieces[n] for n in names)


@cache
def _base_namespace_code(nn: str) -> str:
    return "\n".join([IMPORTS, _lesson_definitions(nn, LESSON_NAMES.get(nn, [])),
                      CONTEXT.get(nn, "")])


def run_check(exercise: str, answer_source: str | None) -> tuple[str, BaseException | None]:
    """Run the exercise's check with ``answer_source`` as its answer cell (None: the
    notebook's own solution). Return (printed text, the exception raised or None)."""
    nn = exercise[2:4]
    cells = _cells(nn)
    ns: dict = {"__name__": "__exercise__"}
    exec(_base_namespace_code(nn), ns)  # noqa: S102 - the course's own code
    for cell in cells:  # earlier solutions first: a check may call them
        gid = _grade_id(cell)
        if gid.endswith("_answer") and gid < f"{exercise}_answer":
            exec(cell["source"], ns)  # noqa: S102
    own = next(c for c in cells if _grade_id(c) == f"{exercise}_answer")
    check = next(c for c in cells if _grade_id(c) == f"{exercise}_check")
    exec(own["source"] if answer_source is None else answer_source, ns)  # noqa: S102
    out = io.StringIO()
    try:
        # overflow warnings of unstable wrong answers are expected; the verdict is what counts
        with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
            exec(check["source"], ns)  # noqa: S102
    except BaseException as exc:  # noqa: BLE001 - the verdict is the exception itself
        return out.getvalue(), exc
    return out.getvalue(), None


def test_every_exercise_has_at_least_two_wrong_answers():
    have = set(exercises())
    thin = sorted(e for e in have if len(WRONG.get(e, [])) < 2)
    assert not thin, f"give these exercises >= 2 wrong answers in exercise_wrong_answers.py: {thin}"
    gone = sorted(set(WRONG) - have)
    assert not gone, f"no such exercise any more, delete from WRONG: {gone}"
    stale = sorted(k for k in KNOWN_MISSES if k[0] not in WRONG
                   or k[1] not in dict(WRONG[k[0]]))
    assert not stale, f"KNOWN_MISSES names no wrong answer of WRONG: {stale}"


@pytest.mark.parametrize("exercise", exercises())
def test_the_solution_passes_the_harness(exercise):
    printed, exc = run_check(exercise, None)
    assert exc is None, f"{exercise}: the notebook's own solution fails here: {exc!r}"
    assert "✔" in printed


CASES = [(e, mistake, src) for e in exercises() for mistake, src in WRONG.get(e, [])]


@pytest.mark.parametrize(("exercise", "mistake", "source"), CASES,
                         ids=[f"{e}-{m}" for e, m, _ in CASES])
def test_a_wrong_answer_fails_with_a_teaching_message(exercise, mistake, source):
    printed, exc = run_check(exercise, source)
    miss = KNOWN_MISSES.get((exercise, mistake))
    if miss is not None:
        assert exc is None, (
            f"{exercise}: the check now catches {mistake!r} ({exc!r}): delete its entry from "
            "KNOWN_MISSES")
        return
    assert exc is not None, (
        f"{exercise}: the check accepts the wrong answer {mistake!r}:\n{source}\n{printed}")
    assert isinstance(exc, AssertionError), (
        f"{exercise}: {mistake!r} should fail with a teaching AssertionError, "
        f"got {exc!r}")
    message = str(exc)
    assert message.strip() and "not answered yet" not in message, message
