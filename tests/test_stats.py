"""course_utils.stats: the Wilson interval against published values."""

import numpy as np
import pytest

from course_utils.stats import wilson_interval


@pytest.mark.parametrize(("successes", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17, 857-872, Table I, method 3 (Wilson score).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_matches_newcombes_table(successes, n, low, high):
    got = wilson_interval(successes, n)
    assert got == pytest.approx((low, high), abs=6e-5)


def test_numpy_counts_and_perfect_accuracy():
    low, high = wilson_interval(np.int64(10_000), np.int64(10_000))
    assert 0.9996 < low < 1.0 and high == pytest.approx(1.0)


@pytest.mark.parametrize(("successes", "n"), [(0.99, 1), (5, 0), (11, 10), (-1, 10), (True, 3)])
def test_bad_counts_say_what_to_pass(successes, n):
    with pytest.raises(ValueError, match="wilson_interval"):
        wilson_interval(successes, n)
