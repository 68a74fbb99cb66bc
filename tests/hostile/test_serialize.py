"""Hostile calls of save, load and load_weights (bp_lib.serialize).

Every object and file is made inside the probe's call (in a temporary directory that
the call removes), so the table can run against an older library to count how it
behaved before (``python tests/hostile/count.py``).
"""

import json
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest
from probes import Probe, Raises, Returns, assert_holds, params

import bp_lib as bp


def _net(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return bp.Sequential(
        bp.Dense(3, 4, rng=rng, dtype=dtype),
        bp.BatchNorm(4, dtype=dtype),
        bp.ReLU(),
        bp.Dense(4, 2, rng=rng, dtype=dtype),
    )


def _in_tmp(action):
    """Run ``action(folder)`` in a fresh temporary folder; return its result."""
    with tempfile.TemporaryDirectory() as folder:
        return action(Path(folder))


def _entries(path):
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _crafted(**changes):
    """``load`` of a saved ``_net()`` whose entries were changed (None: removed)."""

    def action(folder):
        entries = _entries(bp.save(_net(), folder / "m.npz"))
        for key, value in changes.items():
            key = key.replace("__", "/").replace("_DOT_", ".")
            if value is None:
                entries.pop(key, None)
            else:
                entries[key] = value
        np.savez(folder / "crafted.npz", **entries)
        return bp.load(folder / "crafted.npz")

    return lambda: _in_tmp(action)


def _dense_args(**args):
    return np.array(json.dumps([{"type": "Dense", "args": args}]))


def _load_bytes(content, name="m.npz"):
    def action(folder):
        (folder / name).write_bytes(content)
        return bp.load(folder / name)

    return lambda: _in_tmp(action)


def _load_npy():
    def action(folder):
        np.save(folder / "w.npy", np.ones(3))
        return bp.load(folder / "w.npy")

    return _in_tmp(action)


def _load_truncated():
    def action(folder):
        good = bp.save(_net(), folder / "m.npz").read_bytes()
        (folder / "cut.npz").write_bytes(good[: len(good) // 2])
        return bp.load(folder / "cut.npz")

    return _in_tmp(action)


def _load_weights_last_array_wrong():
    """The error, and whether the model kept every one of its arrays."""

    def action(folder):
        entries = _entries(bp.save(_net(1), folder / "m.npz"))
        entries["param/3.b"] = np.zeros(5)
        np.savez(folder / "bad.npz", **entries)
        model = _net(2)
        before = {k: v.copy() for k, v in model.params.items()}
        try:
            bp.load_weights(model, folder / "bad.npz")
        except ValueError as error:
            same = all(np.array_equal(model.params[k], v) for k, v in before.items())
            return str(error), same
        return "no error", False

    return _in_tmp(action)


def _round_trip(model, **load_kwargs):
    return _in_tmp(lambda folder: bp.load(bp.save(model, folder / "m.npz"), **load_kwargs))


def _with_float64_bias():
    net = _net(dtype=np.float32)
    net.layers[0].params["b"] = np.full(4, 1 + 1e-12)
    return _round_trip(net).params["0.b"]


def _predicts_the_same():
    net = _net().eval()
    X = np.random.default_rng(3).normal(size=(5, 3))
    return np.array_equal(_round_trip(net).forward(X), net.forward(X))


def _save_with_optimizer(optimizer, model=None):
    return _in_tmp(lambda folder: bp.save(model or _net(), folder / "m.npz", optimizer=optimizer))


def _stepped_sgd():
    opt = bp.SGD(0.1, momentum=0.9)
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    return opt


def _load_optimizer(saved_with, load_into):
    def action(folder):
        net = _net()
        saved_with.step(net.params, {k: np.ones_like(v) for k, v in net.params.items()})
        bp.save(net, folder / "m.npz", optimizer=saved_with)
        bp.load(folder / "m.npz", optimizer=load_into)
        return load_into

    return lambda: _in_tmp(action)


def _load_optimizer_from_plain_file(optimizer):
    return _in_tmp(lambda folder: bp.load(bp.save(_net(), folder / "m.npz"), optimizer=optimizer))


def _load_weights_dtype_mismatch():
    def action(folder):
        net = _net(dtype=np.float32)
        net.layers[3].params["b"] = np.zeros(2)  # float64 in a float32 layer
        bp.save(net, folder / "m.npz")
        bp.load_weights(_net(dtype=np.float32), folder / "m.npz")

    return _in_tmp(action)


def _load_weights_other_architecture():
    def action(folder):
        bp.save(_net(), folder / "m.npz")
        bp.load_weights(bp.Sequential(bp.Dense(3, 5), bp.BatchNorm(5), bp.ReLU(), bp.Dense(5, 2)), folder / "m.npz")

    return _in_tmp(action)


def _failed_save_keeps_the_old_file():
    def action(folder):
        before = bp.save(_net(), folder / "m.npz").read_bytes()
        broken = _net()
        broken.layers[0].params["W"][0, 0] = np.nan
        try:
            bp.save(broken, folder / "m.npz")
        except ValueError:
            pass
        return (folder / "m.npz").read_bytes() == before and len(list(folder.iterdir())) == 1

    return _in_tmp(action)


def _format_1_file():
    def action(folder):
        net = _net().eval()
        entries = _entries(bp.save(net, folder / "m.npz"))
        del entries["training"]
        entries["format"] = np.array("bp_lib.Sequential/1")
        np.savez(folder / "v1.npz", **entries)
        loaded = bp.load(folder / "v1.npz")
        return loaded.training, np.array_equal(loaded.params["0.W"], net.params["0.W"])

    return _in_tmp(action)


class _Custom(bp.Module):
    def forward(self, X):
        return X


NOT_JSON = np.array("[{")
PROBES = [
    # save
    Probe(
        "save a Dense",
        lambda: _in_tmp(lambda f: bp.save(bp.Dense(2, 2), f / "m.npz")),
        Raises(TypeError, "model must be a bp_lib.Sequential", "Dense"),
    ),
    Probe(
        "save a custom layer",
        lambda: _in_tmp(lambda f: bp.save(bp.Sequential(_Custom()), f / "m.npz")),
        Raises(TypeError, "cannot save a layer of type _Custom"),
    ),
    Probe("save path int", lambda: bp.save(_net(), 3), Raises(TypeError, "path must be a str or os.PathLike", "int")),
    Probe(
        "save into missing folder",
        lambda: _in_tmp(lambda f: bp.save(_net(), f / "nofolder" / "m.npz")),
        Raises(FileNotFoundError, "nofolder"),
    ),
    Probe(
        "save optimizer str",
        lambda: _save_with_optimizer("adam"),
        Raises(TypeError, "optimizer must be a bp_lib optimiser", "str"),
    ),
    Probe(
        "save optimizer of another model",
        lambda: _save_with_optimizer(_stepped_sgd()),
        Raises(ValueError, "state for 'w'", "not a parameter of this model"),
    ),
    Probe(
        "save nan weights",
        lambda: _in_tmp(lambda f: bp.save(_with_nan_weight(), f / "m.npz")),
        Raises(ValueError, "'param/3.W' is not finite", "NaN at index (0, 1)"),
    ),
    Probe("save failure keeps old file", _failed_save_keeps_the_old_file, Returns(lambda kept: kept is True)),
    # load: files that are no bp_lib model
    Probe(
        "load missing file",
        lambda: bp.load("/nonexistent/folder/missing.npz"),
        Raises(FileNotFoundError, "missing.npz"),
    ),
    Probe("load a folder", lambda: _in_tmp(bp.load), Raises(ValueError, "is a directory")),
    Probe("load path None", lambda: bp.load(None), Raises(TypeError, "path must be a str or os.PathLike", "NoneType")),
    Probe("load .npy", _load_npy, Raises(ValueError, "single numpy array (.npy)", "not a bp_lib model file")),
    Probe(
        "load text",
        _load_bytes(b"hello world\n"),
        Raises(ValueError, "not a bp_lib model file", "starts with b'hello '"),
    ),
    Probe("load empty file", _load_bytes(b""), Raises(ValueError, "not a bp_lib model file", "starts with b''")),
    Probe(
        "load pickle",
        _load_bytes(pickle.dumps({"W": [1.0]})),
        Raises(ValueError, "not a bp_lib model file", "zip file"),
    ),
    Probe(
        "load truncated",
        _load_truncated,
        Raises(ValueError, "not a readable bp_lib model file", "damaged or truncated"),
    ),
    Probe("load zip of text", _load_bytes(b"PK\x05\x06" + bytes(18)), Raises(ValueError, "no format marker")),
    Probe("load foreign npz", _crafted(format=None), Raises(ValueError, "no format marker", "bp_lib.Sequential/2")),
    Probe(
        "load future format",
        _crafted(format=np.array("bp_lib.Sequential/9")),
        Raises(ValueError, "format 'bp_lib.Sequential/9'"),
    ),
    Probe(
        "load object array",
        _crafted(extra=np.array([{}], dtype=object)),
        Raises(ValueError, "'extra' holds Python objects"),
    ),
    # load: the architecture
    Probe(
        "load no architecture", _crafted(architecture=None), Raises(ValueError, "the entry 'architecture' is missing")
    ),
    Probe(
        "load architecture not JSON",
        _crafted(architecture=NOT_JSON),
        Raises(ValueError, "'architecture' is not valid JSON"),
    ),
    Probe(
        "load architecture number",
        _crafted(architecture=np.array(3.0)),
        Raises(ValueError, "'architecture' must be a JSON string"),
    ),
    Probe(
        "load architecture dict",
        _crafted(architecture=np.array('{"a": 1}')),
        Raises(ValueError, "must be a list of layers"),
    ),
    Probe(
        "load dtype int64",
        _crafted(architecture=_dense_args(n_in=3, n_out=4, dtype="int64")),
        Raises(ValueError, "layer 0", "dtype 'int64'"),
    ),
    Probe(
        "load dtype str",
        _crafted(architecture=_dense_args(n_in=3, n_out=4, dtype="<U5")),
        Raises(ValueError, "layer 0", "dtype '<U5'"),
    ),
    Probe(
        "load unknown layer",
        _crafted(architecture=np.array('[{"type": "os.system", "args": {}}]')),
        Raises(ValueError, "unknown type 'os.system'"),
    ),
    Probe(
        "load extra argument",
        _crafted(architecture=_dense_args(n_in=3, n_out=4, dtype="float64", init="he")),
        Raises(ValueError, "(Dense) has arguments", "expected exactly"),
    ),
    Probe(
        "load n_in negative",
        _crafted(architecture=_dense_args(n_in=-3, n_out=4, dtype="float64")),
        Raises(ValueError, "layer 0 (Dense) cannot be rebuilt", "n_in"),
    ),
    Probe(
        "load training malformed",
        _crafted(training=np.array('{"model": "yes", "layers": []}')),
        Raises(ValueError, "'training' must be"),
    ),
    # load: the arrays
    Probe(
        "load BN state broadcast",
        _crafted(state__1_DOT_running_mean=np.zeros(1)),
        Raises(ValueError, "'state/1.running_mean' has shape (1,), expected (4,)"),
    ),
    Probe(
        "load negative variance",
        _crafted(state__1_DOT_running_var=-np.ones(4)),
        Raises(ValueError, "'state/1.running_var' has negative entries"),
    ),
    Probe("load extra key", _crafted(extra=np.ones(2)), Raises(ValueError, "unexpected ['extra']")),
    Probe("load missing key", _crafted(param__1_DOT_gamma=None), Raises(ValueError, "missing ['param/1.gamma']")),
    Probe(
        "load nan weights",
        _crafted(param__0_DOT_W=np.full((3, 4), np.nan)),
        Raises(ValueError, "'param/0.W' is not finite", "NaN at index (0, 0)"),
    ),
    Probe(
        "load inf bias",
        _crafted(param__3_DOT_b=np.array([0.0, -np.inf])),
        Raises(ValueError, "'param/3.b' is not finite", "-inf at index (1,)"),
    ),
    Probe(
        "load int weights",
        _crafted(param__0_DOT_W=np.ones((3, 4), dtype=np.int64)),
        Raises(ValueError, "'param/0.W' has dtype int64", "floating-point"),
    ),
    Probe(
        "load str weights",
        _crafted(param__0_DOT_W=np.full((3, 4), "x")),
        Raises(ValueError, "'param/0.W' has dtype <U1"),
    ),
    Probe(
        "load wrong weight shape",
        _crafted(param__3_DOT_W=np.ones((2, 4))),
        Raises(ValueError, "'param/3.W' has shape (2, 4), expected (4, 2)"),
    ),
    # what round-trips
    Probe("round trip predictions", _predicts_the_same, Returns(lambda same: same is True)),
    Probe(
        "round trip eval mode", lambda: _round_trip(_net().eval()).training, Returns(lambda training: training is False)
    ),
    Probe(
        "round trip float64 bias",
        _with_float64_bias,
        Returns(lambda b: b.dtype == np.float64 and np.all(b == 1 + 1e-12)),
    ),
    Probe(
        "round trip float32",
        lambda: _round_trip(_net(dtype=np.float32)).params["3.W"].dtype,
        Returns(lambda dtype: dtype == np.float32),
    ),
    Probe("format 1 file loads", _format_1_file, Returns(lambda r: r == (True, True))),
    # load_weights
    Probe(
        "load_weights last array wrong",
        _load_weights_last_array_wrong,
        Returns(lambda r: "'param/3.b' has shape (5,), expected (2,)" in r[0] and r[1] is True),
    ),
    Probe(
        "load_weights dtype mismatch",
        _load_weights_dtype_mismatch,
        Raises(ValueError, "'param/3.b' has dtype float64", "model's array is float32"),
    ),
    Probe(
        "load_weights other architecture",
        _load_weights_other_architecture,
        Raises(ValueError, "layer 0 was saved as", "'n_out': 4"),
    ),
    Probe(
        "load_weights model None",
        lambda: bp.load_weights(None, "m.npz"),
        Raises(TypeError, "model must be a bp_lib.Sequential", "NoneType"),
    ),
    # the optimiser beside the model
    Probe(
        "load optimizer round trip",
        _load_optimizer(bp.Adam(0.01), bp.Adam()),
        Returns(lambda opt: opt.lr == 0.01 and opt.t == 1),
    ),
    Probe(
        "load optimizer other type",
        _load_optimizer(bp.Adam(0.01), bp.SGD()),
        Raises(ValueError, "'Adam' optimiser", "cannot be loaded into a 'SGD'"),
    ),
    Probe(
        "load optimizer none saved",
        lambda: _load_optimizer_from_plain_file(bp.Adam()),
        Raises(ValueError, "holds no optimizer state"),
    ),
    Probe(
        "load optimizer str",
        lambda: _load_optimizer_from_plain_file("adam"),
        Raises(TypeError, "optimizer must be a bp_lib optimiser", "str"),
    ),
]


def _with_nan_weight():
    net = _net()
    net.layers[3].params["W"][0, 1] = np.nan
    return net


@pytest.mark.parametrize("probe", params(PROBES))
def test_probe(probe):
    assert_holds(probe)
