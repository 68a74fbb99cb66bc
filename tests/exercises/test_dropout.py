import numpy as np

from bp_lib import dropout_backward, dropout_forward
from bp_lib.exercises.dropout import check_dropout_backward, check_dropout_forward, check_dropout_pair


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
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
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
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
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
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)

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
