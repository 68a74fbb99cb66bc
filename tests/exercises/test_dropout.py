import numpy as np

from bp_lib import dropout_backward, dropout_forward
from bp_lib.exercises.dropout import (
    check_dropout_backward,
    check_dropout_forward,
    check_dropout_pair,
)


def test_backward_checker():
    feedback = check_dropout_backward(lambda dout, keep, p: dout * keep / (1 - p))
    assert feedback.passed, feedback.message
    wrongs = {
        "not rescaled": lambda dout, keep, p: dout * keep,
        "keep probability": lambda dout, keep, p: dout * keep / p,
        "multiplied by p:": lambda dout, keep, p: dout * keep * p,
        "multiplied by (1 - p)": lambda dout, keep, p: dout * keep * (1 - p),
        "mask is missing": lambda dout, keep, p: dout / (1 - p),
    }
    messages = set()
    for expected, wrong in wrongs.items():
        feedback = check_dropout_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (
            expected,
            feedback.message,
        )
        messages.add(feedback.message)
    assert len(messages) == len(wrongs)


def test_forward_checker():
    feedback = check_dropout_forward(lambda X, p, rng: dropout_forward(X, p, rng)[0])
    assert feedback.passed, feedback.message
    wrongs = {
        "not rescaled": lambda X, p, rng: X * (rng.random(X.shape) >= p),
        "keep probability": lambda X, p, rng: X * (rng.random(X.shape) < p) / p,
        "scaled by 1 / p": lambda X, p, rng: X * (rng.random(X.shape) >= p) / p,
        "multiplied by p;": lambda X, p, rng: X * (rng.random(X.shape) >= p) * p,
        "multiplied by (1 - p)": lambda X, p, rng: X * (rng.random(X.shape) >= p) * (1 - p),
    }
    messages = set()
    for expected, wrong in wrongs.items():
        feedback = check_dropout_forward(wrong)
        assert not feedback.passed and expected in feedback.message, (
            expected,
            feedback.message,
        )
        messages.add(feedback.message)
    assert len(messages) == len(wrongs)
    assert "shape" in check_dropout_forward(lambda X, p, rng: X[:10]).message


def _forward(X, p, rng):
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep / (1 - p)


def test_pair_checker_passes_the_library_and_a_hand_written_pair():
    assert check_dropout_pair(dropout_forward, dropout_backward).passed
    assert check_dropout_pair(_forward, lambda dout, mask: dout * mask).passed

    def forward_keep_bool(X, p, rng):
        keep = rng.random(X.shape) >= p
        return X * keep / (1 - p), (keep, p)

    def backward_keep_bool(dout, cache):
        keep, p = cache
        return dout * keep / (1 - p)

    assert check_dropout_pair(forward_keep_bool, backward_keep_bool).passed


def test_pair_checker_names_a_fresh_mask():
    def forward(X, p, rng):
        keep = rng.random(X.shape) >= p
        return X * keep / (1 - p), (X.shape, p, rng)

    def backward(dout, cache):
        shape, p, rng = cache
        return dout * (rng.random(shape) >= p) / (1 - p)  # a new draw: wrong

    feedback = check_dropout_pair(forward, backward)
    assert not feedback.passed and "drew a new mask" in feedback.message, feedback.message


def test_pair_checker_names_backward_and_forward_mistakes():
    def keep_of(mask):
        return mask != 0

    wrong_backwards = {
        "not rescaled": lambda dout, mask: dout * keep_of(mask),
        "keep probability": lambda dout, mask: dout * keep_of(mask) / 0.3,
        "multiplied by p:": lambda dout, mask: dout * keep_of(mask) * 0.3,
        "mask is missing": lambda dout, mask: dout / 0.7,
    }
    for expected, backward in wrong_backwards.items():
        feedback = check_dropout_pair(_forward, backward)
        assert not feedback.passed and expected in feedback.message, (
            expected,
            feedback.message,
        )

    def keep_probability_forward(X, p, rng):
        keep = rng.random(X.shape) < p
        return X * keep / p, keep / p

    feedback = check_dropout_pair(keep_probability_forward, lambda dout, mask: dout * mask)
    assert not feedback.passed and "keep probability" in feedback.message


def test_pair_checker_rejects_a_mask_not_drawn_from_rng_and_a_bare_output():
    own = np.random.default_rng(0)

    def forward_own_generator(X, p, rng):
        return _forward(X, p, own)

    feedback = check_dropout_pair(forward_own_generator, lambda dout, mask: dout * mask)
    assert not feedback.passed and "rng argument" in feedback.message

    feedback = check_dropout_pair(lambda X, p, rng: _forward(X, p, rng)[0], lambda dout, mask: dout * mask)
    assert not feedback.passed and "(out, cache)" in feedback.message


# --- one table per checker: (answer, passes?, words its message must contain) ---

import pytest  # noqa: E402
from helpers import assert_feedback  # noqa: E402

from bp_lib.exercises.dropout import check_dropout_eval  # noqa: E402


def _zeroes_dout(dout, keep, p):
    dout[...] = 0
    return np.zeros_like(dout)


def _in_place(dout, keep, p):
    dout *= keep
    dout /= 1 - p
    return dout


BACKWARD_ROWS = [
    ("right", lambda dout, keep, p: dout * keep / (1 - p), True, ["matches"]),
    ("right, in place", _in_place, True, ["dout in place"]),
    ("overwrites dout", _zeroes_dout, False, ["differs"]),
    ("p hard-coded", lambda dout, keep, p: dout * keep / 0.7, False, ["p seems hard"]),
    (
        "inverted mask",
        lambda dout, keep, p: dout * ~keep / (1 - p),
        False,
        ["inverted"],
    ),
    ("a string", lambda dout, keep, p: "dX", False, ["string"]),
    ("None", lambda dout, keep, p: None, False, ["returned None"]),
    ("complex", lambda dout, keep, p: dout * keep / (1 - p) + 0j, False, ["complex"]),
]


def _inv_forward(X, p, rng):
    return X * (rng.random(X.shape) >= p) / (1 - p)


FORWARD_ROWS = [
    (
        "returns (out, mask)",
        _forward,
        False,
        ["returned a tuple of 2"],
    ),
    (
        "draws from np.random",
        lambda X, p, rng: X * (np.random.random(X.shape) >= p) / (1 - p),
        False,
        ["rng argument"],
    ),
    ("right", _inv_forward, True, ["matches"]),
    ("p hard-coded", lambda X, p, rng: _inv_forward(X, 0.3, rng), False, ["p seems hard"]),
    (
        "mask with p as keep",
        lambda X, p, rng: X * (rng.random(X.shape) < p) / (1 - p),
        False,
        ["for the mask"],
    ),
    ("no drop", lambda X, p, rng: X.copy(), False, ["No unit was dropped"]),
    ("a string", lambda X, p, rng: "out", False, ["not an array of numbers"]),
    ("wrong shape", lambda X, p, rng: X.T, False, ["shape"]),
]


def _pair_forward(X, p, rng):
    mask = (rng.random(X.shape) >= p) / (1 - p)
    return X * mask, mask


PAIR_ROWS = [
    ("right", _pair_forward, lambda dout, mask: dout * mask, True, ["matches"]),
    (
        "right, in place",
        _pair_forward,
        lambda dout, mask: np.multiply(dout, mask, out=dout),
        True,
        ["matches"],
    ),
    (
        "forward returns out only",
        lambda X, p, rng: _pair_forward(X, p, rng)[0],
        lambda dout, mask: dout * mask,
        False,
        ["pair (out, cache)"],
    ),
    (
        "backward ignores the scale",
        _pair_forward,
        lambda dout, mask: dout * (mask != 0),
        False,
        ["not rescaled"],
    ),
    (
        "backward returns None",
        _pair_forward,
        lambda dout, mask: None,
        False,
        ["returned None"],
    ),
]


# --- masks that do not come from rng draws of one value per unit ---


def _fixed_pattern(X, p, rng):
    keep = (np.arange(X.size) % 100 >= 100 * p).reshape(X.shape)
    return X * keep / (1 - p)


def _first_units(X, p, rng):
    keep = (np.arange(X.size) >= int(p * X.size)).reshape(X.shape)
    return X * keep / (1 - p)


def _own_generator(X, p, rng):
    return _inv_forward(X, p, np.random.default_rng(0))


def _per_feature(X, p, rng):
    return X * (rng.random(X.shape[1]) >= p) / (1 - p)


def _per_example(X, p, rng):
    return X * (rng.random((X.shape[0], 1)) >= p) / (1 - p)


def _exact_count_per_row(X, p, rng):
    keep = np.ones(X.shape, bool)
    for row in keep:
        row[rng.choice(X.shape[1], round(p * X.shape[1]), replace=False)] = False
    return X * keep / (1 - p)


def _blocks_of_ten(X, p, rng):
    keep = np.repeat(rng.random((X.shape[0], X.shape[1] // 10)) >= p, 10, axis=1)
    return X * keep / (1 - p)


def _in_place_forward(X, p, rng):
    X *= (rng.random(X.shape) >= p) / (1 - p)
    return X


FORWARD_ROWS += [
    ("fixed pattern", _fixed_pattern, False, ["different seeds dropped the same"]),
    ("first p*N units", _first_units, False, ["different seeds dropped the same"]),
    ("own default_rng(0)", _own_generator, False, ["different seeds dropped the same"]),
    ("mask per feature", _per_feature, False, ["every row has the same mask"]),
    ("mask per example", _per_example, False, ["kept or dropped whole"]),
    ("exact count per row", _exact_count_per_row, False, ["varies too little"]),
    ("blocks of ten units", _blocks_of_ten, False, ["varies too much"]),
    (
        "scaled mask without X",
        lambda X, p, rng: (rng.random(X.shape) >= p) / (1 - p),
        False,
        ["scaled mask without X"],
    ),
    (
        "X * keep / 1 - p",
        lambda X, p, rng: X * (rng.random(X.shape) >= p) / 1 - p,
        False,
        ["not X times one number"],
    ),
    (
        "mask with p = 0.5",
        lambda X, p, rng: X * rng.integers(0, 2, X.shape) / (1 - p),
        False,
        ["as p = 0.5 would"],
    ),
    ("scaled, none dropped", lambda X, p, rng: X / (1 - p), False, ["every unit"]),
    ("right, in place", _in_place_forward, True, ["matches"]),
    (
        "right, float32 (asks for float64)",
        lambda X, p, rng: _inv_forward(X, p, rng).astype(np.float32),
        False,
        ["the output is float32", "float64"],
    ),
    (
        "right, binomial draw",
        lambda X, p, rng: X * rng.binomial(1, 1 - p, X.shape) / (1 - p),
        True,
        ["matches"],
    ),
    (
        "right, keep = U < 1 - p",
        lambda X, p, rng: X * (rng.random(X.shape) < 1 - p) / (1 - p),
        True,
        ["matches"],
    ),
]

BACKWARD_ROWS += [
    (
        "right, float32 (tol 1e-12: asks for float64)",
        lambda dout, keep, p: (dout * keep / (1 - p)).astype(np.float32),
        False,
        ["float32", "float64", "1e-12"],
    ),
    ("dout missing", lambda dout, keep, p: keep / (1 - p), False, ["not contain dout"]),
    (
        "new mask from np.random",
        lambda dout, keep, p: dout * (np.random.random(dout.shape) >= p) / (1 - p),
        False,
        ["drew a new mask"],
    ),
]


def _with_keep(forward):
    def pair_forward(X, p, rng):
        out = forward(X, p, rng)
        return out, (out != 0, p)

    return pair_forward


def _keep_backward(dout, cache):
    keep, p = cache
    return dout * keep / (1 - p)


def _in_place_pair_forward(X, p, rng):
    keep = rng.random(X.shape) >= p
    X *= keep / (1 - p)
    return X, keep / (1 - p)


PAIR_ROWS += [
    ("fixed pattern", _with_keep(_fixed_pattern), _keep_backward, False, ["seeds"]),
    ("own default_rng(0)", _with_keep(_own_generator), _keep_backward, False, ["seeds"]),
    ("mask per feature", _with_keep(_per_feature), _keep_backward, False, ["every row"]),
    ("right, forward in place", _in_place_pair_forward, lambda d, m: d * m, True, []),
    (
        "p = 0.3 written into backward",
        _with_keep(_inv_forward),
        lambda dout, cache: dout * cache[0] / (1 - 0.3),
        False,
        ["p seems hard-coded", "1 - 0.3"],
    ),
    (
        "backward draws from np.random",
        _with_keep(_inv_forward),
        lambda dout, cache: dout * (np.random.random(dout.shape) >= cache[1]) / 0.7,
        False,
        ["drew a new mask"],
    ),
    (
        "right, float32 (asks for float64)",
        _with_keep(lambda X, p, rng: _inv_forward(X, p, rng).astype(np.float32)),
        lambda dout, cache: _keep_backward(dout, cache).astype(np.float32),
        False,
        ["dropout_forward: return float64"],
    ),
    (
        "backward without dout",
        _with_keep(_inv_forward),
        lambda dout, cache: cache[0] / (1 - cache[1]),
        False,
        ["not contain dout"],
    ),
]


def _layer(X, p, rng, training):
    return _inv_forward(X, p, rng) if training else X


EVAL_ROWS = [
    ("right", _layer, True, ["matches"]),
    ("right, returns a copy", lambda X, p, r, t: _layer(X, p, r, t).copy(), True, []),
    (
        "scales by 1 - p",
        lambda X, p, r, t: _inv_forward(X, p, r) if t else X * (1 - p),
        False,
        ["non-inverted"],
    ),
    (
        "divides by 1 - p",
        lambda X, p, r, t: _inv_forward(X, p, r) if t else X / (1 - p),
        False,
        ["divided by (1 - p)"],
    ),
    ("still drops", lambda X, p, r, t: _inv_forward(X, p, r), False, ["still dropped"]),
    (
        "zeros",
        lambda X, p, r, t: _inv_forward(X, p, r) if t else 0 * X,
        False,
        ["all zeros"],
    ),
    ("training mode broken", lambda X, p, r, t: X, False, ["In training mode"]),
    (
        "fixed pattern in training",
        lambda X, p, r, t: _fixed_pattern(X, p, r) if t else X,
        False,
        ["In training mode", "different seeds"],
    ),
    (
        "modes swapped",
        lambda X, p, r, t: X if t else _inv_forward(X, p, r),
        False,
        ["swapped"],
    ),
    (
        "eval drops without scaling",
        lambda X, p, r, t: _inv_forward(X, p, r) * (1 - p) if not t else _layer(X, p, r, t),
        False,
        ["still dropped"],
    ),
    (
        "right, float32 (asks for float64)",
        lambda X, p, r, t: _layer(X, p, r, t).astype(np.float32),
        False,
        ["In training mode", "return float64"],
    ),
    (
        "None in eval",
        lambda X, p, r, t: _inv_forward(X, p, r) if t else None,
        False,
        ["None"],
    ),
]


def _ids(rows):
    return [row[0] for row in rows]


@pytest.mark.parametrize("row", BACKWARD_ROWS, ids=_ids(BACKWARD_ROWS))
def test_dropout_backward_table(row):
    _, answer, passed, words = row
    assert_feedback(check_dropout_backward(answer), passed, words)


@pytest.mark.parametrize("row", FORWARD_ROWS, ids=_ids(FORWARD_ROWS))
def test_dropout_forward_table(row):
    _, answer, passed, words = row
    assert_feedback(check_dropout_forward(answer), passed, words)


@pytest.mark.parametrize("row", PAIR_ROWS, ids=_ids(PAIR_ROWS))
def test_dropout_pair_table(row):
    _, forward, backward, passed, words = row
    assert_feedback(check_dropout_pair(forward, backward), passed, words)


@pytest.mark.parametrize("row", EVAL_ROWS, ids=_ids(EVAL_ROWS))
def test_dropout_eval_table(row):
    _, answer, passed, words = row
    assert_feedback(check_dropout_eval(answer), passed, words)
