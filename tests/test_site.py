"""The website's sources (no Sphinx needed): markers hidden, every notebook in the map."""

from course_utils import headline, site


def test_tool_markers_are_removed_from_code_only():
    nb = {"cells": [
        {"cell_type": "code", "source": "# NBVAL_CHECK_OUTPUT\nprint(1)  # keep\n"},
        {"cell_type": "code", "source": ["# NBVAL_IGNORE_OUTPUT\n", "x = 2\n"]},
        {"cell_type": "markdown", "source": "Cells marked `# NBVAL_CHECK_OUTPUT` are compared."},
    ]}
    cells = site.strip_markers(nb)["cells"]
    assert cells[0]["source"] == "print(1)  # keep\n" and cells[1]["source"] == "x = 2\n"
    assert "NBVAL_CHECK_OUTPUT" in cells[2]["source"]


def test_home_page_maps_every_notebook_found_even_a_new_one():
    readme = site.ROOT.joinpath("README.md").read_text(encoding="utf-8")
    data, tasks = headline.load()
    stems = [p.stem for p in site.glossary.notebook_paths()] + ["13_not_yet_written"]
    page = site.home_page(readme, stems, data, tasks)
    for stem in stems:
        assert f"[{stem}](notebooks/{stem}.ipynb)" in page and f"notebooks/{stem}\n" in page
    assert "| 13 | [13_not_yet_written](notebooks/13_not_yet_written.ipynb) |  | not yet run |" \
        in page
    wall = data["notebooks"]["08_cnn_mnist"]["wall_seconds"] / 60
    assert f"| {wall:.1f} min |" in page
    assert headline.headline_table(headline.headline_rows(data, tasks)) in page
    assert "make lab" in page and "make test" in page
