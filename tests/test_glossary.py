"""The bilingual glossary agrees with the notebooks: one Chinese name per term, no term
missing, none unused, GLOSSARY.md up to date."""

import json

import pytest

from course_utils import glossary


@pytest.fixture(scope="module")
def terms():
    return glossary.load_terms()


def test_every_term_in_the_notebooks_is_in_the_glossary_with_the_same_chinese(terms):
    _, problems = glossary.collect(terms)
    assert problems == []


def test_no_glossary_term_is_unused(terms):
    used, _ = glossary.collect(terms)
    assert [en for en, stems in used.items() if not stems] == []


def test_one_chinese_name_per_term_and_one_term_per_chinese_name(terms):
    by_en = [t.en.lower() for t in terms]
    by_zh = [t.zh for t in terms]
    assert sorted({x for x in by_en if by_en.count(x) > 1}) == []
    assert sorted({x for x in by_zh if by_zh.count(x) > 1}) == []
    spellings = [a for t in terms for a in t.aliases]
    assert sorted({a for a in spellings if spellings.count(a) > 1}) == []


def test_every_term_has_a_one_line_definition(terms):
    for term in terms:
        assert term.definition and "\n" not in term.definition, term.en
        assert len(term.definition) <= 200, f"{term.en}: keep the definition to one line"


def test_generated_glossary_is_up_to_date():
    text, problems = glossary.build()
    assert problems == []
    assert glossary.OUTPUT.read_text(encoding="utf-8") == text, (
        "GLOSSARY.md is out of date: run python -m course_utils.glossary")


def _notebook(tmp_path, name, markdown):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    (tmp_path / name).write_text(json.dumps({"cells": cells, "metadata": {},
                                             "nbformat": 4, "nbformat_minor": 5}))


def test_a_second_translation_is_caught(tmp_path, terms):
    _notebook(tmp_path, "01_a.ipynb", ["The **dropout (随机失活)** layer."])
    _notebook(tmp_path, "02_b.ipynb", ["- **Dropout** (丢弃法; Srivastava et al. [8])"])
    used, problems = glossary.collect(terms, tmp_path)
    assert used["dropout"] == ["01_a"]
    assert len(problems) == 1 and "丢弃法" in problems[0] and "随机失活" in problems[0]


def test_an_unknown_term_is_caught_and_the_longest_spelling_wins(tmp_path, terms):
    _notebook(tmp_path, "03_c.ipynb", [
        "the **vanishing gradient (梯度消失)** and a **gradient (梯度)**",
        "a **flux capacitor (通量电容器)**",
        "a new notebook's term: keeps a hidden state\n(隐藏状态)",
    ])
    used, problems = glossary.collect(terms, tmp_path)
    assert used["vanishing gradient"] == used["gradient"] == used["hidden state"] == ["03_c"]
    assert len(problems) == 1 and "flux capacitor" in problems[0]


def test_missing_data_file_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="glossary.toml is missing"):
        glossary.load_terms(tmp_path / "glossary.toml")
