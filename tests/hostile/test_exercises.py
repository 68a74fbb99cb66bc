"""Hostile answers to the exercise checkers: every one gets feedback, none passes.

A checker's outcome is a ``Feedback``. A hostile answer (None, a generator, NaN, the
wrong dtype, a numpy matrix, an exception with a broken message, an answer that
mutates its inputs ...) must return failed feedback naming what is wrong; a right
answer in an odd but legitimate form (a list, a namedtuple, a keyword-only eps) must
pass. Hostile *arguments* to a checker (a non-callable, a string, a function of the
wrong arity) follow one convention for every checker: failed feedback naming the
argument, never an exception. A checker never leaks a warning from the reader's code.

Every object is built inside the probe's call, so the table can run against an older
library to count how it behaved before (``python tests/hostile/count.py``).
"""

from collections import namedtuple

import numpy as np
import pytest
from probes import Probe, Returns, assert_holds, params

from bp_lib.exercises import activations as act
from bp_lib.exercises import batchnorm as bn
from bp_lib.exercises import chain_rule, classifier, dense, dropout, forward, init, losses, network, stability, training
from bp_lib.exercises import gradcheck as gc
from bp_lib.exercises.feedback import Case, Feedback, Hyperparameter, diagnose


def fails(*words):
    """The check: failed feedback whose message holds every one of ``words``."""

    def check(feedback):
        return (
            isinstance(feedback, Feedback)
            and feedback.passed is False
            and all(word in feedback.message for word in words)
        )

    return Returns(check)


def passes(*words):
    """The check: passing feedback whose message holds every one of ``words``."""

    def check(feedback):
        return (
            isinstance(feedback, Feedback)
            and feedback.passed is True
            and all(word in feedback.message for word in words)
        )

    return Returns(check)


# ---- right answers (functions only; nothing is built at import time) ----------------


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def dense_right(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def sigmoid_right(Z, dA):
    s = _sigmoid(Z)
    return dA * s * (1 - s)


def relu_right(Z, dA):
    return dA * (Z > 0)


def softmax_right(Z, dS):
    s = _softmax(Z)
    return s * (dS - np.sum(dS * s, axis=1, keepdims=True))


def tanh_right(Z, dA):
    return dA * (1 - np.tanh(Z) ** 2)


def batchnorm_right(dout, X, gamma, eps=1e-5):
    m = len(X)
    inv = 1 / np.sqrt(X.var(axis=0) + eps)
    x_hat = (X - X.mean(axis=0)) * inv
    dx_hat = dout * gamma
    dX = (inv / m) * (m * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dX, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def neuron_right(x1, x2, w1, w2, b):
    local = 1 - np.tanh(w1 * x1 + w2 * x2 + b) ** 2
    return local * x1, local * x2, local


def shared_right(x, y):
    r = np.exp(y)
    return (y + 1) * r, x * r + (x * y + x) * r


def decay_right(W, dW_data, lam):
    return dW_data + lam * W


def columns_right(A, W, b):
    return W @ A + b[:, None]


def two_columns_right(A0, W1, b1, W2, b2):
    return W2 @ np.tanh(W1 @ A0 + b1[:, None]) + b2[:, None]


def centred_right(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = f()
        x[i] = original - eps
        minus = f()
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def centred_fixed_step(f, x, eps):
    """The right loop with eps written in as 1e-6 (the exact derivative here)."""
    return centred_right(f, x, 1e-6)


def he_right(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))


def xavier_right(n_in, n_out, rng):
    a = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out))


def block_right(dA, X, W):
    return (dA * (X @ W > 0)) @ W.T


def mse_right(Y_hat, Y):
    return 2 * (Y_hat - Y) / Y_hat.size


def ce_right(Z, y):
    Y = np.zeros_like(Z)
    Y[np.arange(len(y)), y] = 1
    return (_softmax(Z) - Y) / len(Z)


def two_layer_right(X, y, W1, b1, W2, b2):
    A1 = np.tanh(X @ W1 + b1)
    Y = np.zeros((len(X), W2.shape[1]))
    Y[np.arange(len(y)), y] = 1
    dZ2 = (_softmax(A1 @ W2 + b2) - Y) / len(X)
    dZ1 = (dZ2 @ W2.T) * (1 - A1**2)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def clip_right(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / (norm + 1e-6)
    return norm


def output_error_right(Z, Y):
    A = _sigmoid(Z)
    return 2 * (A - Y) * A * (1 - A) / Z.size


def momentum_right(p, g, v, lr, mu):
    v_new = mu * v - lr * g
    return p + v_new, v_new


def momentum_in_place(p, g, v, lr, mu):
    v *= mu
    v -= lr * g
    p += v


def adam_right(p, g, m, s, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * g
    s_new = beta2 * s + (1 - beta2) * g**2
    m_hat, s_hat = m_new / (1 - beta1**t), s_new / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(s_hat) + eps), m_new, s_new


def drop_backward_right(dout, keep, p):
    return dout * keep / (1 - p)


def drop_forward_right(X, p, rng):
    return X * (rng.random(X.shape) >= p) / (1 - p)


def pair_forward_right(X, p, rng):
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), (keep, p)


def pair_backward_right(dout, cache):
    keep, p = cache
    return dout * keep / (1 - p)


def layer_right(X, p, rng, training):
    return drop_forward_right(X, p, rng) if training else X


# ---- hostile answers ----------------------------------------------------------------


class _UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("no message")


def raises_unprintable(*args):
    raise _UnprintableError


def no_exit(check):
    """``check()``, with a SystemExit escaping it turned into an error the table counts.

    (A bare SystemExit would end the test run or the counting script.)
    """
    try:
        return check()
    except SystemExit as error:
        raise RuntimeError(f"SystemExit({error}) escaped the checker") from error


def raises(error):
    def answer(*args):
        raise error

    return answer


class _Flattering(np.ndarray):
    """An ndarray subclass that claims equality and zero difference with anything."""

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __sub__(self, other):
        return np.zeros(self.shape)

    def __rsub__(self, other):
        return np.zeros(self.shape)


def flattering(fn):
    """``fn``'s outputs, doubled (wrong), as :class:`_Flattering` arrays."""

    def answer(*args):
        result = fn(*args)
        values = result if isinstance(result, tuple) else (result,)
        wrong = tuple((2 * np.asarray(v) + 1).view(_Flattering) for v in values)
        return wrong if isinstance(result, tuple) else wrong[0]

    return answer


def as_matrix(fn):
    def answer(*args):
        return tuple(np.asmatrix(np.atleast_2d(v)) for v in fn(*args))

    return answer


def warns_then(fn):
    """``fn``, after a computation that warns (log of a negative number)."""

    def answer(*args):
        np.log(-np.ones(2))
        return fn(*args)

    return answer


def mutates_w_dense(dZ, X, W):
    grads = dense_right(dZ, X, W)
    W *= 0
    return grads


def off_by(fn, factor):
    """``fn`` off by a relative ``factor``: a small wrong answer."""

    def answer(*args):
        result = fn(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(v) * (1 + factor) for v in result)
        return np.asarray(result) * (1 + factor)

    return answer


def in_float32(fn):
    def answer(*args):
        result = fn(*args)
        if isinstance(result, tuple):
            return tuple(np.asarray(v, dtype=np.float32) for v in result)
        return np.asarray(result, dtype=np.float32)

    return answer


def square_transposed_dense(dZ, X, W):
    dX, dW, db = dense_right(dZ, X, W)
    return dX, (dW.T if dW.shape[0] == dW.shape[1] else dW), db


def nan_in_first(fn):
    def answer(*args):
        first, *rest = fn(*args)
        return (np.full_like(first, np.nan), *rest)

    return answer


def softmax_transposed(Z, dS):
    dZ = softmax_right(Z, dS)
    return dZ.T if dZ.shape[0] == dZ.shape[1] else dZ


def he_fixed_seed(n_in, n_out, rng):
    """He normal, but from a generator of its own: the rng argument is ignored."""
    return he_right(n_in, n_out, np.random.default_rng(0))


def he_nan(n_in, n_out, rng):
    W = he_right(n_in, n_out, rng)
    W[0, 0] = np.nan
    return W


def centred_calls_f_with_x(f, x, eps):
    return centred_right(lambda: f(x), x, eps)


def clip_replaces(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    for i, g in enumerate(grads):
        grads[i] = g * min(1.0, max_norm / (norm + 1e-6))
    return norm


def clip_no_return(grads, max_norm):
    clip_right(grads, max_norm)


def adam_partly_in_place(p, g, m, s, t, lr, beta1, beta2, eps):
    p_new, m_new, _ = adam_right(p, g, m, s, t, lr, beta1, beta2, eps)
    p[...] = p_new
    m[...] = m_new


def pair_forward_fixed_shape(X, p, rng):
    """Right on (200, 300), the dropout_forward checker's shape; fails on others."""
    keep = rng.random((200, 300)) >= p
    return X * keep / (1 - p), (keep, p)


def pair_forward_aliasing(X, p, rng):
    """Writes into X and returns X itself, with a mask from the global np.random."""
    X *= (np.random.random(X.shape) >= p) / (1 - p)
    return X, (X != 0, p)


def decay_mutates_data(W, dW_data, lam):
    dW_data += lam * W
    return dW_data


def network_as_dict(*args):
    return dict(zip(("dW1", "db1", "dW2", "db2"), two_layer_right(*args)))


def dict_mutating_fn(d, x):
    d["x"] = d["x"] * 0
    return 2 * x


Grads = namedtuple("Grads", "dX dW db")


def dense_namedtuple(dZ, X, W):
    return Grads(*dense_right(dZ, X, W))


def nan_error_hidden(x):
    """Output 0 all NaN, output 1 right only if 2.0 is written in for lr."""
    return np.full_like(x, np.nan), 2.0 * x


def _diagnose_two_outputs(fn):
    cases = [Case((np.array([1.0, 2.0]), 3.0)), Case((np.array([-1.0, 4.0]), 2.0))]
    return diagnose(
        "pair",
        lambda x, lr: fn(x),
        cases,
        lambda x, lr: (x + 1, lr * x),
        [],
        hint="Add one; multiply by lr.",
        hyperparameters=[Hyperparameter("lr", 1, (2.0,))],
    )


def _diagnose_dict_argument(fn):
    cases = [Case(({"x": np.ones(2)}, np.array([1.0, 2.0])))]
    return diagnose("twice", fn, cases, lambda d, x: 2 * x, [], hint="Double x.")


def _bn_cache():
    rng = np.random.default_rng(0)
    X, gamma = rng.normal(size=(5, 3)), rng.normal(size=3) + 1
    import bp_lib

    _, cache = bp_lib.batchnorm_forward(X, gamma, np.zeros(3))
    return rng.normal(size=(5, 3)), cache


def _finite_triple(result):
    return len(result) == 3 and all(np.all(np.isfinite(r)) for r in result)


def _wrong_bn(fn):
    dout, cache = _bn_cache()
    import bp_lib

    right = bp_lib.batchnorm_backward(dout, cache)
    got = fn(dout, cache)
    return _finite_triple(got) and bp_lib.relative_error(got[0], right[0]) > 1e-3


PROBES = [
    # ---- dense_backward: the shared machinery's forms, one by one ----
    Probe("dense right", lambda: dense.check_dense_backward(dense_right), passes()),
    Probe(
        "dense list of arrays",
        lambda: dense.check_dense_backward(lambda *a: list(dense_right(*a))),
        passes(),
    ),
    Probe(
        "dense namedtuple",
        lambda: dense.check_dense_backward(dense_namedtuple),
        passes(),
    ),
    Probe(
        "dense float32 (tol 1e-6 holds)",
        lambda: dense.check_dense_backward(in_float32(dense_right)),
        passes(),
    ),
    Probe(
        "dense None",
        lambda: dense.check_dense_backward(lambda *a: None),
        fails("None"),
    ),
    Probe(
        "dense generator",
        lambda: dense.check_dense_backward(lambda *a: (g for g in dense_right(*a))),
        fails("generator"),
    ),
    Probe(
        "dense four outputs",
        lambda: dense.check_dense_backward(lambda *a: (*dense_right(*a), 0.0)),
        fails("4 value(s)"),
    ),
    Probe(
        "dense NaN in dX",
        lambda: dense.check_dense_backward(nan_in_first(dense_right)),
        fails("dX", "NaN"),
    ),
    Probe(
        "dense inf in dX",
        lambda: dense.check_dense_backward(lambda *a: (np.full_like(a[1], np.inf), *dense_right(*a)[1:])),
        fails("dX", "inf"),
    ),
    Probe(
        "dense raises KeyError",
        lambda: dense.check_dense_backward(raises(KeyError("W"))),
        fails("raised KeyError"),
    ),
    Probe(
        "dense raises an unprintable error",
        lambda: dense.check_dense_backward(raises_unprintable),
        fails("raised _UnprintableError"),
    ),
    Probe(
        "dense raises SystemExit",
        lambda: no_exit(lambda: dense.check_dense_backward(raises(SystemExit(1)))),
        fails("raised SystemExit"),
    ),
    Probe(
        "dense numpy matrix",
        lambda: dense.check_dense_backward(as_matrix(dense_right)),
        fails("matrix"),
    ),
    Probe(
        "dense flattering ndarray subclass",
        lambda: dense.check_dense_backward(flattering(dense_right)),
        fails("dense_backward"),
    ),
    Probe(
        "dense mutates W",
        lambda: dense.check_dense_backward(mutates_w_dense),
        fails("W was changed"),
    ),
    Probe(
        "dense returns its inputs",
        lambda: dense.check_dense_backward(lambda dZ, X, W: (X, W, dZ)),
        fails("dense_backward"),
    ),
    Probe(
        "dense dW transposed on the square case",
        lambda: dense.check_dense_backward(square_transposed_dense),
        fails("transposed"),
    ),
    Probe(
        "dense warns on the way",
        lambda: dense.check_dense_backward(warns_then(dense_right)),
        passes(),
    ),
    Probe(
        "dense extra required argument",
        lambda: dense.check_dense_backward(lambda dZ, X, W, cache: dense_right(dZ, X, W)),
        fails("dense_backward", "cache"),
    ),
    Probe(
        "dense not callable (an array)",
        lambda: dense.check_dense_backward(np.zeros(3)),
        fails("function", "ndarray"),
    ),
    Probe(
        "dense not callable (a string)",
        lambda: dense.check_dense_backward("dense_backward"),
        fails("function", "str"),
    ),
    # ---- activations ----
    Probe("sigmoid right", lambda: act.check_sigmoid_backward(sigmoid_right), passes()),
    Probe(
        "sigmoid int dtype",
        lambda: act.check_sigmoid_backward(lambda Z, dA: sigmoid_right(Z, dA).astype(int)),
        fails("integers"),
    ),
    Probe(
        "sigmoid complex",
        lambda: act.check_sigmoid_backward(lambda Z, dA: sigmoid_right(Z, dA) + 0j),
        fails("complex"),
    ),
    Probe(
        "sigmoid 1 / 0 warns, returns inf",
        lambda: act.check_sigmoid_backward(lambda Z, dA: dA / np.zeros_like(Z)),
        fails("inf"),
    ),
    Probe("relu right", lambda: act.check_relu_backward(relu_right), passes()),
    Probe(
        "relu returns dA",
        lambda: act.check_relu_backward(lambda Z, dA: dA),
        fails("unchanged"),
    ),
    Probe(
        "relu nested list",
        lambda: act.check_relu_backward(lambda Z, dA: relu_right(Z, dA).tolist()),
        passes(),
    ),
    Probe(
        "relu masked array",
        lambda: act.check_relu_backward(lambda Z, dA: np.ma.masked_array(dA * 7, mask=np.ones(dA.shape, bool))),
        fails("masked"),
    ),
    Probe("softmax right", lambda: act.check_softmax_backward(softmax_right), passes()),
    Probe(
        "softmax transposed on the square case",
        lambda: act.check_softmax_backward(softmax_transposed),
        fails("transposed"),
    ),
    Probe(
        "softmax off by 1e-7 in float32",
        lambda: act.check_softmax_backward(in_float32(off_by(softmax_right, 1e-7))),
        passes(),
    ),
    Probe(
        "softmax off by 5e-6 in float32",
        lambda: act.check_softmax_backward(in_float32(off_by(softmax_right, 5e-6))),
        fails("softmax_backward"),
    ),
    Probe("tanh right", lambda: act.check_tanh_backward(tanh_right), passes()),
    Probe(
        "tanh 0-d scalar",
        lambda: act.check_tanh_backward(lambda Z, dA: float(tanh_right(Z, dA).sum())),
        fails("shape"),
    ),
    Probe(
        "tanh broadcasting row",
        lambda: act.check_tanh_backward(lambda Z, dA: tanh_right(Z, dA)[:1]),
        fails("shape"),
    ),
    Probe(
        "tanh raises ZeroDivisionError",
        lambda: act.check_tanh_backward(lambda Z, dA: 1 / 0),
        fails("raised ZeroDivisionError"),
    ),
    Probe(
        "tanh bytes",
        lambda: act.check_tanh_backward(lambda Z, dA: b"dZ"),
        fails("not an array"),
    ),
    # ---- batch norm ----
    Probe("bn right", lambda: bn.check_batchnorm_backward(batchnorm_right), passes()),
    Probe(
        "bn keyword-only eps",
        lambda: bn.check_batchnorm_backward(lambda dout, X, gamma, *, eps=1e-5: batchnorm_right(dout, X, gamma, eps)),
        passes(),
    ),
    Probe(
        "bn without eps",
        lambda: bn.check_batchnorm_backward(lambda dout, X, gamma: None),
        fails("eps"),
    ),
    Probe(
        "bn not callable",
        lambda: bn.check_batchnorm_backward(None),
        fails("function", "None"),
    ),
    Probe(
        "bn NaN in dgamma",
        lambda: bn.check_batchnorm_backward(lambda *a: (batchnorm_right(*a)[0], np.nan * a[2], batchnorm_right(*a)[2])),
        fails("dgamma", "NaN"),
    ),
    Probe(
        "bn two outputs",
        lambda: bn.check_batchnorm_backward(lambda *a: batchnorm_right(*a)[:2]),
        fails("2 value(s)"),
    ),
    Probe(
        "bn wrong-on-purpose without mean term",
        lambda: _wrong_bn(bn.batchnorm_backward_without_mean_term),
        Returns(lambda ok: ok is True),
    ),
    Probe(
        "bn wrong-on-purpose without variance term",
        lambda: _wrong_bn(bn.batchnorm_backward_without_variance_term),
        Returns(lambda ok: ok is True),
    ),
    Probe(
        "bn wrong-on-purpose dout for dx_hat",
        lambda: _wrong_bn(bn.batchnorm_backward_dout_for_dx_hat),
        Returns(lambda ok: ok is True),
    ),
    # ---- chain rule ----
    Probe("neuron right", lambda: chain_rule.check_neuron_gradient(neuron_right), passes()),
    Probe(
        "neuron list",
        lambda: chain_rule.check_neuron_gradient(lambda *a: list(neuron_right(*a))),
        passes(),
    ),
    Probe(
        "neuron dict",
        lambda: chain_rule.check_neuron_gradient(lambda *a: dict(zip("abc", neuron_right(*a)))),
        fails("dict"),
    ),
    Probe(
        "neuron map object",
        lambda: chain_rule.check_neuron_gradient(lambda *a: map(float, neuron_right(*a))),
        fails("map"),
    ),
    Probe(
        "neuron strings",
        lambda: chain_rule.check_neuron_gradient(lambda *a: ("1", "2", "3")),
        fails("string"),
    ),
    Probe(
        "neuron too few arguments",
        lambda: chain_rule.check_neuron_gradient(lambda x1, x2: (x1, x2, 1.0)),
        fails("neuron_gradient", "argument"),
    ),
    Probe("shared right", lambda: chain_rule.check_shared_node_gradient(shared_right), passes()),
    Probe(
        "shared NaN pair",
        lambda: chain_rule.check_shared_node_gradient(lambda x, y: (np.nan, np.nan)),
        fails("NaN"),
    ),
    Probe(
        "shared generator",
        lambda: chain_rule.check_shared_node_gradient(lambda x, y: (v for v in shared_right(x, y))),
        fails("generator"),
    ),
    Probe(
        "shared None",
        lambda: chain_rule.check_shared_node_gradient(lambda x, y: None),
        fails("None"),
    ),
    # ---- classifier ----
    Probe("decay right", lambda: classifier.check_weight_decay_gradient(decay_right), passes()),
    Probe(
        "decay float32 (tol 1e-6 holds)",
        lambda: classifier.check_weight_decay_gradient(in_float32(decay_right)),
        passes(),
    ),
    Probe(
        "decay mutates W",
        lambda: classifier.check_weight_decay_gradient(lambda W, d, lam: W.__iadd__(d + lam * W - W)),
        fails("W was overwritten"),
    ),
    Probe(
        "decay writes into dW_data (a note)",
        lambda: classifier.check_weight_decay_gradient(decay_mutates_data),
        passes("dW_data in place"),
    ),
    Probe(
        "decay lam hard-coded",
        lambda: classifier.check_weight_decay_gradient(lambda W, d, lam: d + 1e-3 * W),
        fails("lam seems hard-coded"),
    ),
    Probe(
        "decay returns W",
        lambda: classifier.check_weight_decay_gradient(lambda W, d, lam: W),
        fails("weight_decay_gradient"),
    ),
    # ---- forward (column convention, tol 1e-10) ----
    Probe("columns right", lambda: forward.check_dense_forward_columns(columns_right), passes()),
    Probe(
        "columns float32 (tol 1e-10)",
        lambda: forward.check_dense_forward_columns(in_float32(columns_right)),
        fails("float32", "float64"),
    ),
    Probe(
        "columns off by 1e-6 in float32",
        lambda: forward.check_dense_forward_columns(in_float32(off_by(columns_right, 1e-6))),
        fails("float64"),
    ),
    Probe(
        "columns off by 1e-6 in float64",
        lambda: forward.check_dense_forward_columns(off_by(columns_right, 1e-6)),
        fails("differs"),
    ),
    Probe(
        "columns float16",
        lambda: forward.check_dense_forward_columns(lambda *a: columns_right(*a).astype(np.float16)),
        fails("float16", "float64"),
    ),
    Probe(
        "two layers right",
        lambda: forward.check_two_layer_forward_columns(two_columns_right),
        passes(),
    ),
    Probe(
        "two layers float32 (tol 1e-10)",
        lambda: forward.check_two_layer_forward_columns(in_float32(two_columns_right)),
        fails("float64"),
    ),
    Probe(
        "two layers returns the input",
        lambda: forward.check_two_layer_forward_columns(lambda A0, *rest: A0),
        fails("two_layer_forward_columns"),
    ),
    # ---- gradient checking (tol 1e-9) ----
    Probe("centred right", lambda: gc.check_centred_difference(centred_right), passes()),
    Probe(
        "centred float32 (tol 1e-9)",
        lambda: gc.check_centred_difference(in_float32(centred_right)),
        fails("float32", "float64"),
    ),
    Probe(
        "centred eps hard-coded, float32",
        lambda: gc.check_centred_difference(in_float32(centred_fixed_step)),
        fails("float64"),
    ),
    Probe(
        "centred eps hard-coded, float64",
        lambda: gc.check_centred_difference(centred_fixed_step),
        fails("eps seems hard-coded"),
    ),
    Probe(
        "centred calls f with x",
        lambda: gc.check_centred_difference(centred_calls_f_with_x),
        fails("f() takes none"),
    ),
    Probe(
        "centred returns x",
        lambda: gc.check_centred_difference(lambda f, x, eps: x),
        fails("centred_difference"),
    ),
    Probe(
        "centred raises MemoryError",
        lambda: gc.check_centred_difference(raises(MemoryError("too big"))),
        fails("raised MemoryError"),
    ),
    Probe(
        "centred not callable",
        lambda: gc.check_centred_difference(1e-3),
        fails("function", "float"),
    ),
    # ---- initialisation ----
    Probe("he right", lambda: init.check_he_normal(he_right), passes()),
    Probe(
        "he ignores rng (own fixed seed)",
        lambda: init.check_he_normal(he_fixed_seed),
        fails("rng"),
    ),
    Probe("he NaN weight", lambda: init.check_he_normal(he_nan), fails("NaN")),
    Probe(
        "he wrong shape",
        lambda: init.check_he_normal(lambda n_in, n_out, rng: he_right(n_out, n_in, rng)),
        fails("shape"),
    ),
    Probe(
        "he float32",
        lambda: init.check_he_normal(in_float32(he_right)),
        passes(),
    ),
    Probe("xavier right", lambda: init.check_xavier_uniform(xavier_right), passes()),
    Probe(
        "xavier global np.random",
        lambda: init.check_xavier_uniform(lambda n_in, n_out, rng: xavier_right(n_in, n_out, np.random)),
        fails("same seed"),
    ),
    Probe(
        "xavier generator of rows",
        lambda: init.check_xavier_uniform(lambda n_in, n_out, rng: (row for row in xavier_right(n_in, n_out, rng))),
        fails("generator"),
    ),
    Probe("block right", lambda: init.check_block_backward(block_right), passes()),
    Probe(
        "block None",
        lambda: init.check_block_backward(lambda dA, X, W: None),
        fails("None"),
    ),
    # ---- losses ----
    Probe("mse right", lambda: losses.check_mse_gradient(mse_right), passes()),
    Probe(
        "mse one number",
        lambda: losses.check_mse_gradient(lambda Yh, Y: np.mean(2 * (Yh - Y))),
        fails("one number"),
    ),
    Probe(
        "mse raises exit",
        lambda: no_exit(lambda: losses.check_mse_gradient(raises(SystemExit("bye")))),
        fails("SystemExit"),
    ),
    Probe("ce right", lambda: losses.check_softmax_cross_entropy_gradient(ce_right), passes()),
    Probe(
        "ce integer labels subtracted",
        lambda: losses.check_softmax_cross_entropy_gradient(lambda Z, y: (_softmax(Z) - y[:, None]) / len(Z)),
        fails("one-hot"),
    ),
    Probe(
        "ce -inf",
        lambda: losses.check_softmax_cross_entropy_gradient(lambda Z, y: np.log(np.zeros_like(Z))),
        fails("inf"),
    ),
    # ---- network ----
    Probe("network right", lambda: network.check_two_layer_backward(two_layer_right), passes()),
    Probe(
        "network dict",
        lambda: network.check_two_layer_backward(network_as_dict),
        fails("dict"),
    ),
    Probe(
        "network NaN db2",
        lambda: network.check_two_layer_backward(lambda *a: (*two_layer_right(*a)[:3], np.full(a[5].shape, np.nan))),
        fails("db2", "NaN"),
    ),
    Probe(
        "network float32 (tol 1e-6 holds)",
        lambda: network.check_two_layer_backward(in_float32(two_layer_right)),
        passes(),
    ),
    # ---- clipping ----
    Probe("clip right", lambda: stability.check_clip_grad_norm(clip_right), passes()),
    Probe(
        "clip returns None",
        lambda: stability.check_clip_grad_norm(clip_no_return),
        fails("None"),
    ),
    Probe(
        "clip replaces entries",
        lambda: stability.check_clip_grad_norm(clip_replaces),
        fails("replaced by a new array"),
    ),
    Probe(
        "clip returns the list",
        lambda: stability.check_clip_grad_norm(lambda grads, m: grads),
        fails("list"),
    ),
    Probe(
        "clip NaN norm",
        lambda: stability.check_clip_grad_norm(lambda grads, m: float("nan")),
        fails("NaN"),
    ),
    Probe(
        "clip norm as a string",
        lambda: stability.check_clip_grad_norm(lambda grads, m: "1.0"),
        fails("string"),
    ),
    # ---- training ----
    Probe(
        "output error right",
        lambda: training.check_mse_sigmoid_output_error(output_error_right),
        passes(),
    ),
    Probe(
        "output error float32 (tol 1e-6 holds)",
        lambda: training.check_mse_sigmoid_output_error(in_float32(output_error_right)),
        passes(),
    ),
    Probe("momentum right", lambda: training.check_momentum_step(momentum_right), passes()),
    Probe(
        "momentum in place, None",
        lambda: training.check_momentum_step(momentum_in_place),
        passes(),
    ),
    Probe(
        "momentum float32 (tol 1e-12)",
        lambda: training.check_momentum_step(in_float32(momentum_right)),
        fails("float32", "float64"),
    ),
    Probe(
        "momentum off by 3e-6 in float32",
        lambda: training.check_momentum_step(in_float32(off_by(momentum_right, 3e-6))),
        fails("float64"),
    ),
    Probe(
        "momentum tuple of 3",
        lambda: training.check_momentum_step(lambda *a: (*momentum_right(*a), 0)),
        fails("3 value(s)"),
    ),
    Probe("adam right", lambda: training.check_adam_step(adam_right), passes()),
    Probe(
        "adam float32 (tol 1e-10)",
        lambda: training.check_adam_step(in_float32(adam_right)),
        fails("float64"),
    ),
    Probe(
        "adam partly in place",
        lambda: training.check_adam_step(adam_partly_in_place),
        fails("left s unchanged"),
    ),
    Probe(
        "adam outputs swapped",
        lambda: training.check_adam_step(lambda *a: adam_right(*a)[::-1]),
        fails("wrong order"),
    ),
    # ---- dropout ----
    Probe(
        "dropout backward right",
        lambda: dropout.check_dropout_backward(drop_backward_right),
        passes(),
    ),
    Probe(
        "dropout backward float32 (tol 1e-12)",
        lambda: dropout.check_dropout_backward(in_float32(drop_backward_right)),
        fails("float64"),
    ),
    Probe(
        "dropout backward p hard-coded",
        lambda: dropout.check_dropout_backward(lambda dout, keep, p: dout * keep / 0.7),
        fails("p seems hard-coded"),
    ),
    Probe(
        "dropout forward right",
        lambda: dropout.check_dropout_forward(drop_forward_right),
        passes(),
    ),
    Probe(
        "dropout forward float32",
        lambda: dropout.check_dropout_forward(in_float32(drop_forward_right)),
        fails("float32", "float64"),
    ),
    Probe(
        "dropout forward scale off by 1e-6 in float32",
        lambda: dropout.check_dropout_forward(in_float32(off_by(drop_forward_right, 1e-6))),
        fails("float64"),
    ),
    Probe(
        "dropout forward returns a pair",
        lambda: dropout.check_dropout_forward(pair_forward_right),
        fails("tuple of 2"),
    ),
    Probe(
        "dropout forward NaN",
        lambda: dropout.check_dropout_forward(lambda X, p, rng: X * np.nan),
        fails("NaN"),
    ),
    Probe(
        "dropout forward not callable",
        lambda: dropout.check_dropout_forward([drop_forward_right]),
        fails("function", "list"),
    ),
    Probe(
        "dropout pair right",
        lambda: dropout.check_dropout_pair(pair_forward_right, pair_backward_right),
        passes(),
    ),
    Probe(
        "dropout pair forward fixed to one shape",
        lambda: dropout.check_dropout_pair(pair_forward_fixed_shape, pair_backward_right),
        fails("forward"),
    ),
    Probe(
        "dropout pair forward aliases X, global mask",
        lambda: dropout.check_dropout_pair(pair_forward_aliasing, pair_backward_right),
        fails("seed"),
    ),
    Probe(
        "dropout pair backward not callable",
        lambda: dropout.check_dropout_pair(pair_forward_right, "backward"),
        fails("backward", "function"),
    ),
    Probe(
        "dropout pair backward extra argument",
        lambda: dropout.check_dropout_pair(pair_forward_right, lambda dout, cache, p: dout),
        fails("backward", "argument"),
    ),
    Probe("dropout eval right", lambda: dropout.check_dropout_eval(layer_right), passes()),
    Probe(
        "dropout eval float32",
        lambda: dropout.check_dropout_eval(in_float32(layer_right)),
        fails("float64"),
    ),
    Probe(
        "dropout eval without training argument",
        lambda: dropout.check_dropout_eval(drop_forward_right),
        fails("argument"),
    ),
    # ---- diagnose, the shared machinery itself ----
    Probe(
        "diagnose NaN output is not hidden by a hard-coded match",
        lambda: _diagnose_two_outputs(nan_error_hidden),
        fails("NaN"),
    ),
    Probe(
        "diagnose notes a mutated dict argument",
        lambda: _diagnose_dict_argument(dict_mutating_fn),
        passes("changed its argument(s) d"),
    ),
]


@pytest.mark.parametrize("probe", params(PROBES))
def test_probe(probe):
    assert_holds(probe)
