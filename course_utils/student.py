"""Build the student edition: the notebooks with solutions, hidden tests and outputs cleared.

``make student`` runs::

    python -m course_utils.student notebooks student

Each notebook goes through nbconvert with nbgrader's own preprocessors, the ones
``nbgrader generate_assignment`` uses (no database needed):

- ``ClearSolutions``: the code between ``### BEGIN SOLUTION`` / ``### END SOLUTION`` becomes
  ``# YOUR CODE HERE`` + ``raise NotImplementedError()``;
- ``ClearHiddenTests``: teacher-only tests between ``### BEGIN HIDDEN TESTS`` /
  ``### END HIDDEN TESTS`` are removed;
- ``ClearOutput``: outputs and execution counts are cleared (the learner runs the cells);
- ``LockCells``: check cells become read-only in Jupyter, answer cells undeletable;
- ``CheckCellMetadata``: the nbgrader metadata is validated.

Two small steps of ours follow: answer cells are un-collapsed (the learner writes there;
the committed notebooks collapse them so the solution is not read by accident), and the
full-run stamp is dropped (it describes outputs the edition no longer has). Other files in
the source folder (images, data snippets) are copied alongside.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode

from course_utils.stamp import STAMP_KEY

#: Metadata key of the full-run stamp (kept under this name for older imports).
RUN_STAMP_KEY = STAMP_KEY
#: File that marks a folder as a generated student edition (safe to rebuild).
MARKER = ".student-edition"
_SKIP = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "*.keras", "*.h5", "*.ipynb")


class ShowAnswerCells(Preprocessor):
    """Un-collapse the input of answer cells (nbgrader ``solution: true``)."""

    def preprocess_cell(self, cell, resources, index):
        if (cell.metadata.get("nbgrader") or {}).get("solution"):
            jupyter = cell.metadata.get("jupyter")
            if jupyter is not None:
                jupyter.pop("source_hidden", None)
                if not jupyter:
                    del cell.metadata["jupyter"]
        return cell, resources


class DropRunStamp(Preprocessor):
    """Remove the full-run stamp: the student edition has no outputs."""

    def preprocess(self, nb, resources):
        nb.metadata.pop(RUN_STAMP_KEY, None)
        return nb, resources


def _exporter() -> NotebookExporter:
    # Imported here so that `import course_utils.student` stays light.
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        LockCells,
    )

    exporter = NotebookExporter()
    for step in (ClearSolutions, ClearHiddenTests, ClearMarkScheme, ClearOutput, LockCells,
                 ShowAnswerCells, DropRunStamp, CheckCellMetadata):
        exporter.register_preprocessor(step(), enabled=True)
    return exporter


def make_student_notebook(nb: NotebookNode) -> NotebookNode:
    """Return the student edition of one notebook (the input is not modified)."""
    body, _ = _exporter().from_notebook_node(nb.copy() if hasattr(nb, "copy") else nb)
    return nbformat.reads(body, as_version=4)


def _check_destination(src: Path, dst: Path) -> None:
    src_r, dst_r = src.resolve(), dst.resolve()
    if src_r == dst_r or src_r in dst_r.parents or dst_r in src_r.parents:
        raise ValueError(f"the student edition must go to a separate folder, not {dst}.")
    if dst.exists():
        if not dst.is_dir():
            raise ValueError(f"{dst} exists and is not a folder.")
        if any(dst.iterdir()) and not (dst / MARKER).exists():
            raise ValueError(
                f"{dst} is not empty and was not made by this tool (no {MARKER} file); "
                "refusing to overwrite it. Remove it or choose another folder."
            )


def build_student_edition(src: str | Path, dst: str | Path) -> list[Path]:
    """Write the student edition of every ``src/*.ipynb`` into ``dst`` (rebuilt from scratch).

    Returns the written notebook paths. Raises ``ValueError`` for an unsafe destination and
    nbgrader's errors for a notebook whose exercise markup is broken.
    """
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise ValueError(f"source folder {src} does not exist.")
    _check_destination(src, dst)
    notebooks = sorted(src.glob("*.ipynb"))
    exporter = _exporter()
    editions = {}
    for path in notebooks:  # convert everything before touching dst
        try:
            body, _ = exporter.from_filename(str(path))
        except Exception as exc:
            raise RuntimeError(f"{path}: cannot make the student edition: {exc}") from exc
        editions[path.name] = body
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=_SKIP)
    (dst / MARKER).write_text(
        f"Generated from {src.name}/ by `python -m course_utils.student`; do not edit, it is "
        "rebuilt from scratch.\n"
    )
    written = []
    for name, body in editions.items():
        out = dst / name
        out.write_text(str(body), encoding="utf-8")
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.student",
        description="Write the student edition (solutions and outputs cleared) of a folder "
                    "of notebooks.")
    parser.add_argument("src", nargs="?", default="notebooks", help="default: notebooks")
    parser.add_argument("dst", nargs="?", default="student", help="default: student")
    args = parser.parse_args(argv)
    try:
        written = build_student_edition(args.src, args.dst)
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the student edition of {len(written)} notebook(s) to {args.dst}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
