"""What a learner sees: no plumbing echoes of record() in the committed outputs.

record() is silent (course_utils.results); a notebook says each number in its own words.
Two ways the echo could still reach a learner are checked here: an old ``[result] ...``
line in a committed output, and a cell that ends with a bare ``record(...)`` expression,
which Jupyter would show as ``Out[n]: 0.9912``.
"""

import ast
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from tests.test_setup import AWAITING_FULL_RERUN

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def trailing_record_calls(source: str) -> bool:
    """True when the cell's last statement is a bare ``record(...)`` shown as ``Out[]``."""
    code = TransformerManager().transform_cell(source)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    call = tree.body[-1].value
    if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "record"):
        return False
    return not code.rstrip().endswith(";")  # IPython hides a value whose line ends in ;


def test_trailing_record_detector():
    assert trailing_record_calls('x = 1\nrecord("a", x)')
    assert not trailing_record_calls('record("a", x);')
    assert not trailing_record_calls('acc = record("a", x)')
    assert not trailing_record_calls('record("a", x)\nprint(x)')
    assert not trailing_record_calls('%time record("a", 1);')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_ends_with_a_bare_record_call(path):
    if path.stem in AWAITING_FULL_RERUN:
        pytest.skip("a code change waits for this notebook's full re-run (tests/test_setup.py)")
    nb = nbformat.read(path, as_version=4)
    bad = [c.source.splitlines()[-1] for c in nb.cells
           if c.cell_type == "code" and trailing_record_calls(c.source)]
    assert not bad, (f"{path.name}: a cell ending in a bare record(...) shows its value as "
                     f"Out[]; assign it or end the line with ';': {bad}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_result_echo_in_committed_outputs(path):
    if path.stem in AWAITING_FULL_RERUN:
        pytest.skip("renewed when this notebook is re-run in full (tests/test_setup.py)")
    nb = nbformat.read(path, as_version=4)
    echoes = [line for c in nb.cells if c.cell_type == "code" for out in c.get("outputs", [])
              for line in "".join(out.get("text", "")).splitlines() if "[result]" in line]
    assert not echoes, f"{path.name} shows record()'s old echo; re-run it in full: {echoes[:3]}"
