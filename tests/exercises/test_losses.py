from bp_lib import one_hot, softmax
from bp_lib.exercises.losses import check_mse_gradient, check_softmax_cross_entropy_gradient


def test_mse_checker():
    assert check_mse_gradient(lambda Y_hat, Y: 2 * (Y_hat - Y) / Y_hat.size).passed
    wrongs = {
        "The 1/m is missing": lambda Y_hat, Y: 2 * (Y_hat - Y),
        "The factor 2 is missing": lambda Y_hat, Y: (Y_hat - Y) / Y_hat.size,
        "divided by the number of rows": lambda Y_hat, Y: 2 * (Y_hat - Y) / len(Y_hat),
        "sign is flipped": lambda Y_hat, Y: 2 * (Y - Y_hat) / Y_hat.size,
    }
    for expected, wrong in wrongs.items():
        feedback = check_mse_gradient(wrong)
        assert not feedback.passed and expected.strip() in feedback.message, (expected, feedback.message)


def test_cross_entropy_checker():
    def targets(Z, y):
        return one_hot(y, Z.shape[1])

    assert check_softmax_cross_entropy_gradient(lambda Z, y: (softmax(Z) - targets(Z, y)) / len(Z)).passed
    wrongs = [
        ("not divided by m", lambda Z, y: softmax(Z) - targets(Z, y)),
        ("Z - Y was used", lambda Z, y: (Z - targets(Z, y)) / len(Z)),
        ("integer labels y were subtracted directly", lambda Z, y: (softmax(Z) - y[:, None]) / len(Z)),
        ("integer labels y were subtracted directly", lambda Z, y: (softmax(Z) - y) / len(Z)),  # plain broadcast
        ("sign is flipped", lambda Z, y: (targets(Z, y) - softmax(Z)) / len(Z)),
    ]
    for expected, wrong in wrongs:
        feedback = check_softmax_cross_entropy_gradient(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
