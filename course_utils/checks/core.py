"""The public checks: check_function, check_array, check_value, check_that, get_answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.checks.compare import _as_array, _compare, _compare_arrays, _copy, _sizes_of
from course_utils.checks.messages import _describe_call, _plural, _type_name
from course_utils.checks.running import (
    _call_answer,
    _Failure,
    _raise,
    _require_callable,
    _require_name,
    _require_tol,
    _resolve,
)


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
    name = _require_name(name, "name", where, allow_none=True) or str(getattr(
        fn, "__name__", "your function"))

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
