"""Comparing an answer with the expected value, and saying how they differ.

:func:`_compare` handles any supported value (None, bools, text, dicts, sequences, whole
numbers, arrays) and returns ``None`` when equal, else a message without the leading
name; :func:`_compare_arrays` does numeric and text arrays, with the diagnosis of
:func:`_diagnose_values` (off by a sign, a factor, a constant; transposed).
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from course_utils.checks.messages import (
    _MAX_SHOWN,
    _fmt,
    _fmt_pair,
    _is_number,
    _labelled,
    _plural,
    _type_name,
)


def _as_array(value: Any) -> np.ndarray | None:
    """A NumPy view of an array-like (list, tensor, scalar), or None if it is not one."""
    if value is None or isinstance(value, str | bytes | dict | set):
        return None
    if hasattr(value, "numpy") and callable(value.numpy):
        try:
            value = value.numpy()
        except Exception:  # noqa: BLE001 - symbolic tensors etc.
            return None
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists and the like
        return None
    if arr.dtype.kind not in "biufcUS":
        return None
    return arr


def _numeric_sequence(value: Any) -> bool:
    if not isinstance(value, list | tuple) or len(value) == 0:
        return False
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001
        return False
    return arr.dtype.kind in "biufc"


def _shape_hint(got: tuple, expected: tuple) -> str:
    if expected == () and math.prod(got) == 1:
        return " Expected a single number: take it out with .item() or [0]?"
    if len(got) >= 2 and got == expected[::-1]:
        return " Transposed? (swap the axes, e.g. with .T)"
    if len(got) == len(expected) + 1 and 1 in got:
        return (" There is an extra axis of length 1: keepdims=True where it is not wanted, "
                "or np.squeeze needed?")
    if len(got) + 1 == len(expected) and 1 in expected:
        return " An axis of length 1 is missing: keepdims=True, or reshape(-1, 1)?"
    if math.prod(got) == math.prod(expected):
        return " Same number of entries, different arrangement: a reshape or axis order?"
    return ""


def _factor_hint(c: float, sizes: Iterable[int]) -> str:
    for n in sorted(set(sizes)):
        if n > 1 and math.isclose(c, n, rel_tol=1e-4):
            return f" That is {n}: a sum where a mean was wanted?"
        if n > 1 and math.isclose(c, 1 / n, rel_tol=1e-4):
            return f" That is 1/{n}: a mean where a sum was wanted?"
    if math.isclose(abs(c), 180 / math.pi, rel_tol=1e-4):
        return " That is 180/π: degrees instead of radians?"
    if math.isclose(abs(c), math.pi / 180, rel_tol=1e-4):
        return " That is π/180: radians instead of degrees?"
    if math.isclose(abs(c), 2, rel_tol=1e-6) or math.isclose(abs(c), 0.5, rel_tol=1e-6):
        return " A missing or extra factor 2 (like the 1/2 in ½·x²)?"
    if math.isclose(abs(c), 100, rel_tol=1e-6) or math.isclose(abs(c), 0.01, rel_tol=1e-6):
        return " Percent instead of a fraction (or the other way round)?"
    return ""


def _is_simple_factor(c: float) -> bool:
    """Ratios worth naming for a single number (2, 1/2, 10, 180/π...)."""
    a = abs(c)
    if a == 0 or math.isclose(a, 1, rel_tol=1e-3):
        return False
    if a < 1:
        a = 1 / a
    return (
        math.isclose(a, round(a), rel_tol=1e-6) and round(a) <= 1000
    ) or math.isclose(a, 180 / math.pi, rel_tol=1e-4)


def _linear_relation(g: np.ndarray, e: np.ndarray, close: Callable[..., bool],
                     sizes: Iterable[int]) -> str:
    """'off by a sign / a constant factor / a constant' for finite, non-zero arrays."""
    if close(g, -e):
        return ("off by a sign: your result is -1 × the expected one "
                "(a minus sign too many or missing, or a - b instead of b - a?).")
    denom = np.vdot(e, e)
    c = np.vdot(e, g) / denom if denom else 0
    if np.iscomplexobj(c) and abs(np.imag(c)) < 1e-12:
        c = np.real(c)
    if (not np.iscomplexobj(c) and c != 0 and abs(c - 1) > 1e-3
            and close(g, c * e) and (e.size > 1 or _is_simple_factor(c))):
        return (f"off by a constant factor: your result is {float(c):.4g} × the expected "
                f"one.{_factor_hint(float(c), sizes)}")
    if e.size > 1 and not np.iscomplexobj(g):
        d = float(np.mean(g - e))
        if not close(np.array([d]), np.zeros(1)) and close(g, e + d):
            return (f"off by a constant: your result is the expected one "
                    f"{'+' if d > 0 else '-'} {abs(d):.4g} (every entry shifted by the "
                    "same amount).")
    return ""


def _diagnose_values(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float,
                     sizes: Iterable[int]) -> str:
    """Explain how two same-shape numeric arrays differ."""
    both_ok = np.isfinite(got) & np.isfinite(exp)
    g, e = got[both_ok].astype(complex if got.dtype.kind == "c" else float), exp[both_ok]

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))

    nontrivial = e.size > 0 and not close(e, np.zeros_like(e))
    if both_ok.all() and nontrivial:
        relation = _linear_relation(g, e, close, sizes)
        if relation:
            return relation
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1:
        if np.allclose(got.T, exp, rtol=rtol, atol=atol, equal_nan=True):
            return "your result is the expected one transposed: swap the axes (e.g. .T)?"
    return ""


# --------------------------------------------------------------------------- arrays


def _first_index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _compare_text_arrays(got: np.ndarray, exp: np.ndarray) -> str | None:
    """Arrays where either side holds text: both must, with equal entries."""
    text_kinds = "US"
    if not (exp.dtype.kind in text_kinds and got.dtype.kind in text_kinds):
        return (f"wrong type: expected {'text' if exp.dtype.kind in text_kinds else 'numbers'}"
                f" of dtype {exp.dtype}, got dtype {got.dtype}.")
    bad = got != exp
    if not bad.any():
        return None
    idx = _first_index(bad)
    at = f" at index {idx}" if exp.ndim else ""
    return (f"wrong value{at}: expected {_fmt(exp[idx])}, got {_fmt(got[idx])}.")


def _compare_bool_arrays(got: np.ndarray, exp: np.ndarray) -> str | None:
    wrong = got != exp
    if not wrong.any():
        return None
    idx = _first_index(wrong)
    at = f" at index {idx}" if exp.ndim else ""
    return (f"wrong value{at}: expected {bool(exp[idx])}, got {bool(got[idx])} "
            f"({int(wrong.sum())} of {_plural(wrong.size, 'entry')} wrong).")


def _nonfinite_message(got: np.ndarray, exp: np.ndarray) -> str | None:
    """NaN or inf in the answer where the expected value has none."""
    for kind, test, cause in (
        ("NaN", np.isnan, "0/0, inf - inf, log or sqrt of a negative number?"),
        ("inf", np.isinf, "a division by zero, log(0) or an overflow such as exp(1000)?"),
    ):
        bad = test(got) & ~test(exp)
        if bad.any():
            idx = _first_index(bad)
            at = f", first at index {idx}" if exp.ndim else ""
            count = f"{int(bad.sum())} of {_plural(bad.size, 'entry')}" if exp.ndim else "it"
            expected_there = _fmt(exp[idx])
            return (f"your result contains {kind} ({count}{at}; expected {expected_there} "
                    f"there). Where can it come from: {cause}")
    return None


def _compare_numbers(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float,
                     sizes: Iterable[int]) -> str | None:
    """Same-shape numeric arrays (bools as 0/1): within tolerance, else what differs."""
    nonfinite = _nonfinite_message(got, exp)
    if nonfinite:
        return nonfinite
    close = np.isclose(got, exp, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    diagnosis = _diagnose_values(got, exp, rtol, atol, sizes)
    if exp.ndim == 0:
        e_txt, g_txt = _fmt_pair(exp.item(), got.item())
        detail = f"expected {e_txt}, got {g_txt}"
        return f"{diagnosis} ({detail})." if diagnosis else f"wrong value: {detail}."
    idx = _first_index(~close)
    n_bad = int((~close).sum())
    e_txt, g_txt = _fmt_pair(exp[idx].item(), got[idx].item())
    first = (f"first difference at index {idx}: expected {e_txt}, got "
             f"{g_txt} ({n_bad} of {_plural(close.size, 'entry')} differ"
             f"{'s' if n_bad == 1 else ''} by more than rtol={rtol:g}, atol={atol:g})")
    lines = [diagnosis or "wrong values.", f"  The {first}."]
    if exp.size <= _MAX_SHOWN:
        lines.append(_labelled("expected: ", exp))
        lines.append(_labelled("got:      ", got))
    return "\n".join(lines)


def _compare_arrays(got_raw: Any, exp_raw: Any, rtol: float, atol: float,
                    sizes: Iterable[int] = ()) -> str | None:
    """None if equal within tolerance, else a teaching message (no leading name)."""
    exp = _as_array(exp_raw)
    if exp is None:
        raise TypeError(f"expected value must be array-like, got {_type_name(exp_raw)}.")
    want = ("a single number" if exp.ndim == 0 and exp.dtype.kind in "biufc"
            else f"an array of shape {exp.shape}")
    if got_raw is None:
        return f"got None instead of {want}: did you forget `return`?"
    got = _as_array(got_raw)
    if got is None:
        return f"wrong type: expected {want}, got {_type_name(got_raw)}."
    if got.shape != exp.shape:
        return (f"wrong shape: expected {exp.shape}, got {got.shape}."
                f"{_shape_hint(got.shape, exp.shape)}")
    if exp.dtype.kind in "US" or got.dtype.kind in "US":
        return _compare_text_arrays(got, exp)
    if exp.dtype.kind == "b" and got.dtype.kind == "b":
        return _compare_bool_arrays(got, exp)
    if exp.dtype.kind == "b":
        exp = exp.astype(float)
    if got.dtype.kind == "b":
        got = got.astype(float)
    return _compare_numbers(got, exp, rtol, atol, sizes)


# --------------------------------------------------------------------------- any value


def _compare_bool(got: Any, exp: Any, where: str) -> str | None:
    if not isinstance(got, bool | np.bool_):
        g = _as_array(got)
        if not (g is not None and g.shape == () and g.dtype.kind == "b"):
            return f"{where}expected True or False, got {_type_name(got)}."
        got = g.item()
    return None if bool(got) == bool(exp) else (
        f"{where}expected {bool(exp)}, got {bool(got)}.")


def _compare_text(got: Any, exp: str, where: str) -> str | None:
    if not isinstance(got, str):
        return f"{where}expected the text {exp!r}, got {_type_name(got)}."
    if got == exp:
        return None
    if " ".join(got.split()).lower() == " ".join(exp.split()).lower():
        return (f"{where}almost: {got!r} differs from the expected text only in "
                "upper/lower case or spaces.")
    return f"{where}expected the text {exp!r}, got {got!r}."


def _compare_dict(got: Any, exp: dict, rtol: float, atol: float, exact_ints: bool,
                  sizes: Iterable[int], path: str, where: str) -> str | None:
    if not isinstance(got, dict):
        return f"{where}expected a dict, got {_type_name(got)}."
    if set(got) != set(exp):
        missing = sorted(map(repr, set(exp) - set(got)))
        extra = sorted(map(repr, set(got) - set(exp)))
        parts = ([f"missing keys {', '.join(missing)}"] if missing else []) + (
            [f"unexpected keys {', '.join(extra)}"] if extra else [])
        return f"{where}wrong keys: {'; '.join(parts)}."
    for key in exp:
        msg = _compare(got[key], exp[key], rtol, atol, exact_ints=exact_ints, sizes=sizes,
                       path=f"{path}[{key!r}]")
        if msg:
            return msg
    return None


def _compare_items(got: Any, exp: list | tuple, rtol: float, atol: float, exact_ints: bool,
                   sizes: Iterable[int], path: str, where: str) -> str | None:
    """A list or tuple that is not a plain sequence of numbers, item by item."""
    if not isinstance(got, list | tuple):
        return (f"{where}expected a {type(exp).__name__} of {_plural(len(exp), 'item')}, "
                f"got {_type_name(got)}.")
    if len(got) != len(exp):
        return (f"{where}expected {_plural(len(exp), 'item')}, got {len(got)}: "
                f"{_fmt(got, 100)}.")
    for i, (g, e) in enumerate(zip(got, exp, strict=True)):
        msg = _compare(g, e, rtol, atol, exact_ints=exact_ints, sizes=sizes,
                       path=f"{path}[{i}]" if path else f"item [{i}]")
        if msg:
            return msg
    return None


def _compare_whole_number(got: Any, exp: numbers.Integral | np.integer,
                          where: str) -> str | None:
    """An exact whole number, with a hint for a sign, a simple factor or an off-by-one."""
    g = _as_array(got) if not isinstance(got, bool) else None
    if g is None or g.shape != () or g.dtype.kind not in "iuf":
        return f"{where}expected the whole number {int(exp)}, got {_type_name(got)}."
    if g.item() == int(exp):
        return None
    msg = f"{where}expected {int(exp)}, got {_fmt_pair(int(exp), g.item())[1]}."
    if g.item() == -int(exp):
        msg += " Off by a sign."
    elif exp and g.item() and _is_simple_factor(g.item() / int(exp)):
        msg += f" That is {g.item() / int(exp):.4g} × the expected value."
    elif abs(g.item() - int(exp)) == 1:
        msg += " Off by one: a bias, a border or a count starting at 0 vs 1?"
    return msg


def _compare(got: Any, exp: Any, rtol: float, atol: float, *, exact_ints: bool = False,
             sizes: Iterable[int] = (), path: str = "") -> str | None:
    """Compare any supported value; None when equal, else a message (prefixed by path)."""
    where = f"{path}: " if path else ""
    if exp is None:
        return None if got is None else f"{where}expected None, got {_type_name(got)}."
    if isinstance(exp, bool | np.bool_):
        return _compare_bool(got, exp, where)
    if isinstance(exp, str):
        return _compare_text(got, exp, where)
    if isinstance(exp, dict):
        return _compare_dict(got, exp, rtol, atol, exact_ints, sizes, path, where)
    if isinstance(exp, list | tuple) and not _numeric_sequence(exp):
        return _compare_items(got, exp, rtol, atol, exact_ints, sizes, path, where)
    if exact_ints and isinstance(exp, numbers.Integral | np.integer):
        return _compare_whole_number(got, exp, where)
    if _is_number(exp) or _as_array(exp) is not None:
        if isinstance(got, bool) and not isinstance(exp, np.ndarray):
            return f"{where}expected a number, got the bool {got}."
        msg = _compare_arrays(got, exp, rtol, atol, sizes)
        return f"{where}{msg}" if msg else None
    try:
        equal = bool(got == exp)
    except Exception:  # noqa: BLE001
        equal = False
    return None if equal else f"{where}expected {_fmt(exp)}, got {_fmt(got)}."


def _sizes_of(args: Sequence[Any]) -> set[int]:
    sizes: set[int] = set()
    for a in args:
        arr = _as_array(a)
        if arr is not None and arr.ndim > 0:
            sizes.add(int(arr.size))
            sizes.update(int(n) for n in arr.shape)
    return sizes


def _copy(args: tuple) -> tuple:
    try:
        return copy.deepcopy(args)
    except Exception:  # noqa: BLE001 - some objects (tensors, models) cannot be copied
        return args
