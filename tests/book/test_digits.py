"""bp_lib.book.digits: the width scan, the t-interval and the line count."""

import types

import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book import digits


def _tiny_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    y = (X[:, 0] > 0).astype(int)
    return types.SimpleNamespace(X_train=X[:30], y_train=y[:30], X_test=X[30:], y_test=y[30:])


def test_width_scan_returns_one_accuracy_per_width_and_seed_and_is_deterministic():
    calls = []

    def build(width, seed):
        calls.append((width, seed))
        rng = np.random.default_rng(seed)
        return bp.Sequential(bp.Dense(4, width, rng=rng), bp.ReLU(), bp.Dense(width, 2, rng=rng))

    data = _tiny_data()
    first = digits.width_scan(build, [2, 8], [0, 1, 2], data, epochs=3, batch_size=10)
    again = digits.width_scan(build, [2, 8], [0, 1, 2], data, epochs=3, batch_size=10)
    assert first.shape == (2, 3)
    assert np.all((0 <= first) & (first <= 1))
    np.testing.assert_array_equal(first, again)
    assert calls[:6] == [(2, 0), (2, 1), (2, 2), (8, 0), (8, 1), (8, 2)]


def test_code_lines_skips_blank_lines_comments_and_docstrings(monkeypatch):
    module = types.ModuleType("sample")
    source = '"""Doc.\n\nMore."""\n\n# a comment\nx = 1  # trailing\n\n\ndef f():\n    """Doc."""\n    return x\n'
    monkeypatch.setattr(digits.inspect, "getsource", lambda m: source)
    total, code = digits.code_lines(module)
    assert total == 11
    assert code == 3  # x = 1, def f():, return x


def test_code_lines_of_a_real_module_are_fewer_than_its_lines():
    total, code = digits.code_lines(bp.dense)
    assert 0 < code < total


def test_stable_round_formats_values_far_from_a_boundary():
    assert digits.stable_round(0.9801, 2, 0.002) == "0.98"
    assert digits.stable_round(-0.0312, 2, 0.001) == "-0.03"
    assert digits.stable_round(12.3, 0, 0.1) == "12"


@pytest.mark.parametrize("value", [0.9751, 0.9849, 0.0051, -0.0049])
def test_stable_round_refuses_values_near_a_rounding_boundary(value):
    with pytest.raises(ValueError, match="rounding boundary"):
        digits.stable_round(value, 2, 0.002)
