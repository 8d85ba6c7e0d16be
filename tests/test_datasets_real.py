"""Real-data checks against the mirror named by COURSE_DATA_DIR (skipped when unset)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from course_utils import datasets

pytestmark = pytest.mark.skipif(
    not os.environ.get("COURSE_DATA_DIR"),
    reason="COURSE_DATA_DIR is not set: no dataset mirror to test against",
)


def test_mnist_full_matches_published_numbers() -> None:
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(profile="full")
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    # Published MNIST class counts (LeCun et al.): digits 0-9 in the training set.
    assert np.bincount(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist_smoke_is_balanced_real_subset() -> None:
    (x_full, y_full), _ = datasets.load_mnist(profile="full")
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(profile="smoke")
    assert x_train.shape == (1000, 28, 28) and x_test.shape == (500, 28, 28)
    assert np.bincount(y_train).tolist() == [100] * 10
    assert np.bincount(y_test).tolist() == [50] * 10
    idx = datasets.balanced_indices(y_full, 100)
    np.testing.assert_array_equal(x_train, x_full[idx])
