"""Running the learner's code: "not answered yet", crashes, and the check call's own arguments.

A failure travels as :class:`_Failure` (the teaching message, and the learner's exception
when their code crashed) until :func:`_raise` turns it into the one ``AssertionError``
the learner sees.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any, overload

from course_utils.checks.messages import _type_name

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


@overload
def _require_name(value: Any, arg: str, where: str) -> str: ...


@overload
def _require_name(value: Any, arg: str, where: str, *, allow_none: bool) -> str | None: ...


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
