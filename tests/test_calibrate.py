"""course_utils.calibrate: normalisation arithmetic, CPU facts, records, one tiny real run."""

import json
import os
import subprocess

import pytest

from course_utils import calibrate, runner
from course_utils.calibrate import Calibration, CalibrationError

AVX512 = "model name\t: Test Xeon\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512_bf16\n"
AVX2 = "model name\t: Test EPYC\nflags\t\t: fpu sse2 avx avx2 fma\n"
OLD = "model name\t: Test Atom\nflags\t\t: fpu sse2 sse4_2\n"


def _record(**changes):
    data = {
        "images_per_second": 3000.0, "samples": [2900.0, 3000.0, 3100.0], "cpu": "Test CPU",
        "isa": "AVX2", "flags": ["avx2"], "date": "2026-12-07T00:00:00Z",
        "reference_images_per_second": 6000.0,
    }
    return {**data, **changes}


def test_normalised_time_is_the_time_on_the_reference_machine():
    # half the reference speed: the reference machine does the same work in half the time
    assert calibrate.normalise(361.0, 3000.0, 6000.0) == pytest.approx(180.5)
    # twice as fast here: the reference machine needs twice as long
    assert calibrate.normalise(100.0, 12000.0, 6000.0) == pytest.approx(200.0)
    assert calibrate.speed_factor(4500.0, 6000.0) == pytest.approx(0.75)
    assert calibrate.normalise(0, 3000.0, 6000.0) == 0.0
    # without an explicit reference, the constant stated in the README applies
    ref = calibrate.REFERENCE_IMAGES_PER_SECOND
    assert calibrate.normalise(60.0, ref) == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((10.0, 0.0, 6000.0), "images_per_second must be a positive number"),
        ((10.0, -5.0, 6000.0), "images_per_second must be a positive number"),
        ((10.0, True, 6000.0), "images_per_second must be a positive number"),
        ((10.0, 3000.0, -1.0), "the reference speed must be a positive number"),
        ((-1.0, 3000.0, 6000.0), "a duration must be a number >= 0"),
        (("10", 3000.0, 6000.0), "a duration must be a number >= 0"),
    ],
)
def test_normalise_rejects_bad_numbers(args, fragment):
    with pytest.raises(CalibrationError, match=fragment):
        calibrate.normalise(*args)
    assert issubclass(CalibrationError, ValueError)


def test_only_duration_metrics_are_normalised_and_never_without_calibration():
    metrics = {"train_seconds": 361.0, "first_fit_seconds": 2.0, "test_accuracy": 0.995,
               "latency_ms_per_clip": 2.3, "model": "cnn", "num_classes": 7}
    assert calibrate.normalised_metrics(metrics, _record(), 6000.0) == {
        "train_seconds": 180.5, "first_fit_seconds": 1.0}
    # by default, against the one reference speed the README states
    half = _record(images_per_second=calibrate.REFERENCE_IMAGES_PER_SECOND / 2)
    assert calibrate.normalised_metrics(metrics, half)["train_seconds"] == 180.5
    assert calibrate.normalised_metrics(metrics, None) == {}
    assert calibrate.normalised_metrics(metrics, {}) == {}
    assert calibrate.is_duration("baseline_train_seconds")
    assert not calibrate.is_duration("seconds_per_epoch")


def test_calibration_records_round_trip_and_reject_nonsense():
    record = Calibration.from_dict(_record(unknown_key=1))
    assert record.speed_factor == pytest.approx(0.5)
    stored = record.to_dict()
    assert stored["speed_factor"] == 0.5 and "unknown_key" not in stored
    assert Calibration.from_dict(stored) == record
    with pytest.raises(CalibrationError, match="images_per_second must be a positive"):
        Calibration.from_dict(_record(images_per_second=0))
    with pytest.raises(CalibrationError, match="not a calibration record"):
        Calibration.from_dict({"images_per_second": 3000.0})


@pytest.mark.parametrize(("cpuinfo", "model", "isa"), [
    (AVX512, "Test Xeon", "AVX-512"), (AVX2, "Test EPYC", "AVX2"), (OLD, "Test Atom", "no AVX2"),
], ids=["avx512", "avx2", "older"])
def test_cpu_features_name_the_widest_vector_instructions(cpuinfo, model, isa):
    found_model, found_isa, flags = calibrate.cpu_features(cpuinfo)
    assert (found_model, found_isa) == (model, isa)
    assert ("avx512f" in flags) == (isa == "AVX-512")


def test_cpu_features_without_cpuinfo_say_unknown():
    assert calibrate.cpu_features("")[1] == "unknown"


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"repeats": 0}, "repeats must be a whole number >= 1"),
    ({"batch_size": 2.5}, "batch_size must be a whole number"),
    ({"images_per_repeat": 100, "batch_size": 64}, "must be a multiple of batch_size"),
])
def test_measure_rejects_a_malformed_workload(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        calibrate.measure(**kwargs)


def test_the_reference_is_stated():
    assert calibrate.REFERENCE_IMAGES_PER_SECOND > 0
    assert calibrate.REFERENCE_MACHINE and calibrate.REFERENCE_DATE


def test_runner_reads_the_calibration_from_the_subprocess(monkeypatch):
    line = json.dumps(_record())

    def fake_run(cmd, **kwargs):
        assert cmd[1:] == ["-m", "course_utils.calibrate", "--json"]
        assert kwargs["env"]["TF_CPP_MIN_LOG_LEVEL"]
        return subprocess.CompletedProcess(cmd, 0, stdout=f"a log line\n{line}\n", stderr="")

    monkeypatch.setattr(runner.subprocess, "run", fake_run)
    assert runner.measure_machine() == _record()

    def failing_run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 1, stdout="", stderr="MNIST not found")

    monkeypatch.setattr(runner.subprocess, "run", failing_run)
    with pytest.raises(RuntimeError, match="(?s)MNIST not found.*--no-calibrate"):
        runner.measure_machine()


@pytest.mark.skipif(not os.environ.get("COURSE_DATA_DIR"),
                    reason="COURSE_DATA_DIR is not set: no MNIST mirror to train on")
def test_a_tiny_workload_really_trains_on_mnist():
    result = calibrate.measure(images_per_repeat=256, repeats=2, batch_size=64,
                               warmup_batches=1)
    assert len(result.samples) == 2 and all(s > 0 for s in result.samples)
    assert min(result.samples) <= result.images_per_second <= max(result.samples)
    assert result.workload["images_per_repeat"] == 256 and result.workload["seed"] == 42
    assert result.reference_images_per_second == calibrate.REFERENCE_IMAGES_PER_SECOND
    assert result.isa in {"AVX-512", "AVX2", "no AVX2", "unknown"}
