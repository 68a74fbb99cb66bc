"""The public names of DESIGN.md are a contract: this test fails if one disappears."""

import inspect

import pytest

import bp_lib as bp

FUNCTIONS = [
    "dense_forward", "dense_backward", "relu_forward", "relu_backward", "sigmoid_forward",
    "sigmoid_backward", "tanh_forward", "tanh_backward", "softmax_forward", "softmax_backward",
    "batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward",
    "mse_loss", "binary_cross_entropy", "bce_with_logits", "softmax_cross_entropy",
    "numerical_gradient", "relative_error", "he_normal", "xavier_uniform", "lecun_normal",
    "clip_grad_norm",
]  # fmt: skip
CLASSES = ["Dense", "ReLU", "Sigmoid", "Tanh", "Softmax", "BatchNorm", "Dropout", "Sequential", "SGD", "Adam"]
SIGNATURES = {
    "dense_forward": ["X", "W", "b"],
    "batchnorm_forward": ["X", "gamma", "beta", "eps"],
    "dropout_forward": ["X", "p", "rng"],
    "numerical_gradient": ["f", "x", "eps"],
    "clip_grad_norm": ["grads", "max_norm"],
    "softmax_cross_entropy": ["Z", "y"],
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_exists(name):
    assert callable(getattr(bp, name)), f"bp_lib.{name} is missing"


@pytest.mark.parametrize("name", CLASSES)
def test_public_class_exists(name):
    assert inspect.isclass(getattr(bp, name)), f"bp_lib.{name} is missing"


@pytest.mark.parametrize("name", SIGNATURES)
def test_signatures(name):
    assert list(inspect.signature(getattr(bp, name)).parameters) == SIGNATURES[name]


def test_module_constructors():
    assert list(inspect.signature(bp.Dense).parameters)[:4] == ["n_in", "n_out", "init", "rng"]
    assert list(inspect.signature(bp.BatchNorm).parameters)[:3] == ["n", "eps", "momentum"]
    assert list(inspect.signature(bp.Dropout).parameters) == ["p", "rng"]
    for cls in ("Dense", "ReLU", "BatchNorm", "Dropout", "Sequential"):
        for method in ("forward", "backward", "train", "eval"):
            assert callable(getattr(getattr(bp, cls), method))


def test_everything_in_all_is_importable():
    for name in bp.__all__:
        assert hasattr(bp, name), name
