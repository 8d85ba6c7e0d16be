"""Every measured-looking figure in a notebook's prose is backed by an output or a citation.

A learner who finds "17 s" in the text and 32 s under the cell stops trusting the rest, so
this test reads each notebook's markdown and flags the figures nothing backs.

What counts as a figure (``tests/prose_numbers.py``, ``figures_in``):

- a **percentage** (``99.5 %``, ``12%``, ``40 per cent``);
- a **time** (``2.0 s``, ``17 s``, ``12.5 minutes``, ``3 ms``, ``1 h``);
- a **decimal with at least 3 significant digits** (``0.9141``, ``26.2``, ``7.65e-04``);
  shorter decimals (``0.5``, ``7.3``) and integers are not flagged unless they carry ``%`` or
  a time unit.

Not read: code spans and fenced code, LaTeX math (``$...$``), link targets, the numbers of
headings (``### 5.10``), the References cell (volumes, pages, DOIs), and numbers that name
something: a version after Python/TensorFlow/Keras/NumPy (``Python ≥ 3.10``, also ``3.11.7``
and ``2.20–2.21``), a section, exercise, table, figure or equation number, an architecture's
depth (``ResNet-152``).

A figure is **backed** when one of these holds:

1. **an output of the same notebook** (stream text, ``text/plain``, ``text/markdown`` or
   ``text/html`` of any code cell) prints a number that, *rounded to the decimals the prose
   shows*, is the figure: prose ``91.4 %`` is backed by an output ``91.41`` or ``0.9141``
   (a fraction is read as per cent), prose ``8.6 %`` also by an accuracy ``0.9141`` or
   ``91.41`` (the error rate 1 − accuracy, stated in per cent); prose ``0.3 min`` by ``17.2``
   seconds (a time may be printed in s, ms, µs, min or h); prose ``7.65e-04`` by
   ``0.000765``; a bare decimal also by its value ×100 or ÷100. Rounding is to the nearest
   (half a unit of the last shown digit, either side), and the sign is ignored (a loss
   "falls by 0.312" is backed by ``-0.312``).
2. **a citation** ``[n]`` (or ``[n, m]``, ``[n–m]``) in the same sentence, list item or
   table row: a figure quoted from a paper.
3. **an entry in** ``tests/prose_numbers_allow.toml`` (notebook, figure as normalised by
   ``Figure.text``, e.g. ``"17 s"`` or ``"99.5 %"``, and a reason): a design choice ("keep
   10 % for validation"), an estimate of reading time, a figure worked out in the prose.
   Every entry must still match a flagged figure (so the list only shrinks).

Limits, on purpose: a figure is compared with *every* output number of its notebook, not
with the cell it talks about, so a short figure can be backed by coincidence (``10 %`` by
any printed ``0.1``); the test is a net for stale and invented numbers, not a proof. It
catches a number edited by hand, which is what went wrong before (see the fixture tests).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from prose_numbers import ALLOW_FILE, figures_in, load_allow_list, unbacked_figures

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_figures_are_backed(path):
    allowed = load_allow_list().get(path.stem, {})
    flagged = [f for f in unbacked_figures(_read(path)) if f.text not in allowed]
    assert not flagged, (
        f"{path.name}: {len(flagged)} figure(s) in the prose are in no output and carry no "
        "citation [n] in their sentence. Re-run the notebook and copy the printed value, cite "
        f"the source, or add an entry with a reason to {ALLOW_FILE.name}:\n"
        + "\n".join(f"  {f.text!r} in: {f.context[:160]!r}" for f in flagged))


def test_allow_list_entries_are_still_needed():
    """An entry whose figure is backed (or gone) must be deleted: the list only shrinks."""
    stale = []
    for stem, figures in load_allow_list().items():
        path = ROOT / "notebooks" / f"{stem}.ipynb"
        if not path.exists():
            stale.append(f"{stem}: no such notebook")
            continue
        flagged = {f.text for f in unbacked_figures(_read(path))}
        stale += [f"{stem}: {text!r}" for text in figures if text not in flagged]
    assert not stale, f"delete these entries from {ALLOW_FILE.name}:\n" + "\n".join(stale)


# ---------------------------------------------------------------- the rules, on fixtures

def _notebook(markdown: str, printed: str) -> dict:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("print(...)")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    nb.cells = [code, nbformat.v4.new_markdown_cell(markdown)]
    return nb


@pytest.mark.parametrize(("markdown", "printed"), [
    ("The model reaches 91.4 % on the test set.", "test accuracy: 0.9141\n"),
    ("It misclassifies 8.6 % of the test set.", "test accuracy: 0.9141\n"),
    ("The rate is 99.50 %.", "99.5\n"),
    ("Training took 2.0 s.", "fit: 1.98 seconds\n"),
    ("The run took 0.3 min.", "wall 17.2\n"),
    ("The loss ends at 7.65e-04.", "final loss 0.000765\n"),
    ("The loss ends at 0.312.", "loss 0.31249\n"),
    ("AlexNet won with 15.3 % top-5 error [7].", "nothing printed here\n"),
    ("| AlexNet | 2012 | 15.3 % | [7] |", "\n"),
    ("It has 60 parameters and 3 layers; 7.3 is short.", "\n"),
    ("Use Python ≥ 3.10 and TensorFlow 2.20–2.21; see section 5.10.", "\n"),
    ("Code `lr = 0.0125` and math $0.333$ are not prose.", "\n"),
])
def test_backed_figures_pass(markdown, printed):
    assert unbacked_figures(_notebook(markdown, printed)) == []


@pytest.mark.parametrize(("markdown", "printed", "figure"), [
    ("The model reaches 91.7 % on the test set.", "test accuracy: 0.9141\n", "91.7 %"),
    ("Training took 3.0 s.", "fit: 1.98 seconds\n", "3.0 s"),
    ("The loss ends at 0.313.", "loss 0.31249\n", "0.313"),
    ("17 s in the last full run.", "wall 32.4\n", "17 s"),
    ("AlexNet won with 15.3 % top-5 error. The runner-up had 26.2 % [7].", "\n", "15.3 %"),
])
def test_unbacked_figures_are_flagged(markdown, printed, figure):
    assert [f.text for f in unbacked_figures(_notebook(markdown, printed))] == [figure]


def test_a_figure_changed_by_hand_in_a_real_notebook_is_caught():
    """Take notebook 02 as committed, quote a printed value in its prose (backed), then the
    same value edited by hand (flagged)."""
    nb = _read(ROOT / "notebooks" / "02_tensors_and_autodiff.ipynb")
    edited = copy.deepcopy(nb)
    cell = next(c for c in edited["cells"] if c["cell_type"] == "markdown"
                and "## Summary" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]) + "\n- The hand-written loop ends at w = 2.0871.\n"
    honest = copy.deepcopy(nb)
    honest_cell = next(c for c in honest["cells"] if c["cell_type"] == "markdown"
                       and "## Summary" in "".join(c["source"]))
    honest_cell["source"] = "".join(honest_cell["source"]) + "\n- The loop ends at w = 2.0864.\n"
    before = {f.text for f in unbacked_figures(honest)}
    after = {f.text for f in unbacked_figures(edited)}
    assert "2.0864" not in before, "the printed value should back the honest sentence"
    assert "2.0871" in after, "a figure edited by hand must be flagged"


def test_figure_text_is_normalised_for_the_allow_list():
    texts = [f.text for f in figures_in("Took 12.5 minutes, 744 s; 99.5% and 0.8796.")]
    assert texts == ["12.5 minutes", "744 s", "99.5 %", "0.8796"]
