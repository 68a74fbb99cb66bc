"""Gradient-check helpers used across the test modules.

The centred differences use eps = 1e-5: truncation error ~eps**2 ~ 1e-10 and round-off
~1e-16 * |f| / eps ~ 1e-11 for these O(1) functions. With eps = 1e-6 the round-off of
log-sum-exp (~|Z| * 1e-16 / eps) reached 3e-7 relative to a small cross-entropy gradient.
"""

import numpy as np

import bp_lib as bp


def check_backward(forward, backward, inputs, dout, tol=1e-7):
    """Check ``backward(dout, cache)`` against the numerical gradient of ``sum(forward(*inputs) * dout)``.

    Returns the list of relative errors, one per input; asserts each is below ``tol``.
    """
    _, cache = forward(*inputs)
    analytic = backward(dout, cache)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)
    assert len(analytic) == len(inputs)
    errors = []
    for x, grad in zip(inputs, analytic):
        numeric = bp.numerical_gradient(lambda: np.sum(forward(*inputs)[0] * dout), x, eps=1e-5)
        assert grad.shape == x.shape
        errors.append(bp.relative_error(grad, numeric))
    assert max(errors) < tol, errors
    return errors


def check_loss_gradient(loss, prediction, target, tol=1e-7):
    """Check the gradient a loss returns against centred differences of its value."""
    _, grad = loss(prediction, target)
    numeric = bp.numerical_gradient(lambda: loss(prediction, target)[0], prediction, eps=1e-5)
    error = bp.relative_error(grad, numeric)
    assert error < tol, error
    return error


def table(rows):
    """``(id, answer, passed, words)`` rows of a checker's table as ``pytest.param``s."""
    import pytest

    return [pytest.param(*row[1:], id=row[0]) for row in rows]


def assert_feedback(feedback, passed, words, chain_rule_allowed=False):
    """A checker's verdict is ``passed`` and its message holds every one of ``words``.

    Unless ``chain_rule_allowed`` (a backward-pass checker), the message must not fall
    back on the chain-rule hint, which fits no forward, optimiser or initialiser exercise.
    """
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message
    assert chain_rule_allowed or "chain rule" not in feedback.message
