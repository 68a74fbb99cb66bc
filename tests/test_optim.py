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


# -- the book's numbers do not move: the old update rules, written out ------------------


def _problem(seed, steps, shapes=((4, 3), (3,))):
    """Parameters and a gradient sequence of a fixed problem (float64)."""
    rng = np.random.default_rng(seed)
    params = {f"p{i}": rng.normal(size=shape) for i, shape in enumerate(shapes)}
    grads = [{name: rng.normal(size=p.shape) for name, p in params.items()} for _ in range(steps)]
    return params, grads


def test_adam_trajectory_is_bit_identical_to_the_former_global_step_count():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    params, grads = _problem(21, 60)
    expected = {name: p.copy() for name, p in params.items()}
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    opt = bp.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    for t, g in enumerate(grads, start=1):  # one step count for the optimiser, as before
        opt.step(params, g)
        for name, p in expected.items():
            m, s = moments[name]
            m *= b1
            m += (1 - b1) * g[name]
            s *= b2
            s += (1 - b2) * g[name] * g[name]
            p -= lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    for name in params:
        np.testing.assert_array_equal(params[name], expected[name])
    assert opt.t == 60


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_trajectory_is_bit_identical_to_the_former_update(momentum):
    lr = 0.05
    params, grads = _problem(22, 40)
    expected = {name: p.copy() for name, p in params.items()}
    velocity = {name: np.zeros_like(p) for name, p in params.items()}
    opt = bp.SGD(lr=lr, momentum=momentum)
    for g in grads:
        opt.step(params, g)
        for name, p in expected.items():
            step = g[name] * lr
            if momentum == 0:
                p -= step
            else:
                velocity[name] *= momentum
                velocity[name] -= step
                p += velocity[name]
    for name in params:
        np.testing.assert_array_equal(params[name], expected[name])


def test_adam_gives_a_parameter_first_seen_late_the_correction_of_its_own_first_step():
    opt, lr = bp.Adam(lr=0.01), 0.01
    a = {"a": np.zeros(3)}
    for _ in range(50):
        opt.step(a, {"a": np.ones(3)})
    both = {"a": a["a"], "b": np.zeros(2)}
    opt.step(both, {"a": np.ones(3), "b": np.array([2.0, -0.5])})
    # the first step of any parameter moves it by lr |g| / (|g| + eps), about lr
    np.testing.assert_allclose(both["b"], [-lr, lr], rtol=1e-7)
    assert opt.state["b"]["step"] == 1 and opt.state["a"]["step"] == 51 and opt.t == 51


# -- weight decay and RMSProp against PyTorch's documented algorithms, written out -------


def _run(opt, params, grads):
    for g in grads:
        opt.step(params, g)
    return params


def test_sgd_weight_decay_is_pytorch_sgd_with_an_l2_term():
    """torch.optim.SGD: g <- g + wd p; b <- mu b + g (b = g at t = 1); p <- p - lr b."""
    lr, mu, wd = 0.05, 0.9, 0.01
    params, grads = _problem(23, 30)
    expected = {name: p.copy() for name, p in params.items()}
    buffers = {}
    for g in grads:
        for name, p in expected.items():
            d = g[name] + wd * p
            buffers[name] = d if name not in buffers else mu * buffers[name] + d
            p -= lr * buffers[name]
    _run(bp.SGD(lr, momentum=mu, weight_decay=wd), params, grads)
    for name in params:
        np.testing.assert_allclose(params[name], expected[name], rtol=1e-12, atol=1e-14)


def test_plain_sgd_weight_decay_shrinks_every_weight_by_one_minus_lr_wd():
    p = {"w": np.array([2.0, -4.0])}
    bp.SGD(0.1, weight_decay=0.5).step(p, {"w": np.zeros(2)})
    np.testing.assert_allclose(p["w"], [2.0 * 0.95, -4.0 * 0.95], rtol=1e-15)


def _pytorch_adam(params, grads, lr, b1, b2, eps, wd, decoupled):
    """torch.optim.Adam (wd: g <- g + wd p) or AdamW (wd: p <- p - lr wd p), written out."""
    expected = {name: p.copy() for name, p in params.items()}
    m = {name: np.zeros_like(p) for name, p in params.items()}
    v = {name: np.zeros_like(p) for name, p in params.items()}
    for t, g in enumerate(grads, start=1):
        for name, theta in expected.items():
            grad = g[name]
            if decoupled:
                theta -= lr * wd * theta
            else:
                grad = grad + wd * theta
            m[name] = b1 * m[name] + (1 - b1) * grad
            v[name] = b2 * v[name] + (1 - b2) * grad**2
            m_hat = m[name] / (1 - b1**t)
            v_hat = v[name] / (1 - b2**t)
            theta -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return expected


@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_and_adamw_weight_decay_match_pytorch(decoupled):
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.05
    params, grads = _problem(24, 40)
    expected = _pytorch_adam(params, grads, lr, b1, b2, eps, wd, decoupled)
    make = bp.AdamW if decoupled else bp.Adam
    _run(make(lr, b1, b2, eps, weight_decay=wd), params, grads)
    for name in params:
        np.testing.assert_allclose(params[name], expected[name], rtol=1e-12, atol=1e-14)


def test_adamw_defaults_are_pytorch_s_and_decay_does_not_depend_on_the_gradient():
    opt = bp.AdamW()
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay) == (1e-3, 0.9, 0.999, 1e-8, 0.01)
    # two weights of equal value, gradients 1e-3 and 1e3: Adam's step is ~lr for both,
    # and AdamW's decay is the same lr * wd * p for both; L2 in Adam is not
    p = {"w": np.array([5.0, 5.0])}
    bp.AdamW(lr=0.1, weight_decay=0.1).step(p, {"w": np.array([1e-3, 1e3])})
    np.testing.assert_allclose(p["w"], 5.0 * (1 - 0.01) - 0.1, rtol=1e-6)
    q = {"w": np.array([5.0, 5.0])}
    bp.Adam(lr=0.1, weight_decay=0.1).step(q, {"w": np.array([1e-3, 1e3])})
    np.testing.assert_allclose(q["w"], [5.0 - 0.1, 5.0 - 0.1], rtol=1e-6)  # decay lost in the scaling


def test_adamw_without_decay_is_adam_bit_for_bit():
    params, grads = _problem(25, 20)
    twin = {name: p.copy() for name, p in params.items()}
    _run(bp.AdamW(0.02, weight_decay=0.0), params, grads)
    _run(bp.Adam(0.02), twin, grads)
    for name in params:
        np.testing.assert_array_equal(params[name], twin[name])


def _pytorch_rmsprop(params, grads, lr, alpha, eps, wd, mu, centered):
    """torch.optim.RMSprop's documented algorithm, written out."""
    expected = {name: p.copy() for name, p in params.items()}
    v = {name: np.zeros_like(p) for name, p in params.items()}
    g_ave = {name: np.zeros_like(p) for name, p in params.items()}
    b = {name: np.zeros_like(p) for name, p in params.items()}
    for g in grads:
        for name, theta in expected.items():
            grad = g[name] + wd * theta if wd else g[name]
            v[name] = alpha * v[name] + (1 - alpha) * grad**2
            v_tilde = v[name]
            if centered:
                g_ave[name] = g_ave[name] * alpha + (1 - alpha) * grad
                v_tilde = v_tilde - g_ave[name] ** 2
            if mu > 0:
                b[name] = mu * b[name] + grad / (np.sqrt(v_tilde) + eps)
                theta -= lr * b[name]
            else:
                theta -= lr * grad / (np.sqrt(v_tilde) + eps)
    return expected


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"centered": True},
        {"momentum": 0.9},
        {"weight_decay": 0.01},
        {"centered": True, "momentum": 0.5, "weight_decay": 0.1, "alpha": 0.9},
    ],
    ids=["defaults", "centered", "momentum", "weight decay", "all"],
)
def test_rmsprop_matches_pytorch_s_algorithm(settings):
    hyper = {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False, "weight_decay": 0.0}
    hyper.update(settings)
    params, grads = _problem(26, 40)
    expected = _pytorch_rmsprop(
        params, grads, hyper["lr"], hyper["alpha"], hyper["eps"], hyper["weight_decay"],
        hyper["momentum"], hyper["centered"],
    )  # fmt: skip
    _run(bp.RMSProp(**hyper), params, grads)
    for name in params:
        np.testing.assert_allclose(params[name], expected[name], rtol=1e-12, atol=1e-14)


def test_rmsprop_defaults_are_pytorch_s_and_its_first_step_is_ten_times_lr():
    opt = bp.RMSProp()
    assert (opt.lr, opt.alpha, opt.eps, opt.momentum, opt.centered, opt.weight_decay) == (
        0.01, 0.99, 1e-8, 0.0, False, 0.0,
    )  # fmt: skip
    p = {"w": np.zeros(2)}
    opt.step(p, {"w": np.array([3.0, -0.2])})
    np.testing.assert_allclose(p["w"], [-0.1, 0.1], rtol=1e-6)  # lr / sqrt(1 - alpha) = 10 lr


# -- state_dict and load_state_dict -----------------------------------------------------

OPTIMISERS = {
    "sgd": lambda: bp.SGD(0.05),
    "momentum": lambda: bp.SGD(0.05, momentum=0.9, weight_decay=1e-3),
    "adam": lambda: bp.Adam(0.01),
    "adamw": lambda: bp.AdamW(0.01, weight_decay=0.1),
    "rmsprop": lambda: bp.RMSProp(0.01, momentum=0.5, centered=True),
}


@pytest.mark.parametrize("kind", OPTIMISERS)
def test_resuming_from_a_state_dict_continues_bit_for_bit(kind):
    params, grads = _problem(27, 10)
    straight = {name: p.copy() for name, p in params.items()}
    _run(OPTIMISERS[kind](), straight, grads)

    first = OPTIMISERS[kind]()
    _run(first, params, grads[:5])
    saved = first.state_dict()
    second = bp.Adam() if isinstance(first, bp.SGD) else bp.SGD(1.0)  # another type: refused
    with pytest.raises(ValueError, match="cannot be loaded into"):
        second.load_state_dict(saved)
    resumed = OPTIMISERS[kind]()
    resumed.load_state_dict(saved)
    _run(resumed, params, grads[5:])
    for name in params:
        np.testing.assert_array_equal(params[name], straight[name])


def test_state_dict_is_a_deep_copy_both_ways():
    opt = bp.Adam(0.01)
    p = {"w": np.ones(3)}
    opt.step(p, {"w": np.ones(3)})
    saved = opt.state_dict()
    assert saved["type"] == "Adam" and saved["state"]["w"]["step"] == 1
    assert saved["hyperparameters"] == {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
    saved["state"]["w"]["m"][...] = 99.0
    assert np.all(opt.state["w"]["m"] != 99.0)
    other = bp.Adam()
    other.load_state_dict(saved)
    saved["state"]["w"]["s"][...] = 99.0
    assert np.all(other.state["w"]["s"] != 99.0) and other.lr == 0.01
    assert "scratch" not in bp.SGD(0.1).state_dict()["state"].get("w", {})


def test_a_failed_load_state_dict_leaves_the_optimiser_as_it_was():
    opt = bp.Adam(0.01)
    p = {"w": np.ones(3), "v": np.ones(2)}
    opt.step(p, {"w": np.ones(3), "v": np.ones(2)})
    before = opt.state_dict()
    bad = opt.state_dict()
    bad["hyperparameters"]["lr"] = 0.5
    bad["state"]["v"]["s"] = np.ones(5)  # the last entry is wrong
    with pytest.raises(ValueError, match=r"\['v'\]\['s'\] has shape \(5,\)"):
        opt.load_state_dict(bad)
    assert opt.lr == 0.01
    for name in p:
        np.testing.assert_array_equal(opt.state[name]["s"], before["state"][name]["s"])


# -- a step checks everything before it changes anything --------------------------------


def test_a_nan_in_the_last_gradient_leaves_every_parameter_unchanged():
    opt = bp.Adam(0.01)
    p = {"a": np.ones(3), "b": np.ones(2)}
    with pytest.raises(FloatingPointError, match=r"grads\['b'\] is not finite \(NaN at index \(1,\)\)"):
        opt.step(p, {"a": np.ones(3), "b": np.array([0.0, np.nan])})
    np.testing.assert_array_equal(p["a"], np.ones(3))
    assert opt.state == {}


def test_a_parameter_that_changed_shape_is_refused_not_mixed_with_stale_state():
    opt = bp.SGD(0.1, momentum=0.9)
    opt.step({"w": np.ones(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match=r"'velocity' for 'w' has shape \(3,\).*now has shape \(4,\)"):
        opt.step({"w": np.ones(4)}, {"w": np.ones(4)})
    with pytest.raises(ValueError, match="dtype float32"):
        opt.step({"w": np.ones(3, np.float32)}, {"w": np.ones(3, np.float32)})
    del opt.state["w"]  # the documented way to start this parameter afresh
    opt.step({"w": np.ones(4)}, {"w": np.ones(4)})


# -- global norm without overflow or underflow ------------------------------------------


def test_global_norm_of_huge_and_tiny_gradients_is_exact():
    assert bp.global_norm([np.full(3, 3e200)]) == pytest.approx(3e200 * np.sqrt(3), rel=1e-15)
    assert bp.global_norm({"a": np.array([3e-200]), "b": np.array([4e-200])}) == pytest.approx(5e-200, rel=1e-15)
    assert bp.global_norm([np.array([1e300]), np.array([1e-300])]) == pytest.approx(1e300, rel=1e-15)


def test_global_norm_of_ordinary_gradients_is_bit_identical_to_the_former_sum():
    rng = np.random.default_rng(28)
    grads = [rng.normal(size=(5, 4)), rng.normal(size=7).astype(np.float32)]
    former = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)))
    assert bp.global_norm(grads) == former


def test_clipping_huge_gradients_keeps_their_direction():
    grads = {"W": np.array([[3e200, -4e200]]), "b": np.array([0.0])}
    norm = bp.clip_grad_norm(grads, max_norm=1.0)
    assert norm == pytest.approx(5e200, rel=1e-15)
    np.testing.assert_allclose(grads["W"], [[0.6, -0.8]], rtol=1e-12)
    assert grads["b"][0] == 0.0
