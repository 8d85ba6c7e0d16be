"""The one-execution notebook check (tests/notebook_plugin.py) on small made-up notebooks.

Each test writes a notebook without TensorFlow into tmp_path, so a kernel starts in about
a second: a failing cell, a changed checked output, a hung cell, an exercise whose check
passes unanswered must each fail with the notebook, the cell index and the reason.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.notebook_plugin import OutputComparer, run_notebook


def code(source, outputs=(), execution_count=1, **metadata):
    cell = new_code_cell(source, metadata=metadata, execution_count=execution_count)
    cell.outputs = list(outputs)
    return cell


def stdout(text):
    return new_output("stream", name="stdout", text=text)


def write(tmp_path, cells, name="nb.ipynb"):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=cells), path)
    return path


def exercise(answer_body, check_source, number=1):
    """An answer cell (solution markers) and its check cell, in the course's format."""
    answer = code(
        "def f(x):\n    ### BEGIN SOLUTION\n" + answer_body + "\n    ### END SOLUTION",
        nbgrader={"grade": False, "grade_id": f"ex99_{number}_answer", "locked": False,
                  "schema_version": 3, "solution": True, "task": False})
    check = code(
        check_source,
        nbgrader={"grade": True, "grade_id": f"ex99_{number}_check", "locked": True,
                  "points": 1, "schema_version": 3, "solution": False, "task": False})
    return [answer, check]


@pytest.fixture
def comparer(pytestconfig):
    return OutputComparer(pytestconfig)


def test_a_clean_notebook_passes_and_checked_outputs_are_compared(tmp_path, comparer):
    path = write(tmp_path, [
        new_markdown_cell("# Title"),
        code("# NBVAL_CHECK_OUTPUT\nprint(6 * 7)", [stdout("42\n")]),
        code("print('anything')", [stdout("something else\n")]),  # not marked: not compared
        code("# NBVAL_CHECK_OUTPUT\nprint(object.__repr__(object()))",
             [stdout("<object object at 0x7f0000000000>\n")]),  # sanitized address
    ])
    run = run_notebook(path, comparer=comparer)
    assert run.problems == []
    assert run.compared == 2


def test_a_changed_checked_output_shows_nbvals_diff(tmp_path, comparer):
    path = write(tmp_path, [
        code("x = 1"),
        code("# NBVAL_CHECK_OUTPUT\nprint(round(2 / 3, 4))", [stdout("0.6666\n")]),
        code("print('still runs')"),
    ])
    run = run_notebook(path, comparer=comparer)
    assert len(run.problems) == 1
    problem = run.problems[0]
    assert problem.startswith("nb.ipynb, cell 1: output differs from the committed one")
    assert "print(round(2 / 3, 4))" in problem  # the cell's source
    assert "0.6666" in problem and "0.6667" in problem  # both outputs, as nbval shows them
    assert 2 in run.cell_seconds  # a mismatch does not stop the run


def test_a_failing_cell_names_the_cell_and_shows_its_traceback(tmp_path, comparer):
    path = write(tmp_path, [
        new_markdown_cell("# Title"),
        code("def boom():\n    return {}['missing']"),
        code("boom()"),
        code("print('never')"),
    ])
    run = run_notebook(path, comparer=comparer)
    assert len(run.problems) == 1
    problem = run.problems[0]
    assert problem.startswith("nb.ipynb, cell 2: KeyError: 'missing'")
    assert "    boom()" in problem and "return {}['missing']" in problem  # source + traceback
    assert "\x1b[" not in problem  # no terminal colour codes
    assert 3 not in run.cell_seconds  # stopped at the failing cell


def test_nbval_markers_skip_and_raises_exception(tmp_path, comparer):
    path = write(tmp_path, [
        code("# NBVAL_SKIP\nraise SystemExit('must not run')"),
        code("# NBVAL_RAISES_EXCEPTION\n1 / 0"),
        code("print('after')"),
    ])
    run = run_notebook(path, comparer=comparer)
    assert run.problems == []
    assert 0 not in run.cell_seconds and 2 in run.cell_seconds


def test_a_hung_cell_fails_after_the_timeout(tmp_path, comparer):
    path = write(tmp_path, [code("import time\ntime.sleep(60)")])
    run = run_notebook(path, timeout=2, comparer=comparer)
    assert len(run.problems) == 1
    assert run.problems[0].startswith("nb.ipynb, cell 0 (teacher): did not finish within 2 s")
    assert run.seconds < 30


def test_the_student_pass_expects_not_answered_yet(tmp_path, comparer):
    good = exercise("    return 2 * x",
                    "from course_utils.checks import check_function\n"
                    "check_function(f, reference=lambda x: x + x, inputs=[1, 2.5])")
    path = write(tmp_path, [code("import numpy as np"), *good,
                            code("print('a lesson cell after the exercises')")])
    run = run_notebook(path, comparer=comparer)
    assert run.problems == []
    assert run.student_checks == 1
    assert 1 in run.cell_seconds and 3 in run.cell_seconds


def test_a_check_that_passes_unanswered_is_reported(tmp_path, comparer):
    blind = exercise("    return 2 * x", "assert True  # never calls f")
    bare = exercise("    return 3 * x",
                    "from course_utils.checks import check_value\n"
                    "y = f(1)  # called outside a lambda\ncheck_value(lambda: y, 3)", number=2)
    path = write(tmp_path, [*blind, *bare])
    run = run_notebook(path, comparer=comparer)
    assert run.student_checks == 2
    assert len(run.problems) == 2, run.report()
    assert run.problems[0] == ("nb.ipynb, cell 1 [ex99_1_check] (student edition): the check "
                               "passed on an unanswered exercise")
    assert run.problems[1].startswith(
        "nb.ipynb, cell 3 [ex99_2_check] (student edition): expected 'not answered yet', got "
        "NotImplementedError")
    assert "use get_answer(lambda: ...)" in run.problems[1]


def test_the_teacher_solution_must_pass_its_check(tmp_path, comparer):
    wrong = exercise("    return x",
                     "from course_utils.checks import check_value\ncheck_value(lambda: f(1), 2)")
    run = run_notebook(write(tmp_path, wrong), comparer=comparer)
    assert len(run.problems) == 1
    assert run.problems[0].startswith("nb.ipynb, cell 1: AssertionError: answer: expected 2")


def test_pytest_collects_a_notebook_named_on_the_command_line(tmp_path, pytester):
    path = write(pytester.path, [code("# NBVAL_CHECK_OUTPUT\nprint(1 + 1)", [stdout("3\n")])],
                 name="07_demo.ipynb")
    result = pytester.runpytest_inprocess("-p", "tests.notebook_plugin", "-p",
                                          "no:cacheprovider", str(path))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*07_demo.ipynb, cell 0: output differs*",
                                 "*notebook executions (one kernel each)*"])


def test_a_changed_output_does_not_hide_the_student_edition_problems(tmp_path, comparer):
    blind = exercise("    return 2 * x", "assert True  # never calls f")
    path = write(tmp_path, [code("# NBVAL_CHECK_OUTPUT\nprint(2)", [stdout("3\n")]), *blind])
    run = run_notebook(path, comparer=comparer)
    assert [p.split(":")[0] for p in run.problems] == [
        "nb.ipynb, cell 0", "nb.ipynb, cell 2 [ex99_1_check] (student edition)"]
