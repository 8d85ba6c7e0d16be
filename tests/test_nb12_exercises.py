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

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "12_scaling_with_tf_distribute.ipynb"

WRONG = {
    "ex12_1": {
        "per-replica batch taken as the global batch":
            "def predict_four_replicas():\n    return 32, math.ceil(1000 / 32)\n",
        "steps rounded down (as with drop_remainder=True)":
            "def predict_four_replicas():\n    return 128, 1000 // 128\n",
        "steps not rounded": "def predict_four_replicas():\n    return 128, 1000 / 128\n",
    },
    "ex12_2": {
        "mean instead of sum":
            "def ring_all_reduce(grads):\n"
            "    return np.tile(np.mean(grads, axis=0), (len(grads), 1))\n",
        "one summed row instead of one row per replica":
            "def ring_all_reduce(grads):\n    return np.sum(grads, axis=0)\n",
        "reduce-scatter without the all-gather":
            "def ring_all_reduce(grads):\n"
            "    n = len(grads)\n"
            "    chunks = [np.array_split(np.asarray(g, dtype='float64').copy(), n)\n"
            "              for g in grads]\n"
            "    for step in range(n - 1):\n"
            "        msgs = [(r, (r - step) % n, chunks[r][(r - step) % n].copy())\n"
            "                for r in range(n)]\n"
            "        for r, c, data in msgs:\n"
            "            chunks[(r + 1) % n][c] = chunks[(r + 1) % n][c] + data\n"
            "    return np.stack([np.concatenate(p) for p in chunks])\n",
    },
    "ex12_3": {
        "no warm-up":
            "def goyal_learning_rate(step, base_lr, base_batch, global_batch, warmup_steps):\n"
            "    return base_lr * global_batch / base_batch\n",
        "warm-up from zero":
            "def goyal_learning_rate(step, base_lr, base_batch, global_batch, warmup_steps):\n"
            "    return base_lr * global_batch / base_batch * min(1, step / warmup_steps)\n",
        "square-root scaling":
            "def goyal_learning_rate(step, base_lr, base_batch, global_batch, warmup_steps):\n"
            "    target = base_lr * (global_batch / base_batch) ** 0.5\n"
            "    return base_lr + (target - base_lr) * min(1, step / warmup_steps)\n",
    },
}

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
