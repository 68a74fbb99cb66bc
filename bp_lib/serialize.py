"""Saving and loading a ``Sequential`` network as a ``.npz`` file, without pickle.

The file holds one array per parameter (``"param/<layer>.<name>"``), the batch-norm
running statistics (``"state/<layer>.<name>"``), and the architecture as a JSON
string (``"architecture"``): each layer's type and constructor arguments. Loading
uses ``allow_pickle=False``, so a file can never run code, and checks the
architecture, so weights cannot land in a network of another shape unnoticed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from .activations import ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm
from .core import Sequential
from .dense import Dense
from .dropout import Dropout

FORMAT = "bp_lib.Sequential/1"
_STATE = {BatchNorm: ("running_mean", "running_var")}


def _layer_config(layer) -> dict:
    """Type name and constructor arguments that rebuild ``layer`` (weights apart)."""
    if isinstance(layer, Dense):
        args = {
            "n_in": layer.n_in,
            "n_out": layer.n_out,
            "dtype": layer.params["W"].dtype.name,
        }
    elif isinstance(layer, BatchNorm):
        args = {
            "n": layer.n,
            "eps": layer.eps,
            "momentum": layer.momentum,
            "dtype": layer.params["gamma"].dtype.name,
        }
    elif isinstance(layer, Dropout):
        args = {"p": layer.p}
    elif isinstance(layer, (ReLU, Sigmoid, Tanh, Softmax)):
        args = {}
    else:
        raise TypeError(f"cannot save a layer of type {type(layer).__name__}")
    return {"type": type(layer).__name__, "args": args}


def _build_layer(config: dict):
    layer_types = (Dense, BatchNorm, Dropout, ReLU, Sigmoid, Tanh, Softmax)
    kinds = {cls.__name__: cls for cls in layer_types}
    cls = kinds[config["type"]]
    args = dict(config["args"])
    if cls is Dense:  # the weights are overwritten by the file: draw nothing
        args["init"] = "zeros"
    return cls(**args)


def architecture(model: Sequential) -> list[dict]:
    """The JSON-able description of every layer of ``model`` (type and arguments)."""
    if not isinstance(model, Sequential):
        raise TypeError(
            f"model must be a bp_lib.Sequential, got {type(model).__name__}"
        )
    return [_layer_config(layer) for layer in model.layers]


def save(model: Sequential, path) -> Path:
    """Write ``model``'s architecture, parameters and running statistics to ``path``.

    The file is a ``.npz`` archive.
    """
    arrays = {
        "format": np.array(FORMAT),
        "architecture": np.array(json.dumps(architecture(model))),
    }
    arrays.update({f"param/{key}": value for key, value in model.params.items()})
    for index, layer in enumerate(model.layers):
        for name in _STATE.get(type(layer), ()):
            arrays[f"state/{index}.{name}"] = getattr(layer, name)
    path = Path(path)
    with path.open("wb") as handle:  # a file object: numpy adds no ".npz" to the name
        np.savez(handle, **arrays)
    return path


def _read(path) -> tuple[list[dict], dict]:
    """The architecture and arrays of a saved model; ``ValueError`` for other files."""
    try:
        with (
            Path(path).open("rb") as handle,
            np.load(handle, allow_pickle=False) as data,
        ):
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path} is not a readable bp_lib model file (.npz): {error}"
        ) from None
    if "format" not in arrays or str(arrays["format"]) != FORMAT:
        raise ValueError(
            f"{path} is not a bp_lib model file: no {FORMAT!r} format marker"
        )
    return json.loads(str(arrays["architecture"])), arrays


def _restore(model: Sequential, arrays: dict, path) -> None:
    for key, target in model.params.items():
        stored = arrays.get(f"param/{key}")
        if stored is None or stored.shape != target.shape:
            got = "nothing" if stored is None else f"shape {stored.shape}"
            raise ValueError(
                f"{path}: parameter {key!r} expected shape {target.shape}, found {got}"
            )
        target[...] = stored
    for index, layer in enumerate(model.layers):
        for name in _STATE.get(type(layer), ()):
            getattr(layer, name)[...] = arrays[f"state/{index}.{name}"]


def load(path) -> Sequential:
    """Rebuild the ``Sequential`` saved in ``path`` by :func:`save`, weights too."""
    layers, arrays = _read(path)
    model = Sequential(*[_build_layer(config) for config in layers])
    _restore(model, arrays, path)
    return model


def load_weights(model: Sequential, path) -> None:
    """Copy the weights in ``path`` into ``model``, whose architecture must match."""
    saved, arrays = _read(path)
    current = architecture(model)
    if len(saved) != len(current):
        raise ValueError(
            f"{path} holds a network of {len(saved)} layers, "
            f"this one has {len(current)}"
        )
    for index, (was, now) in enumerate(zip(saved, current)):
        if was != now:
            raise ValueError(
                f"{path}: layer {index} was saved as {was}, but this network has {now}"
            )
    _restore(model, arrays, path)
