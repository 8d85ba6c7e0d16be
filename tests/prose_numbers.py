"""Find the measured-looking figures in a notebook's prose and the outputs that back them.

Used by ``tests/test_prose_numbers.py``; the rules are written down there.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOW_FILE = ROOT / "tests" / "prose_numbers_allow.toml"

NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:e[-+]?\d+)?"
# A percentage, a time, or a bare decimal. Order matters: the first two win over the third.
FIGURE = re.compile(
    rf"(?<![\w.])(?P<num>{NUMBER})"
    r"(?:\s?(?P<pct>%|per ?cent\b)"
    r"|\s?(?P<unit>ms|µs|s|sec|seconds?|min|minutes?|h|hours?)(?![\w]))?",
)
# Numbers that are names, not measurements: versions, section/exercise numbers, dates.
NAME_BEFORE = re.compile(
    r"(?:Python|TensorFlow|Keras|NumPy|JAX|PyTorch|CUDA|version|v|section|sections|Section|"
    r"Exercise|Exercises|Table|Tables|Figure|Fig\.|Eq\.|Algorithm|ε|step|notebook|"
    r"Inception-v|ResNet-|VGG-|§|doi:|arXiv:|/)\s*[≥>=<≤~]*\s*$"
    r"|(?:Python|TensorFlow|Keras|NumPy)\s*[\d.]+\s*[–-]\s*$"
)
HEADING_NUMBER = re.compile(r"^(#+\s*)[\d.]+", re.M)
REFERENCES = re.compile(r"\s*#+\s*References\b")
CITATION = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
CODE_FENCE = re.compile(r"```.*?```", re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z(*\"“])|\n\s*\n|\n(?=\s*[-*\d]+[.)]?\s)")
OUTPUT_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TIME_IN_SECONDS = {"ms": 1e-3, "µs": 1e-6, "s": 1.0, "sec": 1.0, "second": 1.0,
                   "seconds": 1.0, "min": 60.0, "minute": 60.0, "minutes": 60.0,
                   "h": 3600.0, "hour": 3600.0, "hours": 3600.0}


@dataclass(frozen=True)
class Figure:
    text: str  # as normalised for the allow-list: "99.5 %", "2.0 s", "0.9141"
    value: float
    decimals: int
    kind: str  # "percent", "time" or "decimal"
    unit: str  # for times
    context: str  # the sentence or table row it stands in


def _significant_digits(num: str) -> int:
    digits = num.replace(",", "").partition("e")[0].replace(".", "").lstrip("0")
    return len(digits)


def _units(text: str) -> list[str]:
    """Split prose into sentences, list items and table rows (the scope of a citation)."""
    pieces = []
    for block in re.split(r"\n(?=\s*\|)|(?<=\|)\n", text):
        if block.lstrip().startswith("|"):
            pieces.extend(line for line in block.splitlines() if line.strip())
        else:
            pieces.extend(SENTENCE_END.split(block))
    return pieces


def _clean(markdown: str) -> str:
    text = HEADING_NUMBER.sub(" ", markdown)
    text = CODE_FENCE.sub(" ", text)
    text = CODE_SPAN.sub(" ", text)
    text = MATH.sub(" ", text)
    text = LINK_TARGET.sub("]", text)
    return text


def figures_in(markdown: str) -> list[Figure]:
    """The measured-looking figures of one markdown cell, each with its sentence or row."""
    found = []
    for unit in _units(_clean(markdown)):
        for m in FIGURE.finditer(unit):
            num = m.group("num")
            before = unit[max(0, m.start() - 20):m.start()]
            if NAME_BEFORE.search(before):
                continue
            after = unit[m.end():m.end() + 1]
            if after in ".-" and unit[m.end():m.end() + 2][1:].isdigit():
                continue  # a version or a date such as 3.11.7 or 2.20-2.21
            value = float(num.replace(",", ""))
            mantissa, _, exponent = num.replace(",", "").partition("e")
            decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
            decimals -= int(exponent or 0)
            if m.group("pct"):
                kind, shown, unit_name = "percent", f"{num} %", "%"
            elif m.group("unit"):
                unit_name = m.group("unit")
                kind, shown = "time", f"{num} {unit_name}"
            elif "." in num and _significant_digits(num) >= 3:
                kind, shown, unit_name = "decimal", num, ""
            else:
                continue
            if 1000 <= value <= 2100 and decimals == 0 and kind == "time" and unit_name == "s":
                continue  # "the 1980s"
            found.append(Figure(shown, value, decimals, kind, unit_name, unit.strip()))
    return found


def output_numbers(cell_outputs: list) -> list[float]:
    """Every number printed in the outputs of a list of cells (text, not images)."""
    numbers = []
    for outputs in cell_outputs:
        for out in outputs:
            texts = []
            if out.get("output_type") == "stream":
                text = out.get("text", "")
                texts.append(text if isinstance(text, str) else "".join(text))
            for key in ("text/plain", "text/markdown", "text/html"):
                data = out.get("data", {}).get(key)
                if data:
                    texts.append(data if isinstance(data, str) else "".join(data))
            for text in texts:
                text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
                for token in OUTPUT_NUMBER.findall(text):
                    try:
                        value = float(token)
                    except ValueError:
                        continue
                    if math.isfinite(value):
                        numbers.append(value)
    return numbers


def _close(candidate: float, fig: Figure) -> bool:
    """Does ``candidate`` read as ``fig`` when rounded to the figure's decimals?"""
    half = 0.5 * 10 ** -fig.decimals
    return abs(abs(candidate) - fig.value) <= half * (1 + 1e-9) + 1e-12


def backed_by(fig: Figure, numbers: list[float]) -> bool:
    """True when some printed number, in one of the accepted forms, rounds to the figure."""
    for x in numbers:
        candidates = [x]
        if fig.kind == "percent":
            if 0 <= x <= 1:  # a fraction, or the error rate of a printed accuracy
                candidates += [100 * x, 100 * (1 - x)]
            elif 50 <= x <= 100:  # the error rate of an accuracy printed in per cent
                candidates.append(100 - x)
        if fig.kind == "time":
            for factor in (1e-6, 1e-3, 1.0, 60.0, 3600.0):  # a printed time in another unit
                candidates.append(x * factor / TIME_IN_SECONDS.get(fig.unit, 1.0))
        if fig.kind == "decimal":
            candidates += [100 * x, x / 100]
        if any(_close(c, fig) for c in candidates):
            return True
    return False


def cited(fig: Figure) -> bool:
    return bool(CITATION.search(fig.context))


def unbacked_figures(nb: dict) -> list[Figure]:
    """The figures of a notebook's markdown that no output and no citation backs."""
    cells = nb["cells"]
    numbers = output_numbers([c.get("outputs", []) for c in cells if c["cell_type"] == "code"])
    flagged = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if REFERENCES.match(source):
            continue  # volumes, pages, DOIs and arXiv numbers of the cited papers
        for fig in figures_in(source):
            if not cited(fig) and not backed_by(fig, numbers):
                flagged.append(fig)
    return flagged


def load_allow_list(path: Path = ALLOW_FILE) -> dict[str, dict[str, str]]:
    """``{notebook stem: {figure text: reason}}`` from the allow-list file."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    allowed: dict[str, dict[str, str]] = {}
    for entry in data.get("allow", []):
        missing = {"notebook", "figure", "reason"} - set(entry)
        if missing:
            raise ValueError(f"{path.name}: entry {entry} lacks {sorted(missing)}")
        if not entry["reason"].strip():
            raise ValueError(f"{path.name}: entry {entry} has an empty reason")
        allowed.setdefault(entry["notebook"], {})[entry["figure"]] = entry["reason"]
    return allowed
