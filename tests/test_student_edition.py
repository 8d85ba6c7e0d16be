"""The student edition (`make student`): what it clears and what it leaves, without a kernel.

That the student edition *runs* (lesson cells clean, every check "not answered yet") is
checked by ``tests/test_notebook_runs.py`` in the same kernel that runs the teacher's
notebook (``tests/notebook_plugin.py``). That is enough because of what is tested here:
the two editions pair cell by cell, and every cell other than an answer or check cell is
the same text in both, so the teacher's execution of those cells is the student's.
"""

from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from course_utils import student
from course_utils.student import MARKER, RUN_STAMP_KEY, build_student_edition

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE = FIXTURES / "99_exercise_demo.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


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


# ------------------------------------------- what the kernel check relies on, every notebook


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS] + [FIXTURE.name],
                         ids=lambda n: n[:-6])
def test_editions_pair_cell_by_cell_and_lesson_cells_are_the_same(edition, name):
    source = FIXTURE if name == FIXTURE.name else ROOT / "notebooks" / name
    folder = "fixtures" if name == FIXTURE.name else "student"
    original = nbformat.read(source, as_version=4)
    cleared = nbformat.read(edition.root / folder / name, as_version=4)
    assert [c.cell_type for c in cleared.cells] == [c.cell_type for c in original.cells]
    answers = 0
    for index, (before, after) in enumerate(zip(original.cells, cleared.cells, strict=True)):
        where = f"{name} cell {index}"
        assert nbgrader_meta(after) == nbgrader_meta(before), f"{where}: nbgrader metadata"
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS"):
            assert marker not in after.source, f"{where}: {marker!r} left in the student edition"
        if is_answer(before):
            answers += 1
            assert after.source.splitlines()[0] == before.source.splitlines()[0], where
            assert after.source.rstrip().endswith("raise NotImplementedError()"), where
        elif is_check(before):
            kept = before.source.split("### BEGIN HIDDEN TESTS")[0].rstrip()
            assert after.source.startswith(kept), f"{where}: the visible check changed"
        else:
            assert after.source == before.source, f"{where}: a lesson cell differs"
    assert answers > 0, f"{name} has no exercise"
