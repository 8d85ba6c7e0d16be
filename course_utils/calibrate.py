"""Measure this machine's training speed, so that times recorded on different machines compare.

Wall times on shared 2-core machines differ by up to 2x from one machine or day to the next.
Before a results run executes any notebook it measures the machine's speed on one fixed
workload: training steps of a fixed small CNN on the first images of the real MNIST
training set (same model, seed, data and batch size everywhere), warm-up excluded,
reported as images per second (median of a few repeats). A time measured here converts to
the time the same work would take on the reference machine::

    normalised_seconds = seconds * images_per_second_here / REFERENCE.images_per_second

Run it alone with ``python -m course_utils.calibrate`` (prints images/s and the speed
factor; ``--json`` prints the record the runner stores in ``results/results.json``).

It is a calibration, not a promise: a notebook whose mix of work differs from a small CNN
(an LSTM, spectrograms) scales a little differently, and a loaded machine measured quiet
(or the other way round) shifts every normalised figure of that run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from course_utils.stamp import RunStamp, package_version, utc_now

#: The reference machine: the speed that normalised times are expressed in. Median of the
#: medians of 3 runs of ``python -m course_utils.calibrate`` on 2026-12-07, 17:16 UTC, on an
#: otherwise idle machine (load average below 1.5): 16290.0, 11653.6 and 16421.0 images/s,
#: single passes 11116-18120. (Earlier runs that day under a load average of 6-9 gave
#: 4860-8183: calibration measures the load too.) Re-measure it only together with a
#: re-run of every notebook: calibrated entries are expressed in this unit.
REFERENCE_IMAGES_PER_SECOND = 16290.0
REFERENCE_MACHINE = "Intel Xeon (family 6, model 207), 2 cores, KVM, AVX-512"
REFERENCE_DATE = "2026-12-07"

#: The fixed workload. Change it and every calibration (and the reference) changes.
SEED = 42
BATCH_SIZE = 128
IMAGES_PER_REPEAT = 128 * 240
REPEATS = 7
WARMUP_BATCHES = 10
#: Metrics whose name ends so are durations; they are also recorded normalised.
TIME_SUFFIX = "_seconds"
ISA_FLAGS = ("avx512f", "avx2", "avx", "fma", "avx512_bf16", "avx512_vnni", "amx_bf16")


class CalibrationError(ValueError):
    """A calibration record that cannot be used (missing or non-positive speed)."""


@dataclass(frozen=True)
class Calibration:
    """One measurement of this machine's speed on the fixed workload."""

    images_per_second: float
    samples: list[float]
    cpu: str
    isa: str
    flags: list[str]
    date: str
    workload: dict[str, Any] = field(default_factory=dict)
    tensorflow: str = ""
    reference_images_per_second: float = 0.0

    @property
    def speed_factor(self) -> float:
        """This machine's speed relative to the reference (2.0: twice as fast)."""
        return speed_factor(self.images_per_second, self.reference_images_per_second)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["speed_factor"] = round(self.speed_factor, 4)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        try:
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            calibration = cls(**known)
        except TypeError as exc:
            raise CalibrationError(f"not a calibration record ({exc}): {data!r}") from None
        _check_speed(calibration.images_per_second, "images_per_second")
        return calibration


def _check_speed(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise CalibrationError(
            f"{what} must be a positive number of images per second, got {value!r}; "
            "measure it with `python -m course_utils.calibrate`."
        )
    return float(value)


def speed_factor(images_per_second: float, reference: float | None = None) -> float:
    """``images_per_second / reference`` (the reference machine's speed by default)."""
    here = _check_speed(images_per_second, "images_per_second")
    ref = _check_speed(REFERENCE_IMAGES_PER_SECOND if not reference else reference,
                       "the reference speed")
    return here / ref


def normalise(seconds: float, images_per_second: float, reference: float | None = None) -> float:
    """The time ``seconds`` measured here would take on the reference machine."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise CalibrationError(f"a duration must be a number >= 0, got {seconds!r}.")
    return float(seconds) * speed_factor(images_per_second, reference)


def is_duration(metric: str) -> bool:
    """True for the metrics recorded in seconds (``train_seconds``, ``first_fit_seconds``)."""
    return metric.endswith(TIME_SUFFIX)


def normalised_metrics(metrics: dict[str, Any], calibration: dict[str, Any] | None,
                       reference: float | None = None) -> dict[str, float]:
    """The duration metrics of a run, converted to the reference machine (rounded to 0.1 s).

    Empty when the run has no calibration: a figure that was not measured is not invented.
    """
    if not calibration:
        return {}
    speed = Calibration.from_dict(calibration).images_per_second
    return {
        name: round(normalise(value, speed, reference), 1)
        for name, value in metrics.items()
        if is_duration(name) and isinstance(value, int | float) and not isinstance(value, bool)
    }


def normalised_stamp_seconds(stamp: RunStamp) -> dict[str, float]:
    """A run's wall time and duration metrics on the reference machine ({} if uncalibrated)."""
    return normalised_metrics({"wall_seconds": stamp.wall_seconds, **stamp.metrics},
                              stamp.calibration)


def cpu_features(cpuinfo: str | None = None) -> tuple[str, str, list[str]]:
    """CPU model, its widest vector instruction set and the relevant flags.

    Read from ``/proc/cpuinfo`` (Linux, WSL); elsewhere the model is what ``platform``
    says and the instruction set is ``"unknown"``.
    """
    if cpuinfo is None:
        cpuinfo = ""
        with contextlib.suppress(OSError):
            cpuinfo = Path("/proc/cpuinfo").read_text()
    model: str = platform.processor() or platform.machine()
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    if not flags:
        isa = "unknown"
    elif "avx512f" in flags:
        isa = "AVX-512"
    elif "avx2" in flags:
        isa = "AVX2"
    else:
        isa = "no AVX2"
    return model, isa, [f for f in ISA_FLAGS if f in flags]


def measure(*, images_per_repeat: int = IMAGES_PER_REPEAT, repeats: int = REPEATS,
            batch_size: int = BATCH_SIZE, warmup_batches: int = WARMUP_BATCHES,
            seed: int = SEED) -> Calibration:
    """Train the fixed CNN on real MNIST and return the speed (median images/s of repeats).

    The defaults are the workload every results run uses (about 20-30 s on the reference
    machine); tests pass a smaller one.
    """
    for arg, value in (("images_per_repeat", images_per_repeat), ("repeats", repeats),
                       ("batch_size", batch_size), ("warmup_batches", warmup_batches)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} must be a whole number >= 1, got {value!r}.")
    if images_per_repeat % batch_size:
        raise ValueError(
            f"images_per_repeat ({images_per_repeat}) must be a multiple of batch_size "
            f"({batch_size}): a last, smaller batch would trace the step again."
        )
    from course_utils.datasets import load_mnist
    from course_utils.profile import seed_everything
    from course_utils.setup import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras
    import numpy as np

    (x_all, y_all), _ = load_mnist(profile="full")
    n = max(images_per_repeat, warmup_batches * batch_size)
    x = (x_all[:n, :, :, None] / 255.0).astype("float32")
    y = y_all[:n].astype("int64")
    seed_everything(seed)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    fit = dict(batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    model.fit(x[: warmup_batches * batch_size], y[: warmup_batches * batch_size], **fit)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x[:images_per_repeat], y[:images_per_repeat], **fit)
        samples.append(images_per_repeat / (time.perf_counter() - start))
    if not np.isfinite(model.evaluate(x[:batch_size], y[:batch_size], verbose=0)):
        raise RuntimeError("the calibration model diverged (loss not finite).")
    model_name, isa, flags = cpu_features()
    return Calibration(
        images_per_second=round(statistics.median(samples), 1),
        samples=[round(s, 1) for s in samples],
        cpu=model_name,
        isa=isa,
        flags=flags,
        date=utc_now(),
        workload={"model": "cnn16-32-64", "data": "mnist train[:n]", "seed": seed,
                  "batch_size": batch_size, "images_per_repeat": images_per_repeat,
                  "repeats": repeats, "warmup_batches": warmup_batches},
        tensorflow=package_version("tensorflow"),
        reference_images_per_second=REFERENCE_IMAGES_PER_SECOND,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.calibrate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    calibration = measure(repeats=args.repeats)
    if args.json:
        print(json.dumps(calibration.to_dict()))
        return 0
    spread = f"{min(calibration.samples):.0f}-{max(calibration.samples):.0f}"
    print(f"{calibration.images_per_second:.1f} images/s (repeats {spread}) on "
          f"{calibration.cpu} [{calibration.isa}], {time.perf_counter() - start:.0f} s in all")
    print(f"speed factor {calibration.speed_factor:.3f} x the reference "
          f"({REFERENCE_IMAGES_PER_SECOND:.1f} images/s, {REFERENCE_MACHINE}, {REFERENCE_DATE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
