"""Every notebook, executed once in the smoke profile (see tests/notebook_plugin.py).

One kernel per notebook serves two checks: the outputs of ``# NBVAL_CHECK_OUTPUT`` cells
equal the committed ones (nbval's comparison, ``nbval_sanitize.cfg`` applied), and in the
student edition every exercise check says "not answered yet". One notebook:
``pytest tests/test_notebook_runs.py -k 08`` or ``make notebooks NB=08``.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURE = ROOT / "tests" / "fixtures" / "99_exercise_demo.ipynb"


@pytest.mark.parametrize("path", [*NOTEBOOKS, FIXTURE], ids=lambda p: p.stem)
def test_notebook_runs(path, notebook_check):
    run = notebook_check(path)
    if path == FIXTURE:  # one exercise of each kind, each checked unanswered
        assert run.student_checks == 3
