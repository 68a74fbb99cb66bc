import numpy as np
import pytest

import bp_lib as bp


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
