import json
import re

import numpy as np
import pytest

import bp_lib as bp
from bp_lib.serialize import architecture


def _trained_network(rng):
    net = bp.Sequential(
        bp.Dense(3, 5, rng=rng),
        bp.BatchNorm(5),
        bp.Tanh(),
        bp.Dropout(0.25, rng=rng),
        bp.Dense(5, 2, init="xavier", rng=rng),
    )
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, size=16)
    bp.fit(net, X, y, optimizer=bp.Adam(1e-2), epochs=3, batch_size=8, rng=rng)
    return net.eval(), X


def test_round_trip_gives_identical_predictions(tmp_path):
    net, X = _trained_network(np.random.default_rng(0))
    path = bp.save(net, tmp_path / "model.npz")
    loaded = bp.load(path).eval()
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in net.layers]
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    np.testing.assert_array_equal(loaded.layers[1].running_var, net.layers[1].running_var)


def test_load_weights_into_the_same_architecture(tmp_path):
    net, X = _trained_network(np.random.default_rng(1))
    bp.save(net, tmp_path / "model.npz")
    fresh, _ = _trained_network(np.random.default_rng(2))
    bp.load_weights(fresh, tmp_path / "model.npz")
    np.testing.assert_array_equal(fresh.forward(X), net.forward(X))


def test_mismatched_architecture_names_the_layer(tmp_path):
    net, _ = _trained_network(np.random.default_rng(3))
    bp.save(net, tmp_path / "model.npz")
    other = bp.Sequential(bp.Dense(3, 4), bp.BatchNorm(4), bp.Tanh(), bp.Dropout(0.25), bp.Dense(4, 2))
    with pytest.raises(ValueError, match="layer 0 was saved as .*'n_out': 5"):
        bp.load_weights(other, tmp_path / "model.npz")
    with pytest.raises(ValueError, match="network of 5 layers, this one has 1"):
        bp.load_weights(bp.Sequential(bp.Dense(3, 5)), tmp_path / "model.npz")


def test_truncated_and_foreign_files_give_clear_errors(tmp_path):
    net, _ = _trained_network(np.random.default_rng(4))
    good = bp.save(net, tmp_path / "model.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable bp_lib model file"):
        bp.load(truncated)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.ones(3))
    with pytest.raises(ValueError, match="not a bp_lib model file"):
        bp.load(foreign)
    with pytest.raises(FileNotFoundError):
        bp.load(tmp_path / "missing.npz")


def test_saved_file_needs_no_pickle(tmp_path):
    net, _ = _trained_network(np.random.default_rng(5))
    with np.load(bp.save(net, tmp_path / "model.npz"), allow_pickle=False) as data:
        assert all(data[key].dtype != object for key in data.files)


# -- resuming training exactly ----------------------------------------------------------

RESUMABLE = {
    "momentum": lambda: bp.SGD(0.05, momentum=0.9),
    "adam": lambda: bp.Adam(0.01),
    "adamw": lambda: bp.AdamW(0.01, weight_decay=0.05),
    "rmsprop": lambda: bp.RMSProp(0.005, centered=True),
}


def _fresh_network(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return bp.Sequential(
        bp.Dense(3, 6, rng=rng, dtype=dtype),
        bp.BatchNorm(6, dtype=dtype),
        bp.Tanh(),
        bp.Dense(6, 2, rng=rng, dtype=dtype),
    )


def _data():
    rng = np.random.default_rng(40)
    return rng.normal(size=(12, 3)), rng.integers(0, 2, size=12)


def _train(net, opt, steps):
    X, y = _data()
    for _ in range(steps):
        bp.train_step(net, bp.softmax_cross_entropy, opt, X, y)


def _same_network(a, b):
    for (key, x), (other, y) in zip(a.params.items(), b.params.items()):
        assert key == other
        np.testing.assert_array_equal(x, y)
    for la, lb in zip(a.layers, b.layers):
        if isinstance(la, bp.BatchNorm):
            np.testing.assert_array_equal(la.running_mean, lb.running_mean)
            np.testing.assert_array_equal(la.running_var, lb.running_var)


@pytest.mark.parametrize("kind", RESUMABLE)
def test_save_load_with_the_optimizer_resumes_training_bit_for_bit(tmp_path, kind):
    straight, opt = _fresh_network(), RESUMABLE[kind]()
    _train(straight, opt, 10)

    net, opt = _fresh_network(), RESUMABLE[kind]()
    _train(net, opt, 5)
    path = bp.save(net, tmp_path / "checkpoint.npz", optimizer=opt)
    resumed_opt = RESUMABLE[kind]()
    resumed = bp.load(path, optimizer=resumed_opt)
    _train(resumed, resumed_opt, 5)
    _same_network(resumed, straight)

    into, into_opt = _fresh_network(seed=9), RESUMABLE[kind]()  # load_weights, same result
    bp.load_weights(into, path, optimizer=into_opt)
    _train(into, into_opt, 5)
    _same_network(into, straight)


def test_load_without_optimizer_still_returns_the_model_alone(tmp_path):
    net, opt = _fresh_network(), bp.Adam(0.01)
    _train(net, opt, 2)
    loaded = bp.load(bp.save(net, tmp_path / "m.npz", optimizer=opt))
    assert isinstance(loaded, bp.Sequential)
    _same_network(loaded, net)
    with pytest.raises(ValueError, match="holds no optimizer state"):
        bp.load(bp.save(net, tmp_path / "plain.npz"), optimizer=bp.Adam())
    with pytest.raises(ValueError, match="state of a 'Adam' optimiser; it cannot be loaded into a 'SGD'"):
        bp.load(tmp_path / "m.npz", optimizer=bp.SGD())


def test_an_optimizer_of_another_model_is_refused_at_save(tmp_path):
    opt = bp.SGD(0.1, momentum=0.9)
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="state for 'w', which is not a parameter of this model"):
        bp.save(_fresh_network(), tmp_path / "m.npz", optimizer=opt)
    assert not any(tmp_path.iterdir())  # nothing written, not even a temporary file


# -- what round-trips: the mode and every array's own dtype -----------------------------


def test_eval_mode_and_each_layer_s_mode_round_trip(tmp_path):
    net = _fresh_network().eval()
    assert bp.load(bp.save(net, tmp_path / "eval.npz")).training is False
    assert all(not layer.training for layer in bp.load(tmp_path / "eval.npz").layers)
    net.train()
    net.layers[1].eval()  # a mixed model: batch norm frozen, the rest training
    loaded = bp.load(bp.save(net, tmp_path / "mixed.npz"))
    assert [layer.training for layer in loaded.layers] == [True, False, True, True] and loaded.training


def test_every_array_keeps_its_own_dtype(tmp_path):
    net = _fresh_network(dtype=np.float32)
    net.layers[0].params["b"] = np.array([1e-9, 1 + 1e-12, 0, 0, 0, 3.0])  # a float64 bias
    loaded = bp.load(bp.save(net, tmp_path / "m.npz"))
    assert {k: v.dtype for k, v in loaded.params.items()} == {k: v.dtype for k, v in net.params.items()}
    np.testing.assert_array_equal(loaded.params["0.b"], net.params["0.b"])  # not rounded to float32
    X = _data()[0].astype(np.float32)
    np.testing.assert_array_equal(loaded.eval().forward(X), net.eval().forward(X))
    with pytest.raises(ValueError, match=r"'param/0.b' has dtype float64, but the model's array is float32"):
        bp.load_weights(_fresh_network(dtype=np.float32), tmp_path / "m.npz")


def test_a_file_of_format_1_still_loads_in_training_mode(tmp_path):
    """The layout bp_lib wrote before the mode and optimiser entries, written out."""
    net = _fresh_network().eval()
    entries = {
        "format": np.array("bp_lib.Sequential/1"),
        "architecture": np.array(json.dumps(architecture(net))),
        **{f"param/{k}": v for k, v in net.params.items()},
        "state/1.running_mean": net.layers[1].running_mean,
        "state/1.running_var": net.layers[1].running_var,
    }
    np.savez(tmp_path / "v1.npz", **entries)
    loaded = bp.load(tmp_path / "v1.npz")
    assert loaded.training
    _same_network(loaded, net)


# -- load_weights checks everything before it writes anything ---------------------------


def _rewrite(path, target, **changes):
    """Copy the .npz at ``path`` to ``target`` with entries replaced (None: removed)."""
    with np.load(path) as data:
        entries = {key: data[key] for key in data.files}
    for key, value in changes.items():
        key = key.replace("__", "/").replace("_DOT_", ".")
        if value is None:
            del entries[key]
        else:
            entries[key] = value
    np.savez(target, **entries)
    return target


def _snapshot(net):
    arrays = {k: v.copy() for k, v in net.params.items()}
    for i, layer in enumerate(net.layers):
        if isinstance(layer, bp.BatchNorm):
            arrays[f"running_mean {i}"] = layer.running_mean.copy()
            arrays[f"running_var {i}"] = layer.running_var.copy()
    return arrays


def _assert_untouched(net, before):
    np.testing.assert_equal(_snapshot(net), before)


def test_load_weights_with_a_wrong_shape_in_the_last_array_leaves_the_model_untouched(tmp_path):
    good = bp.save(_fresh_network(seed=1), tmp_path / "good.npz")
    bad = _rewrite(good, tmp_path / "bad.npz", param__3_DOT_b=np.zeros(3))  # the last parameter
    model = _fresh_network(seed=2)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=r"'param/3.b' has shape \(3,\), expected \(2,\)"):
        bp.load_weights(model, bad)
    _assert_untouched(model, before)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"state__1_DOT_running_var": np.ones(1)}, r"'state/1.running_var' has shape \(1,\), expected \(6,\)"),
        ({"state__1_DOT_running_var": -np.ones(6)}, "negative entries"),
        ({"param__3_DOT_W": np.full((6, 2), np.nan)}, r"'param/3.W' is not finite \(NaN at index \(0, 0\)\)"),
        ({"param__0_DOT_W": np.ones((3, 6), dtype=np.int64)}, "'param/0.W' has dtype int64"),
        ({"extra": np.ones(2)}, r"unexpected \['extra'\]"),
        ({"param__3_DOT_W": None}, r"missing \['param/3.W'\]"),
    ],
    ids=["BN state broadcast", "negative variance", "NaN weights", "integer weights", "extra key", "missing key"],
)
def test_a_damaged_file_is_refused_by_load_and_load_weights_alike(tmp_path, change, words):
    good = bp.save(_fresh_network(seed=1), tmp_path / "good.npz")
    bad = _rewrite(good, tmp_path / "bad.npz", **change)
    with pytest.raises(ValueError, match=words):
        bp.load(bad)
    model = _fresh_network(seed=2)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=words):
        bp.load_weights(model, bad)
    _assert_untouched(model, before)


@pytest.mark.parametrize(
    "architecture_text, words",
    [
        ('[{"type": "Dense", "args": {"n_in": 3, "n_out": 6, "dtype": "int64"}}]', "has dtype 'int64'"),
        ('[{"type": "Dense", "args": {"n_in": 3, "n_out": 6, "dtype": "<U3"}}]', "has dtype '<U3'"),
        ('[{"type": "Evil", "args": {}}]', "unknown type 'Evil'"),
        ('[{"type": "Dense", "args": {"n_in": 3, "n_out": 6}}]', "expected exactly"),
        (
            '[{"type": "Dense", "args": {"n_in": -3, "n_out": 6, "dtype": "float64"}}]',
            "layer 0 \\(Dense\\) cannot be rebuilt",
        ),
        ('{"layers": []}', "must be a list of layers"),
        ("[{", "is not valid JSON"),
    ],
    ids=["int dtype", "str dtype", "unknown type", "missing arg", "bad arg", "not a list", "bad JSON"],
)
def test_a_crafted_architecture_is_refused(tmp_path, architecture_text, words):
    good = bp.save(_fresh_network(), tmp_path / "good.npz")
    bad = _rewrite(good, tmp_path / "bad.npz", architecture=np.array(architecture_text))
    with pytest.raises(ValueError, match=words):
        bp.load(bad)


def test_save_refuses_non_finite_weights_and_never_leaves_a_half_written_file(tmp_path):
    path = bp.save(_fresh_network(), tmp_path / "m.npz")
    before = path.read_bytes()
    broken = _fresh_network()
    broken.layers[3].params["W"][1, 1] = np.inf
    with pytest.raises(ValueError, match=r"'param/3.W' is not finite \(inf at index \(1, 1\)\)"):
        bp.save(broken, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.npz"]


# -- files that are no bp_lib model -----------------------------------------------------


def test_other_files_get_a_message_that_says_what_they_are(tmp_path):
    np.save(tmp_path / "array.npy", np.ones(3))
    (tmp_path / "notes.txt").write_text("hello")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.savez(tmp_path / "objects.npz", format=np.array("bp_lib.Sequential/2"), x=np.array([{}], dtype=object))
    cases = {
        "array.npy": "holds a single numpy array (.npy)",
        "notes.txt": "starts with b'hello'",
        "objects.npy": "holds a single numpy array (.npy)",
        "objects.npz": "holds Python objects",
    }
    for name, words in cases.items():
        with pytest.raises(ValueError, match=re.escape(words)) as caught:
            bp.load(tmp_path / name)
        assert "allow_pickle" not in str(caught.value), name
    with pytest.raises(ValueError, match="is a directory"):
        bp.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        bp.load(tmp_path / "missing.npz")
    good = bp.save(_fresh_network(), tmp_path / "m.npz")
    with pytest.raises(ValueError, match="the entry 'architecture' is missing"):
        bp.load(_rewrite(good, tmp_path / "no_arch.npz", architecture=None))


def _residual_model(seed=0):
    rng = np.random.default_rng(seed)
    block = bp.Sequential(bp.LayerNorm(6), bp.Dense(6, 6, rng=rng), bp.ReLU(), bp.Dense(6, 6, rng=rng))
    return bp.Sequential(bp.Dense(4, 6, rng=rng), bp.Residual(block), bp.LayerNorm(6), bp.Dense(6, 3, rng=rng))


def test_a_residual_model_with_layer_norm_round_trips(tmp_path):
    model = _residual_model()
    X = np.random.default_rng(1).normal(size=(5, 4))
    bp.save(model, tmp_path / "residual.npz")
    loaded = bp.load(tmp_path / "residual.npz")
    assert sorted(loaded.params) == sorted(model.params)
    assert "1.0.gamma" in loaded.params and "1.3.W" in loaded.params
    assert np.array_equal(loaded.forward(X), model.forward(X))
    assert isinstance(loaded.layers[1], bp.Residual) and isinstance(loaded.layers[1].block.layers[0], bp.LayerNorm)


def test_load_weights_into_a_residual_model_and_a_wrong_block_is_refused(tmp_path):
    model = _residual_model(seed=0)
    bp.save(model, tmp_path / "residual.npz")
    other = _residual_model(seed=5)
    bp.load_weights(other, tmp_path / "residual.npz")
    assert all(np.array_equal(other.params[k], model.params[k]) for k in model.params)
    rng = np.random.default_rng(0)
    different = bp.Sequential(
        bp.Dense(4, 6, rng=rng),
        bp.Residual(bp.Sequential(bp.LayerNorm(6), bp.Dense(6, 6, rng=rng), bp.Tanh(), bp.Dense(6, 6, rng=rng))),
        bp.LayerNorm(6),
        bp.Dense(6, 3, rng=rng),
    )
    with pytest.raises(ValueError, match="layer 1 was saved as"):
        bp.load_weights(different, tmp_path / "residual.npz")


def test_eval_mode_of_a_container_reaches_its_contents(tmp_path):
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Residual(bp.Sequential(bp.Dense(3, 3, rng=rng), bp.Dropout(0.5, rng=rng))))
    model.eval()
    bp.save(model, tmp_path / "m.npz")
    loaded = bp.load(tmp_path / "m.npz")
    assert loaded.layers[0].block.layers[1].training is False


def test_a_crafted_nested_architecture_is_refused_with_its_place(tmp_path):
    import json

    model = _residual_model()
    bp.save(model, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        entries = {k: data[k] for k in data.files}
    layers = json.loads(str(entries["architecture"]))
    layers[1]["block"]["layers"][1]["args"]["dtype"] = "int64"
    entries["architecture"] = np.array(json.dumps(layers))
    np.savez(tmp_path / "crafted.npz", **entries)
    with pytest.raises(ValueError, match=r"layer 1 of the architecture, block, layer 1 \(Dense\) has dtype 'int64'"):
        bp.load(tmp_path / "crafted.npz")


def test_a_small_cnn_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    model = bp.Sequential(
        bp.Conv2d(1, 4, 3, padding=1, rng=rng),
        bp.ReLU(),
        bp.MaxPool2d(2, 2),
        bp.Flatten(),
        bp.Dense(4 * 4 * 4, 10, rng=rng),
    )
    X = rng.normal(size=(2, 1, 8, 8))
    bp.save(model, tmp_path / "cnn.npz")
    loaded = bp.load(tmp_path / "cnn.npz")
    assert np.array_equal(loaded.forward(X), model.forward(X))
    assert (loaded.layers[0].stride, loaded.layers[0].padding, loaded.layers[2].size) == (1, 1, 2)


def test_a_pre_norm_attention_block_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    model = bp.Sequential(
        bp.Residual(bp.Sequential(bp.LayerNorm(4), bp.SelfAttention(4, rng=rng, causal=True))),
        bp.Dense(4, 3, rng=rng),
    )
    X = rng.normal(size=(2, 5, 4))
    bp.save(model, tmp_path / "attention.npz")
    loaded = bp.load(tmp_path / "attention.npz")
    assert np.array_equal(loaded.forward(X), model.forward(X))
    assert loaded.layers[0].block.layers[1].causal is True
