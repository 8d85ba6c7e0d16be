"""One name, one meaning: a function or class defined in two notebooks has one body.

A learner who met ``make_cnn`` in notebook 08 reads ``make_cnn`` in 09 as the same thing;
when the bodies differ, the name lies. This test parses every notebook's code cells with
``ast``, collects the top-level ``def`` and ``class`` statements, and compares their bodies
(``ast.dump`` with docstrings removed, so comments, docstrings and formatting do not count;
argument names, defaults and constants do).

Exercise answer cells (nbgrader ``solution: true``) are included: none of them clashes
today, and an exercise that reuses a lesson's name with another meaning would confuse a
learner as much as two lessons do. (Their master-copy bodies are what is compared; the
student edition only blanks them.)
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Today's offenders, with exactly the notebooks involved. Rename or unify them when the
# notebook is next re-run in full (changing code means a full re-run), then delete the
# entry: test_allow_list_only_shrinks fails while an entry is out of date, and a notebook
# joining a listed conflict fails test_same_name_same_body.
ALLOWED_CONFLICTS: dict[str, set[str]] = {
    # the four named in issue 14
    "make_cnn": {"08", "09"},  # 08: configurable MNIST CNN; 09: the article's CIFAR CNN
    "fit_timed": {"08", "09"},  # 08: arrays, sparse labels; 09: tf.data, one-hot, smoothing
    "test_accuracy_of": {"08", "09"},  # 08 takes a model, 09 a predict function
    "warmup_cosine": {"05", "08"},  # 05: lr at step k (pure Python); 08: a Keras schedule
    # found by this test
    "conv_params": {"01", "08"},  # 01: k·k·c_in·c_out (+ c_out); 08: (k·k·c_in + 1)·c_out
    "keras_separable_params": {"08", "11"},  # check cells; 11 has no bias, no multiplier
    "numerical_gradient": {"01", "06"},  # 01: of a vector; 06: of a dict of arrays
    "perceptron_loss": {"01", "04"},  # 01: (w, x, y) one example; 04: (y, f) arrays
    "sigmoid": {"03", "06", "10"},  # same maths: argument x vs z, 1.0 vs 1
    "softmax": {"03", "06"},  # 03: any axis; 06: rows only
}


@dataclass(frozen=True)
class Definition:
    notebook: str  # "08"
    cell: int  # index in the notebook's cells
    signature: str  # "def make_cnn(batch_norm=False)"
    body: str  # ast.dump without docstrings


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def _signature(node: ast.stmt) -> str:
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(base) for base in node.bases)
        return f"class {node.name}({bases})"
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return f"def {node.name}({ast.unparse(node.args)})"


def definitions(notebook: Path) -> list[tuple[str, Definition]]:
    """(name, definition) for every top-level def/class in the notebook's code cells."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    number = notebook.name[:2]
    to_python = TransformerManager().transform_cell  # %magics and !shell lines
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse(to_python(source))
        except SyntaxError as error:
            pytest.fail(f"{notebook.name} cell {index} does not parse: {error}")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                signature = _signature(node)
                body = ast.dump(_strip_docstrings(node))
                found.append((node.name, Definition(number, index, signature, body)))
    return found


def conflicts(notebooks: list[Path]) -> dict[str, list[Definition]]:
    """Names defined in two or more notebooks with more than one body among them."""
    by_name: dict[str, list[Definition]] = defaultdict(list)
    for notebook in notebooks:
        for name, definition in definitions(notebook):
            by_name[name].append(definition)
    return {
        name: defs for name, defs in sorted(by_name.items())
        if len({d.notebook for d in defs}) > 1 and len({d.body for d in defs}) > 1
    }


def describe(name: str, defs: list[Definition]) -> str:
    lines = [f"{name!r}:"]
    lines += [f"    {d.notebook} cell {d.cell}: {d.signature}" for d in defs]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def today() -> dict[str, list[Definition]]:
    assert len(NOTEBOOKS) >= 12, f"expected the course's notebooks, found {len(NOTEBOOKS)}"
    return conflicts(NOTEBOOKS)


def test_same_name_same_body(today: dict[str, list[Definition]]) -> None:
    new = {name: defs for name, defs in today.items()
           if not {d.notebook for d in defs} <= ALLOWED_CONFLICTS.get(name, set())}
    if new:
        pytest.fail(
            "The same name means different things in different notebooks. Rename one "
            "(say what it does: make_mnist_cnn), or make the bodies identical, or move the "
            "helper into course_utils:\n" + "\n".join(describe(n, d) for n, d in new.items()),
            pytrace=False)


def test_allow_list_only_shrinks(today: dict[str, list[Definition]]) -> None:
    stale = []
    for name, allowed in sorted(ALLOWED_CONFLICTS.items()):
        now = {d.notebook for d in today.get(name, [])}
        if now != allowed:
            stale.append(f"{name!r}: listed for {sorted(allowed)}, conflicting now in "
                         f"{sorted(now) or 'no notebooks (fixed)'}")
    if stale:
        pytest.fail("ALLOWED_CONFLICTS is out of date: delete fixed entries and narrow the "
                    "others (the list only shrinks):\n" + "\n".join(stale), pytrace=False)


def _notebook(path: Path, *sources: str, solution: bool = False) -> Path:
    cells = [{"cell_type": "code", "source": s, "metadata": {"nbgrader": {"solution": solution}},
              "outputs": [], "execution_count": None} for s in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_the_comparison_ignores_docs_and_catches_real_differences(tmp_path: Path) -> None:
    a = _notebook(tmp_path / "01_a.ipynb",
                  "%matplotlib inline\ndef f(x):\n    '''Doc A.'''\n    return x + 1  # c\n",
                  "class C:\n    def m(self):\n        '''doc'''\n        return 1\n",
                  "def g(x):\n    return 2 * x\n")
    b = _notebook(tmp_path / "02_b.ipynb",
                  "def f(x):\n    \"\"\"Another doc.\"\"\"\n\n    return x + 1\n",
                  "class C:\n    def m(self):\n        return 1\n",
                  "!echo hi\ndef g(x, scale=2):\n    return scale * x\n")
    found = conflicts([a, b])
    assert list(found) == ["g"]  # f and C differ only in docstrings, comments, blank lines
    assert [d.signature for d in found["g"]] == ["def g(x)", "def g(x, scale=2)"]
    assert [(d.notebook, d.cell) for d in found["g"]] == [("01", 2), ("02", 2)]
