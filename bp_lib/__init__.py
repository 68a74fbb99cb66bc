"""bp_lib: backpropagation derived and verified, in numpy.

Row-batch convention: X (m, n_in), W (n_in, n_out), b (n_out,), Z = X @ W + b.
Every operation is a pure ``*_forward`` / ``*_backward`` pair with a thin module
class over it; losses return ``(loss, grad)``; see each module's docstring.

The package has three rooms:

- ``bp_lib`` (the top level): the library a reader can use after the book. The
  pairs and modules, losses, optimisers, initialisers, gradient checking, the
  training loop, save/load, the scalar engine and the data sets. Everything of
  the public API is importable from here.
- ``bp_lib.book``: code that exists for the book's pages. Plot styling and
  figures, the graph drawing of chapter 1, the depth probe and layer tracing, the
  gallery's deliberately wrong implementations, cost counts and benchmark helpers.
- ``bp_lib.exercises``: the checkers that give a reader feedback on an exercise.

The library never imports from the other two rooms (``tests/test_layout.py``).
"""

from .activations import (
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    log_softmax,
    logsumexp,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    softmax,
    softmax_backward,
    softmax_forward,
    tanh_backward,
    tanh_forward,
)
from .attention import (
    SelfAttention,
    attention_backward,
    attention_forward,
    causal_mask,
)
from .batchnorm import (
    BatchNorm,
    batchnorm_backward,
    batchnorm_backward_graph,
    batchnorm_forward,
)
from .conv import (
    Conv2d,
    Flatten,
    MaxPool2d,
    conv2d_backward,
    conv2d_backward_loops,
    conv2d_forward,
    conv2d_forward_loops,
    maxpool2d_backward,
    maxpool2d_forward,
)
from .core import Module, Sequential
from .dense import Dense, dense_backward, dense_forward
from .dropout import Dropout, dropout_backward, dropout_forward
from .gradcheck import check_gradients, compare, numerical_gradient, relative_error
from .init import (
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
    xavier_normal,
    xavier_uniform,
)
from .layernorm import LayerNorm, layernorm_backward, layernorm_forward
from .losses import (
    bce_with_logits,
    binary_cross_entropy,
    mse_loss,
    one_hot,
    softmax_cross_entropy,
)
from .optim import SGD, Adam, AdamW, RMSProp, clip_grad_norm, global_norm
from .residual import Residual
from .serialize import load, load_weights, save
from .train import History, accuracy, fit, train_step

__version__ = "0.1.0"

__all__ = [
    "Adam",
    "AdamW",
    "BatchNorm",
    "Conv2d",
    "Dense",
    "Dropout",
    "Flatten",
    "History",
    "LayerNorm",
    "MaxPool2d",
    "Module",
    "RMSProp",
    "ReLU",
    "Residual",
    "SGD",
    "SelfAttention",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "accuracy",
    "attention_backward",
    "attention_forward",
    "batchnorm_backward",
    "batchnorm_backward_graph",
    "batchnorm_forward",
    "bce_with_logits",
    "binary_cross_entropy",
    "causal_mask",
    "check_gradients",
    "clip_grad_norm",
    "compare",
    "conv2d_backward",
    "conv2d_backward_loops",
    "conv2d_forward",
    "conv2d_forward_loops",
    "dense_backward",
    "dense_forward",
    "dropout_backward",
    "dropout_forward",
    "fit",
    "global_norm",
    "he_normal",
    "he_uniform",
    "layernorm_backward",
    "layernorm_forward",
    "lecun_normal",
    "lecun_uniform",
    "load",
    "load_weights",
    "log_softmax",
    "logsumexp",
    "maxpool2d_backward",
    "maxpool2d_forward",
    "mse_loss",
    "numerical_gradient",
    "one_hot",
    "relative_error",
    "relu_backward",
    "relu_forward",
    "save",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
    "softmax_backward",
    "softmax_cross_entropy",
    "softmax_forward",
    "tanh_backward",
    "tanh_forward",
    "train_step",
    "xavier_normal",
    "xavier_uniform",
]
