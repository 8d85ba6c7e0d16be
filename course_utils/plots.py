"""The figures several notebooks draw, written once: confusion matrix, training curves,
learning-rate schedule, and the course's plotting style.

Use them through the module, so that a notebook's own names (an exercise may ask the
learner to write a ``confusion_matrix`` function) never shadow them::

    from course_utils import plots

    counts, ax = plots.confusion_matrix(y_test, y_pred, class_names)
    plots.training_curves(history, log_error=True)
    plots.lr_schedule(optimizer.learning_rate, num_epochs * steps_per_epoch)

Only matplotlib and NumPy are needed: the module never imports TensorFlow or Keras, it
accepts their objects by what they offer (a ``History`` has a ``.history`` dict, a
``LearningRateSchedule`` is a callable step → rate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib import colors, patches, ticker
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "PlotInputError",
    "confusion_matrix",
    "contrast_ratio",
    "lr_schedule",
    "training_curves",
    "use_course_style",
]

#: Fill of the diagonal (correct) cells of :func:`confusion_matrix`: a light blue-grey
#: that is not part of the "Reds" scale used for the errors.
DIAGONAL_COLOUR = "#c9d9ea"
ERROR_CMAP = "Reds"
_DARK_TEXT, _LIGHT_TEXT = "black", "white"


class PlotInputError(ValueError):
    """The data handed to a plotting helper cannot be drawn; the message says why and how
    to fix it."""


# ----------------------------------------------------------------------------- style
def use_course_style(dpi: int = 80) -> None:
    """Set the course's matplotlib defaults: modest resolution and a light grid.

    Notebooks used to set these by hand (``plt.rcParams.update({"figure.dpi": 80,
    "axes.grid": True})``); :func:`course_utils.setup.setup` calls this instead. A dpi of
    72–80 keeps the committed notebooks small while staying sharp on screen. Only
    ``matplotlib.rcParams`` changes, so calling it before ``import matplotlib.pyplot`` is
    fine, and a notebook can still override any setting afterwards.
    """
    if not isinstance(dpi, int | float) or isinstance(dpi, bool) or not 30 <= dpi <= 300:
        raise PlotInputError(f"dpi must be a number between 30 and 300, got {dpi!r}; "
                             "the course uses 72–80.")
    matplotlib.rcParams.update({
        "figure.dpi": dpi,
        "axes.grid": True,
        "grid.alpha": 0.35,
        "grid.linewidth": 0.6,
    })


def _new_axes(ncols: int, figsize: tuple[float, float]) -> list[Axes]:
    import matplotlib.pyplot as plt  # imported late: the style function must not need it

    _, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained", squeeze=False)
    return list(axes[0])


# ----------------------------------------------------------------------------- colour
def _relative_luminance(colour: Any) -> float:
    """WCAG 2 relative luminance of a matplotlib colour (0 = black, 1 = white)."""
    rgb = np.asarray(colors.to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(colour_a: Any, colour_b: Any) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white).

    4.5 is the WCAG minimum for normal-size text.
    """
    high, low = sorted((_relative_luminance(colour_a), _relative_luminance(colour_b)),
                       reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_colour(background: Any) -> str:
    """Black or white, whichever contrasts more with ``background``.

    One of the two always reaches a ratio of at least 4.58, so the numbers stay readable
    on every cell, whatever the colour map.
    """
    dark = contrast_ratio(_DARK_TEXT, background)
    light = contrast_ratio(_LIGHT_TEXT, background)
    return _DARK_TEXT if dark >= light else _LIGHT_TEXT


# ----------------------------------------------------------------------------- confusion
def _class_ids(values: ArrayLike, name: str, num_classes: int) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == num_classes and num_classes > 1:
        raise PlotInputError(
            f"{name} has shape {array.shape}: one row of {num_classes} scores per example "
            f"(one-hot labels or probabilities). Pass class ids instead: "
            f"np.argmax({name}, axis=1).")
    if array.ndim != 1:
        raise PlotInputError(f"{name} must be a 1-D array of class ids, got shape "
                             f"{array.shape}; flatten it (np.ravel) if it is (n, 1).")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise PlotInputError(f"{name} must hold integer class ids 0..{num_classes - 1}, "
                             f"got dtype {array.dtype}.")
    if not np.issubdtype(array.dtype, np.integer):
        whole = np.isfinite(array) & (array == np.round(array))
        if not whole.all():
            first = int(np.flatnonzero(~whole)[0])
            raise PlotInputError(
                f"{name}[{first}] = {array[first].item()!r} is not a class id (a whole number); "
                "pass predicted classes (np.argmax of the scores), not scores.")
    ids = array.astype(np.int64)
    outside = (ids < 0) | (ids >= num_classes)
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise PlotInputError(
            f"{name}[{first}] = {ids[first]} is outside 0..{num_classes - 1}: there are "
            f"{num_classes} labels, so class ids must lie in that range "
            f"({int(outside.sum())} of {len(ids)} values do not). Pass one label per class.")
    return ids


def _count_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes).astype(np.int64)


def _rates(counts: np.ndarray, normalize: str) -> np.ndarray:
    if normalize == "true":
        totals = counts.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        totals = counts.sum(axis=0, keepdims=True)
    else:  # "all"
        totals = np.array(counts.sum())
    return np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)


def _percent_text(rate: float) -> str:
    """A rate as a percentage of at most 4 characters that never rounds to 0 or 100."""
    if rate in (0.0, 1.0):
        return f"{100 * rate:.0f}"
    text = f"{100 * rate:.1f}" if rate >= 0.01 else f"{100 * rate:.2f}"
    if text == "100.0":
        return "99.9"
    return "<0.01" if text == "0.00" else text


def _cell_text_size(ax: Axes, num_classes: int, longest: int) -> float:
    """A font size (points) at which ``longest`` characters fit in one cell."""
    root: Any = ax.get_figure()
    root = getattr(root, "figure", root)  # a SubFigure's .figure is the Figure it lies in
    box = ax.get_position()
    width_in, height_in = root.get_size_inches()
    cell_pt = 72 * min(box.width * width_in, box.height * height_in) / num_classes
    return float(np.clip(cell_pt / (0.62 * longest + 0.8), 5.0, 10.0))


_BAR_LABELS = {
    None: "errors (off-diagonal count)",
    "true": "errors, % of the true class",
    "pred": "errors, % of the predicted class",
    "all": "errors, % of all examples",
}


def confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: Sequence[str],
    *,
    ax: Axes | None = None,
    normalize: str | None = None,
    title: str | None = None,
) -> tuple[np.ndarray, Axes]:
    """Draw the confusion matrix of class ids ``y_true`` against ``y_pred``.

    Rows are true classes, columns predicted classes. Colour shows the **errors** only
    (off-diagonal cells, scale "Reds" with a colour bar): on a good model the diagonal is
    a hundred times larger and would wash every error out. The diagonal (correct) cells
    have their own light blue-grey fill and bold numbers. Each number is written in black
    or white, whichever contrasts more with its cell's colour (WCAG contrast ratio, at
    least 4.5 on every cell), so the largest error stays readable on the darkest red.

    Args:
        y_true: true class ids, integers ``0 .. len(labels) - 1``, shape ``(n,)``.
        y_pred: predicted class ids, same shape (``np.argmax(scores, axis=1)``).
        labels: one name per class, in class-id order (``[str(d) for d in range(10)]``).
        ax: where to draw; a new figure sized for the number of classes when ``None``.
        normalize: ``None`` writes counts; ``"true"`` divides each row by its total
            (rows sum to 1: the recall of each class is on the diagonal); ``"pred"``
            divides by column totals, ``"all"`` by the number of examples. The cells
            then show percentages (``99.8``, ``0.53``; never rounded to 0 or 100 unless
            exact). A class with no examples gets a row (or column) of zeros.
        title: axes title.

    Returns:
        ``(counts, ax)``: the ``(k, k)`` int64 matrix of counts (``counts[i, j]`` = number
        of examples of true class ``i`` predicted as ``j``, computed with NumPy), also
        when ``normalize`` is set, and the axes drawn on.

    Raises:
        PlotInputError: mismatched lengths, class ids outside ``0 .. len(labels) - 1``,
            scores or one-hot rows instead of ids, an unknown ``normalize``.
    """
    labels = [str(label) for label in labels]
    num_classes = len(labels)
    if num_classes < 2:
        raise PlotInputError(f"labels must name at least 2 classes, got {labels!r}.")
    if len(set(labels)) != num_classes:
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        raise PlotInputError(f"labels must be distinct; repeated: {repeated}.")
    if normalize not in (None, "true", "pred", "all"):
        raise PlotInputError(f"normalize must be None, 'true', 'pred' or 'all', got "
                             f"{normalize!r}.")
    true_ids = _class_ids(y_true, "y_true", num_classes)
    pred_ids = _class_ids(y_pred, "y_pred", num_classes)
    if len(true_ids) != len(pred_ids):
        raise PlotInputError(f"y_true has {len(true_ids)} entries but y_pred has "
                             f"{len(pred_ids)}: pass one prediction per example.")
    if len(true_ids) == 0:
        raise PlotInputError("y_true and y_pred are empty: there is nothing to count.")

    counts = _count_matrix(true_ids, pred_ids, num_classes)
    shown = counts.astype(float) if normalize is None else _rates(counts, normalize)
    diagonal = np.eye(num_classes, dtype=bool)

    if ax is None:
        side = 0.45 * num_classes
        ax = _new_axes(1, (side + 2.6, side + 1.7))[0]
    cmap = matplotlib.colormaps[ERROR_CMAP].with_extremes(bad=DIAGONAL_COLOUR)
    errors_max = float(shown[~diagonal].max())
    # The masked diagonal is drawn in the "bad" colour; the data under the mask keep the
    # full matrix drawn (counts or rates), so image.get_array().data is that matrix.
    image = ax.imshow(np.ma.masked_array(shown, mask=diagonal), cmap=cmap,
                      vmin=0.0, vmax=errors_max if errors_max > 0 else 1.0)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    if normalize is None:
        bar.locator = ticker.MaxNLocator(integer=True)
    else:
        bar.formatter = ticker.PercentFormatter(xmax=1.0)
    bar.update_ticks()
    bar.set_label(_BAR_LABELS[normalize])
    for i in range(num_classes):  # frame the diagonal cells
        ax.add_patch(patches.Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False,
                                                  edgecolor="#4a6a8a", linewidth=1.0))

    texts = ([f"{c:d}" for c in counts.ravel()] if normalize is None
             else [_percent_text(r) for r in shown.ravel()])
    size = _cell_text_size(ax, num_classes, max(len(t) for t in texts))
    drawn = image.get_array()
    assert drawn is not None  # imshow above set it
    cell_colours = image.to_rgba(drawn)
    for (i, j), text in zip(np.ndindex(num_classes, num_classes), texts, strict=True):
        ax.text(j, i, text, ha="center", va="center", fontsize=size,
                color=_text_colour(cell_colours[i, j]),
                fontweight="bold" if i == j else "normal")

    long_names = max(len(label) for label in labels) > 2
    ax.set_xticks(range(num_classes), labels, rotation=45 if long_names else 0,
                  ha="right" if long_names else "center",
                  rotation_mode="anchor" if long_names else "default")
    ax.set_yticks(range(num_classes), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return counts, ax


# ----------------------------------------------------------------------------- history
_HIGHER_IS_BETTER = ("accuracy", "acc", "auc", "precision", "recall", "f1")


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise PlotInputError(
            f"history must be what model.fit returns (a keras History) or its .history "
            f"dict of lists, got {type(history).__name__}.")
    if not values:
        raise PlotInputError("history is empty: was model.fit called with epochs >= 1?")
    return values


class _PercentLogFormatter(ticker.LogFormatter):
    """Log-axis tick labels as percentages ("0.5%"), on the ticks matplotlib would label."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{100 * x:.3g}%" if super().__call__(x, pos) else ""


def _higher_is_better(metric: str) -> bool:
    name = metric.lower()
    return not ("loss" in name or "error" in name) and any(
        word in name.split("_") or name.endswith(word) for word in _HIGHER_IS_BETTER)


def training_curves(
    history: Any,
    *,
    metrics: str | Sequence[str] = ("loss", "accuracy"),
    ax: Axes | Sequence[Axes] | None = None,
    log_error: bool = False,
    label: str | None = None,
) -> list[Axes]:
    """Plot training against validation, one panel per metric, epochs from 1.

    The validation curve's best epoch (lowest loss, highest accuracy) is marked with a
    star and a dotted vertical line. Read the two curves with a lag in mind: Keras' training
    metric is the **mean over the epoch's batches** while the weights were still changing,
    and the validation metric is measured once at the end of the epoch, so the training
    curve lags the validation curve by about half an epoch (most visible in epoch 1).

    Args:
        history: what ``model.fit`` returns (a ``keras.callbacks.History``) or its
            ``.history`` dict, e.g. ``{"loss": [...], "val_loss": [...], ...}``. Metrics
            without a ``val_`` twin (a fit without validation data) are drawn alone.
        metrics: the keys to draw, one panel each.
        ax: one Axes per metric (a single Axes for one metric); new ones when ``None``.
        log_error: draw accuracy-like metrics as the error rate ``1 − accuracy`` on a
            log axis, which spreads out the last epochs (0.990 vs 0.995 is half the
            errors) instead of squeezing them at the top of a linear 0.86–1.0 axis. An
            epoch with no error at all has no point on a log axis and is left out.
        label: a prefix for the legend entries, to draw several runs on the same axes.

    Returns:
        The list of axes, one per metric.

    Raises:
        PlotInputError: a metric missing from the history, curves of different lengths,
            a number of axes that does not match the metrics.
    """
    values = _history_dict(history)
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    if not metrics:
        raise PlotInputError("metrics is empty: name at least one, e.g. ('loss',).")
    for metric in metrics:
        if metric not in values:
            available = sorted(k for k in values if not k.startswith("val_"))
            raise PlotInputError(
                f"metric {metric!r} is not in the history; it has {available}. Pass "
                f"metrics=... with those names (the model was compiled with "
                f"metrics=[...]).")
    if ax is None:
        axes = _new_axes(len(metrics), (4.8 * len(metrics), 3.3))
    else:
        axes = [ax] if not isinstance(ax, Sequence | np.ndarray) else list(np.ravel(np.asarray(ax)))
        if len(axes) != len(metrics):
            raise PlotInputError(f"got {len(axes)} axes for {len(metrics)} metrics "
                                 f"{metrics}: pass one Axes per metric.")
    prefix = f"{label} " if label else ""
    for panel, metric in zip(axes, metrics, strict=True):
        _draw_metric(panel, values, metric, log_error, prefix)
    return axes


def _draw_metric(ax: Axes, values: Mapping[str, Sequence[float]], metric: str,
                 log_error: bool, prefix: str) -> None:
    train = np.asarray(values[metric], dtype=float)
    raw_valid = values.get(f"val_{metric}")
    valid = None if raw_valid is None else np.asarray(raw_valid, dtype=float)
    if train.ndim != 1 or len(train) == 0:
        raise PlotInputError(f"history[{metric!r}] must be a non-empty list of numbers "
                             "(one per epoch).")
    if valid is not None and valid.shape != train.shape:
        raise PlotInputError(f"history['val_{metric}'] has {len(valid)} epochs but "
                             f"history[{metric!r}] has {len(train)}.")
    higher = _higher_is_better(metric)
    as_error = log_error and higher
    if as_error:
        def to_error(curve: np.ndarray) -> np.ndarray:
            error = 1.0 - curve
            return np.where(error > 0, error, np.nan)

        train = to_error(train)
        valid = None if valid is None else to_error(valid)
        higher = False
    epochs = np.arange(1, len(train) + 1)
    marker = "o-" if len(train) <= 40 else "-"
    ax.plot(epochs, train, marker, ms=3.5, label=f"{prefix}training (mean over the epoch)")
    if valid is not None:
        (line,) = ax.plot(epochs, valid, marker, ms=3.5,
                          label=f"{prefix}validation (end of epoch)")
        if np.isfinite(valid).any():
            best = int(np.nanargmax(valid) if higher else np.nanargmin(valid))
            ax.axvline(best + 1, color=line.get_color(), linestyle=":", linewidth=1.0)
            ax.plot(best + 1, valid[best], "*", ms=13, color=line.get_color(),
                    markeredgecolor="black", markeredgewidth=0.6, zorder=5,
                    label=f"{prefix}best validation: epoch {best + 1}")
    if as_error:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(_PercentLogFormatter())
        ax.yaxis.set_minor_formatter(_PercentLogFormatter(labelOnlyBase=False))
        ax.set_ylabel(f"error rate (1 − {metric}), log scale")
    else:
        ax.set_ylabel(metric)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlim(0.5, len(train) + 0.5)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)


# ----------------------------------------------------------------------------- schedule
def lr_schedule(
    schedule: Callable[[int], Any],
    steps: int | ArrayLike,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Plot a learning-rate schedule: ``schedule(step)`` for each training step.

    Args:
        schedule: a ``keras.optimizers.schedules.LearningRateSchedule`` (e.g.
            ``CosineDecay``) or any callable step → learning rate; tensors are converted.
        steps: the number of steps (drawn at ``0 .. steps - 1``) or the steps themselves.
        ax: where to draw; a new figure when ``None``.

    Returns:
        The axes; its line's y data are exactly ``float(schedule(step))``.

    Raises:
        PlotInputError: ``schedule`` not callable, no steps, or a rate that is not a
            finite number.
    """
    if not callable(schedule):
        raise PlotInputError(f"schedule must be a LearningRateSchedule or a function "
                             f"step -> rate, got {type(schedule).__name__}.")
    if isinstance(steps, int | np.integer):
        step_values = np.arange(int(steps))
    else:
        step_values = np.asarray(steps)
        if step_values.ndim != 1 or not np.issubdtype(step_values.dtype, np.integer):
            raise PlotInputError("steps must be a number of steps or a 1-D array of "
                                 f"integer steps, got {step_values.dtype} of shape "
                                 f"{step_values.shape}.")
    if len(step_values) == 0:
        raise PlotInputError(f"steps={steps!r} gives no step to draw; pass e.g. "
                             "num_epochs * steps_per_epoch.")
    rates = np.array([float(np.asarray(schedule(int(step)))) for step in step_values])
    if not np.isfinite(rates).all():
        first = int(np.flatnonzero(~np.isfinite(rates))[0])
        raise PlotInputError(f"schedule({int(step_values[first])}) = {rates[first]}: "
                             "a learning rate must be a finite number.")
    if ax is None:
        ax = _new_axes(1, (5.5, 2.8))[0]
    ax.plot(step_values, rates)
    ax.set_xlabel("training step")
    ax.set_ylabel("learning rate")
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
    name = type(schedule).__name__
    if name not in ("function", "method", "partial"):
        ax.set_title(name)
    return ax
