"""record() and the results runner's pure parts (hashing, tables, README)."""

import json

import nbformat
import pytest

from course_utils import results, runner


def test_record_prints_and_appends_to_the_runner_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "metrics.jsonl"
    monkeypatch.setenv(results.ENV_VAR, str(target))
    assert results.record("test_accuracy", 0.91234) == 0.91234
    results.record("test_accuracy", 0.95)
    results.record("model", "cnn")
    assert "[result] test_accuracy = 0.9123" in capsys.readouterr().out
    assert results.read_recorded(target) == {"test_accuracy": 0.95, "model": "cnn"}


def test_record_accepts_numpy_scalars(monkeypatch):
    import numpy as np

    monkeypatch.delenv(results.ENV_VAR, raising=False)
    value = results.record("train_seconds", np.float32(12.5))
    assert value == 12.5 and type(value) is float


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("Test Accuracy", 0.9, "snake_case"),
        ("acc", float("nan"), "not finite"),
        ("acc", [0.9], "number or a string"),
        ("acc", True, "number or a string"),
    ],
)
def test_record_rejects_bad_input(name, value, fragment):
    with pytest.raises(ValueError, match=fragment):
        results.record(name, value)


def _nb(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T")] + [
        nbformat.v4.new_code_cell(s) for s in sources
    ]
    return nb


def test_code_hash_changes_with_code_but_not_with_outputs_or_markdown():
    nb = _nb("x = 1", "print(x)")
    before = runner.code_sha256(nb)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[0].source = "# Another title"
    assert runner.code_sha256(nb) == before
    nb.cells[2].source = "print(x + 1)"
    assert runner.code_sha256(nb) != before


def test_update_results_merges_and_writes_table_and_readme(tmp_path):
    stamp = {
        "profile": "full", "wall_seconds": 125.0, "metrics": {"test_accuracy": 0.9951},
        "machine": {"cpu": "Test CPU", "cores": 2, "gpu": "none", "system": "Linux"},
        "versions": {"python": "3.11", "tensorflow": "2.21.0", "keras": "3.15.1"},
        "code_sha256": "ab" * 32, "date": "2026-11-26T00:00:00Z",
    }
    runner.update_results({"08_cnn_mnist": stamp}, tmp_path)
    data = runner.update_results({"01_history": {**stamp, "metrics": {}}}, tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert list(saved["notebooks"]) == ["01_history", "08_cnn_mnist"] == list(data["notebooks"])
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| 08_cnn_mnist | test_accuracy | 0.9951 | 2.1 min | Test CPU, 2 cores" in table
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{runner.README_START}\nold\n{runner.README_END}\nend\n")
    assert runner.update_readme(data, readme)
    text = readme.read_text()
    assert "old" not in text and "0.9951" in text and text.endswith("end\n")


def test_find_notebooks_names_missing_prefix(tmp_path):
    (tmp_path / "00_start_here.ipynb").write_text("{}")
    assert [p.name for p in runner.find_notebooks(None, tmp_path)] == ["00_start_here.ipynb"]
    with pytest.raises(ValueError, match="no notebook in .* starts with 42"):
        runner.find_notebooks(["42"], tmp_path)


def test_execute_notebook_stamps_and_collects_metrics(tmp_path):
    nb = _nb(
        "from course_utils.profile import get_profile\nprint(get_profile())",
        "from course_utils.results import record\nrecord('answer', 42)",
    )
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    stamp = runner.execute_notebook(path, profile="smoke", timeout=120)
    executed = nbformat.read(path, as_version=4)
    assert executed.metadata["course_run"] == stamp
    assert stamp["profile"] == "smoke" and stamp["metrics"] == {"answer": 42}
    assert stamp["code_sha256"] == runner.code_sha256(executed)
    assert executed.cells[1].outputs[0]["text"] == "smoke\n"


def test_portable_outputs_hides_machine_folders():
    import sys

    nb = _nb("import warnings")
    site_file = f"{sys.prefix}/lib/python3.11/site-packages/keras/x.py"
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=f"{site_file}:74: UserWarning: w\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": f"'{runner.ROOT}/a.txt'"}),
    ]
    assert runner.portable_outputs(nb) >= 2
    text = nb.cells[1].outputs[0]["text"] + nb.cells[1].outputs[1]["data"]["text/plain"]
    assert sys.prefix not in text and str(runner.ROOT) not in text
    assert "keras/x.py:74: UserWarning" in text and "<course>/a.txt" in text


def test_table_values_never_round_across_a_target():
    assert runner._fmt(0.9951, "test_accuracy") == "0.9951"
    assert runner._fmt(0.88996, "test_accuracy") == "0.88996"  # not "0.8900"
    assert runner._fmt(0.95, "test_accuracy") == "0.9500"
    assert runner._fmt(361.04, "train_seconds") == "361.0"
    assert runner._fmt(12.345, "params_millions") == "12.3"
    assert runner._fmt(7, "num_classes") == "7"


def test_start_here_runs_last_so_its_course_map_sees_the_new_times(tmp_path):
    for name in ("10_b.ipynb", "00_start_here.ipynb", "02_a.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in runner.find_notebooks(None, tmp_path)] == [
        "02_a.ipynb", "10_b.ipynb", "00_start_here.ipynb"]
    assert [p.name for p in runner.find_notebooks(["00", "02"], tmp_path)] == [
        "02_a.ipynb", "00_start_here.ipynb"]
