"""Deliberately wrong implementations that the book runs to show what goes wrong.

Nothing here is for use: each function reproduces a mistake the book discusses (the
bug gallery says which of them appear in the tutorials the book answers), documents
what is wrong, and is tested (tests/book/test_bugs.py) to really differ from the right
computation, so the book's demonstrations cannot become vacuous.
"""

from __future__ import annotations

import numpy as np

from ..attention import attention_backward
from ..losses import binary_cross_entropy, mse_loss
from .cnn_study import input_gradient_as_full_convolution


def mse_reporting_bce_gradient(A: np.ndarray, Y: np.ndarray):
    """WRONG ON PURPOSE: the MSE *value* with the cross-entropy *gradient*.

    A: sigmoid outputs (m, k); Y: targets of the same shape. Backpropagated through the
    sigmoid, the gradient returned here becomes ``(A - Y) / size`` at the logits: the
    "output error a - y" of the first network of seed 000 (the tutorial chapter 7
    answers), which is the gradient of cross-entropy, not of the squared error it
    prints. The squared error's own gradient at the logits is
    ``2 (A - Y) A (1 - A) / size``.
    """
    loss, _ = mse_loss(A, Y)
    _, grad = binary_cross_entropy(A, Y)
    return loss, grad


def gradient_check_perturbing_gradients(
    loss_fn, params: dict, grads: dict, eps: float = 1e-6
) -> dict:
    """WRONG ON PURPOSE: a gradient "check" perturbing the gradients, not the weights.

    The loss does not depend on the gradients, so every difference it measures is
    exactly zero and every relative error is 1: it reports a mismatch for a correct
    backward pass and for a wrong one alike, and so can tell nothing apart.
    Returns name -> relative error.
    """
    from ..gradcheck import numerical_gradient, relative_error

    return {
        name: relative_error(grads[name], numerical_gradient(loss_fn, grads[name], eps))
        for name in params
    }


def gradient_check_of_raw_output(model, X: np.ndarray, eps: float = 1e-6) -> dict:
    """WRONG ON PURPOSE: a "check" whose loss is the network's summed raw output.

    It compares the backward pass fed with ``dout = ones`` against differences of
    ``model.forward(X).sum()``. The loss function and its gradient never take part,
    so a wrong loss gradient (a missing 1/m, a wrong sign, MSE's value with BCE's
    gradient) passes unseen; and upstream ones hide transposes and sums.
    Returns name -> relative error.
    """
    from ..gradcheck import numerical_gradient, relative_error

    out = model.forward(X)
    model.backward(np.ones_like(out))
    analytic = {name: grad.copy() for name, grad in model.grads.items()}
    return {
        name: relative_error(
            analytic[name], numerical_gradient(lambda: model.forward(X).sum(), p, eps)
        )
        for name, p in model.params.items()
    }


def batchnorm_backward_double_division(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: batch norm's compact backward, the mean's term divided twice.

    The right form is

        dX = inv/m * (m dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat))

    with ``inv = 1/sqrt(var + eps)``; here ``sum(dx_hat)`` carries an extra ``inv``, a
    slip that is easy to make when deriving it by hand, and that a gradient check
    catches at once (unless var + eps happens to be 1, where inv = 1 hides it).
    """
    x_hat, gamma, inv = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dX = (inv / m) * (
        m * dx_hat - inv * dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)
    )
    return dX, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def layernorm_over_the_batch_axis(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray):
    """WRONG ON PURPOSE: layer norm with its statistics over the batch axis.

    Right (chapter 15): ``mu = X.mean(axis=-1, keepdims=True)`` and the variance over
    the same axis, each row normalised over its own features. Here both run over
    ``axis=0``, each feature normalised over the batch: batch norm's training forward
    pass (eps = 1e-5). Returns ``(out, cache)`` with the cache that
    :func:`bp_lib.batchnorm_backward` takes; that backward pass is the exact
    derivative of this function, so a gradient check passes, and what catches the slip
    is layer norm's defining property: an example's output depends on that example
    alone. X: (m, n), gamma and beta: (n,) -> out: (m, n).
    """
    mu = X.mean(axis=0)  # the slip: layer norm takes axis=-1, keepdims=True
    var = X.var(axis=0)
    inv = 1 / np.sqrt(var + 1e-5)
    x_hat = (X - mu) * inv
    return gamma * x_hat + beta, (x_hat, gamma, inv)


def conv2d_input_gradient_without_flip(dout, W, input_shape, stride=1, padding=0):
    """WRONG ON PURPOSE: a convolution's dX as a full *correlation*: no flip.

    Right (chapter 16): dX is the full convolution of the (dilated) upstream gradient
    with the kernel flipped in both spatial axes. This passes the kernel flipped once
    more to the right computation, which undoes the flip: for a kernel that is
    symmetric under a half turn the two agree, for any other they do not.
    dout (m, F, H_out, W_out), W (F, C, kh, kw) -> dX of ``input_shape``
    (m, C, H, W_in).
    """
    unflipped = W[:, :, ::-1, ::-1]
    return input_gradient_as_full_convolution(
        dout, unflipped, input_shape, stride, padding
    )


def attention_backward_without_scale(dout, cache):
    """WRONG ON PURPOSE: attention's backward with the forward's 1/sqrt(d) forgotten.

    The forward pass divides the scores Q K^T by sqrt(d), so their gradient reaches Q
    and K divided by sqrt(d) too (``bp_lib.attention``). Without it dQ and dK come out
    sqrt(d) times too large; dV, which does not pass through the scores, is right.
    Returns ``(dQ, dK, dV)`` of the shapes of Q, K, V.
    """
    dQ, dK, dV = attention_backward(dout, cache)
    root_d = np.sqrt(cache[0].shape[-1])
    return dQ * root_d, dK * root_d, dV
