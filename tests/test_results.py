"""record(), the run stamp, the results files and the results runner on tiny notebooks."""

import json
import os
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

import course_utils.stamp as stamp_module
from course_utils import headline, report, results, runner
from course_utils.calibrate import REFERENCE_IMAGES_PER_SECOND, normalised_stamp_seconds
from course_utils.stamp import STAMP_KEY, RunStamp, StampError

ROOT = Path(__file__).resolve().parent.parent
#: A calibration record as course_utils.calibrate writes it: a machine at half the
#: reference speed (so the reference machine needs half the time).
FAKE_CALIBRATION = {
    "images_per_second": REFERENCE_IMAGES_PER_SECOND / 2,
    "samples": [REFERENCE_IMAGES_PER_SECOND / 2] * 3,
    "cpu": "Test CPU", "isa": "AVX2", "flags": ["avx2", "avx", "fma"],
    "date": "2026-12-07T00:00:00Z", "workload": {"images_per_repeat": 30720},
    "tensorflow": "2.21.0", "reference_images_per_second": REFERENCE_IMAGES_PER_SECOND,
    "speed_factor": 0.5,
}


def test_record_is_silent_and_appends_to_the_runner_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "metrics.jsonl"
    monkeypatch.setenv(results.ENV_VAR, str(target))
    assert results.record("test_accuracy", 0.91234) == 0.91234
    results.record("test_accuracy", 0.95)
    results.record("model", "cnn")
    assert capsys.readouterr().out == ""  # the notebook says it in words, not an echo
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
    assert ("| 08_cnn_mnist | test_accuracy | 0.9951 | — | 2.1 min | not calibrated "
            "| Test CPU, 2 cores") in table
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
    assert executed.metadata["course_run"] == stamp.to_dict()
    assert stamp.profile == "smoke" and stamp.metrics == {"answer": 42}
    assert stamp.code_sha256 == runner.code_sha256(executed)
    assert stamp.calibration is None and "calibration" not in executed.metadata["course_run"]
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


# ---------------------------------------------------------------- the stamp schema


def _stamp(**changes):
    fields = {
        "profile": "full", "wall_seconds": 400.0,
        "metrics": {"test_accuracy": 0.9951, "train_seconds": 361.0, "model": "cnn"},
        "machine": {"cpu": "Test CPU", "cores": 2, "gpu": "none", "system": "Linux"},
        "versions": {"python": "3.11", "tensorflow": "2.21.0", "keras": "3.15.1"},
        "code_sha256": "ab" * 32, "date": "2026-12-07T10:00:00Z",
    }
    return {**fields, **changes}


def test_every_committed_stamp_and_results_entry_fits_the_schema():
    entries = json.loads((ROOT / "results" / "results.json").read_text())["notebooks"]
    for name, entry in entries.items():
        assert RunStamp.from_dict(entry).code_sha256 == entry["code_sha256"], name
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        data = nbformat.read(path, as_version=4).metadata.get(STAMP_KEY)
        if data is not None:
            assert RunStamp.from_dict(data).to_dict() == data, path.name


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"profile": "fast"}, "profile must be one of"),
        ({"code_sha256": "abc"}, "64 hex digits"),
        ({"date": "yesterday"}, "date must read like"),
        ({"wall_seconds": -1}, "wall_seconds must be a number"),
        ({"metrics": [1]}, "metrics must be a dict"),
        ({"calibration": "fast"}, "calibration must be a dict"),
    ],
)
def test_stamp_rejects_malformed_fields(changes, fragment):
    with pytest.raises(StampError, match=fragment):
        RunStamp.from_dict(_stamp(**changes))


def test_stamp_names_missing_fields_and_round_trips_optional_ones():
    data = _stamp()
    del data["date"], data["machine"]
    with pytest.raises(StampError, match="without machine, date"):
        RunStamp.from_dict(data)
    assert isinstance(StampError("x"), ValueError)
    old = RunStamp.from_dict(_stamp())
    assert old.calibration is None and "calibration" not in old.to_dict()
    assert normalised_stamp_seconds(old) == {}
    new = RunStamp.from_dict(_stamp(calibration=FAKE_CALIBRATION))
    assert new.to_dict()["calibration"] == FAKE_CALIBRATION
    # 3000 images/s here, 6000 on the reference: the reference takes half as long
    assert normalised_stamp_seconds(new) == {"wall_seconds": 200.0, "train_seconds": 180.5}


def test_stamp_key_and_hash_are_also_importable_from_the_runner():
    assert runner.STAMP_KEY == STAMP_KEY == "course_run"
    assert runner.code_sha256 is stamp_module.code_sha256


# ---------------------------------------------------------------- calibrated results


def test_results_record_calibration_and_normalised_times_beside_old_entries(tmp_path):
    report.update_results({"07_old": _stamp()}, tmp_path)
    data = report.update_results(
        {"08_new": RunStamp.from_dict(_stamp(calibration=FAKE_CALIBRATION))}, tmp_path,
        calibration=FAKE_CALIBRATION)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved == data and list(saved) == ["calibration", "notebooks"]
    assert saved["calibration"] == FAKE_CALIBRATION
    new, old = saved["notebooks"]["08_new"], saved["notebooks"]["07_old"]
    assert new["calibration"] == FAKE_CALIBRATION
    assert new["normalised_seconds"] == {"wall_seconds": 200.0, "train_seconds": 180.5}
    assert "calibration" not in old and "normalised_seconds" not in old
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| 08_new | train_seconds | 361.0 | 180.5 | 6.7 min | 3.3 min |" in table
    assert "| 08_new | test_accuracy | 0.9951 | — | 6.7 min | 3.3 min |" in table
    assert "| 07_old | train_seconds | 361.0 | not calibrated | 6.7 min | not calibrated |" in table
    # a later run without a new calibration keeps the file's calibration
    again = report.update_results({"07_old": _stamp()}, tmp_path)
    assert again["calibration"] == FAKE_CALIBRATION


def test_update_readme_can_maintain_another_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- x:start -->\nold\n<!-- x:end -->\nb\n")
    data = {"notebooks": {"08": _stamp()}}
    assert not report.update_readme(data, readme)  # no results markers in it
    assert report.update_readme(data, readme, start="<!-- x:start -->", end="<!-- x:end -->",
                                render=lambda d: f"{len(d['notebooks'])} notebook")
    assert readme.read_text() == "a\n<!-- x:start -->\n1 notebook\n<!-- x:end -->\nb\n"


def test_report_command_rerenders_tables_from_results_json(tmp_path, monkeypatch, capsys):
    report.update_results({"08_new": _stamp(calibration=FAKE_CALIBRATION)}, tmp_path)
    (tmp_path / "RESULTS.md").write_text("old")
    readme = tmp_path / "README.md"
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(report, "README", readme)
    calls = []
    monkeypatch.setattr(headline, "update", lambda *args: calls.append(args) or [{}, {}])
    assert report.main([]) == 0
    assert "| 08_new | train_seconds | 361.0 | 180.5 |" in (tmp_path / "RESULTS.md").read_text()
    # the README's table at a glance comes from course_utils.headline (tested there)
    [(data, readme_arg, figure_arg)] = calls
    assert list(data["notebooks"]) == ["08_new"]
    assert (readme_arg, figure_arg) == (readme, tmp_path / "headline.png")
    assert "headline table (2 tasks)" in capsys.readouterr().out
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path / "none")
    assert report.main([]) == 1 and "run `make results` first" in capsys.readouterr().err


# ---------------------------------------------------------------- the runner


class _ReadOnlyEnviron(dict):
    """os.environ stand-in that fails the test when the runner edits it."""

    def _refuse(self, *args, **kwargs):
        raise AssertionError("the runner edited its own os.environ")

    __setitem__ = __delitem__ = update = pop = setdefault = clear = _refuse


def test_runner_hands_the_kernel_its_environment_without_editing_its_own(
        tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    env = runner.kernel_env("smoke", tmp_path / "m.jsonl")
    assert env["COURSE_PROFILE"] == "smoke" and env["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert env[results.ENV_VAR] == str(tmp_path / "m.jsonl")
    assert "COURSE_PROFILE" not in os.environ
    nb = _nb("import os\nprint(os.environ['COURSE_PROFILE'], os.environ['TF_CPP_MIN_LOG_LEVEL'])")
    path = tmp_path / "98_env.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(runner, "os", SimpleNamespace(environ=_ReadOnlyEnviron(os.environ)))
    runner.execute_notebook(path, profile="smoke", timeout=120)
    assert nbformat.read(path, as_version=4).cells[1].outputs[0]["text"] == "smoke 3\n"


def test_results_run_measures_the_machine_once_and_normalises(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, seconds in (("01_a", 12.0), ("02_b", 30.0)):
        nbformat.write(_nb(f"from course_utils.results import record\n"
                           f"record('train_seconds', {seconds})"), folder / f"{name}.ipynb")
    calls = []
    monkeypatch.setattr(runner, "measure_machine", lambda: calls.append(1) or FAKE_CALIBRATION)
    monkeypatch.setattr(runner, "NOTEBOOKS", folder)
    monkeypatch.setattr(runner, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(runner, "README", tmp_path / "README.md")
    monkeypatch.setattr(runner, "LOCK_PATH", tmp_path / "lock")
    headlines = []
    monkeypatch.setattr(headline, "update", lambda *args: headlines.append(args[1:]) or [])
    assert runner.main([]) == 0
    assert calls == [1]
    # after each notebook, the README's table at a glance is redrawn (into the tmp folder)
    assert headlines == [(tmp_path / "README.md", tmp_path / "results" / "headline.png")] * 2
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    assert data["calibration"] == FAKE_CALIBRATION
    for name, seconds in (("01_a", 12.0), ("02_b", 30.0)):
        entry = data["notebooks"][name]
        assert entry["calibration"] == FAKE_CALIBRATION
        assert entry["normalised_seconds"]["train_seconds"] == seconds / 2
        stamped = nbformat.read(folder / f"{name}.ipynb", as_version=4).metadata[STAMP_KEY]
        assert stamped["calibration"] == FAKE_CALIBRATION and stamped["profile"] == "full"


def test_run_lock_excludes_a_second_holder(tmp_path):
    from filelock import FileLock, Timeout

    path = tmp_path / "lock"
    with runner.run_lock(path):
        with pytest.raises(Timeout):
            FileLock(str(path)).acquire(timeout=0)
    FileLock(str(path)).acquire(timeout=0)
