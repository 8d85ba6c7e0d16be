"""Mutation tests: a notebook's self-checks must catch plausible wrong formulas.

A notebook that derives a formula by hand (a derivative, a loss, an optimizer step, a
backpropagation rule) also checks it: against finite differences, TensorFlow's gradients or
a Keras optimizer. Such a check is only worth something if it fails on the mistakes people
make. Each :class:`Mutation` replaces one piece of a hand-written formula by a plausible
wrong version; the harness runs the notebook (smoke profile) up to the cell that must catch
it and expects an ``AssertionError`` *in that cell*.

How it runs, cheaply: one process per notebook, one IPython shell. The unmodified cells run
once, in order (that run is the control: it must not raise). Just before the cell a mutation
changes, the user namespace is saved (NumPy arrays copied, NumPy's and Python's global
random states kept); the mutated cell and the cells after it run up to the ``caught_by``
cell; then the namespace is restored and the unmodified run goes on. Cells after the last
``caught_by`` cell are not run.

Usage (what ``tests/test_mutations.py`` does)::

    python -m tests.mutation_harness notebooks/06_backprop_by_hand.ipynb \
        tests.notebook_mutations.nb06

prints one JSON object per line: ``{"mutation": name, "cell": index, "error": type,
"message": ...}``, or ``{"control_failed": ...}``.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    """One plausible wrong version of a hand-written formula in a notebook."""

    name: str  #: short identifier, e.g. ``"sigmoid_derivative_fed_z"``
    cell: str  #: substring found in exactly one code cell: the cell to change
    old: str  #: text occurring exactly once in that cell
    new: str  #: the wrong version that replaces it
    caught_by: str  #: substring of exactly one code cell, at or after ``cell``, that must raise
    why: str  #: the learner's (or source article's) mistake this stands for


class MutationSpecError(ValueError):
    """A mutation does not point at exactly one place in its notebook."""


def code_cells(notebook: Path) -> list[str]:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _unique_cell(cells: list[str], fragment: str, what: str, name: str) -> int:
    hits = [i for i, src in enumerate(cells) if fragment in src]
    if len(hits) != 1:
        raise MutationSpecError(
            f"mutation {name!r}: {what} {fragment!r} is in {len(hits)} code cells "
            f"({hits}); make it a substring of exactly one cell")
    return hits[0]


def locate(cells: list[str], mutation: Mutation) -> tuple[int, int, str]:
    """Return (index of the changed cell, index of the catching cell, mutated source)."""
    m = _unique_cell(cells, mutation.cell, "cell", mutation.name)
    c = _unique_cell(cells, mutation.caught_by, "caught_by", mutation.name)
    count = cells[m].count(mutation.old)
    if count != 1:
        raise MutationSpecError(
            f"mutation {mutation.name!r}: `old` {mutation.old!r} occurs {count} times in "
            f"cell {m}; it must occur exactly once")
    if mutation.new == mutation.old:
        raise MutationSpecError(f"mutation {mutation.name!r} changes nothing")
    if c < m:
        raise MutationSpecError(
            f"mutation {mutation.name!r}: the catching cell {c} comes before the changed cell {m}")
    return m, c, cells[m].replace(mutation.old, mutation.new)


def _snapshot(ns: dict) -> tuple[dict, object, object]:
    import numpy as np

    saved = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in ns.items()}
    return saved, np.random.get_state(), random.getstate()


def _restore(ns: dict, snap: tuple[dict, object, object]) -> None:
    import numpy as np

    saved, np_state, py_state = snap
    ns.clear()
    ns.update(saved)
    np.random.set_state(np_state)  # type: ignore[arg-type]
    random.setstate(py_state)  # type: ignore[arg-type]


def run(notebook: Path, mutations: list[Mutation], emit) -> None:
    """Run the control and every mutation; call ``emit(dict)`` for each outcome."""
    os.environ.setdefault("COURSE_PROFILE", "smoke")
    os.environ.setdefault("MPLBACKEND", "Agg")
    cells = code_cells(notebook)
    plan = sorted((locate(cells, mut) + (mut,) for mut in mutations), key=lambda t: t[0])
    if not plan:
        return
    last = max(c for _, c, _, _ in plan)

    import io
    from contextlib import redirect_stdout

    from IPython.core.interactiveshell import InteractiveShell

    os.chdir(notebook.parent)
    shell = InteractiveShell.instance()
    sink = io.StringIO()

    def run_cell(source: str):
        with redirect_stdout(sink):
            result = shell.run_cell(source, store_history=False)
        sink.seek(0)
        sink.truncate()
        import matplotlib.pyplot as plt

        plt.close("all")
        return result.error_before_exec or result.error_in_exec

    for index in range(last + 1):
        for m, c, mutated, mut in plan:
            if m != index:
                continue
            snap = _snapshot(shell.user_ns)
            outcome = {"mutation": mut.name, "cell": None, "error": None, "message": "",
                       "expected_cell": c}
            for k in range(m, c + 1):
                error = run_cell(mutated if k == m else cells[k])
                if error is not None:
                    outcome.update(cell=k, error=type(error).__name__,
                                   assertion=isinstance(error, AssertionError),
                                   message=str(error)[:400])
                    break
            emit(outcome)
            _restore(shell.user_ns, snap)
        error = run_cell(cells[index])
        if error is not None:
            emit({"control_failed": index, "error": type(error).__name__,
                  "message": str(error)[:400]})
            return
    emit({"control_passed": last})


def main(argv: list[str]) -> None:
    notebook, module = Path(argv[0]), importlib.import_module(argv[1])
    out = sys.stdout

    def emit(record: dict) -> None:
        out.write("MUTATION-RESULT " + json.dumps(record) + "\n")
        out.flush()

    run(notebook, list(module.MUTATIONS), emit)


if __name__ == "__main__":
    main(sys.argv[1:])
