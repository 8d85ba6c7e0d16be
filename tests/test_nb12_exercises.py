"""Notebook 12's exercise checks pass the solutions and reject typical wrong answers.

The checks need TensorFlow with four logical CPUs (configured before the runtime starts),
so they run in a fresh Python process: the answer cell (or a wrong answer), then the check
cell, exactly as they stand in the notebook.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from exercise_wrong_answers import WRONG as ALL_WRONG

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "12_scaling_with_tf_distribute.ipynb"

# The wrong answers live with every other exercise's, in tests/exercise_wrong_answers.py.
WRONG = {key: dict(pairs) for key, pairs in ALL_WRONG.items() if key.startswith("ex12_")}

RUNNER = textwrap.dedent("""
    import json, math, sys
    from course_utils.setup import setup
    setup(quiet=True)
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 4)
    tf.get_logger().setLevel("ERROR")
    import numpy as np
    cases = json.load(sys.stdin)
    verdicts = []
    for case in cases:
        namespace = {"tf": tf, "np": np, "math": math}
        try:
            exec(case["answer"], namespace)
            exec(case["check"], namespace)
            verdicts.append("passed")
        except AssertionError as err:
            verdicts.append("rejected: " + str(err).splitlines()[0])
    print("VERDICTS " + json.dumps(verdicts))
""")


def _cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source
            for c in nb.cells if "nbgrader" in c.metadata}


@pytest.fixture(scope="module")
def verdicts():
    cells = _cells()
    cases, names = [], []
    for key, wrongs in WRONG.items():
        check = cells[f"{key}_check"]
        cases.append({"answer": cells[f"{key}_answer"], "check": check})
        names.append((key, "solution"))
        for label, source in wrongs.items():
            cases.append({"answer": source, "check": check})
            names.append((key, label))
    env = dict(os.environ, COURSE_PROFILE="smoke", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(cases), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("VERDICTS ")), None)
    assert line, f"the check runner failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return dict(zip(names, json.loads(line[len("VERDICTS "):]), strict=True))


@pytest.mark.parametrize("key", sorted(WRONG))
def test_the_solution_passes(verdicts, key):
    assert verdicts[(key, "solution")] == "passed"


@pytest.mark.parametrize(("key", "label"), [(k, w) for k, ws in WRONG.items() for w in ws])
def test_a_typical_wrong_answer_is_rejected(verdicts, key, label):
    assert verdicts[(key, label)].startswith("rejected: "), verdicts[(key, label)]
