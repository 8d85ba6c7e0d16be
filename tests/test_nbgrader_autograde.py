"""The teachers' route (TEACHING.md) for real: nbgrader generate_assignment + autograde.

A temporary nbgrader course (its own nbgrader_config.py, a sqlite gradebook, Jupyter
config and data dirs in tmp) releases the exercise fixture as assignment ``ps1``; three
students submit:

- alice: the solutions (full points);
- bob: the released notebook untouched (zero points: every check says "not answered yet");
- carol: a right ReLU, a naive softmax that passes the visible checks but overflows on
  the hidden test, and a wrong choice (1 point of 4).

The scores are read back from the gradebook with ``nbgrader.api.Gradebook``.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

nbgrader_api = pytest.importorskip("nbgrader.api", reason="needs the 'teach' extra (nbgrader)")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "99_exercise_demo.ipynb"
NOTEBOOK_ID = FIXTURE.stem
ASSIGNMENT = "ps1"

NAIVE_SOFTMAX = '''def softmax(z):
    """Softmax along the last axis."""
    e = np.exp(z)  # overflows for large scores
    return e / e.sum(axis=-1, keepdims=True)'''


def answers_of(nb):
    return {c.metadata.nbgrader.grade_id: c.source for c in nb.cells
            if (c.metadata.get("nbgrader") or {}).get("solution")}


def submit(course, student, released, answers):
    """Write a submission: the released notebook with some answer cells filled in."""
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        grade_id = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / released.name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nbgrader")
    course = tmp / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(FIXTURE, course / "source" / ASSIGNMENT / FIXTURE.name)
    db_url = f"sqlite:///{tmp / 'gradebook.db'}"
    (course / "nbgrader_config.py").write_text(textwrap.dedent(f"""\
        c = get_config()
        c.CourseDirectory.course_id = "keras-course"
        c.CourseDirectory.root = {str(course)!r}
        c.CourseDirectory.db_url = {db_url!r}
        c.Execute.timeout = 60
        """))
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(tmp / "jupyter_config"),
        "JUPYTER_DATA_DIR": str(tmp / "jupyter_data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter_runtime"),
        "COURSE_PROFILE": "smoke",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # nbgrader runs the `alembic` command to set up its database: it must be on PATH.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    })

    def nbgrader(*args):
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr}"
        return result.stderr + result.stdout

    log = nbgrader("generate_assignment", ASSIGNMENT)
    released = course / "release" / ASSIGNMENT / FIXTURE.name
    solutions = answers_of(nbformat.read(FIXTURE, as_version=4))
    submit(course, "alice", released, solutions)
    submit(course, "bob", released, {})
    submit(course, "carol", released, {
        "ex99_1_answer": solutions["ex99_1_answer"],
        "ex99_2_answer": NAIVE_SOFTMAX,
        "ex99_3_answer": 'def answer_99_3():\n    return "a"',
    })
    log += nbgrader("autograde", ASSIGNMENT)

    scores = {}
    with nbgrader_api.Gradebook(db_url, "keras-course") as gb:
        assert gb.find_assignment(ASSIGNMENT).max_score == 4
        for student in ("alice", "bob", "carol"):
            submission = gb.find_submission(ASSIGNMENT, student)
            notebook = gb.find_submission_notebook(NOTEBOOK_ID, ASSIGNMENT, student)
            scores[student] = {
                "total": (submission.score, submission.max_score),
                "cells": {g.name: g.score for g in notebook.grades},
            }
    print(scores)  # what nbgrader reported, for the record (pytest -s)
    return course, released, scores, log


def test_release_has_no_solutions_or_hidden_tests(graded):
    _, released, _, _ = graded
    text = released.read_text()
    for gone in ("BEGIN SOLUTION", "np.maximum(0.0, x)", "BEGIN HIDDEN TESTS", "logaddexp"):
        assert gone not in text
    assert "raise NotImplementedError()" in text


def test_solutions_get_full_points(graded):
    _, _, scores, _ = graded
    assert scores["alice"]["total"] == (4, 4)
    assert scores["alice"]["cells"] == {"ex99_1_check": 1, "ex99_2_check": 2, "ex99_3_check": 1}


def test_unanswered_notebook_gets_zero(graded):
    _, _, scores, _ = graded
    assert scores["bob"]["total"] == (0, 4)
    assert set(scores["bob"]["cells"].values()) == {0}


def test_hidden_tests_and_wrong_choice_cost_points(graded):
    _, _, scores, _ = graded
    assert scores["carol"]["total"] == (1, 4)
    assert scores["carol"]["cells"] == {"ex99_1_check": 1, "ex99_2_check": 0, "ex99_3_check": 0}


def test_autograded_notebooks_carry_the_feedback(graded):
    course, _, _, _ = graded

    def errors(student):
        nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / FIXTURE.name, 4)
        return {c.metadata.nbgrader.grade_id: [o.evalue for o in c.outputs
                                               if o.output_type == "error"]
                for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("grade")}

    bob = errors("bob")
    assert all(len(e) == 1 and "not answered yet" in e[0] for e in bob.values()), bob
    carol = errors("carol")
    assert carol["ex99_1_check"] == []
    assert "softmax: on input #1" in carol["ex99_2_check"][0]
    assert "contains NaN" in carol["ex99_2_check"][0]
    assert "is not the right choice" in carol["ex99_3_check"][0]
