"""How the checks write values and types into their messages."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

_MAX_SHOWN = 20  # arrays with at most this many entries are shown whole in a message


def _fmt(value: Any, limit: int = 160) -> str:
    """A short, readable rendering of a value for a message."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | np.bool_):
        text = repr(bool(value))
    elif isinstance(value, numbers.Integral):
        text = str(int(value))
    elif isinstance(value, numbers.Real):
        text = f"{float(value):.6g}"
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        if value.ndim == 0:
            return _fmt(value.item(), limit)
        if value.size > _MAX_SHOWN:
            return f"<{value.dtype} array of shape {value.shape}>"
        with np.printoptions(precision=4, threshold=_MAX_SHOWN, edgeitems=3, linewidth=88):
            text = np.array2string(value, separator=", ")
    elif hasattr(value, "shape") and hasattr(value, "dtype"):
        text = f"<{type(value).__name__} shape={tuple(value.shape)} dtype={value.dtype}>"
    else:
        text = repr(value)
    text = " ".join(text.split()) if "\n" in text and len(text) > limit else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Render two scalars; with all their digits when the short forms look the same."""
    e, g = _fmt(expected), _fmt(got)
    if e == g and _is_number(expected) and _is_number(got):
        e, g = (repr(v.item() if isinstance(v, np.generic) else v) for v in (expected, got))
    return e, g


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"a {type(value).__name__} of shape {tuple(value.shape)}"
    return f"{type(value).__name__} {_fmt(value, 60)}"


def _describe_call(name: str, args: tuple) -> str:
    shown = ", ".join(_fmt(a, 80) for a in args)
    return f"{name}({shown})"


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _labelled(label: str, value: np.ndarray) -> str:
    """'  expected: [[1, 2],\n              [3, 4]]' with continuation lines aligned."""
    text = _fmt(value, 600)
    return "  " + label + text.replace("\n", "\n" + " " * (len(label) + 2))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number | np.number) and not isinstance(value, bool | np.bool_)
