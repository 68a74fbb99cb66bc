from bp_lib.exercises.classifier import check_weight_decay_gradient


def test_weight_decay_checker():
    assert check_weight_decay_gradient(lambda W, d, lam: d + lam * W).passed
    wrongs = {
        "gradient is missing": lambda W, d, lam: d,
        "The factor is 2 lam": lambda W, d, lam: d + 2 * lam * W,
        "wrong sign": lambda W, d, lam: d - lam * W,
        "not its gradient": lambda W, d, lam: d + lam * W**2,
    }
    for expected, wrong in wrongs.items():
        feedback = check_weight_decay_gradient(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


# --- one table: (answer, passes?, words its message must contain) ---

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_feedback  # noqa: E402


def _overwrites(W, d, lam):
    W[...] = 0
    d[...] = 0
    return np.zeros_like(W)


def _in_place(W, d, lam):
    d += lam * W  # right, but adds the penalty into the caller's data gradient
    return d


def _overwrites_w(W, dW_data, lam):
    W *= lam
    W += dW_data
    return W


def _updates_dw_data(W, dW_data, lam):
    dW_data += lam * W
    return dW_data


DECAY_ROWS = [
    ("overwrites W", _overwrites_w, False, ["W was overwritten"]),
    ("updates dW_data in place", _updates_dw_data, True, ["in place"]),
    ("float32", lambda W, d, lam: (d + lam * W).astype(np.float32), True, []),
    ("SGD shrink", lambda W, d, lam: (1 - lam) * W - d, False, ["SGD step's shrink"]),
    ("lam W / n", lambda W, d, lam: d + lam * W / len(W), False, ["divided by a count"]),
    ("lam W / W.size", lambda W, d, lam: d + lam * W / W.size, False, ["number of weights"]),
    (
        "penalty value",
        lambda W, d, lam: d + lam / 2 * np.sum(W**2),
        False,
        ["the penalty itself"],
    ),
    ("+ lam", lambda W, d, lam: d + lam, False, ["lam alone was added"]),
    ("right", lambda W, d, lam: d + lam * W, True, ["matches"]),
    ("right, in place", _in_place, True, ["in place"]),
    ("overwrites inputs", _overwrites, False, ["differs"]),
    ("lam hard-coded", lambda W, d, lam: d + 1e-3 * W, False, ["lam seems hard-coded"]),
    ("lam / 2", lambda W, d, lam: d + lam / 2 * W, False, ["lam / 2"]),
    ("L1", lambda W, d, lam: d + lam * np.sign(W), False, ["L1"]),
    ("no data gradient", lambda W, d, lam: lam * W, False, ["data gradient is missing"]),
    ("a dict", lambda W, d, lam: {"W": W}, False, ["dict"]),
]


@pytest.mark.parametrize("row", DECAY_ROWS, ids=[r[0] for r in DECAY_ROWS])
def test_weight_decay_table(row):
    _, answer, passed, words = row
    assert_feedback(check_weight_decay_gradient(answer), passed, words)
