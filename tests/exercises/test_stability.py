import numpy as np

from bp_lib import clip_grad_norm
from bp_lib.exercises.stability import check_clip_grad_norm


def test_right_answer_passes():
    assert check_clip_grad_norm(clip_grad_norm).passed


def test_each_mistake_is_named():
    def per_array(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        for g in grads:
            g *= min(1.0, max_norm / (np.linalg.norm(g) + 1e-6))
        return norm

    def elementwise(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        for g in grads:
            np.clip(g, -max_norm, max_norm, out=g)
        return norm

    def always(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        for g in grads:
            g *= max_norm / (norm + 1e-6)
        return norm

    def post_norm(grads, max_norm):
        clip_grad_norm(grads, max_norm)
        return np.sqrt(sum(np.sum(g**2) for g in grads))

    wrongs = {
        "by its own norm": per_array,
        "Each element was clipped": elementwise,
        "scaled up to max_norm": always,
        "after clipping": post_norm,
    }
    for expected, wrong in wrongs.items():
        feedback = check_clip_grad_norm(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_the_factor_without_the_small_constant_passes_too():
    def plain(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        if norm > max_norm:
            for g in grads:
                g *= max_norm / norm
        return norm

    assert check_clip_grad_norm(plain).passed


def test_unexplained_answers_get_the_generic_message():
    def halves(grads, max_norm):
        for g in grads:
            g *= 0.5
        return np.sqrt(sum(np.sum(g**2) for g in grads))

    feedback = check_clip_grad_norm(halves)
    assert not feedback.passed and "differs from the reference" in feedback.message


# --- one table: (answer, passes?, words its message must contain) ---

import pytest  # noqa: E402
from helpers import table  # noqa: E402


def _plain(grads, max_norm, norm_of=None):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads)) if norm_of is None else norm_of(grads)
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return norm


def _rebinds(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    if norm > max_norm:
        for g in grads:
            g = g * max_norm / norm  # noqa: PLW2901 - the mistake under test
    return norm


def _empties_the_list(grads, max_norm):
    """Wrong; empties the caller's list, so nothing is left to compare."""
    norm = _plain(grads, max_norm)
    for g in grads:
        g[...] = 0
    return norm


def _global(grads):
    return np.sqrt(sum(np.sum(g * g) for g in grads))


def _returns_the_list(grads, max_norm):
    norm = _global(grads)
    return [g * min(1.0, max_norm / norm) for g in grads]


def _returns_nothing(grads, max_norm):
    norm = _global(grads)
    for g in grads:
        g *= min(1.0, max_norm / norm)


def _replaces_entries(grads, max_norm):
    norm = _global(grads)
    for i in range(len(grads)):
        grads[i] = grads[i] * min(1.0, max_norm / norm)
    return norm


CLIP_ROWS = [
    ("returns the list", _returns_the_list, False, ["returned a list", "the global norm"]),
    ("returns None", _returns_nothing, False, ["returned None", "the global norm"]),
    ("replaces entries", _replaces_entries, False, ["replaced by a new array"]),
    ("bp.clip_grad_norm", clip_grad_norm, True, ["matches"]),
    ("plain", _plain, True, ["matches"]),
    ("zeroes the arrays", _empties_the_list, False, ["differs"]),
    ("max_norm hard-coded", lambda g, m: _plain(g, 1.0), False, ["max_norm seems"]),
    (
        "sum of per-array norms",
        lambda g, m: _plain(g, m, lambda gs: sum(np.linalg.norm(a) for a in gs)),
        False,
        ["sum of the arrays' norms"],
    ),
    (
        "no square root",
        lambda g, m: _plain(g, m, lambda gs: sum(np.sum(a**2) for a in gs)),
        False,
        ["without the square root"],
    ),
    ("not in place", _rebinds, False, ["not changed in place"]),
    ("None", lambda g, m: None, False, ["None"]),
    ("a string", lambda g, m: "norm", False, ["string"]),
    ("complex", lambda g, m: _plain(g, m) + 0j, False, ["complex"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(CLIP_ROWS))
def test_clip_table(answer, passed, words):
    feedback = check_clip_grad_norm(answer)
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message
    assert "chain rule" not in feedback.message
