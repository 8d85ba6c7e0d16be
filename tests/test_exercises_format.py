"""The exercise format (CONTRIBUTING.md, "Exercises") in every notebook, and its validator."""

import copy
from pathlib import Path

import nbformat
import pytest

from course_utils.exercise_format import find_exercises, validate_notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "99_exercise_demo.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAME = FIXTURE.name


@pytest.mark.parametrize("path", [*NOTEBOOKS, FIXTURE], ids=lambda p: p.stem)
def test_notebook_follows_the_exercise_format(path):
    problems = validate_notebook(path)
    assert problems == [], "exercise format problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_graded_exercises(path):
    exercises = find_exercises(path)
    assert exercises, f"{path.name}: no exercise (the skeleton ends with '## Exercises')"
    assert sum(ex.points for ex in exercises) >= 1


def test_fixture_exercises_and_points():
    exercises = find_exercises(FIXTURE)
    assert [ex.key for ex in exercises] == ["ex99_1", "ex99_2", "ex99_3"]
    assert [ex.points for ex in exercises] == [1, 2, 1]
    assert all(ex.answer_index < ex.check_index for ex in exercises)


# ---------------------------------------------------------------- bad notebooks, in memory


@pytest.fixture
def nb():
    return nbformat.read(FIXTURE, as_version=4)


def index_of(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def problems_of(nb, name=NAME):
    return validate_notebook(nb, name=name)


def assert_problem(nb, cell_index, grade_id, text, name=NAME):
    problems = problems_of(nb, name)
    where = f"{name}, cell {cell_index}" + (f" [{grade_id}]" if grade_id else "")
    hits = [p for p in problems if p.startswith(where + ":") and text in p]
    assert hits, f"no problem '{where}: ...{text}...' in:\n" + "\n".join(problems)


def test_answer_without_solution_markers(nb):
    i = index_of(nb, "ex99_1_answer")
    nb.cells[i].source = "def relu(x):\n    return np.maximum(0.0, x)"
    assert_problem(nb, i, "ex99_1_answer", "without '### BEGIN SOLUTION'")


def test_unmatched_and_misspelled_markers(nb):
    i = index_of(nb, "ex99_1_answer")
    nb.cells[i].source = "def relu(x):\n    ### BEGIN SOLUTION\n    return x"
    assert_problem(nb, i, "ex99_1_answer", "without a matching '### END SOLUTION'")
    nb.cells[i].source = "def relu(x):\n    # BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
    assert_problem(nb, i, "ex99_1_answer", "line 2 must read exactly '### BEGIN SOLUTION'")


def test_solution_at_top_level(nb):
    i = index_of(nb, "ex99_1_answer")
    nb.cells[i].source = "### BEGIN SOLUTION\nrelu = np.abs\n### END SOLUTION"
    assert_problem(nb, i, "ex99_1_answer", "inside a function body")


def test_duplicate_grade_id(nb):
    i = index_of(nb, "ex99_2_check")
    nb.cells[i].metadata.nbgrader.grade_id = "ex99_1_check"
    assert_problem(nb, i, "ex99_1_check", "duplicate grade_id 'ex99_1_check' (also cell 7)")


def test_check_before_its_answer(nb):
    a, c = index_of(nb, "ex99_1_answer"), index_of(nb, "ex99_1_check")
    nb.cells[a], nb.cells[c] = nb.cells[c], nb.cells[a]
    assert_problem(nb, a, "ex99_1_check",
                   f"check cell comes before its answer cell ex99_1_answer (cell {c}); put "
                   "the answer first")
    del nb.cells[c]
    assert_problem(nb, a, "ex99_1_check", "check cell without an answer cell ex99_1_answer")


def test_check_cell_must_be_locked_with_points(nb):
    i = index_of(nb, "ex99_1_check")
    nb.cells[i].metadata.nbgrader.locked = False
    nb.cells[i].metadata.nbgrader.points = 0
    assert_problem(nb, i, "ex99_1_check", "must be locked")
    assert_problem(nb, i, "ex99_1_check", "needs points > 0, got 0")


def test_check_cell_must_call_a_check(nb):
    i = index_of(nb, "ex99_1_check")
    nb.cells[i].source = "assert relu(1.0) == 1.0"
    assert_problem(nb, i, "ex99_1_check", "must call course_utils.checks")


def test_check_cell_must_not_call_the_answer_eagerly(nb):
    i = index_of(nb, "ex99_2_check")
    nb.cells[i].source = ("from course_utils.checks import check_that, get_answer\n"
                          "probs = softmax(np.zeros(3))\n"
                          "ok = get_answer(lambda: softmax(np.ones(2)))\n"
                          "check_that(lambda: softmax(np.zeros(2)).sum() == 1, 'sums to 1')")
    assert_problem(nb, i, "ex99_2_check", "calls the answer function softmax(...) outside a "
                                          "lambda")
    nb.cells[i].source = "\n".join(nb.cells[i].source.splitlines()[::2])  # lambdas only
    assert not any("outside a lambda" in p for p in problems_of(nb))


def test_answer_cell_must_be_collapsed(nb):
    i = index_of(nb, "ex99_2_answer")
    del nb.cells[i].metadata["jupyter"]
    assert_problem(nb, i, "ex99_2_answer", "source_hidden")


def test_answer_without_check_and_exercises_without_points(nb):
    for gid in ("ex99_1_check", "ex99_2_check", "ex99_3_check"):
        del nb.cells[index_of(nb, gid)]
    i = index_of(nb, "ex99_1_answer")
    assert_problem(nb, i, "ex99_1_answer", "answer cell without a check cell ex99_1_check")
    assert any(p == f"{NAME}: the '## Exercises' section has no graded check cell (the "
               "notebook needs at least 1 point)" for p in problems_of(nb))


def test_solution_markers_outside_an_answer_cell(nb):
    nb.cells[4].source += "\n### BEGIN SOLUTION\n### END SOLUTION"
    assert_problem(nb, 4, None, "'BEGIN/END SOLUTION' outside an answer cell")


def test_hidden_tests_only_in_check_cells(nb):
    i = index_of(nb, "ex99_1_answer")
    nb.cells[i].source += "\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"
    assert_problem(nb, i, "ex99_1_answer", "'BEGIN/END HIDDEN TESTS' outside a check cell")


def test_exercise_outside_the_exercises_section(nb):
    a, c = index_of(nb, "ex99_1_answer"), index_of(nb, "ex99_1_check")
    answer, check = nb.cells[a], nb.cells[c]
    del nb.cells[c], nb.cells[a]
    nb.cells[4:4] = [answer, check]
    assert_problem(nb, 4, "ex99_1_answer", "outside the '## Exercises' section (it is in "
                                           "## A lesson)")


def test_task_heading_must_match(nb):
    nb.cells[8].source = nb.cells[8].source.replace("Exercise 99.2", "Exercise 99.5")
    i = index_of(nb, "ex99_2_answer")
    assert_problem(nb, i, "ex99_2_answer", "must be '### Exercise 99.2 — ...' (found "
                                           "'### Exercise 99.5')")


def test_grade_id_pattern_and_notebook_number(nb):
    i = index_of(nb, "ex99_1_answer")
    nb.cells[i].metadata.nbgrader.grade_id = "relu_answer"
    assert_problem(nb, i, "relu_answer", "must look like exNN_K_answer")
    nb = nbformat.read(FIXTURE, as_version=4)
    assert_problem(nb, i, "ex99_1_answer", "must start with ex03_ in notebook 03",
                   name="03_something.ipynb")


def test_wrong_flags_and_cell_types(nb):
    i = index_of(nb, "ex99_1_answer")
    bad = copy.deepcopy(nb)
    bad.cells[i].metadata.nbgrader.update(grade=True, locked=True, points=1, schema_version=2)
    for text in ("solution: true and grade: false", "must not be locked",
                 "must not carry points", "schema_version must be 3"):
        assert_problem(bad, i, "ex99_1_answer", text)
    bad = copy.deepcopy(nb)
    bad.cells[i].cell_type = "markdown"
    assert_problem(bad, i, "ex99_1_answer", "answer cells must be code cells, not markdown")
    bad = copy.deepcopy(nb)
    bad.cells[i].metadata.nbgrader.task = True
    assert_problem(bad, i, "ex99_1_answer", "task cells")


def test_no_exercises_section(nb):
    nb.cells[5].source = nb.cells[5].source.replace("## Exercises", "## Practice")
    assert f"{NAME}: exercise cells but no '## Exercises' section" in problems_of(nb)


def test_command_line(tmp_path, capsys):
    from course_utils.exercise_format import main

    assert main(["--summary", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert f"{NAME}: 4 point(s): ex99_1 (1), ex99_2 (2), ex99_3 (1)" in out
    nb = nbformat.read(FIXTURE, as_version=4)
    nb.cells[index_of(nb, "ex99_1_check")].metadata.nbgrader.locked = False
    nbformat.write(nb, tmp_path / NAME)
    assert main([str(tmp_path / NAME)]) == 1
    assert "[ex99_1_check]: check cell must be locked" in capsys.readouterr().out
    assert main([]) == 2
