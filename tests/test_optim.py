import numpy as np
import pytest

import bp_lib as bp


def test_plain_sgd_step():
    p, g = {"W": np.array([1.0, -2.0])}, {"W": np.array([0.5, 0.25])}
    bp.SGD(lr=0.1).step(p, g)
    np.testing.assert_allclose(p["W"], [0.95, -2.025])


def test_sgd_momentum_two_steps_by_hand():
    p = {"W": np.array([1.0, 2.0])}
    opt = bp.SGD(lr=0.1, momentum=0.9)
    g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 0.5])
    opt.step(p, {"W": g1})
    opt.step(p, {"W": g2})
    v1 = -0.1 * g1
    v2 = 0.9 * v1 - 0.1 * g2
    np.testing.assert_allclose(p["W"], np.array([1.0, 2.0]) + v1 + v2)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p = {"w": np.array([0.5, -1.5])}
    grads = [np.array([0.2, -0.4]), np.array([0.1, 0.3])]
    opt = bp.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    expected, m, s = p["w"].copy(), np.zeros(2), np.zeros(2)
    for t, g in enumerate(grads, start=1):
        opt.step(p, {"w": g})
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g**2
        expected = expected - lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    np.testing.assert_allclose(p["w"], expected, rtol=1e-12)


def test_first_adam_step_moves_each_parameter_by_about_lr():
    p = {"w": np.array([3.0, -3.0, 0.0])}
    bp.Adam(lr=0.01).step(p, {"w": np.array([100.0, -1e-3, 5.0])})
    np.testing.assert_allclose(p["w"], [2.99, -2.99, -0.01], atol=1e-6)


def test_optimiser_state_is_kept_per_key():
    opt = bp.SGD(lr=1.0, momentum=0.5)
    p = {"a": np.zeros(1), "b": np.zeros(1)}
    opt.step(p, {"a": np.ones(1), "b": -np.ones(1)})
    assert set(opt.state) == {"a", "b"}
    np.testing.assert_allclose(opt.state["a"]["velocity"], [-1.0])
    np.testing.assert_allclose(opt.state["b"]["velocity"], [1.0])


def test_clip_grad_norm_caps_the_global_norm_and_keeps_the_direction():
    grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}  # global norm 5
    before = np.concatenate([g.ravel() for g in grads.values()])
    norm = bp.clip_grad_norm(grads, max_norm=1.0)
    after = np.concatenate([g.ravel() for g in grads.values()])
    assert norm == pytest.approx(5.0)
    assert bp.global_norm(grads) <= 1.0
    assert bp.global_norm(grads) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(after / np.linalg.norm(after), before / np.linalg.norm(before))


def test_clip_grad_norm_leaves_small_gradients_alone():
    grads = [np.array([0.3, 0.4])]
    assert bp.clip_grad_norm(grads, max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads[0], [0.3, 0.4])


def test_optimisers_update_a_model_in_place():
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Dense(3, 2, rng=rng))
    W = net.layers[0].params["W"]
    before = W.copy()
    net.forward(rng.normal(size=(4, 3)))
    net.backward(rng.normal(size=(4, 2)))
    bp.SGD(lr=0.1).step(net.params, net.grads)
    assert net.layers[0].params["W"] is W
    np.testing.assert_allclose(W, before - 0.1 * net.grads["0.W"])


def test_one_sgd_momentum_step_from_rest_is_a_plain_step():
    p = {"W": np.array([[1.0, -2.0, 0.5]])}
    bp.SGD(lr=0.2, momentum=0.9).step(p, {"W": np.array([[0.5, 1.0, -3.0]])})
    # v1 = 0.9 * 0 - 0.2 * g
    np.testing.assert_allclose(p["W"], [[1.0 - 0.1, -2.0 - 0.2, 0.5 + 0.6]])


def test_adam_keeps_its_moments_per_key():
    opt = bp.Adam(lr=0.1)
    p = {"a": np.zeros(2), "b": np.zeros(3)}
    opt.step(p, {"a": np.array([1.0, -2.0]), "b": np.ones(3)})
    assert set(opt.state) == {"a", "b"} and opt.t == 1
    np.testing.assert_allclose(opt.state["a"]["m"], [0.1, -0.2])
    np.testing.assert_allclose(opt.state["a"]["s"], [0.001, 0.004])
    np.testing.assert_allclose(opt.state["b"]["m"], np.full(3, 0.1))


def test_global_norm_of_a_dict_and_of_a_list():
    grads = {"W": np.array([[1.0, 2.0], [2.0, 0.0]]), "b": np.array([4.0])}
    assert bp.global_norm(grads) == pytest.approx(5.0)
    assert bp.global_norm(list(grads.values())) == pytest.approx(5.0)
    assert bp.global_norm({"W": np.zeros((2, 3))}) == 0.0


def test_clip_grad_norm_on_a_model_clips_the_model_s_own_gradients():
    rng = np.random.default_rng(1)
    net = bp.Sequential(bp.Dense(3, 4, rng=rng), bp.Tanh(), bp.Dense(4, 2, rng=rng))
    net.forward(rng.normal(size=(5, 3)))
    net.backward(100 * rng.normal(size=(5, 2)))
    before = {k: v.copy() for k, v in net.grads.items()}
    norm = bp.clip_grad_norm(net.grads, max_norm=0.5)
    assert norm == pytest.approx(bp.global_norm(before)) and norm > 0.5
    assert bp.global_norm(net.grads) <= 0.5
    factor = bp.global_norm(net.grads) / norm
    assert factor == pytest.approx(0.5 / norm, rel=1e-5)
    for name, grad in net.grads.items():  # every array scaled by the same factor: the direction is kept
        np.testing.assert_allclose(grad, before[name] * factor, rtol=1e-12)


@pytest.mark.parametrize("make", [lambda: bp.SGD(0.1), lambda: bp.SGD(0.1, momentum=0.9)])
def test_an_sgd_step_leaves_the_gradients_alone_and_reuses_its_work_array(make):
    rng = np.random.default_rng(12)
    p, g = {"W": rng.normal(size=(3, 5))}, {"W": rng.normal(size=(3, 5))}
    saved = g["W"].copy()
    opt = make()
    opt.step(p, g)
    work = opt.state["W"]["scratch"]
    opt.step(p, g)
    np.testing.assert_array_equal(g["W"], saved)
    assert opt.state["W"]["scratch"] is work


def test_adam_over_many_steps_matches_the_textbook_update_in_float32():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    rng = np.random.default_rng(13)
    p = {"w": rng.normal(size=(4, 3)).astype(np.float32)}
    expected, m, s = p["w"].astype(np.float64), np.zeros((4, 3)), np.zeros((4, 3))
    opt = bp.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    for t in range(1, 51):
        g = rng.normal(size=(4, 3)).astype(np.float32)
        opt.step(p, {"w": g})
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g.astype(np.float64) ** 2
        expected = expected - lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    assert p["w"].dtype == np.float32
    np.testing.assert_allclose(p["w"], expected, rtol=1e-5, atol=1e-6)
