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
