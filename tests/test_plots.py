"""course_utils.plots: numbers right, text readable, curves and schedules drawn as given.

Set PLOTS_PNG_DIR=/some/folder to keep one PNG of each figure for a look by eye.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import plots  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# Notebook 08's MNIST test-set confusion matrix (its committed output): diagonal ~1,000,
# largest error 9 (true 9 predicted as 4), the cell that was black on dark red.
CM_08 = np.array([
    [980, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1133, 0, 0, 1, 0, 0, 1, 0, 0],
    [1, 0, 1028, 2, 0, 0, 0, 1, 0, 0], [0, 0, 2, 1006, 0, 1, 0, 0, 1, 0],
    [0, 0, 0, 0, 981, 0, 0, 0, 0, 1], [0, 0, 0, 5, 0, 886, 1, 0, 0, 0],
    [3, 3, 0, 0, 1, 0, 950, 0, 1, 0], [0, 1, 4, 0, 0, 0, 0, 1022, 1, 0],
    [1, 1, 0, 1, 0, 1, 0, 0, 970, 0], [0, 0, 0, 0, 9, 1, 0, 4, 1, 994],
])
DIGITS = [str(d) for d in range(10)]
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
         "truck"]
KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
            "_silence_", "_unknown_"]


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def save_png(fig: matplotlib.figure.Figure, name: str) -> None:
    folder = os.environ.get("PLOTS_PNG_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fig.savefig(Path(folder) / f"{name}.png")


def examples_from(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y_true, y_pred with exactly cm[i, j] examples of true i predicted as j."""
    true_ids, pred_ids = np.indices(cm.shape).reshape(2, -1)
    counts = cm.ravel()
    return np.repeat(true_ids, counts), np.repeat(pred_ids, counts)


def wcag_contrast(colour_a, colour_b) -> float:
    """WCAG 2.x contrast ratio, written here independently of the module under test."""
    def luminance(colour) -> float:
        channels = []
        for c in matplotlib.colors.to_rgb(colour):
            channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, b = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(colour_a), luminance(colour_b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def cell_texts(ax) -> dict[tuple[int, int], matplotlib.text.Text]:
    """The number drawn in each cell, keyed by (row, column)."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}


def darkest_cell_contrast(ax) -> tuple[float, str]:
    """Contrast of the text on the darkest cell, as rendered, and that cell's text."""
    image = ax.images[0]
    rgba = image.to_rgba(image.get_array())  # the colour each cell is painted
    gray = rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722])
    row, col = np.unravel_index(np.argmin(gray), gray.shape)
    text = cell_texts(ax)[row, col]
    return wcag_contrast(text.get_color(), rgba[row, col]), text.get_text()


# ----------------------------------------------------------------------------- counts
def test_counts_equal_a_hand_computed_matrix() -> None:
    y_true = [0, 0, 1, 2, 2, 2, 1]
    y_pred = [0, 1, 1, 2, 0, 2, 1]
    expected = np.array([[1, 1, 0],   # class 0: one right, one taken for 1
                         [0, 2, 0],   # class 1: both right
                         [1, 0, 2]])  # class 2: one taken for 0
    counts, ax = plots.confusion_matrix(y_true, y_pred, ["a", "b", "c"])
    assert counts.dtype == np.int64 and np.array_equal(counts, expected)
    drawn = {key: int(t.get_text()) for key, t in cell_texts(ax).items()}
    assert drawn == {(i, j): int(expected[i, j]) for i in range(3) for j in range(3)}
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_counts_on_notebook_08s_matrix_and_a_plain_loop() -> None:
    y_true, y_pred = examples_from(CM_08)
    order = np.random.default_rng(0).permutation(len(y_true))
    counts, _ = plots.confusion_matrix(y_true[order], y_pred[order], DIGITS)
    assert np.array_equal(counts, CM_08)
    loop = [[0] * 10 for _ in range(10)]
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        loop[t][p] += 1
    assert counts.tolist() == loop


def test_plots_needs_only_numpy_matplotlib_and_the_standard_library() -> None:
    tree = ast.parse((ROOT / "course_utils" / "plots.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party == {"numpy", "matplotlib"}, third_party  # no sklearn, no keras


# ----------------------------------------------------------------------------- contrast
def test_the_darkest_cell_keeps_its_number_readable() -> None:
    counts, ax = plots.confusion_matrix(*examples_from(CM_08), DIGITS, title="MNIST, 08")
    save_png(ax.figure, "confusion_matrix_mnist")
    ratio, text = darkest_cell_contrast(ax)
    assert text == "9"  # true 9 predicted as 4: the largest error is the darkest cell
    assert ratio >= 4.5, f"text on the darkest cell has contrast {ratio:.2f} < 4.5"
    image = ax.images[0]
    rgba = image.to_rgba(image.get_array())
    for (i, j), t in cell_texts(ax).items():  # and every other cell, diagonal included
        assert wcag_contrast(t.get_color(), rgba[i, j]) >= 4.5, (i, j, t.get_text())


def test_the_contrast_check_fails_when_the_text_is_forced_black(monkeypatch) -> None:
    monkeypatch.setattr(plots, "_text_colour", lambda background: "black")
    _, ax = plots.confusion_matrix(*examples_from(CM_08), DIGITS)
    ratio, text = darkest_cell_contrast(ax)
    assert text == "9" and ratio < 4.5  # 08's old drawing: black on the darkest red


@pytest.mark.parametrize(("labels", "scale"), [
    (list("ABCDEFG"), 60), (DIGITS, 1000), (CIFAR, 1000), (KEYWORDS, 300)])
def test_numbers_and_labels_fit_for_7_to_12_classes(labels, scale) -> None:
    k = len(labels)
    rng = np.random.default_rng(k)
    cm = rng.integers(0, scale // 20, size=(k, k))
    cm[np.diag_indices(k)] = rng.integers(scale, 2 * scale, size=k)  # up to 4 digits
    counts, ax = plots.confusion_matrix(*examples_from(cm), labels)
    assert np.array_equal(counts, cm)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    cell_w = to_px((1, 0))[0] - to_px((0, 0))[0]
    for (i, j), text in cell_texts(ax).items():
        box = text.get_window_extent(renderer)
        assert box.width < 0.95 * cell_w, f"{text.get_text()!r} overflows cell {(i, j)}"
    labels_x = ax.get_xticklabels()
    rotation = labels_x[0].get_rotation()
    if rotation == 0:  # side by side: their boxes must not touch
        boxes = [t.get_window_extent(renderer) for t in labels_x]
        assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))
    else:  # parallel slanted lines: their distance must exceed the text height
        height = labels_x[0].get_fontsize() * fig.dpi / 72
        assert cell_w * np.sin(np.radians(rotation)) > 1.2 * height
    if k == 10 and labels is CIFAR:
        save_png(fig, "confusion_matrix_cifar_names")


def test_normalised_rows_sum_to_one() -> None:
    cm = CM_08.copy()
    cm[3] = 0  # a class without examples gets a row of zeros, not NaN
    counts, ax = plots.confusion_matrix(*examples_from(cm), DIGITS, normalize="true")
    assert np.array_equal(counts, cm)  # the counts are returned, also when normalised
    rates = ax.images[0].get_array().data
    row_sums = rates.sum(axis=1)
    assert np.allclose(np.delete(row_sums, 3), 1.0) and row_sums[3] == 0
    assert np.allclose(rates[9, 4], 9 / 1009)
    texts = cell_texts(ax)
    assert texts[1, 1].get_text() == "99.8"  # 1133 / 1135, in percent
    assert texts[0, 0].get_text() == "100" and texts[0, 1].get_text() == "0"
    assert texts[9, 4].get_text() == "0.89"  # 9 / 1009: small but not shown as 0
    assert darkest_cell_contrast(ax)[0] >= 4.5
    save_png(ax.figure, "confusion_matrix_normalised")


@pytest.mark.parametrize(("y_true", "y_pred", "labels", "kwargs", "message"), [
    ([0, 1, 2], [0, 1], "abc", {}, "y_true has 3 entries but y_pred has 2"),
    ([0, 1, 3], [0, 1, 2], "abc", {}, "y_true[2] = 3 is outside 0..2"),
    ([0, -1, 2], [0, 1, 2], "abc", {}, "y_true[1] = -1 is outside 0..2"),
    ([0, 1, 2], np.eye(3), "abc", {}, "np.argmax(y_pred, axis=1)"),
    ([0, 1, 2], [0.0, 0.7, 2.0], "abc", {}, "y_pred[1] = 0.7 is not a class id"),
    ([0, 1, 2], ["a", "b", "c"], "abc", {}, "must hold integer class ids"),
    ([], [], "abc", {}, "empty"),
    ([0, 1], [0, 1], ["a", "a"], {}, "repeated: ['a']"),
    ([0], [0], ["only"], {}, "at least 2 classes"),
    ([0, 1], [0, 1], "ab", {"normalize": "rows"}, "normalize must be"),
])
def test_bad_input_says_what_is_wrong(y_true, y_pred, labels, kwargs, message) -> None:
    with pytest.raises(plots.PlotInputError) as info:
        plots.confusion_matrix(y_true, y_pred, list(labels), **kwargs)
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)


def test_text_colour_follows_the_cell_not_the_count() -> None:
    assert plots._text_colour("#67000d") == "white"  # darkest "Reds"
    assert plots._text_colour("#fff5f0") == "black"  # lightest "Reds"
    assert plots._text_colour(plots.DIAGONAL_COLOUR) == "black"
    for grey in np.linspace(0, 1, 21):  # one of black/white always reaches 4.5
        colour = (grey, grey, grey)
        assert wcag_contrast(plots._text_colour(colour), colour) >= 4.5
    assert plots.contrast_ratio("black", "white") == pytest.approx(21.0)


# ----------------------------------------------------------------------------- curves
HISTORY = {  # 6 epochs; best validation loss at epoch 4, best accuracy at epoch 5
    "loss": [0.9, 0.5, 0.35, 0.3, 0.28, 0.26],
    "val_loss": [0.6, 0.45, 0.40, 0.36, 0.37, 0.39],
    "accuracy": [0.70, 0.86, 0.90, 0.93, 0.96, 1.0],
    "val_accuracy": [0.80, 0.87, 0.90, 0.91, 0.93, 0.92],
}


def lines_by_label(ax) -> dict[str, matplotlib.lines.Line2D]:
    return {line.get_label(): line for line in ax.get_lines()}


def test_training_curves_from_a_dict() -> None:
    loss_ax, acc_ax = plots.training_curves(HISTORY)
    for ax, metric, best in [(loss_ax, "loss", 4), (acc_ax, "accuracy", 5)]:
        lines = lines_by_label(ax)
        train = lines["training (mean over the epoch)"]
        valid = lines["validation (end of epoch)"]
        assert list(train.get_xdata()) == [1, 2, 3, 4, 5, 6]  # epochs from 1
        assert np.allclose(train.get_ydata(), HISTORY[metric])
        assert np.allclose(valid.get_ydata(), HISTORY[f"val_{metric}"])
        star = lines[f"best validation: epoch {best}"]
        assert list(star.get_xdata()) == [best]
        assert np.allclose(star.get_ydata(), HISTORY[f"val_{metric}"][best - 1])
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == metric
        assert ax.get_legend() is not None


def test_log_error_draws_one_minus_accuracy_on_a_log_axis() -> None:
    (ax,) = plots.training_curves(HISTORY, metrics="accuracy", log_error=True)
    assert ax.get_yscale() == "log" and "1 − accuracy" in ax.get_ylabel()
    lines = lines_by_label(ax)
    train = lines["training (mean over the epoch)"].get_ydata()
    assert np.allclose(train[:5], 1 - np.array(HISTORY["accuracy"][:5]))
    assert np.isnan(train[5])  # accuracy 1.0: no error, no point on a log axis
    assert "best validation: epoch 5" in lines  # lowest error = highest accuracy
    save_png(ax.figure, "training_curves_log_error")


def test_training_curves_without_validation_and_on_given_axes() -> None:
    fig, axes = plt.subplots(1, 2)
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}  # a fit without validation
    drawn = plots.training_curves(history, ax=axes, label="run A")
    assert drawn == list(axes)
    assert set(lines_by_label(axes[0])) == {"run A training (mean over the epoch)"}


@pytest.mark.parametrize(("history", "kwargs", "message"), [
    (HISTORY, {"metrics": ("loss", "acc")}, "metric 'acc' is not in the history"),
    ({"loss": [1.0], "val_loss": [1.0, 2.0]}, {"metrics": "loss"}, "has 2 epochs"),
    ({}, {}, "history is empty"),
    ([0.5, 0.4], {}, "got list"),
    (HISTORY, {"ax": "one", "metrics": ("loss", "accuracy")}, "got 1 axes for 2 metrics"),
])
def test_training_curves_bad_input(history, kwargs, message) -> None:
    with pytest.raises(plots.PlotInputError) as info:
        plots.training_curves(history, **kwargs)
    assert message in str(info.value)


@pytest.mark.skipif(not os.environ.get("COURSE_DATA_DIR"),
                    reason="COURSE_DATA_DIR is not set: no MNIST mirror")
def test_training_curves_from_a_real_keras_fit(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    import keras

    from course_utils.datasets import load_mnist

    (X, y), _ = load_mnist(profile="smoke", download=False)
    X = X.astype("float32") / 255.0
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X[:200], y[:200], validation_data=(X[200:400], y[200:400]),
                        epochs=2, batch_size=50, verbose=0)
    axes = plots.training_curves(history, log_error=True)
    save_png(axes[0].figure, "training_curves_keras")
    loss_lines = lines_by_label(axes[0])
    assert np.allclose(loss_lines["validation (end of epoch)"].get_ydata(),
                       history.history["val_loss"])
    assert list(loss_lines["training (mean over the epoch)"].get_xdata()) == [1, 2]
    error = lines_by_label(axes[1])["validation (end of epoch)"].get_ydata()
    assert np.allclose(error, 1 - np.array(history.history["val_accuracy"]))
    best = int(np.argmin(history.history["val_loss"])) + 1
    assert f"best validation: epoch {best}" in loss_lines


# ----------------------------------------------------------------------------- schedule
def test_lr_schedule_draws_the_keras_schedule_values() -> None:
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=1e-4, decay_steps=450, warmup_target=3e-3, warmup_steps=50)
    ax = plots.lr_schedule(schedule, 500)
    save_png(ax.figure, "lr_schedule_warmup_cosine")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == list(range(500))
    expected = [float(schedule(step)) for step in range(500)]
    assert np.allclose(line.get_ydata(), expected, rtol=1e-6, atol=0)
    assert line.get_ydata().max() == pytest.approx(3e-3, rel=1e-5)  # the warm-up's peak
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "learning rate"
    assert ax.get_title() == "CosineDecay"


def test_lr_schedule_takes_a_plain_function_and_given_steps() -> None:
    def step_decay(step: int) -> float:
        return 0.1 * 0.5 ** (step // 100)

    steps = np.arange(0, 400, 10)
    ax = plots.lr_schedule(step_decay, steps)
    (line,) = ax.get_lines()
    assert np.allclose(line.get_ydata(), [step_decay(s) for s in steps])


@pytest.mark.parametrize(("schedule", "steps", "message"), [
    (0.01, 10, "schedule must be"),
    (lambda step: 0.1, 0, "gives no step"),
    (lambda step: 0.1, np.linspace(0, 1, 5), "integer steps"),
    (lambda step: float("nan") if step == 3 else 0.1, 5, "schedule(3) = nan"),
])
def test_lr_schedule_bad_input(schedule, steps, message) -> None:
    with pytest.raises(plots.PlotInputError) as info:
        plots.lr_schedule(schedule, steps)
    assert message in str(info.value)


# ----------------------------------------------------------------------------- style
def test_course_style_and_setup_use_it(monkeypatch) -> None:
    with matplotlib.rc_context():
        plots.use_course_style(dpi=72)
        assert matplotlib.rcParams["figure.dpi"] == 72
        assert matplotlib.rcParams["axes.grid"] is True
    with pytest.raises(plots.PlotInputError, match="dpi"):
        plots.use_course_style(dpi=0)
    from course_utils import setup as course_setup

    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    with matplotlib.rc_context({"figure.dpi": 100.0, "axes.grid": False}):
        course_setup.setup(quiet=True)
        assert matplotlib.rcParams["figure.dpi"] == 80
        assert matplotlib.rcParams["axes.grid"] is True
