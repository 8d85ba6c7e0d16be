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

The package is split by job: :mod:`.messages` (how values read in a message),
:mod:`.running` (running the learner's code, argument checks), :mod:`.compare` (comparison
and diagnosis), :mod:`.core` (the public checks) and :mod:`.choice` (multiple choice).

Mistakes in the *call* itself (``inputs`` not a list, a tolerance that is not a number...)
raise ``TypeError``/``ValueError`` naming what was expected: they are bugs in the check
cell, not in the learner's answer.
"""

from course_utils.checks.choice import (
    CHOICE_KEYS,
    check_choice,
    choice_key,
    register_choice,
)
from course_utils.checks.choice import _main as _main  # the command line
from course_utils.checks.core import (
    check_array,
    check_function,
    check_that,
    check_value,
    get_answer,
)

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
