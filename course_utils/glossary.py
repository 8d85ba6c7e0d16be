"""The bilingual glossary: every "term (中文)" the notebooks introduce, in one sorted page.

The notebooks write each key term once as ``**term (中文)**``. This module finds those
occurrences in the notebooks' Markdown cells, matches each one to an entry of
``docs/glossary.toml`` (English, 中文, other English spellings, a one-line definition) and
writes ``GLOSSARY.md``: the terms sorted, each with the notebook that introduces it, and an
index by notebook. ``tests/test_glossary.py`` checks that the two agree.

    python -m course_utils.glossary          # rewrite GLOSSARY.md
    python -m course_utils.glossary --check  # exit 1 if GLOSSARY.md is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "docs" / "glossary.toml"
OUTPUT = ROOT / "GLOSSARY.md"

CJK = re.compile(r"[\u3400-\u9fff]")
# A parenthesis (ASCII or full-width) whose content holds at least one Chinese character.
PAREN = re.compile(r"[(（]([^()（）]{0,80}?[\u3400-\u9fff][^()（）]{0,80}?)[)）]")
NOTEBOOK_NAME = re.compile(r"^\d\d_.+\.ipynb$")


class GlossaryError(ValueError):
    """The glossary data file is malformed or disagrees with the notebooks."""


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    definition: str
    aliases: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.en.lower()).strip("-")


@dataclass(frozen=True)
class Occurrence:
    notebook: str  # stem, e.g. "08_cnn_mnist"
    before: str  # the normalised English text just before the parenthesis
    inner_en: tuple[str, ...]  # English parts inside the parenthesis ("CI", "bigrams")
    zh: str  # the Chinese part
    raw: str  # the parenthesis as written, for messages


def normalise(text: str) -> str:
    """Lower case, Markdown emphasis and code marks removed, whitespace collapsed."""
    text = re.sub(r"[*`]", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def load_terms(path: Path = DATA) -> list[Term]:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: it holds the glossary's definitions")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for i, item in enumerate(raw.get("term", [])):
        missing = {"en", "zh", "definition"} - set(item)
        if missing:
            raise GlossaryError(f"{path.name}: term #{i + 1} lacks {sorted(missing)}")
        aliases = (item["en"], *item.get("aliases", []))
        terms.append(Term(item["en"], item["zh"], item["definition"].strip(),
                          tuple(normalise(a) for a in aliases)))
    if not terms:
        raise GlossaryError(f"{path.name} defines no [[term]] entries")
    return terms


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every numbered notebook, in course order (a new one is picked up automatically)."""
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def occurrences(path: Path) -> list[Occurrence]:
    """Every "(中文)" parenthesis in the notebook's Markdown cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for match in PAREN.finditer(src):
            content = re.sub(r"[*`]", "", match.group(1)).split(";", 1)[0]
            parts = [p.strip() for p in content.split(",")]
            zh = [p for p in parts if CJK.search(p)]
            inner = tuple(normalise(p) for p in parts if p and not CJK.search(p))
            line_start = src.rfind("\n\n", 0, match.start())
            before = normalise(src[max(line_start, match.start() - 120, 0):match.start()])
            found.append(Occurrence(path.stem, before, inner, zh[0], match.group(0)))
    return found


def _ends_with(text: str, alias: str) -> bool:
    if not text.endswith(alias):
        return False
    cut = len(text) - len(alias)
    return cut == 0 or not text[cut - 1].isalnum()


def match(occ: Occurrence, terms: list[Term]) -> Term | None:
    """The entry an occurrence names: an English part inside the parenthesis, else the
    longest entry spelling the preceding text ends with ("vanishing gradient" beats
    "gradient")."""
    for term in terms:
        if any(_ends_with(part, a) for part in occ.inner_en for a in term.aliases):
            return term
    best: tuple[int, Term] | None = None
    for term in terms:
        for alias in term.aliases:
            if _ends_with(occ.before, alias) and (best is None or len(alias) > best[0]):
                best = (len(alias), term)
    return best[1] if best else None


def collect(terms: list[Term], folder: Path = NOTEBOOKS):
    """Map each term to the notebooks that use it; list the problems found."""
    used: dict[str, list[str]] = {t.en: [] for t in terms}
    problems: list[str] = []
    for path in notebook_paths(folder):
        for occ in occurrences(path):
            term = match(occ, terms)
            if term is None:
                problems.append(f"{occ.notebook}: '…{occ.before[-40:]} {occ.raw}' is not in "
                                f"{DATA.name}: add the term (or an alias) there")
            elif term.zh != occ.zh:
                problems.append(f"{occ.notebook}: {term.en!r} is written {occ.raw}, but the "
                                f"glossary (and the other notebooks) say {term.zh!r}")
            elif occ.notebook not in used[term.en]:
                used[term.en].append(occ.notebook)
    return used, problems


def _sort_key(term: Term) -> str:
    return term.en.lower()


def render(terms: list[Term], used: dict[str, list[str]], link_prefix: str = "notebooks/",
           link_suffix: str = ".ipynb") -> str:
    """GLOSSARY.md: an A–Z table, then an index by notebook."""
    lines = [
        "# Glossary · 术语表",
        "",
        "Every key term the notebooks introduce as \"term (中文)\", with a one-line "
        "definition and the notebook that introduces it. Generated by "
        "`python -m course_utils.glossary` from the notebooks and `docs/glossary.toml`; "
        "do not edit by hand.",
        "",
        "| English | 中文 | definition | introduced in |",
        "|---|---|---|---|",
    ]
    introduced: dict[str, list[Term]] = {}
    for term in sorted(terms, key=_sort_key):
        first = used[term.en][0] if used[term.en] else ""
        introduced.setdefault(first, []).append(term)
        link = f"[{first[:2]}]({link_prefix}{first}{link_suffix})" if first else "—"
        lines.append(f"| <span id=\"{term.anchor}\"></span>**{term.en}** | {term.zh} | "
                     f"{term.definition.replace('|', chr(92) + '|')} | {link} |")
    lines += ["", "## Index by notebook", ""]
    for stem in sorted(introduced):
        names = ", ".join(f"<a href=\"#{t.anchor}\">{t.en}</a>" for t in introduced[stem])
        lines.append(f"- [{stem}]({link_prefix}{stem}{link_suffix}): {names}")
    return "\n".join(lines) + "\n"


def build(folder: Path = NOTEBOOKS, data: Path = DATA) -> tuple[str, list[str]]:
    terms = load_terms(data)
    used, problems = collect(terms, folder)
    problems += [f"{en!r} is in {data.name} but no notebook uses it: remove it"
                 for en, stems in used.items() if not stems]
    return render(terms, used), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if GLOSSARY.md is stale")
    args = parser.parse_args(argv)
    text, problems = build()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print("GLOSSARY.md is out of date: run python -m course_utils.glossary",
                  file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
