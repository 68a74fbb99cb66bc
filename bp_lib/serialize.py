"""Saving and loading a ``Sequential`` network as a ``.npz`` file, without pickle.

The file holds one array per parameter (``"param/<layer>.<name>"``), the batch-norm
running statistics (``"state/<layer>.<name>"``), and, as JSON strings, the
architecture (``"architecture"``: each layer's type and constructor arguments; a
``Sequential`` or ``Residual`` inside the model also lists what it contains) and the
training/eval mode of the model and of each of its layers (``"training"``; a
container's mode is given to everything inside it). With
``save(model, path, optimizer=opt)`` the optimiser's ``state_dict()`` is stored beside
them (``"optimizer"``: type, hyperparameters, step counts; ``"optim/<name>/<slot>"``:
its arrays), so that ``load(path, optimizer=fresh_opt)`` resumes training exactly.

Every array keeps its own dtype. Loading uses ``allow_pickle=False``, so a file can
never run code, and checks the whole file before it changes anything: the
architecture (known layer types, exactly their arguments, floating-point dtypes),
the set of entries (none missing, none extra), each array's dtype, shape (no
broadcasting) and finiteness. On any error the model and the optimiser are left as
they were. Files of format 1 (bp_lib before the mode and optimiser entries) load
too, in training mode as they did.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ._checks import first_non_finite
from .activations import ReLU, Sigmoid, Softmax, Tanh
from .attention import SelfAttention
from .batchnorm import BatchNorm
from .conv import Conv2d, Flatten, MaxPool2d
from .core import Sequential
from .dense import Dense
from .dropout import Dropout
from .layernorm import LayerNorm
from .optim import Optimizer
from .residual import Residual

FORMAT = "bp_lib.Sequential/2"
_FORMAT_1 = "bp_lib.Sequential/1"  # no "training", no optimiser: still readable
_STATE = {BatchNorm: ("running_mean", "running_var")}
_SAVED_TYPES = (Dense, BatchNorm, LayerNorm, Dropout, ReLU, Sigmoid, Tanh, Softmax)
_SAVED_TYPES += (Conv2d, MaxPool2d, Flatten, SelfAttention, Sequential, Residual)
_LAYER_TYPES = {cls.__name__: cls for cls in _SAVED_TYPES}
#: The constructor arguments saved for each layer type, read from its attributes
#: (``dtype`` from its parameters).
_ARGUMENTS = {
    "Dense": ("n_in", "n_out", "dtype"),
    "BatchNorm": ("n", "eps", "momentum", "dtype"),
    "LayerNorm": ("n", "eps", "dtype"),
    "Dropout": ("p",),
    "Conv2d": ("C", "F", "k", "stride", "padding", "dtype"),
    "MaxPool2d": ("size", "stride"),
    "SelfAttention": ("d_model", "causal", "dtype"),
}
#: Containers: the entry of their config that holds what they contain.
_CHILDREN = {"Sequential": "layers", "Residual": "block"}
_FLOAT_DTYPES = ("float16", "float32", "float64")


def _argument(layer, name: str):
    if name == "dtype":
        return next(iter(layer.params.values())).dtype.name
    return getattr(layer, name)


def _layer_config(layer) -> dict:
    """Type, constructor arguments and contents that rebuild ``layer`` (weights apart).

    ``{"type": "Dense", "args": {...}}``; a ``Sequential`` adds ``"layers"`` (a list of
    configs) and a ``Residual`` adds ``"block"`` (one config).
    """
    kind = type(layer).__name__
    if _LAYER_TYPES.get(kind) is not type(layer):
        raise TypeError(
            f"cannot save a layer of type {kind} (bp_lib saves "
            f"{', '.join(sorted(_LAYER_TYPES))})"
        )
    config = {
        "type": kind,
        "args": {name: _argument(layer, name) for name in _ARGUMENTS.get(kind, ())},
    }
    if kind == "Sequential":
        config["layers"] = [_layer_config(inner) for inner in layer.layers]
    elif kind == "Residual":
        config["block"] = _layer_config(layer.block)
    return config


def architecture(model: Sequential) -> list[dict]:
    """The JSON-able description of every layer of ``model`` (type and arguments)."""
    if not isinstance(model, Sequential):
        raise TypeError(
            f"model must be a bp_lib.Sequential, got {type(model).__name__}"
        )
    return [_layer_config(layer) for layer in model.layers]


# -- the arrays of a model -------------------------------------------------------------


def _leaves(module, prefix: str = ""):
    """``(key prefix, module)`` for every module holding arrays, as ``params`` keys it.

    A Sequential's layer ``i`` adds ``"i."``; a Residual adds nothing (its params are
    its block's).
    """
    if isinstance(module, Sequential):
        for index, layer in enumerate(module.layers):
            yield from _leaves(layer, f"{prefix}{index}.")
    elif isinstance(module, Residual):
        yield from _leaves(module.block, prefix)
    else:
        yield prefix, module


def _model_arrays(model: Sequential) -> dict[str, tuple[object, str, np.ndarray]]:
    """``{file key: (owner, name, array)}`` for every array ``save`` stores.

    The owner is the layer's ``params`` dict for a parameter, the layer itself (an
    attribute ``name``) for a running statistic.
    """
    found = {}
    for prefix, layer in _leaves(model):
        for name, array in layer.params.items():
            found[f"param/{prefix}{name}"] = (layer.params, name, array)
        for name in _STATE.get(type(layer), ()):
            found[f"state/{prefix}{name}"] = (layer, name, getattr(layer, name))
    return found


def _check_array(label: str, stored, expected: np.ndarray, *, same_dtype: bool) -> None:
    """A stored array must be floating-point, of the expected shape and finite."""
    if not isinstance(stored, np.ndarray) or stored.dtype.kind != "f":
        kind = stored.dtype if isinstance(stored, np.ndarray) else type(stored).__name__
        raise ValueError(
            f"{label} has dtype {kind}; a floating-point array was expected"
        )
    if stored.shape != expected.shape:
        raise ValueError(
            f"{label} has shape {stored.shape}, expected {expected.shape} "
            "(arrays are never broadcast)"
        )
    if same_dtype and stored.dtype != expected.dtype:
        raise ValueError(
            f"{label} has dtype {stored.dtype}, but the model's array is "
            f"{expected.dtype}: copying would change its values (bp_lib.load "
            "rebuilds the model with the file's dtypes)"
        )
    where = first_non_finite(stored)
    if where is not None:
        raise ValueError(f"{label} is not finite ({where})")
    if label.endswith(".running_var'") and np.any(stored < 0):
        raise ValueError(f"{label} has negative entries; a variance is >= 0")


# -- save ------------------------------------------------------------------------------


def _optimizer_entries(model: Sequential, optimizer) -> dict[str, np.ndarray]:
    """The optimiser's state as file entries, after checking it belongs to ``model``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be a bp_lib optimiser (SGD, Adam, AdamW, RMSProp), "
            f"got {type(optimizer).__name__}"
        )
    saved = optimizer.state_dict()
    params = model.params
    entries, meta = {}, {}
    for name, slots in saved["state"].items():
        if name not in params:
            raise ValueError(
                f"the optimizer holds state for {name!r}, which is not a parameter "
                f"of this model (its parameters: {sorted(params)})"
            )
        arrays = {k: v for k, v in slots.items() if isinstance(v, np.ndarray)}
        for slot, array in arrays.items():
            _check_array(
                f"the optimizer's {slot!r} for {name!r}", array, params[name],
                same_dtype=True,
            )  # fmt: skip
            entries[f"optim/{name}/{slot}"] = array
        counters = {k: int(v) for k, v in slots.items() if k not in arrays}
        meta[name] = {"arrays": sorted(arrays), "counters": counters}
    description = {
        "type": saved["type"],
        "hyperparameters": saved["hyperparameters"],
        "state": meta,
    }
    entries["optimizer"] = np.array(json.dumps(description))
    return entries


def save(model: Sequential, path, optimizer=None) -> Path:
    """Write ``model``'s architecture, mode, parameters and running statistics.

    The file is a ``.npz`` archive at ``path``. With ``optimizer`` (the one training
    ``model``) its state is stored too. The file is written under a temporary name
    and then renamed, so an error never leaves a half-written file at ``path``.
    A non-finite parameter is refused (``load`` would refuse it).
    """
    path = _as_path(path)
    layers = architecture(model)
    modes = {
        "model": bool(model.training),
        "layers": [bool(layer.training) for layer in model.layers],
    }
    entries = {
        "format": np.array(FORMAT),
        "architecture": np.array(json.dumps(layers)),
        "training": np.array(json.dumps(modes)),
    }
    for key, (_, _, array) in _model_arrays(model).items():
        _check_array(repr(key), array, array, same_dtype=True)
        entries[key] = array
    if optimizer is not None:
        entries.update(_optimizer_entries(model, optimizer))
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:  # a file object: numpy adds no ".npz" to the name
            np.savez(handle, **entries)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path


# -- reading a file --------------------------------------------------------------------


def _as_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def _read(path) -> dict[str, np.ndarray]:
    """Every entry of the ``.npz`` file at ``path``; ``ValueError`` for other files.

    The file's first bytes say what it is, so that a ``.npy`` array, a text file or
    a pickle get their own message (never numpy's hint about ``allow_pickle``).
    """
    path = _as_path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a bp_lib model file (.npz)")
    with path.open("rb") as handle:  # FileNotFoundError names the path
        head = handle.read(6)
        if head.startswith(b"\x93NUMPY"):
            raise ValueError(
                f"{path} holds a single numpy array (.npy), not a bp_lib model file "
                "(.npz, written by bp_lib.save)"
            )
        if not head.startswith(b"PK"):
            raise ValueError(
                f"{path} is not a bp_lib model file: a .npz archive (a zip file) "
                f"was expected, and this file starts with {head!r}"
            )
        handle.seek(0)
        try:
            with np.load(handle, allow_pickle=False) as data:
                return {key: _entry(data, key, path) for key in data.files}
        except (OSError, EOFError, zipfile.BadZipFile, ValueError) as error:
            if isinstance(error, _FileError):
                raise
            raise ValueError(
                f"{path} is not a readable bp_lib model file: the .npz archive is "
                f"damaged or truncated ({type(error).__name__})"
            ) from None


class _FileError(ValueError):
    """A ``ValueError`` that already explains what is wrong with the file."""


def _entry(data, key: str, path) -> np.ndarray:
    try:
        value = data[key]
    except ValueError:  # object arrays need pickle, which is never allowed
        raise _FileError(
            f"{path}: the entry {key!r} holds Python objects (pickled data), which "
            "bp_lib never loads"
        ) from None
    if not isinstance(value, np.ndarray):
        raise _FileError(f"{path}: the entry {key!r} is not a numpy array")
    return value


def _json(entries: dict, key: str, path):
    value = entries.get(key)
    if value is None:
        raise ValueError(
            f"{path}: the entry {key!r} is missing; the file is damaged or was not "
            "written by bp_lib.save"
        )
    if value.dtype.kind != "U" or value.ndim != 0:
        raise ValueError(f"{path}: the entry {key!r} must be a JSON string")
    try:
        return json.loads(str(value))
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}: the entry {key!r} is not valid JSON ({error.msg} at "
            f"character {error.pos})"
        ) from None


def _format_of(entries: dict, path) -> str:
    marker = entries.get("format")
    text = str(marker) if marker is not None and marker.dtype.kind == "U" else None
    if text not in (FORMAT, _FORMAT_1):
        found = "no format marker" if text is None else f"format {text!r}"
        raise ValueError(
            f"{path} is not a bp_lib model file this version reads: {found} "
            f"(expected {FORMAT!r} or {_FORMAT_1!r})"
        )
    return text


def _checked_config(config, where: str) -> dict:
    """One layer's config, checked: a known type with its exact arguments.

    A container's contents are checked too, each named by its place in ``where``.
    """
    kind = config.get("type") if isinstance(config, dict) else None
    keys = {"type", "args"} | ({_CHILDREN[kind]} if kind in _CHILDREN else set())
    if not isinstance(config, dict) or set(config) != keys:
        raise ValueError(
            f"{where} must be a dict with keys {sorted(keys)}, got {config!r}"
        )
    args = config["args"]
    if kind not in _LAYER_TYPES:
        raise ValueError(
            f"{where} has unknown type {kind!r} (known: {sorted(_LAYER_TYPES)})"
        )
    expected = set(_ARGUMENTS.get(kind, ()))
    if not isinstance(args, dict) or set(args) != expected:
        raise ValueError(
            f"{where} ({kind}) has arguments {args!r}; "
            f"expected exactly {sorted(expected)}"
        )
    if "dtype" in args and args["dtype"] not in _FLOAT_DTYPES:
        raise ValueError(
            f"{where} ({kind}) has dtype {args['dtype']!r}; expected one of "
            f"{list(_FLOAT_DTYPES)}"
        )
    if kind == "Sequential":
        if not isinstance(config["layers"], list):
            raise ValueError(f"{where} (Sequential) must list its layers")
        for index, inner in enumerate(config["layers"]):
            _checked_config(inner, f"{where}, layer {index}")
    elif kind == "Residual":
        _checked_config(config["block"], f"{where}, block")
    return config


def _build_layer(config: dict, where: str):
    """The layer ``config`` describes, with fresh (zero) weights."""
    kind, args = config["type"], dict(config["args"])
    if kind == "Sequential":
        layers = config["layers"]
        return Sequential(
            *[_build_layer(c, f"{where}, layer {i}") for i, c in enumerate(layers)]
        )
    if kind == "Residual":
        return Residual(_build_layer(config["block"], f"{where}, block"))
    if kind == "Dense":  # the weights are overwritten by the file: draw nothing
        args["init"] = "zeros"
    try:
        return _LAYER_TYPES[kind](**args)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where} ({kind}) cannot be rebuilt: {error}") from error


def _architecture_of(entries: dict, path) -> list[dict]:
    layers = _json(entries, "architecture", path)
    if not isinstance(layers, list):
        raise ValueError(
            f"{path}: the architecture must be a list of layers, got {layers!r}"
        )
    return [
        _checked_config(config, f"{path}: layer {i} of the architecture")
        for i, config in enumerate(layers)
    ]


def _modes_of(entries: dict, version: str, n_layers: int, path) -> dict:
    if version == _FORMAT_1:
        return {"model": True, "layers": [True] * n_layers}
    modes = _json(entries, "training", path)
    good = (
        isinstance(modes, dict)
        and set(modes) == {"model", "layers"}
        and isinstance(modes["model"], bool)
        and isinstance(modes["layers"], list)
        and len(modes["layers"]) == n_layers
        and all(isinstance(flag, bool) for flag in modes["layers"])
    )
    if not good:
        raise ValueError(
            f"{path}: the entry 'training' must be {{'model': bool, 'layers': "
            f"[{n_layers} bools]}}, got {modes!r}"
        )
    return modes


def _check_entry_names(entries: dict, expected: set, path) -> None:
    missing, extra = sorted(expected - set(entries)), sorted(set(entries) - expected)
    if missing or extra:
        parts = [f"missing {missing[:6]}"] if missing else []
        parts += [f"unexpected {extra[:6]}"] if extra else []
        raise ValueError(
            f"{path} does not hold exactly this network's entries: " + ", ".join(parts)
        )


def _optimizer_state_dict(entries: dict, model: Sequential, path) -> dict:
    """The stored optimiser state as a ``state_dict``, checked against ``model``."""
    meta = _json(entries, "optimizer", path)
    if not isinstance(meta, dict) or set(meta) != {"type", "hyperparameters", "state"}:
        raise ValueError(
            f"{path}: the entry 'optimizer' must hold 'type', 'hyperparameters' and "
            "'state'"
        )
    params, state = model.params, {}
    if not isinstance(meta["state"], dict):
        raise ValueError(f"{path}: the optimizer's 'state' must be a dict")
    for name, slots in meta["state"].items():
        if name not in params:
            raise ValueError(
                f"{path}: the optimizer holds state for {name!r}, which is not a "
                "parameter of this network"
            )
        ok = (
            isinstance(slots, dict)
            and set(slots) == {"arrays", "counters"}
            and isinstance(slots["arrays"], list)
            and isinstance(slots["counters"], dict)
        )
        if not ok:
            raise ValueError(f"{path}: the optimizer's state for {name!r} is malformed")
        state[name] = dict(slots["counters"])
        for slot in slots["arrays"]:
            key = f"optim/{name}/{slot}"
            if key not in entries:
                raise ValueError(f"{path}: the entry {key!r} is missing")
            _check_array(repr(key), entries[key], params[name], same_dtype=True)
            state[name][slot] = entries[key]
    return {
        "type": meta["type"],
        "hyperparameters": meta["hyperparameters"],
        "state": state,
    }


def _optimizer_keys(entries: dict, path) -> set:
    if "optimizer" not in entries:
        return set()
    meta = _json(entries, "optimizer", path)
    state = meta.get("state") if isinstance(meta, dict) else None
    keys = {"optimizer"}
    for name, slots in (state or {}).items():
        arrays = slots.get("arrays", []) if isinstance(slots, dict) else []
        keys |= {f"optim/{name}/{slot}" for slot in arrays if isinstance(slot, str)}
    return keys


def _checked_file(model: Sequential, entries: dict, version: str, path, *, same_dtype):
    """Check every entry of the file against ``model``; return what to write."""
    targets = _model_arrays(model)
    expected = (
        {"format", "architecture"} | set(targets) | _optimizer_keys(entries, path)
    )
    expected |= {"training"} if version == FORMAT else set()
    _check_entry_names(entries, expected, path)
    writes = []
    for key, (owner, name, array) in targets.items():
        stored = entries[key]
        _check_array(f"{path}: {key!r}", stored, array, same_dtype=same_dtype)
        writes.append((owner, name, stored))
    return writes


def _write(writes, *, rebind: bool) -> None:
    """Copy the checked arrays in place, or (a fresh model) take them as they are."""
    for owner, name, stored in writes:
        if rebind and isinstance(owner, dict):
            owner[name] = stored
        elif rebind:
            setattr(owner, name, stored)
        else:
            target = owner[name] if isinstance(owner, dict) else getattr(owner, name)
            target[...] = stored


def _load_optimizer(optimizer, entries: dict, model: Sequential, path) -> dict | None:
    """The checked state_dict for ``optimizer`` (None if no optimizer was asked for)."""
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be a bp_lib optimiser (SGD, Adam, AdamW, RMSProp), "
            f"got {type(optimizer).__name__}"
        )
    if "optimizer" not in entries:
        raise ValueError(
            f"{path} holds no optimizer state (it was saved without optimizer=...)"
        )
    state_dict = _optimizer_state_dict(entries, model, path)
    try:
        optimizer._checked_state_dict(state_dict)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from error
    return state_dict


# -- load ------------------------------------------------------------------------------


def load(path, optimizer=None) -> Sequential:
    """Rebuild the ``Sequential`` saved in ``path`` by :func:`save`, weights too.

    The model comes back in the mode it was saved in (``model.training``), each array
    with its own dtype. With ``optimizer`` (a new one of the saved type) the saved
    optimiser state is loaded into it, so that training resumes where it stopped.
    """
    entries = _read(path)
    version = _format_of(entries, path)
    configs = _architecture_of(entries, path)
    model = Sequential(
        *[_build_layer(c, f"{path}: layer {i}") for i, c in enumerate(configs)]
    )
    modes = _modes_of(entries, version, len(configs), path)
    writes = _checked_file(model, entries, version, path, same_dtype=False)
    state_dict = _load_optimizer(optimizer, entries, model, path)
    _write(writes, rebind=True)
    model.training = modes["model"]
    for layer, flag in zip(model.layers, modes["layers"]):
        layer.train() if flag else layer.eval()  # a container switches its contents
    if state_dict is not None:
        optimizer.load_state_dict(state_dict)
    return model


def load_weights(model: Sequential, path, optimizer=None) -> None:
    """Copy the weights in ``path`` into ``model``, whose architecture must match.

    The arrays are written in place (an optimiser holding them stays valid) and must
    have the model's dtypes. Everything is checked before anything is written: on
    any error ``model`` (and ``optimizer``) are untouched. The model's mode is its
    own (``load`` restores the saved one). With ``optimizer``, its state is loaded too.
    """
    current = architecture(model)
    entries = _read(path)
    version = _format_of(entries, path)
    saved = _architecture_of(entries, path)
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
    writes = _checked_file(model, entries, version, path, same_dtype=True)
    state_dict = _load_optimizer(optimizer, entries, model, path)
    if state_dict is not None:
        optimizer.load_state_dict(state_dict)
    _write(writes, rebind=False)
