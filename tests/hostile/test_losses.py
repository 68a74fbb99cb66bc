"""Hostile input to the losses and ``one_hot``: targets that are not what they claim."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp

inf, nan = np.inf, np.nan
Z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.0]])


def loss_of(loss_fn, *args):
    return loss_fn(*args)[0]


PROBES = [
    # one-hot targets must be distributions
    Probe(
        "one-hot rows sum to 2",
        lambda: bp.softmax_cross_entropy(Z, np.array([[1.0, 1, 0], [0, 1, 0]])),
        Raises(ValueError, "each row of y (one-hot) must sum to 1", "row 0 sums to 2"),
    ),
    Probe(
        "one-hot negative",
        lambda: bp.softmax_cross_entropy(Z, np.array([[2.0, -1, 0], [0, 1, 0]])),
        Raises(ValueError, "must be non-negative", "-1"),
    ),
    Probe(
        "one-hot NaN",
        lambda: bp.softmax_cross_entropy(Z, np.array([[nan, 1, 0], [0, 1, 0]])),
        Raises(ValueError, "y (one-hot) must be finite", "NaN at index (0, 0)"),
    ),
    Probe(
        "one-hot zeros row",
        lambda: bp.softmax_cross_entropy(Z, np.array([[0.0, 0, 0], [0, 1, 0]])),
        Raises(ValueError, "row 0 sums to 0"),
    ),
    Probe(
        "one-hot soft labels",
        lambda: loss_of(bp.softmax_cross_entropy, Z, np.full((2, 3), 1 / 3)),
        Returns(close_to(-np.mean(bp.log_softmax(Z).sum(1) / 3))),
    ),
    Probe(
        "one-hot int matrix",
        lambda: loss_of(bp.softmax_cross_entropy, Z, np.eye(3, dtype=int)[[0, 1]]),
        Returns(close_to(loss_of(bp.softmax_cross_entropy, Z, np.array([0, 1])))),
    ),
    Probe(
        "labels as a column, K=1",
        lambda: bp.softmax_cross_entropy(np.zeros((2, 1)), np.array([[0], [0]])),
        Raises(ValueError, "sums to 0", "integer labels go in a 1-D array"),
    ),
    Probe(
        "labels as a column, K=3",
        lambda: bp.softmax_cross_entropy(Z, np.array([[0], [2]])),
        Raises(ValueError, "(2, 1)", "integer labels go in a 1-D array"),
    ),
    Probe(
        "one-hot wrong width",
        lambda: bp.softmax_cross_entropy(Z, np.eye(4)[[0, 1]]),
        Raises(ValueError, "y (one-hot) has shape (2, 4)", "(2, 3)"),
    ),
    Probe(
        "labels out of range",
        lambda: bp.softmax_cross_entropy(Z, np.array([0, 3])),
        Raises(ValueError, "labels must lie in [0, 2]", "3"),
    ),
    Probe(
        "labels negative",
        lambda: bp.softmax_cross_entropy(Z, np.array([-1, 0])),
        Raises(ValueError, "labels must lie in", "-1"),
    ),
    Probe(
        "labels float",
        lambda: bp.softmax_cross_entropy(Z, np.array([0.0, 1.0])),
        Raises(ValueError, "y must be a 1-D integer array", "float64"),
    ),
    Probe(
        "labels count",
        lambda: bp.softmax_cross_entropy(Z, np.array([0, 1, 2])),
        Raises(ValueError, "y has 3 labels but Z has 2 rows"),
    ),
    Probe(
        "labels str",
        lambda: bp.softmax_cross_entropy(Z, np.array(["a", "b"])),
        Raises(ValueError, "y must be a 1-D integer array"),
    ),
    # infinite or NaN logits: exact limit or clear error
    Probe(
        "CE +inf logit",
        lambda: bp.softmax_cross_entropy(np.array([[inf, 0.0]]), np.array([0])),
        Raises(ValueError, "finite logits", "+inf in row 0"),
    ),
    Probe(
        "CE NaN logit",
        lambda: bp.softmax_cross_entropy(np.array([[nan, 0.0]]), np.array([0])),
        Raises(ValueError, "NaN in row 0"),
    ),
    Probe(
        "CE masked logit, label elsewhere",
        lambda: bp.softmax_cross_entropy(np.array([[-inf, 0.0]]), np.array([1])),
        Returns(lambda r: r[0] == 0.0 and np.allclose(r[1], 0)),
    ),
    Probe(
        "CE masked logit, one-hot elsewhere",
        lambda: bp.softmax_cross_entropy(np.array([[-inf, 0.0]]), np.array([[0.0, 1.0]])),
        Returns(lambda r: r[0] == 0.0 and np.allclose(r[1], 0)),
    ),
    Probe(
        "CE 1e308 logits",
        lambda: loss_of(bp.softmax_cross_entropy, np.array([[1e308, -1e308]]), np.array([0])),
        Returns(close_to(0.0)),
    ),
    Probe(
        "BCE logits +inf",
        lambda: bp.bce_with_logits(np.array([inf]), np.array([1.0])),
        Raises(ValueError, "Z must be finite", "inf at index (0,)"),
    ),
    Probe(
        "BCE logits NaN",
        lambda: bp.bce_with_logits(np.array([nan]), np.array([1.0])),
        Raises(ValueError, "Z must be finite", "NaN"),
    ),
    Probe(
        "BCE logits 1e300",
        lambda: loss_of(bp.bce_with_logits, np.array([1e300, -1e300]), np.array([1.0, 0.0])),
        Returns(close_to(0.0)),
    ),
    Probe(
        "BCE logits targets 2",
        lambda: bp.bce_with_logits(np.zeros(2), np.array([0.0, 2.0])),
        Raises(ValueError, "Y (targets) must hold values in [0, 1]"),
    ),
    Probe(
        "BCE probs 1.5",
        lambda: bp.binary_cross_entropy(np.array([1.5]), np.array([1.0])),
        Raises(ValueError, "P (probabilities) must hold values in [0, 1]", "1.5"),
    ),
    Probe(
        "BCE probs NaN",
        lambda: bp.binary_cross_entropy(np.array([nan]), np.array([1.0])),
        Raises(ValueError, "P (probabilities)"),
    ),
    Probe(
        "BCE probs exactly 0",
        lambda: loss_of(bp.binary_cross_entropy, np.array([0.0]), np.array([1.0])),
        Returns(lambda v: 30 < v < 40),
    ),
    Probe(
        "MSE NaN",
        lambda: bp.mse_loss(np.array([nan, 1.0]), np.zeros(2)),
        Raises(ValueError, "Y_hat must be finite", "NaN at index (0,)"),
    ),
    Probe(
        "MSE inf target",
        lambda: bp.mse_loss(np.zeros(2), np.array([inf, 1.0])),
        Raises(ValueError, "Y must be finite", "inf"),
    ),
    Probe(
        "MSE overflow",
        lambda: bp.mse_loss(np.array([1e200]), np.zeros(1)),
        Raises(FloatingPointError, "the loss overflows", "scale them down"),
    ),
    Probe(
        "MSE broadcast shapes",
        lambda: bp.mse_loss(np.zeros((3, 1)), np.zeros(3)),
        Raises(ValueError, "Y_hat has shape (3, 1) but Y has shape (3,)"),
    ),
    # complex, empty
    Probe("MSE complex", lambda: bp.mse_loss(np.array([1j]), np.zeros(1)), Raises(TypeError, "Y_hat must be a real")),
    Probe(
        "CE complex", lambda: bp.softmax_cross_entropy(Z + 0j, np.array([0, 1])), Raises(TypeError, "Z must be a real")
    ),
    Probe(
        "BCE complex target",
        lambda: bp.bce_with_logits(np.zeros(1), np.array([1j])),
        Raises(TypeError, "Y must be a real"),
    ),
    Probe(
        "CE empty batch",
        lambda: bp.softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        Raises(ValueError, "Z has no rows", "(0, 3)"),
    ),
    Probe("MSE empty", lambda: bp.mse_loss(np.zeros((0, 2)), np.zeros((0, 2))), Raises(ValueError, "Y_hat is empty")),
    Probe("BCE empty", lambda: bp.bce_with_logits(np.zeros(0), np.zeros(0)), Raises(ValueError, "Z is empty")),
    Probe(
        "CE zero classes",
        lambda: bp.softmax_cross_entropy(np.zeros((2, 0)), np.array([0, 0])),
        Raises(ValueError, "no entries along axis -1"),
    ),
    # one_hot
    Probe(
        "one_hot num_classes 0",
        lambda: bp.one_hot(np.array([0]), 0),
        Raises(ValueError, "num_classes must be a positive integer, got 0"),
    ),
    Probe(
        "one_hot num_classes -1",
        lambda: bp.one_hot(np.array([0]), -1),
        Raises(ValueError, "num_classes must be a positive integer, got -1"),
    ),
    Probe(
        "one_hot num_classes 2.5",
        lambda: bp.one_hot(np.array([0]), 2.5),
        Raises(ValueError, "num_classes must be a positive integer, got 2.5"),
    ),
    Probe(
        "one_hot num_classes None",
        lambda: bp.one_hot(np.array([0]), None),
        Raises(ValueError, "num_classes must be a positive integer, got None"),
    ),
    Probe(
        "one_hot label too big",
        lambda: bp.one_hot(np.array([0, 3]), 3),
        Raises(ValueError, "labels must lie in [0, 2]"),
    ),
    Probe(
        "one_hot float labels",
        lambda: bp.one_hot(np.array([0.0, 1.0]), 2),
        Raises(ValueError, "y must be a 1-D integer array"),
    ),
    Probe(
        "one_hot 2-D labels",
        lambda: bp.one_hot(np.array([[0], [1]]), 2),
        Raises(ValueError, "y must be a 1-D integer array", "(2, 1)"),
    ),
    Probe("one_hot empty", lambda: bp.one_hot(np.zeros(0, dtype=int), 3), Returns(lambda Y: Y.shape == (0, 3))),
    Probe("one_hot right", lambda: bp.one_hot(np.array([2, 0]), 3), Returns(close_to([[0, 0, 1], [1, 0, 0]]))),
]

test_probe = table_test(PROBES)
