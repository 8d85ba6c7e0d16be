"""The run profile and seeding helpers."""

import numpy as np
import pytest

from course_utils import profile


def test_default_profile_is_full(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert profile.get_profile() == "full"
    assert profile.pick(full=20, smoke=1) == 20


def test_smoke_profile_picks_smoke_value(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    assert profile.is_smoke()
    assert profile.pick(full=20, smoke=1) == 1


@pytest.mark.parametrize("raw", ["SMOKE", " full "])
def test_profile_is_case_and_space_insensitive(monkeypatch, raw):
    monkeypatch.setenv("COURSE_PROFILE", raw)
    assert profile.get_profile() == raw.strip().lower()


def test_unknown_profile_is_a_one_line_error_naming_the_choices(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError) as info:
        profile.pick(full=1, smoke=0)
    message = str(info.value)
    assert "\n" not in message
    assert "'fast'" in message and "full" in message and "smoke" in message


def test_pick_needs_both_values():
    with pytest.raises(TypeError):
        profile.pick(full=1)  # type: ignore[call-arg]


def test_seed_everything_makes_numpy_and_keras_repeatable():
    import keras

    profile.seed_everything(7)
    a = np.random.rand(3), keras.random.uniform((3,)).numpy()
    profile.seed_everything(7)
    b = np.random.rand(3), keras.random.uniform((3,)).numpy()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("bad", [-1, 1.5, "42", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        profile.seed_everything(bad)
