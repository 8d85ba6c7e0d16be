"""Validate the exercise format of a notebook (see the Exercises section of CONTRIBUTING.md).

Each exercise is a markdown task (``### Exercise N.K — title``), an answer cell (nbgrader
``solution: true``, ``grade_id`` ``exNN_K_answer``, the solution between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` inside a function body, input collapsed) and
a check cell after it (``grade: true``, ``locked: true``, ``points`` > 0, ``grade_id``
``exNN_K_check``, a call to ``course_utils.checks``), all in the ``## Exercises`` section.

:func:`validate_notebook` returns a list of problems, each naming the notebook and the
cell, so a test can print all of them at once::

    python -m course_utils.exercise_format notebooks/*.ipynb
    python -m course_utils.exercise_format --summary notebooks/*.ipynb   # + points
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

GRADE_ID = re.compile(r"^ex(\d{2})_(\d+)_(answer|check)$")
TASK_HEADING = re.compile(r"^###\s+Exercise\s+(\d+)\.(\d+)\b")
CHECK_CALL = re.compile(r"\bcheck_(function|array|value|that|choice)\s*\(")
NOTEBOOK_NUMBER = re.compile(r"^(\d{2})_")
SOLUTION_MARKS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


@dataclass
class Exercise:
    """One exercise found in a notebook: its key ``exNN_K`` and where its cells are."""

    key: str
    answer_index: int | None = None
    check_index: int | None = None
    points: float = 0.0


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _markers(source: str, begin: str, end: str) -> tuple[list[tuple[int, str]], str | None]:
    """Lines holding the (nbgrader-matched) delimiters, and a pairing problem if any."""
    found = []
    depth = 0
    problem = None
    word_begin, word_end = begin.lstrip("# "), end.lstrip("# ")
    for number, line in enumerate(source.split("\n"), start=1):
        if word_begin in line:
            found.append((number, line))
            if depth:
                problem = problem or f"nested '{begin}' on line {number}"
            depth += 1
        elif word_end in line:
            found.append((number, line))
            if not depth:
                problem = problem or f"'{end}' without '{begin}' on line {number}"
            depth = max(depth - 1, 0)
    if depth and problem is None:
        problem = f"'{begin}' without a matching '{end}'"
    return found, problem


def _defined_functions(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _eager_calls(source: str, names: set[str]) -> list[str]:
    """Names from ``names`` called at the top level of a cell (not inside a lambda/def)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: nothing to say
        return []
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
            return  # deferred: runs only when the check calls it
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in names and node.func.id not in found):
            found.append(node.func.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _read(nb_or_path: Any, name: str | None) -> tuple[Any, str]:
    if isinstance(nb_or_path, str | Path):
        path = Path(nb_or_path)
        return nbformat.read(path, as_version=4), name or path.name
    return nb_or_path, name or "<notebook>"


def find_exercises(nb_or_path: Any) -> list[Exercise]:
    """The exercises of a notebook in order (by grade_id), with their points."""
    nb, _ = _read(nb_or_path, None)
    exercises: dict[str, Exercise] = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        match = GRADE_ID.match(str(meta.get("grade_id", "")))
        if not match:
            continue
        key = f"ex{match[1]}_{match[2]}"
        ex = exercises.setdefault(key, Exercise(key))
        if match[3] == "answer":
            ex.answer_index = index
        else:
            ex.check_index = index
            ex.points = float(meta.get("points") or 0)
    return list(exercises.values())


def validate_notebook(nb_or_path: Any, name: str | None = None) -> list[str]:
    """Problems with the exercise format of a notebook (a path or an nbformat node).

    An empty list means the notebook follows the format. Each problem reads
    ``"<notebook>, cell <index> [<grade_id>]: <what is wrong>"`` (0-based cell index).
    """
    nb, name = _read(nb_or_path, name)
    number_match = NOTEBOOK_NUMBER.match(name)
    nb_number = number_match[1] if number_match else None
    problems: list[str] = []

    def report(index: int | None, text: str, grade_id: str | None = None) -> None:
        where = name if index is None else f"{name}, cell {index}"
        if grade_id:
            where += f" [{grade_id}]"
        problems.append(f"{where}: {text}")

    section: str | None = None  # current '## ' section
    has_exercises_section = False
    task: tuple[int, int] | None = None  # last '### Exercise N.K' heading seen
    seen_ids: dict[str, int] = {}
    answers: dict[str, int] = {}  # exercise key -> answer cell index
    checks: dict[str, int] = {}
    total_points = 0.0
    answer_functions: set[str] = set()

    for index, cell in enumerate(nb.cells):
        source = _source(cell)
        kind = cell.get("cell_type")
        if kind == "markdown":
            for line in source.splitlines():
                if line.startswith("## "):
                    section = line[3:].strip()
                    has_exercises_section |= section.lower().startswith("exercises")
                    task = None
                heading = TASK_HEADING.match(line)
                if heading:
                    task = (int(heading[1]), int(heading[2]))

        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader")
        is_solution = bool(nbg and nbg.get("solution"))
        is_grade = bool(nbg and nbg.get("grade"))
        grade_id = str(nbg.get("grade_id", "")) if nbg else None

        sol_lines, sol_problem = _markers(source, *SOLUTION_MARKS)
        hid_lines, hid_problem = _markers(source, *HIDDEN_MARKS)
        if sol_lines and not is_solution:
            report(index, "'BEGIN/END SOLUTION' outside an answer cell (nbgrader metadata "
                          "solution: true); nbgrader would refuse this notebook", grade_id)
        if hid_lines and not (is_grade and not is_solution):
            report(index, "'BEGIN/END HIDDEN TESTS' outside a check cell", grade_id)
        if not nbg:
            continue

        # ---- any nbgrader cell
        if not grade_id:
            report(index, "nbgrader cell without a grade_id")
            continue
        if grade_id in seen_ids:
            report(index, f"duplicate grade_id {grade_id!r} (also cell {seen_ids[grade_id]})",
                   grade_id)
        seen_ids.setdefault(grade_id, index)
        if nbg.get("schema_version") != 3:
            report(index, "nbgrader schema_version must be 3", grade_id)
        if nbg.get("task"):
            report(index, "task cells (manually graded) are not part of the format", grade_id)
        if not (section or "").lower().startswith("exercises"):
            report(index, "exercise cell outside the '## Exercises' section "
                          f"(it is in {('## ' + section) if section else 'no section'})",
                   grade_id)
        match = GRADE_ID.match(grade_id)
        if not match:
            report(index, f"grade_id {grade_id!r} must look like exNN_K_answer or "
                          "exNN_K_check (NN = notebook number, K = exercise number)", grade_id)
            continue
        key, role = f"ex{match[1]}_{match[2]}", match[3]
        if nb_number is not None and match[1] != nb_number:
            report(index, f"grade_id {grade_id!r} must start with ex{nb_number}_ in notebook "
                          f"{nb_number}", grade_id)
        expected_task = (int(match[1]), int(match[2]))
        if task != expected_task:
            found = f"'### Exercise {task[0]}.{task[1]}'" if task else "none"
            report(index, f"the task heading before it must be '### Exercise "
                          f"{expected_task[0]}.{expected_task[1]} — ...' (found {found})",
                   grade_id)
        if kind != "code":
            report(index, f"{role} cells must be code cells, not {kind}", grade_id)

        if role == "answer":
            if key in answers:
                report(index, f"second answer cell for {key}", grade_id)
            answers.setdefault(key, index)
            if not is_solution or is_grade:
                report(index, "answer cell needs nbgrader solution: true and grade: false",
                       grade_id)
            if nbg.get("locked"):
                report(index, "answer cell must not be locked", grade_id)
            if "points" in nbg:
                report(index, "answer cell must not carry points (the check cell does)",
                       grade_id)
            if not sol_lines:
                report(index, "answer cell without '### BEGIN SOLUTION' ... "
                              "'### END SOLUTION'", grade_id)
            elif sol_problem:
                report(index, f"solution markers: {sol_problem}", grade_id)
            for number, line in sol_lines:
                if line.strip() not in SOLUTION_MARKS:
                    report(index, f"line {number} must read exactly '### BEGIN SOLUTION' or "
                                  f"'### END SOLUTION', got {line.strip()!r}", grade_id)
                elif line == line.lstrip():
                    report(index, f"line {number}: the solution must sit inside a function "
                                  "body (indented), so the student edition still runs",
                           grade_id)
            answer_functions |= _defined_functions(source)
            if not meta.get("jupyter", {}).get("source_hidden"):
                report(index, "answer cell input must be collapsed "
                              "(metadata jupyter.source_hidden: true)", grade_id)
        else:
            if key in checks:
                report(index, f"second check cell for {key}", grade_id)
            checks.setdefault(key, index)
            if not is_grade or is_solution:
                report(index, "check cell needs nbgrader grade: true and solution: false",
                       grade_id)
            if nbg.get("locked") is not True:
                report(index, "check cell must be locked (nbgrader locked: true)", grade_id)
            points = nbg.get("points")
            if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
                report(index, f"check cell needs points > 0, got {points!r}", grade_id)
            else:
                total_points += points
            if not CHECK_CALL.search(source):
                report(index, "check cell must call course_utils.checks "
                              "(check_function, check_array, check_value, check_that or "
                              "check_choice)", grade_id)
            if hid_problem:
                report(index, f"hidden-test markers: {hid_problem}", grade_id)
            for called in _eager_calls(source, answer_functions):
                report(index, f"calls the answer function {called}(...) outside a lambda: in "
                              "the student edition that stops with a bare NotImplementedError "
                              f"instead of 'not answered yet'; use get_answer(lambda: "
                              f"{called}(...)) or call it inside a lambda passed to a check",
                       grade_id)
            if key not in answers:
                later = _index_of(nb, f"{key}_answer")
                if later is not None:
                    report(index, f"check cell comes before its answer cell {key}_answer "
                                  f"(cell {later}); put the answer first", grade_id)
                else:
                    report(index, f"check cell without an answer cell {key}_answer",
                           grade_id)

    for key, index in answers.items():
        if key not in checks:
            report(index, f"answer cell without a check cell {key}_check", f"{key}_answer")
    if has_exercises_section and total_points < 1:
        report(None, "the '## Exercises' section has no graded check cell "
                     "(the notebook needs at least 1 point)")
    if seen_ids and not has_exercises_section:
        report(None, "exercise cells but no '## Exercises' section")
    return problems


def _index_of(nb: Any, grade_id: str) -> int | None:
    for index, cell in enumerate(nb.cells):
        if (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") == grade_id:
            return index
    return None


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    summary = "--summary" in args
    paths = [a for a in args if a != "--summary"]
    if not paths:
        print("usage: python -m course_utils.exercise_format [--summary] NOTEBOOK.ipynb ...")
        return 2
    problems = [p for path in paths for p in validate_notebook(path)]
    if summary:
        for path in paths:
            exercises = find_exercises(path)
            listed = ", ".join(f"{ex.key} ({ex.points:g})" for ex in exercises) or "none"
            total = sum(ex.points for ex in exercises)
            print(f"{Path(path).name}: {total:g} point(s): {listed}")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"exercise format OK in {len(paths)} notebook(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
