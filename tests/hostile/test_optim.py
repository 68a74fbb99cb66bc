"""Hostile calls of the optimisers, their state and the gradient norm (bp_lib.optim).

Every object is built inside the probe's call, so the table can run against an older
library to count how it behaved before (``python tests/hostile/count.py``).
"""

import numpy as np
import pytest
from probes import Probe, Raises, Returns, assert_holds, params

import bp_lib as bp


def _step(opt, p, g):
    """One step on ``{"w": p}`` with ``{"w": g}``; returns the parameter."""
    opt.step({"w": p}, {"w": g})
    return p


def _read_only():
    p = np.ones(3)
    p.flags.writeable = False
    return p


def _last_gradient_nan_leaves_all_alone():
    p = {"a": np.ones(3), "b": np.ones(2)}
    try:
        bp.Adam(0.1).step(p, {"a": np.ones(3), "b": np.array([1.0, np.nan])})
    except FloatingPointError:
        pass
    return p["a"]


def _stepped(opt, shape=(3,), dtype=np.float64):
    opt.step({"w": np.ones(shape, dtype)}, {"w": np.ones(shape, dtype)})
    return opt


def _late_parameter_first_step():
    opt = bp.Adam(lr=0.01)
    a = {"a": np.zeros(2)}
    for _ in range(50):
        opt.step(a, {"a": np.ones(2)})
    p = {"a": a["a"], "b": np.zeros(2)}
    opt.step(p, {"a": np.ones(2), "b": np.array([3.0, -0.3])})
    return p["b"]


def _state_dict_with(kind=bp.Adam, change=None, **hyper):
    """An optimiser's state_dict after one step on {"w": (5,), "v": (2,)}, then changed."""
    opt = kind(**hyper)
    opt.step({"w": np.ones(5), "v": np.ones(2)}, {"w": np.ones(5), "v": np.ones(2)})
    state = opt.state_dict()
    if change is not None:
        change(state)
    return state


def _load(state, into=None):
    into = into if into is not None else bp.Adam()
    into.load_state_dict(state)
    return into


def _set(path, value):
    def change(state):
        target = state
        for key in path[:-1]:
            target = target[key]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


def _state_dict_is_a_copy():
    opt = _stepped(bp.SGD(0.1, momentum=0.9))
    state = opt.state_dict()
    state["state"]["w"]["velocity"][...] = 42.0
    return opt.state["w"]["velocity"]


def _same_next_step_after_reload():
    a = _stepped(bp.RMSProp(0.01, momentum=0.9, centered=True))
    b = bp.RMSProp(0.01, momentum=0.9, centered=True)
    b.load_state_dict(a.state_dict())
    pa, pb = np.ones(3), np.ones(3)
    a.step({"w": pa}, {"w": np.full(3, 0.5)})
    b.step({"w": pb}, {"w": np.full(3, 0.5)})
    return np.array_equal(pa, pb) and not np.array_equal(pa, np.ones(3))


def _clip_nan_leaves_grads():
    grads = [np.array([3.0, 4.0]), np.array([np.nan])]
    try:
        bp.clip_grad_norm(grads, 1.0)
    except FloatingPointError:
        pass
    return grads[0]


def _clip_huge():
    grads = {"W": np.array([3e200, -4e200]), "b": np.array([0.0])}
    norm = bp.clip_grad_norm(grads, 1.0)
    return norm, grads["W"]


W = "w"
PROBES = [
    # constructors
    Probe("SGD lr 0", lambda: bp.SGD(lr=0), Raises(ValueError, "lr", "got 0")),
    Probe("SGD lr str", lambda: bp.SGD(lr="0.1"), Raises(TypeError, "lr", "real number")),
    Probe("SGD momentum 1", lambda: bp.SGD(momentum=1.0), Raises(ValueError, "momentum", "got 1.0")),
    Probe("SGD weight_decay -1", lambda: bp.SGD(weight_decay=-1), Raises(ValueError, "weight_decay", "got -1")),
    Probe("SGD weight_decay nan", lambda: bp.SGD(weight_decay=float("nan")), Raises(ValueError, "weight_decay", "nan")),
    Probe("Adam beta2 1", lambda: bp.Adam(beta2=1.0), Raises(ValueError, "beta2", "got 1.0")),
    Probe("Adam eps 0", lambda: bp.Adam(eps=0.0), Raises(ValueError, "eps", "got 0.0")),
    Probe("AdamW weight_decay neg", lambda: bp.AdamW(weight_decay=-0.01), Raises(ValueError, "weight_decay", "-0.01")),
    Probe("RMSProp alpha 1", lambda: bp.RMSProp(alpha=1.0), Raises(ValueError, "alpha", "got 1.0")),
    Probe("RMSProp eps 0", lambda: bp.RMSProp(eps=0), Raises(ValueError, "eps", "got 0")),
    Probe("RMSProp centered str", lambda: bp.RMSProp(centered="yes"), Raises(TypeError, "centered", "'yes'")),
    Probe("RMSProp momentum neg", lambda: bp.RMSProp(momentum=-0.1), Raises(ValueError, "momentum", "-0.1")),
    # step: the dicts and the parameters
    Probe(
        "step params list",
        lambda: bp.SGD().step([np.ones(2)], {W: np.ones(2)}),
        Raises(TypeError, "params must be a dict", "got list"),
    ),
    Probe(
        "step grads None",
        lambda: bp.SGD().step({W: np.ones(2)}, None),
        Raises(TypeError, "grads must be a dict", "NoneType"),
    ),
    Probe(
        "step keys differ",
        lambda: bp.SGD().step({W: np.ones(2)}, {"b": np.ones(2)}),
        Raises(ValueError, "same keys", "['w'] and ['b']"),
    ),
    Probe(
        "step int param",
        lambda: _step(bp.SGD(), np.arange(3), np.ones(3)),
        Raises(TypeError, "params['w']", "int64", "floating-point"),
    ),
    Probe(
        "step list param",
        lambda: _step(bp.Adam(), [1.0, 2.0], np.ones(2)),
        Raises(TypeError, "params['w'] must be a numpy array", "got list"),
    ),
    Probe(
        "step read-only param",
        lambda: _step(bp.SGD(), _read_only(), np.ones(3)),
        Raises(ValueError, "params['w'] is read-only"),
    ),
    Probe(
        "step complex param",
        lambda: _step(bp.SGD(), np.ones(2, complex), np.ones(2)),
        Raises(TypeError, "params['w']", "complex128"),
    ),
    Probe(
        "step scalar param",
        lambda: _step(bp.SGD(), np.float64(1.0), 1.0),
        Raises(TypeError, "params['w'] must be a numpy array", "float64"),
    ),
    Probe(
        "step same array twice",
        lambda: bp.SGD().step({"a": (p := np.ones(2)), "b": p}, {"a": np.ones(2), "b": np.ones(2)}),
        Raises(ValueError, "params['a'] and params['b'] are the same array"),
    ),
    # step: the gradients
    Probe(
        "step str grad", lambda: _step(bp.SGD(), np.ones(1), np.array(["a"])), Raises(TypeError, "grads['w']", "<U1")
    ),
    Probe(
        "step complex grad",
        lambda: _step(bp.Adam(), np.ones(2), np.ones(2) * 1j),
        Raises(TypeError, "grads['w']", "complex128"),
    ),
    Probe(
        "step grad broadcasts",
        lambda: _step(bp.SGD(), np.ones(3), np.ones((1, 3))),
        Raises(ValueError, "grads['w'] has shape (1, 3), expected (3,)"),
    ),
    Probe(
        "step grad list",
        lambda: _step(bp.SGD(0.5), np.ones(2), [1.0, 2.0]),
        Returns(lambda p: np.allclose(p, [0.5, 0.0])),
    ),
    Probe(
        "step int grad",
        lambda: _step(bp.SGD(0.5), np.ones(2), np.array([2, 4])),
        Returns(lambda p: np.allclose(p, [0.0, -1.0])),
    ),
    Probe(
        "step grad nan",
        lambda: _step(bp.SGD(), np.ones(2), np.array([0.0, np.nan])),
        Raises(FloatingPointError, "grads['w'] is not finite", "NaN at index (1,)"),
    ),
    Probe(
        "step grad inf (Adam)",
        lambda: _step(bp.Adam(), np.ones(2), np.array([np.inf, 0])),
        Raises(FloatingPointError, "grads['w']", "inf at index (0,)"),
    ),
    Probe(
        "step nan leaves others", _last_gradient_nan_leaves_all_alone, Returns(lambda a: np.array_equal(a, np.ones(3)))
    ),
    Probe(
        "step float32 stays float32",
        lambda: _step(bp.Adam(0.1), np.ones(2, np.float32), np.ones(2)),
        Returns(lambda p: p.dtype == np.float32 and np.allclose(p, 0.9)),
    ),
    # step: state kept for a parameter that changed
    Probe(
        "state after shape change",
        lambda: _step(_stepped(bp.SGD(0.1, momentum=0.9)), np.ones(4), np.ones(4)),
        Raises(ValueError, "'velocity' for 'w' has shape (3,)", "now has shape (4,)"),
    ),
    Probe(
        "state after dtype change",
        lambda: _step(_stepped(bp.Adam()), np.ones(3, np.float32), np.ones(3)),
        Raises(ValueError, "'m' for 'w'", "dtype float32"),
    ),
    Probe(
        "RMSProp state after shape change",
        lambda: _step(_stepped(bp.RMSProp()), np.ones((3, 1)), np.ones((3, 1))),
        Raises(ValueError, "'square_avg' for 'w'", "(3, 1)"),
    ),
    Probe(
        "Adam late parameter", _late_parameter_first_step, Returns(lambda b: np.allclose(b, [-0.01, 0.01], rtol=1e-6))
    ),
    Probe("Adam t", lambda: _stepped(_stepped(bp.Adam())).t, Returns(lambda t: t == 2)),
    # state_dict / load_state_dict
    Probe("state_dict is a copy", _state_dict_is_a_copy, Returns(lambda v: np.allclose(v, -0.1))),
    Probe("state_dict reload same step", _same_next_step_after_reload, Returns(lambda same: same is True)),
    Probe(
        "state_dict of AdamW",
        lambda: _state_dict_with(bp.AdamW)["hyperparameters"],
        Returns(lambda h: h == {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}),
    ),
    Probe(
        "load None", lambda: bp.Adam().load_state_dict(None), Raises(TypeError, "state_dict must be a dict", "NoneType")
    ),
    Probe(
        "load wrong type",
        lambda: _load(_state_dict_with(bp.SGD)),
        Raises(ValueError, "'SGD' optimiser", "cannot be loaded into a 'Adam'"),
    ),
    Probe("load AdamW into Adam", lambda: _load(_state_dict_with(bp.AdamW)), Raises(ValueError, "'AdamW'", "'Adam'")),
    Probe(
        "load missing key",
        lambda: _load(_state_dict_with(change=_set(["state"], None))),
        Raises(ValueError, "missing ['state']"),
    ),
    Probe(
        "load extra key",
        lambda: _load(_state_dict_with(change=_set(["extra"], 1))),
        Raises(ValueError, "unexpected ['extra']"),
    ),
    Probe(
        "load bad lr",
        lambda: _load(_state_dict_with(change=_set(["hyperparameters", "lr"], -1.0))),
        Raises(ValueError, "state_dict['hyperparameters']", "lr", "-1.0"),
    ),
    Probe(
        "load missing beta2",
        lambda: _load(_state_dict_with(change=_set(["hyperparameters", "beta2"], None))),
        Raises(ValueError, "missing ['beta2']"),
    ),
    Probe(
        "load slot shapes differ",
        lambda: _load(_state_dict_with(change=_set(["state", "v", "s"], np.ones(5)))),
        Raises(ValueError, "['v']['s'] has shape (5,)", "(2,)"),
    ),
    Probe(
        "load slot nan",
        lambda: _load(_state_dict_with(change=_set(["state", "w", "m"], np.full(5, np.nan)))),
        Raises(ValueError, "['w']['m'] must be finite", "NaN"),
    ),
    Probe(
        "load slot list",
        lambda: _load(_state_dict_with(change=_set(["state", "w", "m"], [0.0] * 5))),
        Raises(TypeError, "['w']['m']", "got list"),
    ),
    Probe(
        "load slot missing",
        lambda: _load(_state_dict_with(change=_set(["state", "w", "s"], None))),
        Raises(ValueError, "['w']", "missing ['s']"),
    ),
    Probe(
        "load step 0",
        lambda: _load(_state_dict_with(change=_set(["state", "w", "step"], 0))),
        Raises(ValueError, "['step'] must be an integer >= 1", "got 0"),
    ),
    Probe(
        "load step str",
        lambda: _load(_state_dict_with(change=_set(["state", "w", "step"], "3"))),
        Raises(ValueError, "['step']", "'3'"),
    ),
    Probe(
        "load velocity into plain SGD",
        lambda: _load(_state_dict_with(bp.SGD, momentum=0.9), bp.SGD(momentum=0.9)).momentum,
        Returns(lambda m: m == 0.9),
    ),
    Probe(
        "loaded state, other shape",
        lambda: _step(_load(_state_dict_with()), np.ones(4), np.ones(4)),
        Raises(ValueError, "'m' for 'w' has shape (5,)", "now has shape (4,)"),
    ),
    # global_norm
    Probe(
        "global_norm 3e200",
        lambda: bp.global_norm([np.full(3, 3e200)]),
        Returns(lambda n: n == pytest.approx(3e200 * 3**0.5, rel=1e-15)),
    ),
    Probe(
        "global_norm 1e-200",
        lambda: bp.global_norm([np.array([3e-200, 4e-200])]),
        Returns(lambda n: n == pytest.approx(5e-200, rel=1e-15)),
    ),
    Probe("global_norm empty", lambda: bp.global_norm([]), Returns(lambda n: n == 0.0)),
    Probe("global_norm nested list", lambda: bp.global_norm([[3, 4]]), Returns(lambda n: n == 5.0)),
    Probe(
        "global_norm bare array",
        lambda: bp.global_norm(np.ones(3)),
        Raises(TypeError, "grads must be a dict or a list", "[g]"),
    ),
    Probe(
        "global_norm nan",
        lambda: bp.global_norm([np.array([1.0, np.nan])]),
        Raises(FloatingPointError, "grads[0] is not finite", "NaN"),
    ),
    Probe(
        "global_norm inf",
        lambda: bp.global_norm({"a": np.ones(2), "b": np.array([-np.inf])}),
        Raises(FloatingPointError, "grads['b']", "-inf"),
    ),
    Probe("global_norm str", lambda: bp.global_norm([np.array(["x"])]), Raises(TypeError, "grads[0]", "<U1")),
    Probe(
        "global_norm complex", lambda: bp.global_norm([np.array([3 + 4j])]), Raises(TypeError, "grads[0]", "complex128")
    ),
    # clip_grad_norm
    Probe(
        "clip 3e200",
        _clip_huge,
        Returns(lambda r: r[0] == pytest.approx(5e200, rel=1e-15) and np.allclose(r[1], [0.6, -0.8])),
    ),
    Probe(
        "clip float32",
        lambda: bp.clip_grad_norm([(g := np.array([3.0, 4.0], np.float32))], 1.0) and g,
        Returns(lambda g: g.dtype == np.float32 and np.allclose(g, [0.6, 0.8])),
    ),
    Probe(
        "clip nested list",
        lambda: bp.clip_grad_norm([[3.0, 4.0]], 1.0),
        Raises(TypeError, "grads[0] must be a floating-point numpy array", "got list"),
    ),
    Probe(
        "clip int array",
        lambda: bp.clip_grad_norm([np.array([3, 4])], 1.0),
        Raises(TypeError, "grads[0]", "dtype int64"),
    ),
    Probe(
        "clip read-only",
        lambda: bp.clip_grad_norm({"w": _read_only()}, 1.0),
        Raises(ValueError, "grads['w'] is read-only"),
    ),
    Probe(
        "clip nan",
        lambda: bp.clip_grad_norm([np.array([np.nan, 1.0])], 1.0),
        Raises(FloatingPointError, "grads[0] is not finite", "NaN at index (0,)"),
    ),
    Probe(
        "clip nan names the key",
        lambda: bp.clip_grad_norm({"0.W": np.array([np.nan, 1.0])}, 1.0),
        Raises(FloatingPointError, "grads['0.W'] is not finite", "NaN at index (0,)"),
    ),
    Probe("clip nan leaves others", _clip_nan_leaves_grads, Returns(lambda g: np.array_equal(g, [3.0, 4.0]))),
    Probe(
        "clip bare 1-D array",
        lambda: bp.clip_grad_norm(np.array([3.0, 4.0]), 1.0),
        Raises(TypeError, "grads must be a dict or a list", "[g]"),
    ),
    Probe(
        "clip max_norm inf",
        lambda: bp.clip_grad_norm([np.ones(2)], float("inf")),
        Raises(ValueError, "max_norm", "inf"),
    ),
    Probe(
        "clip max_norm nan",
        lambda: bp.clip_grad_norm([np.ones(2)], float("nan")),
        Raises(ValueError, "max_norm", "nan"),
    ),
]


@pytest.mark.parametrize("probe", params(PROBES))
def test_probe(probe):
    assert_holds(probe)
