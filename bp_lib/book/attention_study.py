"""Chapter 17's experiments: why 1/sqrt(d), and a transformer block on a toy task.

- :func:`score_variance` measures the variance of the score q . k of random vectors
  with unit-variance entries (about d unscaled, about 1 scaled by 1/sqrt(d)), how
  much the unscaled scores saturate the softmax, and how small that makes the
  gradient that reaches the scores and the queries.
- :func:`sequence_data` draws the toy task: reverse (or sort) a sequence of T tokens
  from a vocabulary of V. Each input position is the one-hot token followed by the
  one-hot position (attention is blind to order: without the position, a permuted
  sequence gives the same outputs, permuted).
- :func:`transformer` is the pre-norm single-head block of the chapter, with an input
  projection and a per-position output layer; :func:`mlp` is the baseline that sees
  the same input flattened to one vector per sequence.
- :func:`sequence_cross_entropy` is the per-position loss ``fit`` trains with;
  :func:`token_accuracy` and :func:`sequence_accuracy` judge the outputs;
  :func:`train_runs` trains one kind of model per seed with Adam and records the
  curves and the accuracies, and :func:`choose_lr` is the learning-rate sweep,
  judged on a validation set, run for each kind the same way.

What chapter 17 measured with it (one BLAS thread, not a claim about other settings):
sorting T = 6 tokens of V = 8 with 200 training, 300 validation and 500 test
sequences, 40 epochs of Adam in mini-batches of 32, a learning rate chosen for each
kind from (1e-3, 3e-3, 1e-2, 3e-2, 1e-1) by the median validation token accuracy of
seeds 100-102. The transformer (d_model 32, 13,384 parameters, lr 1e-2) reached a
median test token accuracy of 0.986 over seeds 0-19, about 1 s per run; the MLP
(hidden 100, 13,348 parameters, lr 3e-2) 0.872, while fitting its training set
(training token accuracy 1.000 in every seed). Reversal is no such contrast: on the
flattened one-hot input it is a fixed permutation, a linear map, and both models
score above 0.99 on it.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np

from .._checks import require_positive_int
from ..activations import ReLU, softmax_backward
from ..attention import SelfAttention, attention_backward, attention_forward
from ..conv import Flatten
from ..core import Module, Sequential
from ..dense import Dense
from ..layernorm import LayerNorm
from ..losses import softmax_cross_entropy
from ..optim import Adam
from ..residual import Residual
from ..train import fit

TASKS = ("reverse", "sort")
KINDS = ("transformer", "mlp")


# --- why 1/sqrt(d) --------------------------------------------------------------------


def score_variance(
    d_values, rng, n: int = 20000, keys: int = 16, rows: int = 2000
) -> SimpleNamespace:
    """The spread of attention scores of random vectors, unscaled and scaled.

    For each d in ``d_values``: ``n`` pairs q, k with i.i.d. N(0, 1) entries; the
    score ``q . k`` has variance d, and ``q . k / sqrt(d)`` variance 1. Then ``rows``
    queries, each against ``keys`` random keys with random values (dv = 8) and a
    random upstream gradient, all N(0, 1), through :func:`bp_lib.attention_forward`
    and :func:`bp_lib.attention_backward`: once as they are (scaled scores) and once
    with Q multiplied by sqrt(d), so that the scores are the unscaled ``q . k``. For
    each, averaged over the rows: the softmax's largest probability (1/keys for a
    uniform row, 1 for a one-hot row); and the median over the rows of the norm of
    the gradient that reaches the row's scores, ``dZ = P * (dP - sum(dP * P))``
    (softmax_backward), and of the gradient that reaches the query, ``dq`` (for the
    unscaled scores, dL/dq = sqrt(d) times the library's dQ of ``Q sqrt(d)``).

    Returns arrays of shape (len(d_values),): ``d``, ``var_unscaled``, ``var_scaled``,
    ``max_prob_unscaled``, ``max_prob_scaled``, ``grad_scores_unscaled``,
    ``grad_scores_scaled``, ``grad_query_unscaled``, ``grad_query_scaled``.
    """
    n = require_positive_int("n", n)
    keys = require_positive_int("keys", keys)
    rows = require_positive_int("rows", rows)
    d = np.array([require_positive_int("d", value) for value in d_values])
    found = {name: [] for name in _SCORE_FIELDS}
    for size in d:
        q, k = rng.standard_normal((2, n, size))
        scores = np.einsum("nd,nd->n", q, k)
        found["var_unscaled"].append(scores.var())
        found["var_scaled"].append((scores / np.sqrt(size)).var())
        Q, K = (
            rng.standard_normal((rows, 1, size)),
            rng.standard_normal((rows, keys, size)),
        )
        V, dout = (
            rng.standard_normal((rows, keys, 8)),
            rng.standard_normal((rows, 1, 8)),
        )
        for label, factor in (("unscaled", np.sqrt(size)), ("scaled", 1.0)):
            top, dZ, dq = _saturation(Q * factor, K, V, dout)
            found[f"max_prob_{label}"].append(top)
            found[f"grad_scores_{label}"].append(dZ)
            found[f"grad_query_{label}"].append(dq * factor)  # chain rule: Q * factor
    return SimpleNamespace(d=d, **{name: np.array(v) for name, v in found.items()})


_SCORE_FIELDS = (
    "var_unscaled",
    "var_scaled",
    "max_prob_unscaled",
    "max_prob_scaled",
    "grad_scores_unscaled",
    "grad_scores_scaled",
    "grad_query_unscaled",
    "grad_query_scaled",
)


def _saturation(Q, K, V, dout):
    """Mean largest probability; median row norms of dZ and dQ (one query each)."""
    _, cache = attention_forward(Q, K, V)
    P = cache[3]  # (rows, 1, keys)
    dZ = softmax_backward(dout @ np.swapaxes(V, 1, 2), P)
    dQ = attention_backward(dout, cache)[0]
    return (
        P.max(axis=-1).mean(),
        np.median(np.linalg.norm(dZ[:, 0], axis=-1)),
        np.median(np.linalg.norm(dQ[:, 0], axis=-1)),
    )


# --- the toy task ---------------------------------------------------------------------


def encode(tokens: np.ndarray, V: int) -> np.ndarray:
    """One-hot tokens followed by one-hot positions.

    tokens (m, T) integers in [0, V) -> X (m, T, V + T) with ``X[i, t, tokens[i, t]]
    = 1`` and ``X[i, t, V + t] = 1``, zeros elsewhere.
    """
    m, T = tokens.shape
    X = np.zeros((m, T, V + T))
    rows, steps = np.indices((m, T))
    X[rows, steps, tokens] = 1.0
    X[:, np.arange(T), V + np.arange(T)] = 1.0
    return X


def targets(tokens: np.ndarray, task: str) -> np.ndarray:
    """The target sequence of ``task``: (m, T) -> (m, T).

    ``"reverse"``: ``y[:, t] = tokens[:, T - 1 - t]``; ``"sort"``: each row in
    increasing order.
    """
    if task == "reverse":
        return tokens[:, ::-1].copy()
    if task == "sort":
        return np.sort(tokens, axis=1)
    raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def sequence_data(
    n_train: int,
    n_test: int,
    T: int,
    V: int,
    seed: int,
    task: str = "reverse",
    n_val: int = 0,
) -> SimpleNamespace:
    """Train, test (and validation) sets of the toy task, all sequences distinct.

    ``n_train + n_test + n_val`` sequences are drawn without replacement from the
    V**T possible ones by ``np.random.default_rng(seed)``, so no sequence is in two
    sets. ``X_train`` (n_train, T, V + T) as :func:`encode`, ``y_train`` (n_train, T)
    integer labels as :func:`targets`; the same for ``X_test``, ``y_test`` and, when
    ``n_val > 0``, ``X_val``, ``y_val`` (else None); ``tokens_train``,
    ``tokens_test``, ``tokens_val`` (the inputs as integers), ``T``, ``V``, ``task``.
    """
    n_train = require_positive_int("n_train", n_train)
    n_test = require_positive_int("n_test", n_test)
    if isinstance(n_val, bool) or not isinstance(n_val, (int, np.integer)) or n_val < 0:
        raise ValueError(f"n_val must be an integer >= 0, got {n_val!r}")
    T, V = require_positive_int("T", T), require_positive_int("V", V)
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    total = n_train + n_test + n_val
    if total > V**T:
        raise ValueError(
            f"n_train + n_test + n_val = {total} distinct sequences asked for, "
            f"but only V**T = {V**T} exist"
        )
    codes = np.random.default_rng(seed).choice(V**T, total, replace=False)
    tokens = (codes[:, None] // V ** np.arange(T)[::-1]) % V  # base-V digits
    train, test = tokens[:n_train], tokens[n_train : n_train + n_test]
    val = tokens[n_train + n_test :] if n_val else None
    return SimpleNamespace(
        X_train=encode(train, V),
        y_train=targets(train, task),
        X_test=encode(test, V),
        y_test=targets(test, task),
        X_val=None if val is None else encode(val, V),
        y_val=None if val is None else targets(val, task),
        tokens_train=train,
        tokens_test=test,
        tokens_val=val,
        T=T,
        V=V,
        task=task,
    )


# --- the models -----------------------------------------------------------------------


class Unflatten(Module):
    """Reshape (m, prod(shape)) to (m, *shape); backward reshapes back."""

    def __init__(self, shape: tuple) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, X: np.ndarray) -> np.ndarray:
        self._cache = X.shape
        return X.reshape(X.shape[0], *self.shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self._forward_cache())

    def backward_params(self, dout: np.ndarray) -> None:
        """No parameters: nothing to store."""

    def __repr__(self) -> str:
        return f"Unflatten({self.shape})"


def transformer(
    d_model: int, V: int, T: int, rng: np.random.Generator, hidden: int | None = None
) -> Sequential:
    """The chapter's pre-norm single-head transformer block, with input and output.

    X (m, T, V + T) -> logits (m, T, V):

        Dense(V + T, d_model)                                  embed token + position
        Residual(LayerNorm -> SelfAttention)                   mix the positions
        Residual(LayerNorm -> Dense(d, hidden) -> ReLU -> Dense(hidden, d))
        LayerNorm                                              final norm
        Dense(d_model, V)                                      logits per position

    ``hidden`` defaults to 4 d_model. The final LayerNorm is there because in a
    pre-norm block the residual stream itself is never normalised: the output layer
    would read the sum of the embedding and both blocks' outputs at whatever scale
    they grew to; normalising it (as GPT-2 does) gives the output layer inputs of a
    fixed scale. The Dense layers and the attention are Xavier; weights from ``rng``
    in layer order.
    """
    d = require_positive_int("d_model", d_model)
    hidden = 4 * d if hidden is None else require_positive_int("hidden", hidden)
    return Sequential(
        Dense(V + T, d, init="xavier", rng=rng),
        Residual(Sequential(LayerNorm(d), SelfAttention(d, rng=rng))),
        Residual(
            Sequential(
                LayerNorm(d),
                Dense(d, hidden, rng=rng),
                ReLU(),
                Dense(hidden, d, init="xavier", rng=rng),
            )
        ),
        LayerNorm(d),
        Dense(d, V, init="xavier", rng=rng),
    )


def mlp(hidden: int, V: int, T: int, rng: np.random.Generator) -> Sequential:
    """The baseline: the same input flattened, one hidden ReLU layer, T V logits.

    X (m, T, V + T) -> Flatten (m, T (V + T)) -> Dense(T (V + T), hidden) -> ReLU
    -> Dense(hidden, T V) -> logits (m, T, V). He for the hidden layer, Xavier for
    the output; weights from ``rng``.
    """
    hidden = require_positive_int("hidden", hidden)
    return Sequential(
        Flatten(),
        Dense(T * (V + T), hidden, rng=rng),
        ReLU(),
        Dense(hidden, T * V, init="xavier", rng=rng),
        Unflatten((T, V)),
    )


def parameter_count(model: Module) -> int:
    """The number of trainable numbers in ``model``."""
    return int(sum(p.size for p in model.params.values()))


def build(kind: str, size: int, V: int, T: int, seed: int) -> Sequential:
    """``transformer(size, ...)`` or ``mlp(size, ...)``, weights from ``seed``."""
    rng = np.random.default_rng(seed)
    if kind == "transformer":
        return transformer(size, V, T, rng)
    if kind == "mlp":
        return mlp(size, V, T, rng)
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


# --- loss and accuracy ----------------------------------------------------------------


def sequence_cross_entropy(Z: np.ndarray, y: np.ndarray):
    """Softmax cross-entropy at every position, averaged over all m T positions.

    Z (m, T, V) logits, y (m, T) integer labels -> ``(loss, dZ)``, dZ (m, T, V):
    :func:`bp_lib.softmax_cross_entropy` on the (m T, V) rows, its gradient reshaped.
    Usable as ``fit``'s ``loss_fn``.
    """
    Z, y = np.asarray(Z), np.asarray(y)
    if Z.ndim != 3 or y.shape != Z.shape[:2]:
        raise ValueError(
            f"Z must be (m, T, V) logits and y (m, T) labels, got Z {Z.shape} "
            f"and y {y.shape}"
        )
    loss, dZ = softmax_cross_entropy(Z.reshape(-1, Z.shape[-1]), y.reshape(-1))
    return loss, dZ.reshape(Z.shape)


def token_accuracy(Z: np.ndarray, y: np.ndarray) -> float:
    """Fraction of positions whose arg-max logit is the label; Z (m, T, V), y (m, T)."""
    return float(np.mean(np.argmax(Z, axis=-1) == y))


def sequence_accuracy(Z: np.ndarray, y: np.ndarray) -> float:
    """Fraction of sequences with every position right; Z (m, T, V), y (m, T)."""
    return float(np.mean(np.all(np.argmax(Z, axis=-1) == y, axis=1)))


# --- training -------------------------------------------------------------------------


def train_runs(
    kind: str,
    seeds,
    epochs: int,
    lr: float,
    data: SimpleNamespace,
    *,
    size: int,
    batch_size: int = 32,
    test_every: int = 1,
) -> SimpleNamespace:
    """Train ``build(kind, size, ...)`` once per seed with Adam(lr); how each went.

    Mini-batches of ``batch_size`` shuffled by ``default_rng(1000 + seed)``, for
    ``epochs`` epochs, loss :func:`sequence_cross_entropy`; after every
    ``test_every``-th epoch the model is run on the test set (nothing is chosen by
    it). Returns, each with one row per seed: ``curves`` (len(seeds), epochs), the
    training loss of each epoch (the mean over the epoch's mini-batches);
    ``test_curves`` (len(seeds), len(test_epochs)), the test token accuracy after
    the epochs ``test_epochs`` (test_every, 2 test_every, ...); after the last epoch,
    ``train_accuracy`` (token accuracy on the training set), ``token_accuracy`` and
    ``sequence_accuracy`` on the test set, ``val_accuracy`` (token accuracy on the
    validation set, NaN without one) and ``seconds`` (wall-clock time of training
    and of the per-epoch test runs), each (len(seeds),); and ``parameters``.
    """
    epochs = require_positive_int("epochs", epochs)
    test_every = require_positive_int("test_every", test_every)
    test_epochs = np.arange(test_every, epochs + 1, test_every)
    found = {name: [] for name in _RUN_FIELDS}
    for seed in seeds:
        model = build(kind, size, data.V, data.T, seed)
        optimizer, order = Adam(lr), np.random.default_rng(1000 + seed)
        start = time.perf_counter()
        losses, test_curve = [], []
        for epoch in range(1, epochs + 1):  # one epoch per call: as fit(epochs)
            history = fit(
                model,
                data.X_train,
                data.y_train,
                optimizer=optimizer,
                loss_fn=sequence_cross_entropy,
                epochs=1,
                batch_size=batch_size,
                rng=order,
            )
            losses += history.train_loss
            if epoch in test_epochs:
                Z = _predict(model, data.X_test)
                test_curve.append(token_accuracy(Z, data.y_test))
        found["seconds"].append(time.perf_counter() - start)
        Z = _predict(model, data.X_test)
        found["curves"].append(losses)
        found["test_curves"].append(test_curve)
        found["train_accuracy"].append(
            token_accuracy(_predict(model, data.X_train), data.y_train)
        )
        found["token_accuracy"].append(token_accuracy(Z, data.y_test))
        found["sequence_accuracy"].append(sequence_accuracy(Z, data.y_test))
        X_val = getattr(data, "X_val", None)
        found["val_accuracy"].append(
            np.nan
            if X_val is None
            else token_accuracy(_predict(model, X_val), data.y_val)
        )
    return SimpleNamespace(
        kind=kind,
        lr=lr,
        **{name: np.array(values) for name, values in found.items()},
        test_epochs=test_epochs,
        parameters=parameter_count(build(kind, size, data.V, data.T, 0)),
    )


_RUN_FIELDS = (
    "curves",
    "test_curves",
    "train_accuracy",
    "token_accuracy",
    "sequence_accuracy",
    "val_accuracy",
    "seconds",
)


def _predict(model: Module, X: np.ndarray) -> np.ndarray:
    """The logits of ``model`` in evaluation mode; the model left in training mode."""
    model.eval()
    Z = model.forward(X)
    model.train()
    return Z


def choose_lr(kind: str, lrs, seeds, epochs: int, data, **options):
    """The learning rate of ``lrs`` with the highest median validation accuracy.

    Each rate is tried with :func:`train_runs` on ``seeds`` (which should not be the
    seeds the comparison reports) and judged by the median over those seeds of the
    token accuracy on ``data``'s validation set, a held-out set that is neither the
    training set nor the test set (the test set plays no part in the choice); ties
    go to the lower median final training loss. A rate whose training diverges
    (``FloatingPointError``) scores accuracy -inf and loss inf. Returns
    ``(best lr, {lr: (median validation accuracy, median final training loss)})``.
    """
    if getattr(data, "X_val", None) is None:
        raise ValueError(
            "choose_lr needs a validation set: draw the data with "
            "sequence_data(..., n_val=...) > 0"
        )
    options.setdefault("test_every", epochs)  # the test set is not needed here
    scores = {}
    for lr in lrs:
        try:
            runs = train_runs(kind, seeds, epochs, lr, data, **options)
            scores[lr] = (
                float(np.median(runs.val_accuracy)),
                float(np.median(runs.curves[:, -1])),
            )
        except FloatingPointError:  # a rate that diverges is the worst choice
            scores[lr] = (-float("inf"), float("inf"))
    best = min(scores, key=lambda lr: (-scores[lr][0], scores[lr][1]))
    return best, scores
