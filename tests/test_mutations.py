"""Each notebook's self-checks catch plausible wrong formulas (tests/mutation_harness.py).

The mutations live in ``tests/notebook_mutations/nbNN.py``; each names the learner's (or
the source article's) mistake it stands for.
"""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mutation_harness import Mutation, MutationSpecError, code_cells, locate

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in (ROOT / "tests" / "notebook_mutations").glob("nb*.py"))
#: Notebooks whose hand-written formulas must be covered (issue 15): at least three each.
REQUIRED = {"nb03": 3, "nb04": 3, "nb05": 3, "nb06": 3}


def notebook_of(module: str) -> Path:
    (path,) = (ROOT / "notebooks").glob(f"{module[2:]}_*.ipynb")
    return path


def mutations_of(module: str) -> list[Mutation]:
    return list(importlib.import_module(f"tests.notebook_mutations.{module}").MUTATIONS)


@pytest.mark.parametrize("module", sorted(REQUIRED))
def test_required_notebooks_have_enough_mutations(module):
    assert module in MODULES, f"tests/notebook_mutations/{module}.py is missing"
    names = [m.name for m in mutations_of(module)]
    assert len(names) >= REQUIRED[module] and len(set(names)) == len(names), names


@pytest.mark.parametrize("module", MODULES)
def test_mutations_point_at_one_place(module):
    cells = code_cells(notebook_of(module))
    for mutation in mutations_of(module):
        locate(cells, mutation)  # raises MutationSpecError with the reason
        assert mutation.why.strip(), f"{mutation.name}: say which mistake it stands for"


def test_locate_refuses_ambiguous_specs():
    cells = ["def f(x):\n    return x * (1 - x)\n", "assert f(0.5) == 0.25\n", "f(1)\n"]
    good = Mutation("m", "def f", "x * (1 - x)", "x * (1 + x)", "assert f", "sign")
    assert locate(cells, good)[:2] == (0, 1)
    for bad in (Mutation("m", "f(", "x", "y", "assert", "?"),       # cell in 3 cells
                Mutation("m", "def f", "x", "y", "assert", "?"),    # old occurs 3 times
                Mutation("m", "f(1)", "1", "2", "assert", "?")):    # catching cell before
        with pytest.raises(MutationSpecError):
            locate(cells, bad)


@pytest.mark.parametrize("module", MODULES)
def test_self_checks_catch_every_mutation(module):
    env = dict(os.environ, COURSE_PROFILE="smoke", MPLBACKEND="Agg", PYTHONPATH=str(ROOT),
               TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.mutation_harness", str(notebook_of(module)),
         f"tests.notebook_mutations.{module}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    records = [json.loads(line.split(" ", 1)[1]) for line in proc.stdout.splitlines()
               if line.startswith("MUTATION-RESULT ")]
    assert proc.returncode == 0, proc.stderr[-3000:]
    control = [r for r in records if "control_failed" in r or "control_passed" in r]
    assert control and "control_passed" in control[0], (
        f"the unmodified notebook failed in code cell {control[0].get('control_failed')}: "
        f"{control[0].get('message')}" if control else proc.stderr[-3000:])
    outcomes = {r["mutation"]: r for r in records if "mutation" in r}
    problems = []
    for mutation in mutations_of(module):
        r = outcomes[mutation.name]
        if r["error"] is None:
            problems.append(f"{mutation.name}: NOT caught ({mutation.why})")
        elif r["cell"] != r["expected_cell"] or not r.get("assertion"):
            problems.append(f"{mutation.name}: failed in code cell {r['cell']} with "
                            f"{r['error']} ({r['message'][:200]}), expected an AssertionError "
                            f"in code cell {r['expected_cell']}")
    assert not problems, "\n".join(problems)


HARNESS_DEMO = r"""
import json, sys
from pathlib import Path
import nbformat
from tests.mutation_harness import Mutation, run
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in (
    "def double(x):\n    return 2 * x\n", "assert double(3) == 6, 'double is wrong'\n",
    "total = double(1)\n", "assert total == 2\n")])
path = Path(sys.argv[1]) / "demo.ipynb"
nbformat.write(nb, path)
muts = [Mutation("caught", "def double", "2 * x", "3 * x", "double(3) == 6", "factor"),
        Mutation("uncaught", "total = double", "double(1)", "double(1) + 0", "total == 2", "no-op"),
        Mutation("crash", "def double", "2 * x", "2 * y", "double(3) == 6", "name error")]
run(path, muts, lambda r: print(json.dumps(r)))
"""


def test_harness_tells_caught_from_missed_and_from_crashes(tmp_path):
    proc = subprocess.run([sys.executable, "-c", HARNESS_DEMO, str(tmp_path)], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    by_name = {r["mutation"]: r for r in records if "mutation" in r}
    assert by_name["caught"]["cell"] == 1 and by_name["caught"]["assertion"]
    assert by_name["uncaught"]["error"] is None
    assert by_name["crash"]["error"] == "NameError" and not by_name["crash"]["assertion"]
    assert {"control_passed": 3} in records  # the restored namespace let the control pass
