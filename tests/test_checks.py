"""course_utils.checks: every success line and every feedback message."""

import re

import numpy as np
import pytest

from course_utils import checks
from course_utils.checks import (
    check_array,
    check_choice,
    check_function,
    check_that,
    check_value,
    choice_key,
    get_answer,
    register_choice,
)

X = np.linspace(-3, 3, 13)


def relu_reference(x):
    return (x + np.abs(x)) / 2


def fails(call, *patterns):
    """Run a check that must fail; assert one AssertionError whose message has patterns."""
    with pytest.raises(AssertionError) as info:
        call()
    message = str(info.value)
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in:\n{message}"
    return info.value


def short_traceback(error):
    """'raise ... from None': no chained exception is shown."""
    return error.__cause__ is None and error.__suppress_context__


# ----------------------------------------------------------------------- check_function


def test_function_success_prints_one_line(capsys):
    check_function(lambda x: np.maximum(0.0, x), relu_reference, [X, np.eye(2) - 0.5],
                   name="relu")
    assert capsys.readouterr().out == "✔ relu: correct on 2 inputs\n"


def test_function_name_defaults_to_the_function_name(capsys):
    def relu(x):
        return np.maximum(0.0, x)

    check_function(relu, relu_reference, [X])
    assert capsys.readouterr().out == "✔ relu: correct on 1 input\n"


def test_function_tuples_are_positional_arguments(capsys):
    check_function(lambda a, b: a * b, lambda a, b: np.multiply(a, b), [(2.0, 3.0), (X, 2)],
                   name="mul")
    assert "correct on 2 inputs" in capsys.readouterr().out


def test_function_not_answered_is_short():
    def relu(x):
        # YOUR CODE HERE
        raise NotImplementedError()

    error = fails(lambda: check_function(relu, relu_reference, [X]),
                  r"^relu: not answered yet\. Replace `raise NotImplementedError\(\)`")
    assert short_traceback(error)


def test_function_crash_keeps_the_learners_traceback():
    def relu(x):
        return np.maximum(0.0, x) / 0 if x.ndim > 1 else undefined_name  # noqa: F821

    error = fails(lambda: check_function(relu, relu_reference, [X]),
                  r"relu: your code raised NameError on input #1 relu\(\[-3",
                  r"name 'undefined_name' is not defined", "traceback above")
    assert isinstance(error.__cause__, NameError)

    def div(x):
        return 1 // 0

    error = fails(lambda: check_function(div, relu_reference, [X]),
                  "raised ZeroDivisionError")
    assert isinstance(error.__cause__, ZeroDivisionError)


def test_function_forgotten_return():
    def relu(x):
        np.maximum(0.0, x)

    fails(lambda: check_function(relu, relu_reference, [X]),
          r"got None instead of an array of shape \(13,\): did you forget `return`\?")


def test_function_wrong_type():
    fails(lambda: check_function(lambda x: "relu", relu_reference, [X], name="relu"),
          r"wrong type: expected an array of shape \(13,\), got str 'relu'")


M32 = np.arange(6.0).reshape(3, 2)


@pytest.mark.parametrize(
    "answer, reference, shapes, hint",
    [
        (lambda m: m, lambda m: m.T, r"expected \(2, 3\), got \(3, 2\)", r"Transposed\?"),
        (lambda m: m.T[:, :, None], lambda m: m.T, r"got \(2, 3, 1\)",
         "extra axis of length 1"),
        (lambda m: m.ravel(), lambda m: m.T, r"got \(6,\)", "Same number of entries"),
        (lambda m: m.sum(0), lambda m: m.sum(0)[:, None], r"expected \(2, 1\), got \(2,\)",
         "axis of length 1 is missing"),
        (lambda m: m[:1, :1], lambda m: m[0, 0], r"expected \(\), got \(1, 1\)",
         r"single number: take it out with \.item\(\)"),
    ],
)
def test_function_wrong_shape_with_hints(answer, reference, shapes, hint):
    fails(lambda: check_function(answer, reference, [M32], name="f"),
          r"^f: on input #1, f\(\[\[0\., 1\.\]", "wrong shape", shapes, hint)


def test_function_off_by_a_sign():
    error = fails(lambda: check_function(lambda x: -np.maximum(0, x), relu_reference, [X],
                                         name="relu"),
                  "off by a sign: your result is -1 × the expected one",
                  r"first difference at index \(7,\): expected 0\.5, got -0\.5",
                  r"6 of 13 entries differ", r"expected: \[0\. ", r"got: +\[-0\. ")
    assert short_traceback(error)


def test_function_off_by_a_constant_factor():
    fails(lambda: check_function(lambda x: 2 * np.maximum(0, x), relu_reference, [X]),
          "off by a constant factor: your result is 2 × the expected one",
          "factor 2")
    fails(lambda: check_function(np.sum, np.mean, [np.arange(1.0, 5.0)], name="mean"),
          r"your result is 4 × the expected one\. That is 4: a sum where a mean was wanted\?",
          r"expected 2\.5, got 10")
    fails(lambda: check_function(np.degrees, lambda x: x, [np.array([0.5, 1.0])],
                                 name="angle"),
          "57.3 × the expected one. That is 180/π: degrees instead of radians")


def test_function_off_by_a_constant():
    fails(lambda: check_function(lambda x: np.maximum(0, x) + 1, relu_reference, [X]),
          r"off by a constant: your result is the expected one \+ 1 \(every entry shifted")


def test_function_transposed_values():
    s = np.array([[1.0, 2.0], [3.0, 4.0]])
    fails(lambda: check_function(lambda m: m, lambda m: m.T, [s], name="t"),
          "your result is the expected one transposed",
          r"expected: \[\[1\., 3\.\],\n {13}\[2\., 4\.\]\]")


@pytest.mark.parametrize(
    "bad, kind, cause",
    [(np.nan, "NaN", "0/0"), (np.inf, "inf", "division by zero"),
     (-np.inf, "inf", "overflow")],
)
def test_function_nan_and_inf(bad, kind, cause):
    def relu(x):
        out = np.maximum(0.0, x)
        out[3] = bad
        return out

    fails(lambda: check_function(relu, relu_reference, [X]),
          rf"your result contains {kind} \(1 of 13 entries, first at index \(3,\); "
          r"expected 0 there\)", cause)


def test_function_generic_mismatch_names_the_input_and_index():
    inputs = [np.zeros(3), np.linspace(-1, 1, 5), np.arange(100.0) - 50]
    fails(lambda: check_function(lambda x: np.maximum(-0.1, x), relu_reference, inputs,
                                 name="relu"),
          r"relu: on input #2 of 3, relu\(\[-1\. , -0\.5,  0\. ,  0\.5,  1\. \]\): wrong values",
          r"first difference at index \(0,\): expected 0, got -0\.1 \(2 of 5 entries differ "
          r"by more than rtol=1e-06, atol=1e-08\)")


def test_function_large_arrays_are_summarized():
    big = np.arange(100.0) - 50
    error = fails(lambda: check_function(lambda x: np.maximum(-0.1, x), relu_reference, [big],
                                         name="relu"),
                  r"first difference at index \(0,\)")
    assert "expected:" not in str(error)
    assert "relu(<float64 array of shape (100,)>)" in str(error)  # the input, summarized


def test_function_tolerances_are_used():
    check_function(lambda x: x + 1e-4, lambda x: x, [X], rtol=0, atol=1e-3)
    fails(lambda: check_function(lambda x: x + 1e-4, lambda x: x, [X], rtol=0, atol=1e-5),
          "off by a constant")


def test_function_close_values_are_shown_with_all_digits():
    fails(lambda: check_function(lambda x: x * (1 + 1e-7), lambda x: x, [np.float64(0.5)],
                                 rtol=1e-9, atol=0, name="f"),
          r"expected 0\.5, got 0\.50000005")


def test_function_inputs_are_copied_for_the_reference():
    def relu_in_place(x):
        x[x < 0] = 0
        return x

    data = X.copy()
    check_function(relu_in_place, relu_reference, [data])
    assert np.array_equal(data, X)


def test_function_accepts_tensor_like_results():
    class FakeTensor:
        def __init__(self, value):
            self.value = value

        def numpy(self):
            return np.asarray(self.value)

    check_function(lambda x: FakeTensor(np.maximum(0, x)), relu_reference, [X])


def test_function_compares_tuples_item_by_item():
    fails(lambda: check_function(lambda x: (x.min(), x.min()), lambda x: (x.min(), x.max()),
                                 [X], name="range"),
          r"first difference at index \(1,\): expected 3, got -3")


def test_function_reference_failure_is_a_bug_in_the_check():
    with pytest.raises(RuntimeError, match="the reference raised ZeroDivisionError on input #1.*"
                                           "bug in the check"):
        check_function(lambda x: x, lambda x: 1 / 0, [1.0])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"fn": np.zeros(3)}, TypeError, r"fn must be the function to check \(pass the "
                                         r"function itself, e\.g\. relu, not relu\(x\)\)"),
        ({"reference": 3}, TypeError, "reference must be a function computing the expected"),
        ({"inputs": X}, TypeError, r"inputs must be a list of test inputs \(wrap it in"),
        ({"inputs": (X,)}, TypeError, "wrap it in"),
        ({"inputs": "abc"}, TypeError, "each item is a tuple of positional arguments"),
        ({"inputs": []}, ValueError, "inputs is empty"),
        ({"rtol": "1e-3"}, TypeError, r"rtol must be a non-negative number such as 1e-6, "
                                      r"got '1e-3' \(str\)"),
        ({"atol": -1.0}, ValueError, "atol must be a finite number >= 0"),
        ({"rtol": True}, TypeError, "rtol must be a non-negative number"),
        ({"name": 3}, TypeError, "name must be a non-empty string"),
    ],
)
def test_function_bad_arguments_say_what_was_expected(kwargs, error, message):
    args = {"fn": np.abs, "reference": np.abs, "inputs": [X]} | kwargs
    with pytest.raises(error, match=message):
        check_function(args.pop("fn"), args.pop("reference"), args.pop("inputs"), **args)


# ----------------------------------------------------------------------- check_array


def test_array_success(capsys):
    check_array(lambda: np.eye(2), [[1, 0], [0, 1]], name="identity")
    assert capsys.readouterr().out == "✔ identity: correct (shape (2, 2))\n"


def test_array_value_or_callable():
    check_array(np.ones(3), np.ones(3))
    fails(lambda: check_array(np.ones(3), np.zeros(3)), r"^answer: wrong values")


def test_array_not_answered():
    def weights():
        raise NotImplementedError()

    fails(lambda: check_array(weights, np.ones(3), name="weights"), "weights: not answered yet")
    error = fails(lambda: check_array(lambda: w_undefined, np.ones(3), name="w"),  # noqa: F821
                  r"w: not answered yet \(name 'w_undefined' is not defined; run the answer "
                  r"cell above first\)")
    assert short_traceback(error)


def test_array_transposed_shape():
    m = np.arange(6.0).reshape(2, 3)
    fails(lambda: check_array(lambda: m.T, m, name="M"),
          r"M: wrong shape: expected \(2, 3\), got \(3, 2\)\. Transposed\?")


def test_array_nan_where_expected_is_fine():
    check_array(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    fails(lambda: check_array(np.array([np.nan, 1.0]), np.array([0.0, 1.0])),
          "contains NaN")


def test_array_bools_and_text():
    check_array(np.array([True, False]), np.array([True, False]))
    fails(lambda: check_array(np.array([True, True]), np.array([True, False])),
          r"wrong value at index \(1,\): expected False, got True \(1 of 2 entries wrong\)")
    fails(lambda: check_array(np.array(["cat", "dog"]), np.array(["cat", "cow"])),
          r"wrong value at index \(1,\): expected 'cow', got 'dog'")
    fails(lambda: check_array(np.array([1.0, 2.0]), np.array(["a", "b"])), "wrong type")


def test_array_bad_arguments():
    with pytest.raises(TypeError, match="expected must be array-like"):
        check_array(np.ones(2), {"a": 1})
    with pytest.raises(TypeError, match="answer is a function that needs arguments"):
        check_array(lambda x: x, np.ones(2))
    with pytest.raises(TypeError, match="atol must be a non-negative number"):
        check_array(np.ones(2), np.ones(2), atol=None)


# ----------------------------------------------------------------------- check_value


def test_value_success(capsys):
    check_value(lambda: 7850, 7850, name="num_params")
    check_value(lambda: 0.1 + 0.2, 0.3, name="sum")
    check_value(np.float32(0.5), 0.5)
    check_value(lambda: 3.0, 3, name="count")  # a whole number given as a float is fine
    check_value(lambda: "relu", "relu", name="activation")
    check_value(lambda: True, True, name="flag")
    check_value(lambda: None, None, name="nothing")
    check_value(lambda: (None, 28, 28, 1), (None, 28, 28, 1), name="shape")
    check_value(lambda: {"lr": 0.001}, {"lr": 0.001}, name="config")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✔ num_params: correct" and len(out) == 9


def test_value_ints_are_exact():
    fails(lambda: check_value(lambda: 7851, 7850, name="num_params"),
          r"num_params: expected 7850, got 7851\. Off by one")
    fails(lambda: check_value(lambda: 3.0000001, 3, name="n"), r"expected 3, got 3\.0000001\.$")
    fails(lambda: check_value(lambda: -5, 5, name="n"), "Off by a sign")
    fails(lambda: check_value(lambda: 20, 10, name="n"), "That is 2 × the expected value")
    fails(lambda: check_value(lambda: "5", 5, name="n"), "expected the whole number 5, got str")


def test_value_floats_within_tol():
    check_value(lambda: 1.0 + 1e-7, 1.0)
    fails(lambda: check_value(lambda: 0.3, 0.5, name="p"), r"^p: wrong value: expected 0\.5, "
                                                         r"got 0\.3\.$")
    fails(lambda: check_value(lambda: 0.25, 0.5, name="p"),
          r"off by a constant factor: your result is 0\.5 × the expected one")
    fails(lambda: check_value(lambda: -0.5, 0.5, name="p"), "off by a sign")
    fails(lambda: check_value(lambda: 0.5000001, 0.5, tol=1e-9, name="p"),
          r"expected 0\.5, got 0\.5000001")
    fails(lambda: check_value(lambda: [0.5], 0.5, name="p"),
          r"wrong shape: expected \(\), got \(1,\)\. Expected a single number")
    fails(lambda: check_value(lambda: np.nan, 0.5), r"contains NaN \(it; expected 0\.5 there")
    fails(lambda: check_value(lambda: True, 1.0), "expected a number, got the bool True")


def test_value_text_bool_none():
    fails(lambda: check_value(lambda: "Relu ", "relu", name="act"),
          "almost: 'Relu ' differs from the expected text only in upper/lower case or spaces")
    fails(lambda: check_value(lambda: "tanh", "relu"), "expected the text 'relu', got 'tanh'")
    fails(lambda: check_value(lambda: 1, True, name="flag"),
          "flag: expected True or False, got int 1")
    fails(lambda: check_value(lambda: False, True), "expected True, got False")
    fails(lambda: check_value(lambda: 0, None), "expected None, got int 0")
    fails(lambda: check_value(lambda: "relu", 0.5), "wrong type: expected a single number, got str")


def test_value_sequences_and_dicts():
    fails(lambda: check_value(lambda: (None, 28, 28), (None, 28, 28, 1), name="shape"),
          r"shape: expected 4 items, got 3: \(None, 28, 28\)")
    fails(lambda: check_value(lambda: (None, 28, 27), (None, 28, 28), name="shape"),
          r"shape: item \[2\]: expected 28, got 27")
    fails(lambda: check_value(lambda: 3, (None, 3)), "expected a tuple of 2 items, got int 3")
    fails(lambda: check_value(lambda: {"a": 1}, {"a": 1, "b": 2}), "wrong keys: missing keys 'b'")
    fails(lambda: check_value(lambda: {"a": 1, "c": 0}, {"a": 1}), "unexpected keys 'c'")
    fails(lambda: check_value(lambda: {"a": 2}, {"a": 1}), r"\['a'\]: expected 1, got 2")
    fails(lambda: check_value(lambda: [1, 2], {"a": 1}), "expected a dict, got list")
    check_value(lambda: [1.0, 2.0], (1, 2))  # numeric sequences compare as arrays


def test_value_not_answered_and_crash():
    def answer():
        raise NotImplementedError()

    fails(lambda: check_value(answer, 1, name="k"), "^k: not answered yet")
    error = fails(lambda: check_value(lambda: [][1], 1, name="k"),
                  "k: your code raised IndexError: list index out of range")
    assert isinstance(error.__cause__, IndexError)


def test_value_bad_arguments():
    with pytest.raises(TypeError, match="expected must be a value .* not a function"):
        check_value(1, np.abs)
    with pytest.raises(TypeError, match="tol must be a non-negative number"):
        check_value(1, 1, tol="small")
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        check_value(1, 1, name="")


# ----------------------------------------------------------------------- check_that


def test_that_success_and_failure(capsys):
    check_that(lambda: True, "the probabilities should sum to 1")
    check_that(np.bool_(True), "a NumPy bool is fine", name="probs")
    out = capsys.readouterr().out
    assert out == "✔ the probabilities should sum to 1\n✔ probs: a NumPy bool is fine\n"
    error = fails(lambda: check_that(lambda: False, "the probabilities should sum to 1"),
                  r"^not yet: the probabilities should sum to 1\.$")
    assert short_traceback(error)
    fails(lambda: check_that(False, "x > 0", name="x"), r"^x: not yet: x > 0\.$")


def test_that_not_answered_and_crash():
    def probs():
        raise NotImplementedError()

    fails(lambda: check_that(lambda: probs().sum() == 1, "sum to 1"),
          "^this exercise: not answered yet")
    fails(lambda: check_that(lambda: p_undefined.sum() == 1, "sum to 1", name="probs"),  # noqa: F821
          "^probs: not answered yet")
    fails(lambda: check_that(lambda: 1 / 0 > 1, "positive"), "raised ZeroDivisionError")


def test_that_bad_arguments():
    with pytest.raises(TypeError, match="condition_fn must return True or False, got a NumPy "
                                        r"array of shape \(2,\).*\.all\(\)"):
        check_that(lambda: np.array([1, 2]) > 0, "positive")
    with pytest.raises(TypeError, match="explanation must be a non-empty string"):
        check_that(lambda: True, "")


# ----------------------------------------------------------------------- get_answer


def test_get_answer_returns_the_value_or_explains(capsys):
    assert get_answer(lambda: [1, 2], name="build") == [1, 2]
    assert get_answer(3) == 3
    assert capsys.readouterr().out == ""

    def build_mlp(units):
        raise NotImplementedError()

    error = fails(lambda: get_answer(lambda: build_mlp(3), name="build_mlp"),
                  "^build_mlp: not answered yet")
    assert short_traceback(error)
    error = fails(lambda: get_answer(lambda: {}["units"], name="build_mlp"),
                  "^build_mlp: your code raised KeyError")
    assert isinstance(error.__cause__, KeyError)
    with pytest.raises(TypeError, match="get_answer: answer is a function that needs"):
        get_answer(build_mlp)


# ----------------------------------------------------------------------- check_choice


@pytest.fixture
def question():
    register_choice("test_q1", choice_key("test_q1", "b"), options="abcd")
    yield "test_q1"
    checks.CHOICE_KEYS.pop("test_q1", None)


def test_choice_success_with_normalization(question, capsys):
    for answer in ["b", "B", " (b) ", "b.", lambda: "B)"]:
        check_choice(answer, question)
    assert capsys.readouterr().out == "✔ test_q1: right choice\n" * 5


def test_choice_wrong_and_unknown(question):
    error = fails(lambda: check_choice(lambda: "c", question),
                  r"^test_q1: 'c' is not the right choice\. Reread the question")
    assert "'b'" not in str(error)
    fails(lambda: check_choice("e", question), r"'e' is not one of the options \(a, b, c, d\)")
    fails(lambda: check_choice(3.5, question), "a choice must be a letter, a word or a number")


def test_choice_not_answered(question):
    def answer():
        raise NotImplementedError()

    fails(lambda: check_choice(answer, question), "^test_q1: not answered yet")
    fails(lambda: check_choice(None, question), "^test_q1: not answered yet")


def test_choice_select_all_that_apply():
    register_choice("test_q2", choice_key("test_q2", {"a", "c"}), options="abcd")
    try:
        check_choice(["C", "a"], "test_q2")
        fails(lambda: check_choice({"a"}, "test_q2"), "not the right choice")
    finally:
        checks.CHOICE_KEYS.pop("test_q2")


def test_choice_keys_are_salted_hashes_not_answers():
    key = choice_key("ex03_4", "b")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key != choice_key("ex03_5", "b")  # salted by the question id
    assert key == choice_key("ex03_4", " (B) ")
    for stored, _options in checks.CHOICE_KEYS.values():
        assert re.fullmatch(r"[0-9a-f]{64}", stored)


def test_choice_bad_arguments():
    with pytest.raises(ValueError, match="no answer key registered for 'nope'.*register_choice"):
        check_choice("a", "nope")
    with pytest.raises(ValueError, match="64-hex-digit SHA-256.*Never register the answer"):
        register_choice("q", "b")


def test_choice_key_command_line(capsys):
    checks._main(["choice-key", "ex03_4", "b"])
    assert capsys.readouterr().out.strip() == choice_key("ex03_4", "b")


# ----------------------------------------------------------------------- never the solution


def test_messages_never_show_solution_source():
    def relu(x):
        return np.clip(x, -0.1, None)  # a distinctive wrong solution

    error = fails(lambda: check_function(relu, relu_reference, [X]), "wrong values")
    assert "clip" not in str(error) and "abs" not in str(error)
