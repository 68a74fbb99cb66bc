"""Optimisers with one interface, ``step(params, grads)``, and gradient clipping.

``params`` and ``grads`` are dicts with the same keys (``model.params``,
``model.grads``); parameters are updated in place and the gradients are left as they
are. Each optimiser keeps its own state per key (velocities, moments, Adam's step
count; SGD also a work array, so that its step allocates nothing), so one optimiser
serves one model. ``state_dict()`` returns a deep copy of the hyperparameters and
that state, ``load_state_dict()`` checks and restores one (``bp_lib.save`` stores it
beside the model, so that training can resume exactly).

    SGD with momentum   v <- mu v - lr g,         p <- p + v        (mu = 0: plain SGD)
    Adam                m <- b1 m + (1 - b1) g,   s <- b2 s + (1 - b2) g**2,
                        p <- p - lr m_hat / (sqrt(s_hat) + eps),
                        m_hat = m / (1 - b1**t),  s_hat = s / (1 - b2**t)
                        (t: the number of steps this parameter has taken)
    RMSProp             s <- alpha s + (1 - alpha) g**2,
                        p <- p - lr g / (sqrt(s) + eps)
    AdamW               p <- p - lr wd p, then the Adam step (decoupled weight decay)

``weight_decay`` of SGD, Adam and RMSProp is an L2 penalty ``wd/2 ||p||^2`` added to
the loss, i.e. ``g <- g + wd p`` before the update, as in PyTorch.

A step checks everything before it changes anything: every parameter is a writable
floating-point numpy array, every gradient a finite real array of its shape, and the
state kept for a parameter still has its shape and dtype. Otherwise it raises, and
no parameter has moved.
"""

from __future__ import annotations

import copy
import inspect
import math
import numbers

import numpy as np

from ._checks import all_finite, first_non_finite, require_finite, require_number

_WORK_ARRAYS = ("scratch",)  # state entries that are workspace, not optimiser state


def _check_keys(params: dict, grads: dict) -> None:
    for label, value in (("params", params), ("grads", grads)):
        if not isinstance(value, dict):
            raise TypeError(
                f"{label} must be a dict of numpy arrays (e.g. model.{label}), "
                f"got {type(value).__name__}"
            )
    if params.keys() != grads.keys():
        raise ValueError(
            "params and grads must have the same keys, "
            f"got {sorted(params)} and {sorted(grads)}"
        )


def _check_parameter(name: str, p) -> None:
    """A parameter is updated in place: a writable floating-point numpy array."""
    if not isinstance(p, np.ndarray):
        raise TypeError(
            f"params[{name!r}] must be a numpy array (it is updated in place), "
            f"got {type(p).__name__}"
        )
    if p.dtype.kind != "f":
        raise TypeError(
            f"params[{name!r}] has dtype {p.dtype}: an update in place needs a "
            "floating-point array (np.float32 or np.float64); an integer array "
            "would round every step away"
        )
    if not p.flags.writeable:
        raise ValueError(
            f"params[{name!r}] is read-only: the optimiser updates parameters in "
            "place (pass a writable copy, e.g. p.copy())"
        )


def _checked_gradient(name: str, g, p: np.ndarray) -> np.ndarray:
    """``g`` as a real array of ``p``'s shape holding finite numbers, or an error."""
    g = np.asarray(g)
    if g.dtype.kind not in "iuf":
        raise TypeError(
            f"grads[{name!r}] must be a real numeric array, got dtype {g.dtype}"
        )
    if g.shape != p.shape:
        raise ValueError(
            f"grads[{name!r}] has shape {g.shape}, expected {p.shape} "
            "(the shape of the parameter)"
        )
    if g.dtype.kind == "f" and not all_finite(g):
        raise FloatingPointError(
            f"grads[{name!r}] is not finite ({first_non_finite(g)}); "
            "no parameter was updated"
        )
    return g


def _check_state_fits(name: str, p: np.ndarray, state: dict) -> None:
    """The arrays kept for ``name`` must still have the parameter's shape and dtype."""
    for slot, value in state.items():
        if slot in _WORK_ARRAYS or not isinstance(value, np.ndarray):
            continue
        if value.shape != p.shape or value.dtype != p.dtype:
            raise ValueError(
                f"the optimiser's {slot!r} for {name!r} has shape {value.shape} and "
                f"dtype {value.dtype}, but params[{name!r}] now has shape {p.shape} "
                f"and dtype {p.dtype}: the parameter changed since the optimiser "
                f"last saw it; use a new optimiser (or del optimizer.state[{name!r}])"
            )


def _check_no_shared_arrays(params: dict) -> None:
    seen = {}
    for name, p in params.items():
        if id(p) in seen:
            raise ValueError(
                f"params[{seen[id(p)]!r}] and params[{name!r}] are the same array: "
                "it would be updated twice per step"
            )
        seen[id(p)] = name


class Optimizer:
    """Base class: ``step(params, grads)`` checks the dicts, updates each parameter.

    Subclasses keep every constructor argument as an attribute of the same name
    (that is what ``state_dict`` records), implement ``_update(p, g, state)`` and
    name the arrays they keep per parameter in ``_slots()``.
    """

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = require_number("lr", lr, low=0, low_open=True)
        self.weight_decay = require_number("weight_decay", weight_decay, low=0)
        self.state: dict[str, dict] = {}

    def step(self, params: dict, grads: dict) -> None:
        """Update every array of ``params`` in place from the matching ``grads``.

        Everything is checked first: on any error no parameter has changed.
        """
        _check_keys(params, grads)
        checked = {}
        for name, p in params.items():
            _check_parameter(name, p)
            checked[name] = _checked_gradient(name, grads[name], p)
            _check_state_fits(name, p, self.state.get(name, {}))
        _check_no_shared_arrays(params)
        for name, p in params.items():
            state = self.state.setdefault(name, {})
            self._update(p, self._gradient(p, checked[name]), state)

    def _gradient(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The gradient the update uses: ``g + weight_decay * p`` (an L2 penalty)."""
        if self.weight_decay == 0:
            return g
        return g + self.weight_decay * p

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError  # pragma: no cover

    def _slots(self) -> tuple[str, ...]:
        """The arrays kept per parameter (given the hyperparameters)."""
        return ()

    _counters: tuple[str, ...] = ()  # the integers kept per parameter

    # -- public state ------------------------------------------------------------------

    def hyperparameters(self) -> dict:
        """The constructor's arguments, as this optimiser holds them."""
        names = inspect.signature(type(self)).parameters
        return {name: getattr(self, name) for name in names}

    def state_dict(self) -> dict:
        """A deep copy of the hyperparameters and the per-parameter state.

        ``{"type": "Adam", "hyperparameters": {"lr": ..., ...},
        "state": {"0.W": {"m": array, "s": array, "step": 5}, ...}}``; work arrays
        are left out. ``load_state_dict`` restores it into an optimiser of the same
        type, so that training continues exactly where it stopped.
        """
        state = {
            name: {
                slot: copy.deepcopy(value)
                for slot, value in entry.items()
                if slot not in _WORK_ARRAYS
            }
            for name, entry in self.state.items()
        }
        return {
            "type": type(self).__name__,
            "hyperparameters": self.hyperparameters(),
            "state": state,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()`` (hyperparameters and state, copied).

        Everything is checked before anything changes: the optimiser type, the keys,
        the hyperparameters (as the constructor checks them) and, for every
        parameter, the expected arrays (finite, floating-point, one shape and dtype)
        and step counts (integers >= 1). A parameter's shape is checked against the
        parameter itself at the next ``step`` (``bp_lib.load`` checks it on loading).
        """
        fresh, state = self._checked_state_dict(state_dict)
        vars(self).update({k: getattr(fresh, k) for k in self.hyperparameters()})
        self.state = state

    def _checked_state_dict(self, state_dict) -> tuple[Optimizer, dict]:
        """An optimiser built from the hyperparameters and a deep copy of the state."""
        kind = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(
                "state_dict must be a dict from an optimiser's state_dict(), "
                f"got {type(state_dict).__name__}"
            )
        _require_keys("state_dict", state_dict, {"type", "hyperparameters", "state"})
        if state_dict["type"] != kind:
            raise ValueError(
                f"state_dict is the state of a {state_dict['type']!r} optimiser; "
                f"it cannot be loaded into a {kind!r}"
            )
        hyper = state_dict["hyperparameters"]
        if not isinstance(hyper, dict):
            raise TypeError(
                "state_dict['hyperparameters'] must be a dict, "
                f"got {type(hyper).__name__}"
            )
        _require_keys(
            "state_dict['hyperparameters']", hyper, set(self.hyperparameters())
        )
        try:
            fresh = type(self)(**hyper)
        except (TypeError, ValueError) as error:
            raise type(error)(f"state_dict['hyperparameters']: {error}") from error
        entries = state_dict["state"]
        if not isinstance(entries, dict):
            raise TypeError(
                f"state_dict['state'] must be a dict, got {type(entries).__name__}"
            )
        state = {
            name: fresh._checked_entry(f"state_dict['state'][{name!r}]", entry)
            for name, entry in entries.items()
        }
        return fresh, state

    def _checked_entry(self, label: str, entry) -> dict:
        """A deep copy of one parameter's state, after checking every slot."""
        if not isinstance(entry, dict):
            raise TypeError(f"{label} must be a dict, got {type(entry).__name__}")
        if not entry:  # an entry is empty until the parameter's first step
            return {}
        _require_keys(label, entry, set(self._slots()) | set(self._counters))
        for slot in self._slots():
            first = entry[self._slots()[0]]
            _check_state_array(f"{label}[{slot!r}]", entry[slot], first)
        for slot in self._counters:
            count = entry[slot]
            if (
                isinstance(count, (bool, np.bool_))
                or not isinstance(count, numbers.Integral)
                or count < 1
            ):
                raise ValueError(
                    f"{label}[{slot!r}] must be an integer >= 1, got {count!r}"
                )
        return {
            slot: (np.array(value) if isinstance(value, np.ndarray) else int(value))
            for slot, value in entry.items()
        }

    def _repr_extra(self) -> str:
        return f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""


def _require_keys(label: str, value: dict, expected: set) -> None:
    missing, extra = expected - set(value), set(value) - expected
    if missing or extra:
        parts = [f"missing {sorted(missing)}"] if missing else []
        parts += [f"unexpected {sorted(extra, key=str)}"] if extra else []
        raise ValueError(
            f"{label} has keys {sorted(value, key=str)}: "
            + ", ".join(parts)
            + f" (expected {sorted(expected)})"
        )


def _check_state_array(label: str, value, first) -> None:
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
        kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise TypeError(f"{label} must be a floating-point numpy array, got {kind}")
    if value.shape != first.shape or value.dtype != first.dtype:
        raise ValueError(
            f"{label} has shape {value.shape} and dtype {value.dtype}, but the other "
            f"arrays of this parameter have {first.shape} and {first.dtype}"
        )
    require_finite(label, value)


class SGD(Optimizer):
    """Stochastic gradient descent with (optional) classical momentum.

    ``v <- momentum * v - lr * g``; ``p <- p + v``. With ``momentum=0`` this is
    ``p <- p - lr * g``.

    ``weight_decay`` (L2): the loss gains ``wd/2 * ||p||^2``, whose gradient is
    ``wd * p``, so ``g <- g + wd * p`` before the update; without momentum,
    ``p <- p - lr * (g + wd * p) = (1 - lr wd) p - lr g``, a shrink of every weight
    by the factor ``1 - lr wd`` per step (as ``torch.optim.SGD(weight_decay=wd)``).

    PyTorch's SGD writes momentum as ``b <- mu b + g``, ``p <- p - lr b``: with a
    constant ``lr`` that is the same update, ``v = -lr b``.
    """

    def __init__(
        self, lr: float = 0.1, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = require_number(
            "momentum", momentum, low=0, high=1, high_open=True
        )

    def _slots(self) -> tuple[str, ...]:
        return ("velocity",) if self.momentum else ()

    def _update(self, p, g, state) -> None:
        step = _scratch(state, p)
        np.multiply(g, self.lr, out=step)  # lr * g
        if self.momentum == 0:
            p -= step
            return
        v = state.setdefault("velocity", np.zeros_like(p))
        v *= self.momentum
        v -= step
        p += v

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g}{self._repr_extra()})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias-corrected first and second moments.

    Each parameter counts its own steps (``state[name]["step"]``), so a parameter
    first seen after many steps still gets the correction of *its* first step,
    ``1 - beta**1``. ``t`` is the largest of these counts (the steps taken).
    ``weight_decay`` adds ``wd * p`` to the gradient (an L2 penalty, as
    ``torch.optim.Adam(weight_decay=wd)``); for the decoupled form use ``AdamW``.
    """

    _counters = ("step",)

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr, weight_decay)
        self.beta1 = require_number("beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = require_number("beta2", beta2, low=0, high=1, high_open=True)
        self.eps = require_number("eps", eps, low=0, low_open=True)

    @property
    def t(self) -> int:
        """The number of steps taken: the largest per-parameter step count."""
        return max((entry.get("step", 0) for entry in self.state.values()), default=0)

    def _slots(self) -> tuple[str, ...]:
        return ("m", "s")

    def _update(self, p, g, state) -> None:
        t = state["step"] = state.get("step", 0) + 1  # this parameter's own count
        m = state.setdefault("m", np.zeros_like(p))
        s = state.setdefault("s", np.zeros_like(p))
        m *= self.beta1
        m += (1 - self.beta1) * g
        s *= self.beta2
        s += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**t)
        s_hat = s / (1 - self.beta2**t)
        p -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(lr={self.lr:g}, beta1={self.beta1:g}, "
            f"beta2={self.beta2:g}{self._repr_extra()})"
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    With an L2 penalty (``Adam(weight_decay=wd)``) the term ``wd * p`` enters the
    gradient and is then divided by ``sqrt(s_hat) + eps`` like the rest of it: a
    weight whose gradient is large is hardly decayed. AdamW takes the decay out of
    the gradient and applies it to the weight directly, before the Adam step:

        p <- p - lr * wd * p                      (i.e. p <- (1 - lr wd) p)
        p <- p - lr * m_hat / (sqrt(s_hat) + eps) (m, s from g alone)

    so every weight shrinks by the same factor ``1 - lr wd`` per step, whatever its
    gradient. This is ``torch.optim.AdamW``, whose ``weight_decay`` defaults to 0.01.
    """

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ):
        super().__init__(lr, beta1, beta2, eps, weight_decay)

    def _gradient(self, p, g):
        return g  # the decay is applied to the weight in _update, not to g

    def _update(self, p, g, state) -> None:
        p *= 1 - self.lr * self.weight_decay
        super()._update(p, g, state)


class RMSProp(Optimizer):
    """RMSProp (Hinton's lecture 6e), as ``torch.optim.RMSprop``.

    A running mean of the squared gradient sets a per-weight step size:

        s <- alpha s + (1 - alpha) g**2
        p <- p - lr * g / (sqrt(s) + eps)      (eps outside the root)

    ``centered=True`` also keeps the running mean ``a`` of ``g`` and divides by
    ``sqrt(s - a**2) + eps``, an estimate of the gradient's standard deviation
    (clipped at 0 against rounding). ``momentum > 0`` accumulates the scaled step,
    ``b <- momentum b + g / (sqrt(s) + eps)``, ``p <- p - lr b``. ``weight_decay``
    adds ``wd * p`` to ``g`` first (L2). Unlike Adam there is no bias correction: the
    first steps are larger, by ``1 / sqrt(1 - alpha)`` = 10 at the first step.
    """

    def __init__(
        self,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr, weight_decay)
        self.alpha = require_number("alpha", alpha, low=0, high=1, high_open=True)
        self.eps = require_number("eps", eps, low=0, low_open=True)
        self.momentum = require_number(
            "momentum", momentum, low=0, high=1, high_open=True
        )
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"centered must be True or False, got {centered!r}")
        self.centered = bool(centered)

    def _slots(self) -> tuple[str, ...]:
        slots = ("square_avg",)
        slots += ("grad_avg",) if self.centered else ()
        return slots + (("momentum_buffer",) if self.momentum else ())

    def _update(self, p, g, state) -> None:
        s = state.setdefault("square_avg", np.zeros_like(p))
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        if self.centered:
            a = state.setdefault("grad_avg", np.zeros_like(p))
            a *= self.alpha
            a += (1 - self.alpha) * g
            denominator = np.sqrt(np.maximum(s - a * a, 0)) + self.eps
        else:
            denominator = np.sqrt(s) + self.eps
        if self.momentum == 0:
            p -= self.lr * (g / denominator)
            return
        b = state.setdefault("momentum_buffer", np.zeros_like(p))
        b *= self.momentum
        b += g / denominator
        p -= self.lr * b

    def __repr__(self) -> str:
        return (
            f"RMSProp(lr={self.lr:g}, alpha={self.alpha:g}, momentum="
            f"{self.momentum:g}, centered={self.centered}{self._repr_extra()})"
        )


def _scratch(state: dict, p: np.ndarray) -> np.ndarray:
    """A work array shaped like ``p``, kept in ``state`` so no step allocates one."""
    work = state.get("scratch")
    if work is None or work.shape != p.shape or work.dtype != p.dtype:
        work = state["scratch"] = np.empty_like(p)
    return work


def _named_arrays(grads) -> list[tuple[str, object]]:
    """``grads`` (a dict or a list/tuple of arrays) as ``(label, array)`` pairs."""
    if isinstance(grads, dict):
        return [(f"grads[{key!r}]", g) for key, g in grads.items()]
    if isinstance(grads, (list, tuple)):
        return [(f"grads[{i}]", g) for i, g in enumerate(grads)]
    hint = " (wrap one array in a list: [g])" if isinstance(grads, np.ndarray) else ""
    raise TypeError(
        f"grads must be a dict or a list of arrays, got {type(grads).__name__}{hint}"
    )


def global_norm(grads) -> float:
    """``sqrt(sum of squares of every entry of every array)`` of ``grads``.

    ``grads`` is a dict or a list of real arrays. The sum is taken in float64; when
    it would overflow (entries beyond ~1e154) or underflow (all below ~1e-145),
    every entry is first divided by the largest magnitude ``a``, and the norm is
    ``a * sqrt(sum((g / a)**2))``. ``FloatingPointError`` (naming the array) if an
    entry is NaN or infinite: such a norm is no length.
    """
    arrays = []
    for label, g in _named_arrays(grads):
        g = np.asarray(g)
        if g.dtype.kind not in "iuf":
            raise TypeError(
                f"{label} must be a real numeric array, got dtype {g.dtype}"
            )
        if g.dtype.kind == "f" and not all_finite(g):
            raise FloatingPointError(
                f"{label} is not finite ({first_non_finite(g)}): the global norm "
                "needs finite gradients"
            )
        arrays.append(g)
    with np.errstate(over="ignore", under="ignore"):
        total = sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)
    if math.isfinite(total) and total > 1e-290:
        return float(np.sqrt(total))
    return _rescaled_norm(arrays)


def _rescaled_norm(arrays: list[np.ndarray]) -> float:
    """The global norm computed as ``a * sqrt(sum((g / a)**2))``, ``a`` = max |g|."""
    largest = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    if largest == 0:
        return 0.0
    with np.errstate(under="ignore"):
        total = sum(
            float(np.sum(np.square(np.divide(g, largest, dtype=np.float64))))
            for g in arrays
        )
    return largest * math.sqrt(total)


def _arrays_to_scale(grads) -> list[np.ndarray]:
    """The arrays of ``grads``, checked to be writable floating-point numpy arrays."""
    arrays = []
    for label, g in _named_arrays(grads):
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            kind = f"dtype {g.dtype}" if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(
                f"{label} must be a floating-point numpy array (clipping scales it in "
                f"place), got {kind}"
            )
        if not g.flags.writeable:
            raise ValueError(f"{label} is read-only: clipping scales it in place")
        arrays.append(g)
    return arrays


def clip_grad_norm(grads, max_norm: float) -> float:
    """Scale all gradients in place so their global norm is at most ``max_norm``.

    With ``N = global_norm(grads)``: if ``N > max_norm`` every array is multiplied
    by ``max_norm / (N + 1e-6)`` (the direction is kept, the length capped just
    below ``max_norm``). Returns N, the norm *before* clipping.
    ``grads``: a dict of arrays (e.g. ``model.grads``) or a list of arrays, each
    a writable floating-point array; a NaN or an infinity raises, nothing scaled.
    """
    max_norm = require_number("max_norm", max_norm, low=0, low_open=True)
    arrays = _arrays_to_scale(grads)
    norm = global_norm(grads)  # names the array that is not finite
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in arrays:
            g *= scale
    return norm
