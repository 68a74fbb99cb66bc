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


# --- one table per checker: (answer, passes?, words its message must contain) ---

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_feedback, table  # noqa: E402

from bp_lib import SGD, Adam  # noqa: E402
from bp_lib.exercises.training import check_adam_step  # noqa: E402


def _err(Z, Y, scale=2.0, n=None):
    A = sigmoid(Z)
    return scale * (A - Y) * A * (1 - A) / (Z.size if n is None else n)


def _zero_output_error(Z, Y):
    Z[...] = 0
    Y[...] = 0.5
    return np.zeros_like(Z)


OUTPUT_ERROR_ROWS = [
    ("right", _err, True, ["matches"]),
    ("overwrites inputs", _zero_output_error, False, ["differs"]),
    ("1/2-MSE", lambda Z, Y: _err(Z, Y, scale=1.0), False, ["1/2-MSE"]),
    ("per row", lambda Z, Y: _err(Z, Y, n=len(Z)), False, ["number of rows"]),
    ("sign", lambda Z, Y: _err(Z, Y, scale=-2.0), False, ["sign is flipped"]),
    (
        "dL/dA for dZ",
        lambda Z, Y: 2 * (sigmoid(Z) - Y) / Z.size,
        False,
        ["This is dL/dA", "asks for dZ"],
    ),
    ("a string", lambda Z, Y: "dZ", False, ["string"]),
    ("None", lambda Z, Y: None, False, ["returned None"]),
]


def _momentum(p, g, v, lr, mu):
    v_new = mu * v - lr * g
    return p + v_new, v_new


def _momentum_in_place(p, g, v, lr, mu):
    v *= mu
    v -= lr * g
    p += v


def _momentum_in_place_returning(p, g, v, lr, mu):
    v *= mu
    v -= lr * g
    p += v
    return p, v


def _momentum_by_sgd(p, g, v, lr, mu):
    """bp.SGD itself, its velocity seeded with v: it updates p in place."""
    opt = SGD(lr=lr, momentum=mu)
    opt.state["p"] = {"velocity": v}
    opt.step({"p": p}, {"p": g})


def _momentum_overwrites(p, g, v, lr, mu):
    """Wrong; zeroes every input, so a reference computed afterwards would agree."""
    for a in (p, g, v):
        a[...] = 0
    return np.zeros_like(p), np.zeros_like(v)


def _momentum_half_in_place(p, g, v, lr, mu):
    v *= mu
    v -= lr * g
    p = p + v  # rebinds p only: the caller's p is unchanged  # noqa: F841


MOMENTUM_ROWS = [
    (
        "float32 (tol 1e-12: asks for float64)",
        lambda *a: tuple(x.astype(np.float32) for x in _momentum(*a)),
        False,
        ["p_new, v_new are float32", "float64", "1e-12"],
    ),
    ("(v_new, p_new)", lambda *a: _momentum(*a)[::-1], False, ["wrong order"]),
    ("v in place, p rebound", _momentum_half_in_place, False, ["left p unchanged"]),
    ("right", _momentum, True, ["matches"]),
    ("in place, returns None", _momentum_in_place, True, ["matches"]),
    ("in place, returns arrays", _momentum_in_place_returning, True, ["matches"]),
    ("bp.SGD in place", _momentum_by_sgd, True, ["matches"]),
    ("overwrites inputs", _momentum_overwrites, False, ["differs"]),
    (
        "lr hard-coded",
        lambda p, g, v, lr, mu: _momentum(p, g, v, 0.1, mu),
        False,
        ["lr seems hard-coded"],
    ),
    (
        "mu hard-coded",
        lambda p, g, v, lr, mu: _momentum(p, g, v, lr, 0.9),
        False,
        ["mu seems hard-coded"],
    ),
    (
        "lr and mu hard-coded",
        lambda p, g, v, lr, mu: _momentum(p, g, v, 0.1, 0.9),
        False,
        ["lr and mu seem hard-coded", "lr = 0.1, mu = 0.9"],
    ),
    (
        "PyTorch convention",
        lambda p, g, v, lr, mu: (p - lr * (mu * v + g), mu * v + g),
        False,
        ["other convention"],
    ),
    (
        "dampened",
        lambda p, g, v, lr, mu: _momentum(p, (1 - mu) * g, v, lr, mu),
        False,
        ["(1 - mu)"],
    ),
    (
        "Nesterov",
        lambda p, g, v, lr, mu: (p + mu * (mu * v - lr * g) - lr * g, mu * v - lr * g),
        False,
        ["Nesterov"],
    ),
    ("only p", lambda p, g, v, lr, mu: _momentum(p, g, v, lr, mu)[0], False, ["Only p_new"]),
    ("None, nothing done", lambda p, g, v, lr, mu: None, False, ["changed none"]),
    ("a dict", lambda p, g, v, lr, mu: {"p": p, "v": v}, False, ["dict"]),
    ("complex", lambda p, g, v, lr, mu: (p + 0j, v), False, ["complex"]),
    ("three outputs", lambda p, g, v, lr, mu: (p, v, v), False, ["returned 3 value(s)"]),
]


def _adam(p, g, m, s, t, lr, beta1, beta2, eps, shift=0, fix_m=True, fix_s=True, inside=False):
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** (t + shift)) if fix_m else m
    s_hat = s / (1 - beta2 ** (t + shift)) if fix_s else s
    root = np.sqrt(s_hat + eps) if inside else np.sqrt(s_hat) + eps
    return p - lr * m_hat / root, m, s


def _adam_in_place(p, g, m, s, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * g
    s *= beta2
    s += (1 - beta2) * g * g
    p -= lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)


def _adam_by_library(p, g, m, s, t, lr, beta1, beta2, eps):
    """bp.Adam itself, its moments and step count seeded: it updates p in place."""
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.state["p"] = {"m": m, "s": s, "step": t - 1}  # the steps this parameter took
    opt.step({"p": p}, {"p": g})


def _args_with(**changes):
    names = ["p", "g", "m", "s", "t", "lr", "beta1", "beta2", "eps"]

    def answer(*args):
        values = dict(zip(names, args))
        values.update(changes)
        return _adam(*(values[n] for n in names))

    return answer


def _adam_variant(p, g, m, s, t, lr, beta1, beta2, eps, variant):
    m = beta1 * m + (1 - beta1) * g
    if variant == "beta1 for s":
        s = beta1 * s + (1 - beta1) * g * g
        s_hat = s / (1 - beta1**t)
    else:
        s = beta2 * s + (1 - beta2) * g * g
        s_hat = s / (1 - beta2**t)
    m_hat = m / (1 - beta1**t)
    if variant == "eps hat":  # Kingma and Ba's 'efficient' ordering
        step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(s) + eps)
    elif variant == "no eps":
        step = lr * m_hat / np.sqrt(s_hat)
    else:
        step = lr * m_hat / (np.sqrt(s_hat) + eps)
    return p - step, m, s


def _adam_abs_g(p, g, m, s, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * np.abs(g)
    m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(s_hat) + eps), m, s


ADAM_ROWS = [
    (
        "float32 (tol 1e-10: asks for float64)",
        lambda *a: tuple(x.astype(np.float32) for x in _adam(*a)),
        False,
        ["p_new, m_new, s_new are float32", "float64", "1e-10"],
    ),
    (
        "off by 3e-6, in float32",
        lambda *a: tuple((x * (1 + 3e-6)).astype(np.float32) for x in _adam(*a)),
        False,
        ["return float64"],
    ),
    (
        "beta1 for s",
        lambda *a: _adam_variant(*a, "beta1 for s"),
        False,
        ["second moment uses beta1"],
    ),
    ("eps hat", lambda *a: _adam_variant(*a, "eps hat"), False, ["'efficient' form"]),
    ("no eps", lambda *a: _adam_variant(*a, "no eps"), False, ["eps is missing"]),
    (
        "(p, s, m)",
        lambda *a: (lambda r: (r[0], r[2], r[1]))(_adam(*a)),
        False,
        ["wrong order", "(p_new, m_new, s_new)"],
    ),
    ("right", _adam, True, ["matches"]),
    ("in place, returns None", _adam_in_place, True, ["matches"]),
    ("bp.Adam in place", _adam_by_library, True, ["matches"]),
    ("t + 1", lambda *a: _adam(*a, shift=1), False, ["off by one (t + 1"]),
    ("t - 1", lambda *a: _adam(*a, shift=-1), False, ["off by one (t - 1"]),
    ("m uncorrected", lambda *a: _adam(*a, fix_m=False), False, ["Only the second"]),
    ("s uncorrected", lambda *a: _adam(*a, fix_s=False), False, ["Only the first"]),
    ("eps inside", lambda *a: _adam(*a, inside=True), False, ["eps is inside"]),
    ("lr hard-coded", _args_with(lr=0.01), False, ["lr seems hard-coded"]),
    ("beta1 hard-coded", _args_with(beta1=0.9), False, ["beta1 seems hard-coded"]),
    ("beta2 hard-coded", _args_with(beta2=0.999), False, ["beta2 seems hard-coded"]),
    ("eps hard-coded", _args_with(eps=1e-8), False, ["eps seems hard-coded"]),
    (
        "betas hard-coded",
        _args_with(beta1=0.9, beta2=0.999),
        False,
        ["beta1 and beta2 seem hard-coded", "beta1 = 0.9, beta2 = 0.999"],
    ),
    (
        "lr, betas and eps hard-coded",
        _args_with(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8),
        False,
        ["lr, beta1, beta2 and eps seem hard-coded"],
    ),
    ("a string", lambda *a: ("p", "m", "s"), False, ["string"]),
    ("ragged", lambda *a: ([[1.0], [2.0, 3.0]], a[2], a[3]), False, ["ragged"]),
    ("|g| for g**2", _adam_abs_g, False, ["averages |g|"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(OUTPUT_ERROR_ROWS))
def test_output_error_table(answer, passed, words):
    assert_feedback(check_mse_sigmoid_output_error(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), table(MOMENTUM_ROWS))
def test_momentum_table(answer, passed, words):
    assert_feedback(check_momentum_step(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), table(ADAM_ROWS))
def test_adam_table(answer, passed, words):
    assert_feedback(check_adam_step(answer), passed, words)
