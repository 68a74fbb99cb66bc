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
