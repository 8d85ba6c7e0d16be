"""The student edition (`make student`): what it clears, and that every notebook still runs.

The execution tests are marked ``student`` (select with ``-m student``, skip with
``-m "not student"``). They run each student notebook once, in one kernel, in the smoke
profile (``COURSE_DATA_DIR`` comes from the environment): every lesson cell must run
clean and every check cell must stop with the "not answered yet" message.
"""

import os
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils import student
from course_utils.student import MARKER, RUN_STAMP_KEY, build_student_edition

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE = FIXTURES / "99_exercise_demo.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = int(os.environ.get("COURSE_STUDENT_CELL_TIMEOUT", "300"))


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """Student editions of notebooks/ and of the fixtures, built once for this module."""
    out = tmp_path_factory.mktemp("edition")
    sources = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    written = build_student_edition(ROOT / "notebooks", out / "student")
    build_student_edition(FIXTURES, out / "fixtures")
    return SimpleNamespace(root=out, sources=sources, written=sorted(p.name for p in written))


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader") or {}


def is_answer(cell):
    return bool(nbgrader_meta(cell).get("solution"))


def is_check(cell):
    return bool(nbgrader_meta(cell).get("grade")) and not is_answer(cell)


# ---------------------------------------------------------------- what the edition contains


def test_every_notebook_has_a_student_edition(edition):
    assert edition.written == edition.sources
    assert sorted(p.name for p in (edition.root / "student").glob("*.ipynb")) == edition.sources
    assert (edition.root / "student" / MARKER).exists()


def test_fixture_solutions_and_hidden_tests_are_cleared(edition):
    original = nbformat.read(FIXTURE, as_version=4)
    cleared = nbformat.read(edition.root / "fixtures" / FIXTURE.name, as_version=4)
    assert len(cleared.cells) == len(original.cells)
    text = "\n".join(c.source for c in cleared.cells)
    for gone in ("BEGIN SOLUTION", "END SOLUTION", "np.maximum(0.0, x)", 'return "d"',
                 "BEGIN HIDDEN TESTS", "logaddexp"):
        assert gone not in text, f"{gone!r} is still in the student edition"
    for before, after in zip(original.cells, cleared.cells, strict=True):
        assert after.get("outputs", []) == [] and after.get("execution_count") is None
        if is_answer(before):
            assert after.source.splitlines()[0] == before.source.splitlines()[0]  # the def
            assert after.source.rstrip().endswith(
                "    # YOUR CODE HERE\n    raise NotImplementedError()")
            assert "source_hidden" not in after.metadata.get("jupyter", {})
            assert after.metadata.get("deletable") is False
        elif is_check(before):
            assert after.metadata.get("editable") is False
            assert "check_" in after.source
        else:
            assert after.source == before.source


def test_visible_checks_stay_and_hidden_ones_go(edition):
    cleared = nbformat.read(edition.root / "fixtures" / FIXTURE.name, as_version=4)
    check = next(c for c in cleared.cells if nbgrader_meta(c).get("grade_id") == "ex99_2_check")
    assert "check_that(" in check.source and "check_value(" in check.source
    assert "check_function(softmax" not in check.source


def test_run_stamp_is_dropped(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nb = nbformat.read(FIXTURE, as_version=4)
    nb.metadata[RUN_STAMP_KEY] = {"profile": "full"}
    nbformat.write(nb, src / FIXTURE.name)
    (src / "figure.png").write_bytes(b"not really a png")
    build_student_edition(src, tmp_path / "out")
    assert RUN_STAMP_KEY not in nbformat.read(tmp_path / "out" / FIXTURE.name, 4).metadata
    assert (tmp_path / "out" / "figure.png").read_bytes() == b"not really a png"


def test_stamp_key_matches_the_runner():
    from course_utils.runner import STAMP_KEY

    assert RUN_STAMP_KEY == STAMP_KEY


def test_rebuild_replaces_and_refuses_foreign_folders(tmp_path):
    out = tmp_path / "out"
    build_student_edition(FIXTURES, out)
    (out / "stale.ipynb").write_text("{}")
    build_student_edition(FIXTURES, out)
    assert not (out / "stale.ipynb").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    with pytest.raises(ValueError, match="not made by this tool"):
        build_student_edition(FIXTURES, foreign)
    assert (foreign / "notes.txt").read_text() == "precious"
    with pytest.raises(ValueError, match="separate folder"):
        build_student_edition(FIXTURES, FIXTURES / "student")


def test_broken_markup_is_reported_with_the_notebook(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nb = nbformat.read(FIXTURE, as_version=4)
    nb.cells[4].source += "\n### BEGIN SOLUTION\n### END SOLUTION"  # in a lesson cell
    nbformat.write(nb, src / "broken.ipynb")
    with pytest.raises(RuntimeError, match="broken.ipynb: cannot make the student edition"):
        build_student_edition(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_command_line(tmp_path, capsys):
    assert student.main([str(FIXTURES), str(tmp_path / "out")]) == 0
    assert "wrote the student edition of" in capsys.readouterr().out
    assert student.main([str(FIXTURES), str(FIXTURES)]) == 1
    assert "separate folder" in capsys.readouterr().err


# ---------------------------------------------------------------- every notebook still runs


def run_student_notebook(path, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, allow_errors=True,
                            kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    problems, checks = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        where = f"{path.name} cell {index} [{nbgrader_meta(cell).get('grade_id', 'lesson')}]"
        if is_check(cell):
            checks += 1
            if not errors:
                problems.append(f"{where}: the check passed on an unanswered exercise")
            elif errors[0].ename != "AssertionError" or "not answered yet" not in errors[0].evalue:
                hint = (" (the check cell calls an answer function outside a lambda: use "
                        "get_answer(lambda: ...))" if errors[0].ename == "NotImplementedError"
                        else "")
                problems.append(f"{where}: expected 'not answered yet', got "
                                f"{errors[0].ename}: {errors[0].evalue}{hint}")
        elif errors:
            problems.append(f"{where}: {errors[0].ename}: {errors[0].evalue}")
    return problems, checks


@pytest.mark.student
def test_fixture_student_edition_runs(edition, monkeypatch):
    problems, checks = run_student_notebook(edition.root / "fixtures" / FIXTURE.name, monkeypatch)
    assert problems == [], "\n".join(problems)
    assert checks == 3


@pytest.mark.student
@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS], ids=lambda n: n[:-6])
def test_student_notebook_runs(edition, name, monkeypatch):
    problems, _ = run_student_notebook(edition.root / "student" / name, monkeypatch)
    assert problems == [], "\n".join(problems)
