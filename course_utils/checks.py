"""Self-checks for the exercises: one short line when right, a message that teaches when not.

Every check cell of an exercise calls one of these functions::

    check_function(relu, reference=lambda x: keras.ops.relu(x).numpy(),
                   inputs=[np.linspace(-3, 3, 13), np.zeros((2, 3))], name="relu")
    check_array(lambda: weights, expected_weights, name="weights")
    check_value(lambda: num_params, 7850, name="num_params")
    check_that(lambda: abs(probs.sum() - 1) < 1e-6, "the probabilities should sum to 1")
    check_choice(answer_03_4, "ex03_4")

On success a check prints one line (``✔ relu: correct on 2 inputs``). On failure it raises
**one** ``AssertionError`` whose message says what is wrong and, when it can tell, why:
wrong type or shape (expected vs got, "transposed?"), the first input and index where the
value differs with both values, an answer that is off by a sign, a constant factor or a
constant, NaN or inf in the result, ``None`` returned (a forgotten ``return``).

An exercise that is not answered yet (the student edition replaces each solution with
``raise NotImplementedError()``) gives a short "not answered yet" message instead of a
traceback. That is why ``answer`` in :func:`check_value`, :func:`check_array`,
:func:`check_that` and :func:`check_choice` may be a zero-argument function
(``lambda: my_answer``): the check calls it and catches the error.

A check never shows the source code of a solution. It may show the *expected values* for
its own test inputs when the learner's differ: that teaches, and the inputs are in the
check cell anyway. ``reference`` must compute the expected result by another route (a
TensorFlow/Keras op, a finite difference), never be a paste of the solution.

Multiple-choice answers are compared through salted SHA-256 keys (see :func:`choice_key`),
so no notebook or module holds an answer key in plain text. This hides the key from a
casual reader; it is not security (there are only a few options to try).

Mistakes in the *call* itself (``inputs`` not a list, a tolerance that is not a number...)
raise ``TypeError``/``ValueError`` naming what was expected: they are bugs in the check
cell, not in the learner's answer.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "CHOICE_KEYS",
    "check_array",
    "check_choice",
    "check_function",
    "check_that",
    "check_value",
    "choice_key",
    "get_answer",
    "register_choice",
]

_MISSING = object()
_MAX_SHOWN = 20  # arrays with at most this many entries are shown whole in a message


# --------------------------------------------------------------------------- formatting


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


# --------------------------------------------------------------------------- argument checks


def _require_tol(value: Any, arg: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{where}: {arg} must be a non-negative number such as 1e-6, "
            f"got {value!r} ({type(value).__name__})."
        )
    if not math.isfinite(float(value)) or value < 0:
        raise ValueError(f"{where}: {arg} must be a finite number >= 0, got {value!r}.")
    return float(value)


def _require_name(value: Any, arg: str, where: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value.strip():
        raise TypeError(
            f"{where}: {arg} must be a non-empty string (the name shown in messages), "
            f"got {value!r}."
        )
    return value.strip()


def _require_callable(value: Any, arg: str, where: str, hint: str) -> None:
    if not callable(value):
        raise TypeError(f"{where}: {arg} must be {hint}, got {_type_name(value)}.")


# --------------------------------------------------------------------------- running answers


class _Failure(Exception):
    """Internal: carries a teaching message (and maybe the learner's exception) outward."""

    def __init__(self, message: str, cause: BaseException | None = None):
        super().__init__(message)
        self.message = message
        self.cause = cause


def _not_answered(name: str, detail: str = "") -> _Failure:
    extra = f" ({detail})" if detail else ""
    return _Failure(
        f"{name}: not answered yet{extra}. Replace `raise NotImplementedError()` in the "
        "answer cell above with your code, run that cell, then run this check again."
    )


def _innermost_code(tb: Any) -> Any:
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code


def _call_answer(fn: Callable, args: tuple, name: str, call_text: str | None,
                 *, wrapper: bool = False) -> Any:
    """Run learner code; turn 'not answered' and crashes into a _Failure.

    ``wrapper`` is True for an ``answer`` passed as a zero-argument function: a NameError
    raised right in the check cell's ``lambda`` means the answer cell has not defined the
    name (not run yet, or its solution was cleared).
    """
    try:
        return fn(*args)
    except NotImplementedError:
        raise _not_answered(name) from None
    except NameError as exc:
        # An undefined name right in the zero-argument lambda of the check cell means the
        # answer cell did not define it (not run yet, or its solution was cleared).
        code = getattr(fn, "__code__", None)
        if (wrapper and code is not None and code.co_name == "<lambda>"
                and _innermost_code(exc.__traceback__) is code):
            raise _not_answered(name, f"{exc}; run the answer cell above first") from None
        raise _raised(name, exc, call_text) from None
    except Exception as exc:  # noqa: BLE001 - any crash in learner code is reported
        raise _raised(name, exc, call_text) from None


def _raised(name: str, exc: BaseException, call_text: str | None) -> _Failure:
    where = f" on {call_text}" if call_text else ""
    return _Failure(
        f"{name}: your code raised {type(exc).__name__}{where}: {exc}. "
        "The traceback above shows the line where it happened.",
        cause=exc,
    )


def _resolve(answer: Any, name: str, where: str) -> Any:
    """``answer`` may be a value or a zero-argument function returning the value."""
    if not callable(answer) or isinstance(answer, type):
        return answer
    try:
        inspect.signature(answer).bind()
    except TypeError:
        raise TypeError(
            f"{where}: answer is a function that needs arguments; pass a value or a "
            "function with no arguments, e.g. `lambda: my_answer`."
        ) from None
    except ValueError:  # no signature available (some builtins): just call it
        pass
    return _call_answer(answer, (), name, None, wrapper=True)


def _raise(failure: _Failure) -> None:
    """Raise one AssertionError; keep the learner's own traceback when their code crashed."""
    if failure.cause is not None:
        raise AssertionError(failure.message) from failure.cause
    raise AssertionError(failure.message) from None


# --------------------------------------------------------------------------- comparison


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


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number | np.number) and not isinstance(value, bool | np.bool_)


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


def _diagnose_values(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float,
                     sizes: Iterable[int]) -> str:
    """Explain how two same-shape numeric arrays differ."""
    both_ok = np.isfinite(got) & np.isfinite(exp)
    g, e = got[both_ok].astype(complex if got.dtype.kind == "c" else float), exp[both_ok]

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))

    nontrivial = e.size > 0 and not close(e, np.zeros_like(e))
    if both_ok.all() and nontrivial:
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
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1:
        if np.allclose(got.T, exp, rtol=rtol, atol=atol, equal_nan=True):
            return "your result is the expected one transposed: swap the axes (e.g. .T)?"
    return ""


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
    text_kinds = "US"
    if exp.dtype.kind in text_kinds or got.dtype.kind in text_kinds:
        if exp.dtype.kind in text_kinds and got.dtype.kind in text_kinds:
            bad = got != exp
        else:
            return (f"wrong type: expected {'text' if exp.dtype.kind in text_kinds else 'numbers'}"
                    f" of dtype {exp.dtype}, got dtype {got.dtype}.")
        if not bad.any():
            return None
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        at = f" at index {idx}" if exp.ndim else ""
        return (f"wrong value{at}: expected {_fmt(exp[idx])}, got {_fmt(got[idx])}.")

    if exp.dtype.kind == "b" and got.dtype.kind == "b":
        wrong = got != exp
        if not wrong.any():
            return None
        idx = tuple(int(i) for i in np.argwhere(wrong)[0])
        at = f" at index {idx}" if exp.ndim else ""
        return (f"wrong value{at}: expected {bool(exp[idx])}, got {bool(got[idx])} "
                f"({int(wrong.sum())} of {_plural(wrong.size, 'entry')} wrong).")
    if exp.dtype.kind == "b":
        exp = exp.astype(float)
    if got.dtype.kind == "b":
        got = got.astype(float)

    for kind, test, cause in (
        ("NaN", np.isnan, "0/0, inf - inf, log or sqrt of a negative number?"),
        ("inf", np.isinf, "a division by zero, log(0) or an overflow such as exp(1000)?"),
    ):
        bad = test(got) & ~test(exp)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            at = f", first at index {idx}" if exp.ndim else ""
            count = f"{int(bad.sum())} of {_plural(bad.size, 'entry')}" if exp.ndim else "it"
            expected_there = _fmt(exp[idx])
            return (f"your result contains {kind} ({count}{at}; expected {expected_there} "
                    f"there). Where can it come from: {cause}")

    close = np.isclose(got, exp, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    diagnosis = _diagnose_values(got, exp, rtol, atol, sizes)
    if exp.ndim == 0:
        e_txt, g_txt = _fmt_pair(exp.item(), got.item())
        detail = f"expected {e_txt}, got {g_txt}"
        return f"{diagnosis} ({detail})." if diagnosis else f"wrong value: {detail}."
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
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


def _compare(got: Any, exp: Any, rtol: float, atol: float, *, exact_ints: bool = False,
             sizes: Iterable[int] = (), path: str = "") -> str | None:
    """Compare any supported value; None when equal, else a message (prefixed by path)."""
    where = f"{path}: " if path else ""
    if exp is None:
        return None if got is None else f"{where}expected None, got {_type_name(got)}."
    if isinstance(exp, bool | np.bool_):
        if not isinstance(got, bool | np.bool_):
            g = _as_array(got)
            if not (g is not None and g.shape == () and g.dtype.kind == "b"):
                return f"{where}expected True or False, got {_type_name(got)}."
            got = g.item()
        return None if bool(got) == bool(exp) else (
            f"{where}expected {bool(exp)}, got {bool(got)}.")
    if isinstance(exp, str):
        if not isinstance(got, str):
            return f"{where}expected the text {exp!r}, got {_type_name(got)}."
        if got == exp:
            return None
        if " ".join(got.split()).lower() == " ".join(exp.split()).lower():
            return (f"{where}almost: {got!r} differs from the expected text only in "
                    "upper/lower case or spaces.")
        return f"{where}expected the text {exp!r}, got {got!r}."
    if isinstance(exp, dict):
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
    if isinstance(exp, list | tuple) and not _numeric_sequence(exp):
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
    if exact_ints and isinstance(exp, numbers.Integral | np.integer):
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


# --------------------------------------------------------------------------- public checks


def check_function(fn: Callable, reference: Callable, inputs: list, *, rtol: float = 1e-6,
                   atol: float = 1e-8, name: str | None = None) -> None:
    """Check ``fn(*args) == reference(*args)`` (within tolerance) for every test input.

    Args:
        fn: the learner's function (the function itself, not a call).
        reference: computes the expected result *by another route* (a Keras op, a finite
            difference), never a copy of the solution.
        inputs: a list; each item is a tuple of positional arguments, or one single
            argument (to pass a single tuple argument, wrap it: ``((2, 3),)``).
        rtol, atol: tolerances as in ``np.isclose``.
        name: the name shown in messages (default: ``fn.__name__``).

    Raises:
        AssertionError: with a teaching message on the first input that fails.
        TypeError, ValueError: when the call itself is malformed.
    """
    where = "check_function"
    _require_callable(fn, "fn", where,
                      "the function to check (pass the function itself, e.g. relu, not relu(x))")
    _require_callable(reference, "reference", where, "a function computing the expected result")
    if not isinstance(inputs, list):
        hint = " (wrap it in [...])" if isinstance(inputs, tuple | np.ndarray) else ""
        raise TypeError(
            f"{where}: inputs must be a list of test inputs{hint}; each item is a tuple of "
            "positional arguments or one single argument, e.g. inputs=[np.zeros(3), (x, 2)]. "
            f"Got {_type_name(inputs)}."
        )
    if not inputs:
        raise ValueError(f"{where}: inputs is empty; give at least one test input.")
    rtol = _require_tol(rtol, "rtol", where)
    atol = _require_tol(atol, "atol", where)
    name = _require_name(name, "name", where, allow_none=True) or getattr(
        fn, "__name__", "your function")

    try:
        for i, item in enumerate(inputs, start=1):
            args = item if isinstance(item, tuple) else (item,)
            try:
                expected = reference(*_copy(args))
            except Exception as exc:
                raise RuntimeError(
                    f"{where}: the reference raised {type(exc).__name__} on input #{i}: {exc}. "
                    "This is a bug in the check, not in your answer."
                ) from exc
            call = _describe_call(name, args)
            got = _call_answer(fn, _copy(args), name, f"input #{i} {call}")
            msg = _compare(got, expected, rtol, atol, sizes=_sizes_of(args))
            if msg:
                of = f" of {len(inputs)}" if len(inputs) > 1 else ""
                raise _Failure(f"{name}: on input #{i}{of}, {call}: {msg}")
    except _Failure as failure:
        _raise(failure)
    print(f"✔ {name}: correct on {_plural(len(inputs), 'input')}")


def check_array(answer: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8,
                name: str = "answer") -> None:
    """Check an array (or a zero-argument function returning it) against ``expected``.

    Shape must match exactly; values within ``np.isclose(rtol, atol)``; NaN only where
    ``expected`` has NaN.
    """
    where = "check_array"
    rtol = _require_tol(rtol, "rtol", where)
    atol = _require_tol(atol, "atol", where)
    name = _require_name(name, "name", where)
    exp = _as_array(expected)
    if exp is None:
        raise TypeError(
            f"{where}: expected must be array-like (a NumPy array, a list of numbers, a "
            f"tensor), got {_type_name(expected)}."
        )
    try:
        got = _resolve(answer, name, where)
        msg = _compare_arrays(got, exp, rtol, atol, sizes=_sizes_of([exp]))
        if msg:
            raise _Failure(f"{name}: {msg}")
    except _Failure as failure:
        _raise(failure)
    shape = f" (shape {exp.shape})" if exp.ndim else ""
    print(f"✔ {name}: correct{shape}")


def check_value(answer: Any, expected: Any, *, tol: float = 1e-6, name: str = "answer") -> None:
    """Check a single value (or a zero-argument function returning it).

    Floats match within ``tol`` (relative to the size of ``expected``, absolute near 0);
    ints, strings, bools and None must match exactly; lists, tuples and dicts are compared
    item by item; arrays as in :func:`check_array` with ``rtol = atol = tol``.
    """
    where = "check_value"
    tol = _require_tol(tol, "tol", where)
    name = _require_name(name, "name", where)
    if callable(expected) and not isinstance(expected, type):
        raise TypeError(
            f"{where}: expected must be a value (a number, text, bool, array...), "
            "not a function. To compare two functions use check_function."
        )
    try:
        got = _resolve(answer, name, where)
        msg = _compare(got, expected, tol, tol, exact_ints=True)
        if msg:
            raise _Failure(f"{name}: {msg}")
    except _Failure as failure:
        _raise(failure)
    print(f"✔ {name}: correct")


def get_answer(answer: Any, *, name: str = "answer") -> Any:
    """Run the learner's code once in a check cell and return its result.

    For check cells that need an object made by the answer before checking it::

        model = get_answer(lambda: build_mlp((32, 16)), name="build_mlp")
        check_that(lambda: model.output_shape == (None, 10), "the model outputs 10 scores")

    Calling ``build_mlp(...)`` directly would stop the student edition with a bare
    ``NotImplementedError``; through ``get_answer`` it is the usual "not answered yet"
    AssertionError (and a crash is reported as "your code raised ...").
    """
    name = _require_name(name, "name", "get_answer")
    try:
        return _resolve(answer, name, "get_answer")
    except _Failure as failure:
        _raise(failure)


def check_that(condition_fn: Any, explanation: str, *, name: str | None = None) -> None:
    """Check a property: ``condition_fn()`` (or ``condition_fn`` itself) must be true.

    Args:
        condition_fn: a zero-argument function returning True/False (preferred), or a bool.
        explanation: the property in words, as it should hold, e.g.
            "every row of probs should sum to 1". It is the failure message.
        name: an optional prefix for the messages.
    """
    where = "check_that"
    explanation = _require_name(explanation, "explanation", where)
    name = _require_name(name, "name", where, allow_none=True)
    label = name or "this exercise"
    try:
        result = _resolve(condition_fn, label, where)
    except _Failure as failure:
        _raise(failure)
    arr = _as_array(result) if not isinstance(result, bool) else None
    if isinstance(result, bool | np.bool_) or (arr is not None and arr.shape == ()
                                               and arr.dtype.kind == "b"):
        holds = bool(result)
    else:
        raise TypeError(
            f"{where}: condition_fn must return True or False, got {_type_name(result)}"
            " (for arrays use .all() or np.allclose)."
        )
    prefix = f"{name}: " if name else ""
    if not holds:
        raise AssertionError(f"{prefix}not yet: {explanation}.") from None
    print(f"✔ {prefix}{explanation}")


# --------------------------------------------------------------------------- multiple choice

#: Answer keys of the multiple-choice questions: ``question_id -> (key, options)``.
#: ``key`` is :func:`choice_key` of the right option; ``options`` lists the allowed
#: (normalized) answers, or is empty when any answer may be given. Add course questions
#: here or call :func:`register_choice` in the (locked) check cell.
CHOICE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {}


def _normalize_option(option: Any) -> str:
    if isinstance(option, bool) or not isinstance(option, str | numbers.Integral):
        raise TypeError(f"a choice must be a letter, a word or a number, got {_type_name(option)}.")
    text = " ".join(str(option).split()).lower()
    return re.sub(r"^[(\[]?\s*(.*?)\s*[)\].]?$", r"\1", text)


def _normalize_choice(answer: Any) -> str:
    """'B', ' (b) ', 'b.' -> 'b'; a set/list/tuple (select all that apply) -> 'a,c'."""
    if isinstance(answer, set | frozenset | list | tuple):
        return ",".join(sorted({_normalize_option(a) for a in answer}))
    return _normalize_option(answer)


def choice_key(question_id: str, answer: Any) -> str:
    """The SHA-256 answer key of ``answer`` for ``question_id`` (salted by the id).

    Authors compute it once, e.g. ``python -m course_utils.checks choice-key ex03_4 b``,
    and register it; the right answer then never appears in plain text.
    """
    _require_name(question_id, "question_id", "choice_key")
    return hashlib.sha256(f"{question_id}\n{_normalize_choice(answer)}".encode()).hexdigest()


def register_choice(question_id: str, key: str, options: Iterable[Any] = ()) -> None:
    """Register the answer key (from :func:`choice_key`) of a multiple-choice question.

    ``options`` (e.g. ``"abcd"`` or ``["a", "b", "c", "d"]``) lets the check tell a
    learner that an answer is not one of the options. Registering again replaces the key.
    """
    where = "register_choice"
    question_id = _require_name(question_id, "question_id", where)
    if not isinstance(key, str) or not re.fullmatch(r"[0-9a-f]{64}", key):
        raise ValueError(
            f"{where}: key must be the 64-hex-digit SHA-256 from choice_key(question_id, "
            f"answer), got {key!r}. Never register the answer itself."
        )
    CHOICE_KEYS[question_id] = (key, tuple(_normalize_option(o) for o in options))


def check_choice(answer: Any, question_id: str) -> None:
    """Check a multiple-choice answer (a letter/word/number, or a zero-argument function
    returning it; a set of them for "select all that apply") against its registered key."""
    where = "check_choice"
    question_id = _require_name(question_id, "question_id", where)
    if question_id not in CHOICE_KEYS:
        raise ValueError(
            f"{where}: no answer key registered for {question_id!r}. Register one with "
            "register_choice(question_id, choice_key(question_id, right_answer), options) "
            "or add it to course_utils.checks.CHOICE_KEYS."
        )
    key, options = CHOICE_KEYS[question_id]
    try:
        got = _resolve(answer, question_id, where)
        if got is None or got is Ellipsis:
            raise _not_answered(question_id)
        try:
            normalized = _normalize_choice(got)
        except TypeError as exc:
            raise _Failure(f"{question_id}: {exc}") from None
        chosen = normalized.split(",") if normalized else []
        unknown = [c for c in chosen if options and c not in options]
        if not chosen or unknown:
            shown = unknown[0] if unknown else normalized
            raise _Failure(
                f"{question_id}: {shown!r} is not one of the options "
                f"({', '.join(options) if options else 'give a letter, a word or a number'})."
            )
        if choice_key(question_id, got) != key:
            raise _Failure(
                f"{question_id}: {_fmt(got)} is not the right choice. Reread the question and "
                "the section it refers to, then try again."
            )
    except _Failure as failure:
        _raise(failure)
    print(f"✔ {question_id}: right choice")


def _main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m course_utils.checks",
        description="Compute the answer key of a multiple-choice question.")
    sub = parser.add_subparsers(dest="command", required=True)
    key = sub.add_parser("choice-key", help="print choice_key(question_id, answer)")
    key.add_argument("question_id")
    key.add_argument("answer", nargs="+", help="the right option (several: select all that apply)")
    args = parser.parse_args(argv)
    answer = args.answer[0] if len(args.answer) == 1 else set(args.answer)
    print(choice_key(args.question_id, answer))


if __name__ == "__main__":
    _main()
