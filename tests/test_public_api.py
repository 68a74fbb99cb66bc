"""The public names of DESIGN.md are a contract: this test fails if one disappears."""

import inspect

import numpy as np
import pytest

import bp_lib as bp

FUNCTIONS = [
    "dense_forward", "dense_backward", "relu_forward", "relu_backward", "sigmoid_forward",
    "sigmoid_backward", "tanh_forward", "tanh_backward", "softmax_forward", "softmax_backward",
    "batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward",
    "mse_loss", "binary_cross_entropy", "bce_with_logits", "softmax_cross_entropy",
    "numerical_gradient", "relative_error", "he_normal", "xavier_uniform", "lecun_normal",
    "clip_grad_norm", "layernorm_forward", "layernorm_backward",
    "conv2d_forward", "conv2d_backward", "conv2d_forward_loops", "conv2d_backward_loops",
    "maxpool2d_forward", "maxpool2d_backward", "attention_forward", "attention_backward",
    "causal_mask",
]  # fmt: skip
CLASSES = [
    "Dense",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "BatchNorm",
    "Dropout",
    "Sequential",
    "SGD",
    "Adam",
    "LayerNorm",
    "Residual",
    "Conv2d",
    "MaxPool2d",
    "Flatten",
    "SelfAttention",
]
SIGNATURES = {
    "dense_forward": ["X", "W", "b"],
    "batchnorm_forward": ["X", "gamma", "beta", "eps"],
    "layernorm_forward": ["X", "gamma", "beta", "eps"],
    "dropout_forward": ["X", "p", "rng"],
    "numerical_gradient": ["f", "x", "eps"],
    "clip_grad_norm": ["grads", "max_norm"],
    "softmax_cross_entropy": ["Z", "y"],
    "conv2d_forward": ["X", "W", "b", "stride", "padding"],
    "conv2d_forward_loops": ["X", "W", "b", "stride", "padding"],
    "maxpool2d_forward": ["X", "size", "stride"],
    "attention_forward": ["Q", "K", "V", "mask"],
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_exists(name):
    assert callable(getattr(bp, name, None)), f"bp_lib.{name} is missing"


@pytest.mark.parametrize("name", CLASSES)
def test_public_class_exists(name):
    assert inspect.isclass(getattr(bp, name, None)), f"bp_lib.{name} is missing"


@pytest.mark.parametrize("name", SIGNATURES)
def test_signatures(name):
    assert list(inspect.signature(getattr(bp, name)).parameters) == SIGNATURES[name]


def test_module_constructors():
    assert list(inspect.signature(bp.Dense).parameters)[:4] == ["n_in", "n_out", "init", "rng"]
    assert list(inspect.signature(bp.BatchNorm).parameters)[:3] == ["n", "eps", "momentum"]
    assert list(inspect.signature(bp.Dropout).parameters) == ["p", "rng"]
    assert list(inspect.signature(bp.LayerNorm).parameters)[:2] == ["n", "eps"]
    assert list(inspect.signature(bp.Residual).parameters) == ["block"]
    assert list(inspect.signature(bp.Conv2d).parameters)[:6] == ["C", "F", "k", "stride", "padding", "rng"]
    assert list(inspect.signature(bp.MaxPool2d).parameters) == ["size", "stride"]
    assert list(inspect.signature(bp.SelfAttention).parameters)[:3] == ["d_model", "rng", "causal"]
    for cls in ("Dense", "ReLU", "BatchNorm", "Dropout", "Sequential"):
        for method in ("forward", "backward", "train", "eval"):
            assert callable(getattr(getattr(bp, cls), method))


def test_everything_in_all_is_importable():
    for name in bp.__all__:
        assert hasattr(bp, name), name


BACKWARDS = [name for name in FUNCTIONS if name.endswith("_backward")]
MODULES = {
    "Dense": (lambda: bp.Dense(3, 2, rng=np.random.default_rng(0)), {"W", "b"}),
    "ReLU": (bp.ReLU, set()),
    "Sigmoid": (bp.Sigmoid, set()),
    "Tanh": (bp.Tanh, set()),
    "Softmax": (bp.Softmax, set()),
    "BatchNorm": (lambda: bp.BatchNorm(2), {"gamma", "beta"}),
    "Dropout": (lambda: bp.Dropout(0.5, rng=np.random.default_rng(0)), set()),
    "Sequential": (lambda: bp.Sequential(bp.Dense(3, 2, rng=np.random.default_rng(0)), bp.ReLU()), {"0.W", "0.b"}),
    "LayerNorm": (lambda: bp.LayerNorm(2), {"gamma", "beta"}),
    "Residual": (
        lambda: bp.Residual(bp.Sequential(bp.LayerNorm(2), bp.Dense(2, 2, rng=np.random.default_rng(0)))),
        {"0.gamma", "0.beta", "1.W", "1.b"},
    ),
    "Conv2d": (lambda: bp.Conv2d(1, 2, 3, rng=np.random.default_rng(0)), {"W", "b"}),
    "MaxPool2d": (bp.MaxPool2d, set()),
    "Flatten": (bp.Flatten, set()),
    "SelfAttention": (lambda: bp.SelfAttention(4, rng=np.random.default_rng(0)), {"Wq", "Wk", "Wv", "Wo"}),
}


@pytest.mark.parametrize("name", BACKWARDS)
def test_every_backward_takes_the_upstream_gradient_and_the_cache(name):
    assert len(inspect.signature(getattr(bp, name)).parameters) == 2
    assert name.replace("_backward", "_forward") in FUNCTIONS


@pytest.mark.parametrize("name", MODULES)
def test_modules_have_the_documented_interface(name):
    make, keys = MODULES[name]
    module = make()
    assert isinstance(module, bp.Module)
    assert isinstance(module.params, dict) and isinstance(module.grads, dict)
    assert set(module.params) == set(module.grads) == keys
    assert module.training and module.eval() is module and not module.training
    assert module.train() is module and module.training


def test_sequential_keeps_its_layers_in_a_list():
    first, second = bp.Dense(3, 2, rng=np.random.default_rng(0)), bp.Tanh()
    assert bp.Sequential(first, second).layers == [first, second]


def test_optimisers_share_one_step_interface():
    for optimizer in (bp.SGD(lr=0.1, momentum=0.9), bp.Adam(lr=0.01)):
        assert list(inspect.signature(optimizer.step).parameters) == ["params", "grads"]
