from bp_lib import sigmoid
from bp_lib.exercises.training import check_momentum_step, check_mse_sigmoid_output_error


def test_output_error_checker():
    def right(Z, Y):
        A = sigmoid(Z)
        return 2 * (A - Y) * A * (1 - A) / Z.size

    assert check_mse_sigmoid_output_error(right).passed
    wrongs = {
        "This is A - Y": lambda Z, Y: (sigmoid(Z) - Y) / Z.size,
        "without the 1/size": lambda Z, Y: sigmoid(Z) - Y,
        "evaluated at A instead of at Z": lambda Z, Y: (
            2 * (sigmoid(Z) - Y) * sigmoid(sigmoid(Z)) * (1 - sigmoid(sigmoid(Z))) / Z.size
        ),
        "1/size of the mean is missing": lambda Z, Y: 2 * (sigmoid(Z) - Y) * sigmoid(Z) * (1 - sigmoid(Z)),
    }
    for expected, wrong in wrongs.items():
        feedback = check_mse_sigmoid_output_error(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_momentum_checker():
    assert check_momentum_step(lambda p, g, v, lr, mu: (p + mu * v - lr * g, mu * v - lr * g)).passed
    wrongs = {
        "updated after moving p": lambda p, g, v, lr, mu: (p + v, mu * v - lr * g),
        "applied twice": lambda p, g, v, lr, mu: (p + lr * (mu * v - lr * g), mu * v - lr * g),
        "sign is flipped": lambda p, g, v, lr, mu: (p + mu * v + lr * g, mu * v + lr * g),
        "not decayed": lambda p, g, v, lr, mu: (p + v - lr * g, v - lr * g),
    }
    for expected, wrong in wrongs.items():
        feedback = check_momentum_step(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_adam_checker():
    import numpy as np

    from bp_lib.exercises.training import check_adam_step

    def right(p, g, m, s, t, lr, beta1, beta2, eps):
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        return p - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), m, s

    assert check_adam_step(right).passed

    def no_correction(p, g, m, s, t, lr, beta1, beta2, eps):
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        return p - lr * m / (np.sqrt(s) + eps), m, s

    def no_sqrt(p, g, m, s, t, lr, beta1, beta2, eps):
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        return p - lr * (m / (1 - beta1**t)) / (s / (1 - beta2**t) + eps), m, s

    def stores_corrected(p, g, m, s, t, lr, beta1, beta2, eps):
        m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
        s = (beta2 * s + (1 - beta2) * g * g) / (1 - beta2**t)
        return p - lr * m / (np.sqrt(s) + eps), m, s

    def sums(p, g, m, s, t, lr, beta1, beta2, eps):
        m, s = beta1 * m + g, beta2 * s + g * g
        return p - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), m, s

    def flipped(p, g, m, s, t, lr, beta1, beta2, eps):
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        return p + lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), m, s

    def unexplained(p, g, m, s, t, lr, beta1, beta2, eps):
        p_new, m, s = right(p, g, m, s, t, lr, beta1, beta2, eps)
        return p_new * 1.01, m, s

    wrongs = {
        "bias correction is missing": no_correction,
        "square root is missing": no_sqrt,
        "bias-corrected moments were stored": stores_corrected,
        "sums, not averages": sums,
        "sign is flipped": flipped,
        "adam_step: output 0 differs": unexplained,
    }
    for expected, wrong in wrongs.items():
        feedback = check_adam_step(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
