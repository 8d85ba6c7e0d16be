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
from dataclasses import dataclass, field
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


@dataclass
class _Scan:
    """What validate_notebook knows while it walks a notebook's cells in order."""

    name: str
    nb_number: str | None
    problems: list[str] = field(default_factory=list)
    section: str | None = None  # current '## ' section
    has_exercises_section: bool = False
    task: tuple[int, int] | None = None  # last '### Exercise N.K' heading seen
    seen_ids: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)  # exercise key -> answer cell index
    checks: dict[str, int] = field(default_factory=dict)
    total_points: float = 0.0
    answer_functions: set[str] = field(default_factory=set)

    def report(self, index: int | None, text: str, grade_id: str | None = None) -> None:
        where = self.name if index is None else f"{self.name}, cell {index}"
        if grade_id:
            where += f" [{grade_id}]"
        self.problems.append(f"{where}: {text}")


@dataclass
class _Cell:
    """One cell as the checks see it."""

    index: int
    kind: str | None
    source: str
    meta: dict[str, Any]
    nbg: dict[str, Any] | None
    grade_id: str | None
    sol_lines: list[tuple[int, str]]
    sol_problem: str | None
    hid_problem: str | None

    @property
    def is_solution(self) -> bool:
        return bool(self.nbg and self.nbg.get("solution"))

    @property
    def is_grade(self) -> bool:
        return bool(self.nbg and self.nbg.get("grade"))


def _track_headings(scan: _Scan, source: str) -> None:
    """Follow the '## ' sections and the '### Exercise N.K' task headings."""
    for line in source.splitlines():
        if line.startswith("## "):
            scan.section = line[3:].strip()
            scan.has_exercises_section |= scan.section.lower().startswith("exercises")
            scan.task = None
        heading = TASK_HEADING.match(line)
        if heading:
            scan.task = (int(heading[1]), int(heading[2]))


def _read_cell(index: int, cell: Any) -> tuple[_Cell, list[tuple[int, str]]]:
    """The cell's fields, and the lines holding hidden-test markers."""
    source = _source(cell)
    meta = cell.get("metadata", {})
    nbg = meta.get("nbgrader")
    sol_lines, sol_problem = _markers(source, *SOLUTION_MARKS)
    hid_lines, hid_problem = _markers(source, *HIDDEN_MARKS)
    return _Cell(index, cell.get("cell_type"), source, meta, nbg,
                 str(nbg.get("grade_id", "")) if nbg else None,
                 sol_lines, sol_problem, hid_problem), hid_lines


def _check_marker_places(scan: _Scan, cell: _Cell, hid_lines: list[tuple[int, str]]) -> None:
    """nbgrader markers only in the cells where nbgrader expects them (any cell)."""
    if cell.sol_lines and not cell.is_solution:
        scan.report(cell.index, "'BEGIN/END SOLUTION' outside an answer cell (nbgrader "
                                "metadata solution: true); nbgrader would refuse this notebook",
                    cell.grade_id)
    if hid_lines and not (cell.is_grade and not cell.is_solution):
        scan.report(cell.index, "'BEGIN/END HIDDEN TESTS' outside a check cell", cell.grade_id)


def _check_nbgrader_cell(scan: _Scan, cell: _Cell) -> tuple[str, str] | None:
    """What every nbgrader cell needs; its (exercise key, role) when its grade_id parses."""
    index, nbg, grade_id = cell.index, cell.nbg or {}, cell.grade_id
    if not grade_id:
        scan.report(index, "nbgrader cell without a grade_id")
        return None
    if grade_id in scan.seen_ids:
        scan.report(index, f"duplicate grade_id {grade_id!r} (also cell "
                           f"{scan.seen_ids[grade_id]})", grade_id)
    scan.seen_ids.setdefault(grade_id, index)
    if nbg.get("schema_version") != 3:
        scan.report(index, "nbgrader schema_version must be 3", grade_id)
    if nbg.get("task"):
        scan.report(index, "task cells (manually graded) are not part of the format", grade_id)
    if not (scan.section or "").lower().startswith("exercises"):
        scan.report(index, "exercise cell outside the '## Exercises' section "
                           f"(it is in {('## ' + scan.section) if scan.section else 'no section'})",
                    grade_id)
    match = GRADE_ID.match(grade_id)
    if not match:
        scan.report(index, f"grade_id {grade_id!r} must look like exNN_K_answer or "
                           "exNN_K_check (NN = notebook number, K = exercise number)", grade_id)
        return None
    key, role = f"ex{match[1]}_{match[2]}", match[3]
    if scan.nb_number is not None and match[1] != scan.nb_number:
        scan.report(index, f"grade_id {grade_id!r} must start with ex{scan.nb_number}_ in "
                           f"notebook {scan.nb_number}", grade_id)
    expected_task = (int(match[1]), int(match[2]))
    if scan.task != expected_task:
        found = f"'### Exercise {scan.task[0]}.{scan.task[1]}'" if scan.task else "none"
        scan.report(index, f"the task heading before it must be '### Exercise "
                           f"{expected_task[0]}.{expected_task[1]} — ...' (found {found})",
                    grade_id)
    if cell.kind != "code":
        scan.report(index, f"{role} cells must be code cells, not {cell.kind}", grade_id)
    return key, role


def _check_solution_lines(scan: _Scan, cell: _Cell) -> None:
    """The solution markers: present, paired, exact, indented inside a function."""
    index, grade_id = cell.index, cell.grade_id
    if not cell.sol_lines:
        scan.report(index, "answer cell without '### BEGIN SOLUTION' ... "
                           "'### END SOLUTION'", grade_id)
    elif cell.sol_problem:
        scan.report(index, f"solution markers: {cell.sol_problem}", grade_id)
    for number, line in cell.sol_lines:
        if line.strip() not in SOLUTION_MARKS:
            scan.report(index, f"line {number} must read exactly '### BEGIN SOLUTION' or "
                               f"'### END SOLUTION', got {line.strip()!r}", grade_id)
        elif line == line.lstrip():
            scan.report(index, f"line {number}: the solution must sit inside a function "
                               "body (indented), so the student edition still runs", grade_id)


def _check_answer_cell(scan: _Scan, cell: _Cell, key: str) -> None:
    index, nbg, grade_id = cell.index, cell.nbg or {}, cell.grade_id
    if key in scan.answers:
        scan.report(index, f"second answer cell for {key}", grade_id)
    scan.answers.setdefault(key, index)
    if not cell.is_solution or cell.is_grade:
        scan.report(index, "answer cell needs nbgrader solution: true and grade: false",
                    grade_id)
    if nbg.get("locked"):
        scan.report(index, "answer cell must not be locked", grade_id)
    if "points" in nbg:
        scan.report(index, "answer cell must not carry points (the check cell does)", grade_id)
    _check_solution_lines(scan, cell)
    scan.answer_functions |= _defined_functions(cell.source)
    if not cell.meta.get("jupyter", {}).get("source_hidden"):
        scan.report(index, "answer cell input must be collapsed "
                           "(metadata jupyter.source_hidden: true)", grade_id)


def _check_check_cell(scan: _Scan, cell: _Cell, key: str, nb: Any) -> None:
    index, nbg, grade_id = cell.index, cell.nbg or {}, cell.grade_id
    if key in scan.checks:
        scan.report(index, f"second check cell for {key}", grade_id)
    scan.checks.setdefault(key, index)
    if not cell.is_grade or cell.is_solution:
        scan.report(index, "check cell needs nbgrader grade: true and solution: false",
                    grade_id)
    if nbg.get("locked") is not True:
        scan.report(index, "check cell must be locked (nbgrader locked: true)", grade_id)
    points = nbg.get("points")
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        scan.report(index, f"check cell needs points > 0, got {points!r}", grade_id)
    else:
        scan.total_points += points
    if not CHECK_CALL.search(cell.source):
        scan.report(index, "check cell must call course_utils.checks "
                           "(check_function, check_array, check_value, check_that or "
                           "check_choice)", grade_id)
    if cell.hid_problem:
        scan.report(index, f"hidden-test markers: {cell.hid_problem}", grade_id)
    for called in _eager_calls(cell.source, scan.answer_functions):
        scan.report(index, f"calls the answer function {called}(...) outside a lambda: in "
                           "the student edition that stops with a bare NotImplementedError "
                           f"instead of 'not answered yet'; use get_answer(lambda: "
                           f"{called}(...)) or call it inside a lambda passed to a check",
                    grade_id)
    if key not in scan.answers:
        later = _index_of(nb, f"{key}_answer")
        if later is not None:
            scan.report(index, f"check cell comes before its answer cell {key}_answer "
                               f"(cell {later}); put the answer first", grade_id)
        else:
            scan.report(index, f"check cell without an answer cell {key}_answer", grade_id)


def _check_whole_notebook(scan: _Scan) -> None:
    """Pairs and totals, once every cell has been seen."""
    for key, index in scan.answers.items():
        if key not in scan.checks:
            scan.report(index, f"answer cell without a check cell {key}_check", f"{key}_answer")
    if scan.has_exercises_section and scan.total_points < 1:
        scan.report(None, "the '## Exercises' section has no graded check cell "
                          "(the notebook needs at least 1 point)")
    if scan.seen_ids and not scan.has_exercises_section:
        scan.report(None, "exercise cells but no '## Exercises' section")


def validate_notebook(nb_or_path: Any, name: str | None = None) -> list[str]:
    """Problems with the exercise format of a notebook (a path or an nbformat node).

    An empty list means the notebook follows the format. Each problem reads
    ``"<notebook>, cell <index> [<grade_id>]: <what is wrong>"`` (0-based cell index).
    """
    nb, name = _read(nb_or_path, name)
    number_match = NOTEBOOK_NUMBER.match(name)
    scan = _Scan(name, number_match[1] if number_match else None)
    for index, raw in enumerate(nb.cells):
        cell, hid_lines = _read_cell(index, raw)
        if cell.kind == "markdown":
            _track_headings(scan, cell.source)
        _check_marker_places(scan, cell, hid_lines)
        if not cell.nbg:
            continue
        parsed = _check_nbgrader_cell(scan, cell)
        if parsed is None:
            continue
        key, role = parsed
        if role == "answer":
            _check_answer_cell(scan, cell, key)
        else:
            _check_check_cell(scan, cell, key, nb)
    _check_whole_notebook(scan)
    return scan.problems


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
