"""The results at a glance: intervals, the headline table and figure, the README block."""

import json

import pytest

from course_utils import headline


def test_wilson_matches_a_known_interval():
    # Wilson 95 % interval for 90 successes out of 100: 0.8256 to 0.9448.
    low, high = headline.wilson(0.9, 100)
    assert low == pytest.approx(0.8256, abs=1e-4) and high == pytest.approx(0.9448, abs=1e-4)
    assert headline.wilson(1.0, 245)[1] == 1.0 and headline.wilson(0.0, 10)[0] == 0.0


def test_wilson_rejects_bad_input():
    with pytest.raises(ValueError, match="n > 0"):
        headline.wilson(0.5, 0)


def test_percent_never_rounds_across_a_target():
    assert headline.pct(0.88996) == "88.996 %" and headline.pct(0.9229) == "92.29 %"


def test_rows_read_results_json_and_recorded_intervals_win():
    data, tasks = headline.load()
    rows = headline.headline_rows(data, tasks)
    assert [r["notebook"] for r in rows] == [t["notebook"] for t in tasks]
    for row in rows:
        metrics = data["notebooks"][row["notebook"]]["metrics"]
        assert row["ours"] == metrics["test_accuracy"]
        assert row["low"] < row["ours"] < row["high"]
    data["notebooks"]["08_cnn_mnist"]["metrics"] |= {"test_ci_low": 0.9, "test_ci_high": 0.99}
    row = headline.headline_rows(data, tasks)[0]
    assert (row["low"], row["high"], row["interval"]) == (0.9, 0.99, "recorded")


def test_a_missing_metric_names_the_notebook_and_the_fix():
    data, tasks = headline.load()
    del data["notebooks"]["09_cnn_cifar10"]["metrics"]["baseline_test_accuracy"]
    with pytest.raises(headline.ReportError, match="09_cnn_cifar10 .*baseline_test_accuracy"):
        headline.headline_rows(data, tasks)


def test_update_rewrites_only_the_block_and_writes_the_figure(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{headline.START}\nold\n{headline.END}\nend\n")
    rows = headline.update(readme=readme, figure_path=tmp_path / "h.png")
    text = readme.read_text()
    assert "old" not in text and text.startswith("intro\n") and text.endswith("end\n")
    assert len(rows) == 4 and (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    assert headline.pct(rows[0]["ours"]) in text


def test_the_committed_readme_shows_the_current_results():
    data, tasks = headline.load()
    block = headline.readme_block(headline.headline_rows(data, tasks))
    assert block in headline.README.read_text(encoding="utf-8"), (
        "README's headline table is stale: run python -m course_utils.report")


def test_anchors_file_is_well_formed():
    tasks = json.loads(headline.ANCHORS.read_text())["tasks"]
    for task in tasks:
        for anchor in task["anchors"]:
            assert anchor["kind"] in {"measured", "published"}
            if anchor["kind"] == "published":
                assert 0 < anchor["value"] <= 1 and anchor["citation"]
