"""Multiple-choice questions: salted SHA-256 answer keys, so no notebook holds the answer.

This hides the key from a casual reader; it is not security (there are only a few options
to try).
"""

from __future__ import annotations

import hashlib
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any

from course_utils.checks.messages import _fmt, _type_name
from course_utils.checks.running import (
    _Failure,
    _not_answered,
    _raise,
    _require_name,
    _resolve,
)

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
