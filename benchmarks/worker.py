"""One library's side of the benchmark, in a process of its own: ``python -m benchmarks.worker SIDE``.

SIDE is ``bp_lib``, ``torch`` or ``sklearn``. The worker reads one JSON request per line on
stdin and answers one JSON line on stdout, so the runner can hand the same case to each
side in turn while the other side's process waits, its thread pool idle.

Requests: ``{"op": "info"}``; ``{"op": "step", "case": ..., "seconds": s, "min_steps": n}``
(per-step seconds of a training step; for a layer case also the losses of its first two
steps, from the same weights and batch on both sides); bp_lib only: ``"matmul"`` (the
step's matrix products alone), ``"preallocated"`` (an MLP step written by hand, every array
allocated once), ``"passes"`` (forward and backward apart), ``"memory"``,
``{"op": "conv_pair", "case": ..., "pair": "loops" | "im2col", ...}`` (a convolution's
forward + backward); bp_lib and sklearn: ``{"op": "digits", "epochs": n}`` (chapter 13's
classifier, epoch by epoch).
"""

from __future__ import annotations

import json
import math
import platform
import sys
import time

import numpy as np

from benchmarks.cases import LayerCase, StepCase
from bp_lib.book.cost import call_times

WARMUP = 3
MAX_STEPS = 5000


def steps_for(step, seconds: float, min_steps: int) -> int:
    """Run ``WARMUP`` untimed steps and return how many steps fill ``seconds`` (at least ``min_steps``)."""
    start = time.perf_counter()
    for _ in range(WARMUP):
        step()
    estimate = (time.perf_counter() - start) / WARMUP
    return int(min(MAX_STEPS, max(min_steps, math.ceil(seconds / max(estimate, 1e-9)))))


def timed(step, seconds: float, min_steps: int) -> list[float]:
    """Per-call seconds of ``step()`` after a warm-up, filling about ``seconds``."""
    return call_times(step, steps_for(step, seconds, min_steps), warmup=0)


def layer_problem(case: LayerCase):
    """bp_lib's layer for ``case`` and its batch ``(layer, X, Y)``, from seed 0 (both sides use it)."""
    from bp_lib.book import bench

    return bench.layer_problem(case.kind, case.shape, np.random.default_rng(0), np.dtype(case.dtype))


class NumpySide:
    """bp_lib (and the bound of its matrix products), with numpy's BLAS."""

    def __init__(self) -> None:
        self.prepared: dict[StepCase, tuple] = {}
        self.layers: dict[LayerCase, tuple] = {}
        self.preallocated_steps: dict[StepCase, object] = {}

    def info(self) -> dict:
        from threadpoolctl import threadpool_info

        import bp_lib

        blas = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
        return {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "bp_lib": bp_lib.__version__,
            "blas": [
                {k: pool.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for pool in blas
            ],
            "threads": blas[0]["num_threads"] if blas else 1,
        }

    @staticmethod
    def _build(case: StepCase):
        """A fresh seeded network for ``case``, its batch, and the generator they came from."""
        from bp_lib.book import bench

        rng, dtype = np.random.default_rng(0), np.dtype(case.dtype)
        model = bench.mlp(case.sizes, rng, dtype=dtype)
        X, y = bench.classification_batch(case.batch, case.sizes[0], case.sizes[-1], rng, dtype)
        return model, X, y, rng

    def _prepare(self, case: StepCase):
        from bp_lib.book import bench

        if case not in self.prepared:
            model, X, y, rng = self._build(case)
            self.prepared[case] = (model, X, y, bench.sgd_step(model, X, y), bench.matmul_step(model, X, rng))
            self.preallocated_steps[case] = bench.preallocated_step(model, X, y)
        return self.prepared[case]

    def _prepare_layer(self, case: LayerCase):
        """(layer, X, Y, step, products alone, losses of the first two steps), built once per case."""
        import bp_lib as bp
        from bp_lib.book import bench

        if case not in self.layers:
            layer, X, Y = layer_problem(case)
            products = bench.conv_products if case.kind == "conv2d" else bench.attention_products
            step = bench.sgd_step(layer, X, Y, loss_fn=bp.mse_loss)
            matmul = products(layer, X, np.random.default_rng(1))
            self.layers[case] = (layer, X, Y, step, matmul, [step(), step()])
        return self.layers[case]

    def step(self, case: StepCase | LayerCase, seconds: float, min_steps: int) -> dict:
        if isinstance(case, LayerCase):
            *_, step, _, first_losses = self._prepare_layer(case)
            return {"times": timed(step, seconds, min_steps), "first_losses": first_losses}
        return {"times": timed(self._prepare(case)[3], seconds, min_steps)}

    def preallocated(self, case: StepCase, seconds: float, min_steps: int) -> dict:
        """The same step written by hand with every array allocated once (MLP cases only)."""
        self._prepare(case)
        return {"times": timed(self.preallocated_steps[case], seconds, min_steps)}

    def matmul(self, case: StepCase | LayerCase, seconds: float, min_steps: int) -> dict:
        products = self._prepare_layer(case)[4] if isinstance(case, LayerCase) else self._prepare(case)[4]
        return {"times": timed(products, seconds, min_steps)}

    def passes(self, case: StepCase | LayerCase, seconds: float, min_steps: int) -> dict:
        import bp_lib as bp
        from bp_lib.book import bench

        if isinstance(case, LayerCase):
            model, X, y, step, *_ = self._prepare_layer(case)
            loss_fn = bp.mse_loss
        else:
            model, X, y, step, _ = self._prepare(case)
            loss_fn = bp.softmax_cross_entropy
        steps = steps_for(step, seconds, min_steps)
        forward, backward = bench.pass_times(model, X, y, steps=steps, warmup=WARMUP, loss_fn=loss_fn)
        return {"forward": forward, "backward": backward}

    def conv_pair(self, case: LayerCase, pair: str, seconds: float, min_steps: int) -> dict:
        """Per-call seconds of a convolution's forward + backward: the loops or im2col."""
        import bp_lib as bp
        from bp_lib.book import bench

        functions = {
            "loops": (bp.conv2d_forward_loops, bp.conv2d_backward_loops),
            "im2col": (bp.conv2d_forward, bp.conv2d_backward),
        }
        layer, X, dout = layer_problem(case)  # dout: the fixed target stands in for an upstream gradient
        step = bench.conv_pair_step(*functions[pair], X, layer.params["W"], layer.params["b"], layer.padding, dout)
        return {"times": timed(step, seconds, min_steps)}

    def memory(self, case: StepCase) -> dict:
        from bp_lib.book import bench

        model, X, y, _ = self._build(case)  # a network of its own: tracemalloc sees a step from scratch
        return bench.step_peak_memory(model, bench.sgd_step(model, X, y))

    def digits(self, epochs: int) -> dict:
        import bp_lib as bp
        from bp_lib.book.bench import digit_classifier
        from bp_lib.data import load_digits_split

        data = load_digits_split(test_fraction=0.25, seed=0)
        model, optimizer, shuffle = digit_classifier(seed=0), bp.Adam(1e-3), np.random.default_rng(10)
        seconds, accuracy = [], []
        for _ in range(epochs):  # chapter 13's bp.fit(..., epochs=60), one epoch at a time
            start = time.perf_counter()
            bp.fit(model, data.X_train, data.y_train, optimizer=optimizer, epochs=1, batch_size=32, rng=shuffle)
            seconds.append(time.perf_counter() - start)
            accuracy.append(bp.accuracy(model.eval().forward(data.X_test), data.y_test))
            model.train()
        return {"epoch_seconds": seconds, "test_accuracy": accuracy}


class TorchSide:
    """PyTorch on the CPU: the same network, loss and optimiser, ``torch.nn`` modules."""

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.prepared: dict[StepCase, object] = {}

    def info(self) -> dict:
        return {"torch": self.torch.__version__, "threads": self.torch.get_num_threads()}

    def set_threads(self, threads: int) -> dict:
        self.torch.set_num_threads(threads)
        return self.info()

    def _prepare(self, case: StepCase):
        torch = self.torch
        if case not in self.prepared:
            torch.manual_seed(0)
            dtype = getattr(torch, case.dtype)
            layers = []
            for n_in, n_out in zip(case.sizes[:-1], case.sizes[1:]):
                layers += [torch.nn.Linear(n_in, n_out, dtype=dtype), torch.nn.ReLU()]
            model = torch.nn.Sequential(*layers[:-1])
            X = torch.randn(case.batch, case.sizes[0], dtype=dtype)
            y = torch.randint(0, case.sizes[-1], (case.batch,))
            loss_fn, optimizer = torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.01)

            def step() -> float:
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.step()
                return loss.item()

            self.prepared[case] = step
        return self.prepared[case]

    def _prepare_layer(self, case: LayerCase):
        """bp_lib's layer, weights and batch for ``case`` in ``torch.nn``; (step, losses of the first two steps).

        The second loss follows one SGD update, so it agrees with bp_lib's only if the gradients do.
        """
        torch = self.torch
        layer, X, Y = layer_problem(case)
        dtype = getattr(torch, case.dtype)
        if case.kind == "conv2d":
            model = torch.nn.Conv2d(layer.C, layer.F, layer.k, padding=layer.padding, dtype=dtype)
            copies = [(model.weight, layer.params["W"]), (model.bias, layer.params["b"])]
            parameters = [model.weight, model.bias]
        else:  # nn.Linear computes X W.T, so its weight is bp_lib's W transposed
            q, k, v, o = (torch.nn.Linear(layer.d_model, layer.d_model, bias=False, dtype=dtype) for _ in range(4))
            copies = [(p.weight, layer.params[name].T) for p, name in zip((q, k, v, o), layer.NAMES)]
            parameters = [q.weight, k.weight, v.weight, o.weight]

            def model(X):
                return o(torch.nn.functional.scaled_dot_product_attention(q(X), k(X), v(X)))

        with torch.no_grad():
            for parameter, array in copies:
                parameter.copy_(torch.from_numpy(np.ascontiguousarray(array)))
        X, Y = torch.from_numpy(X), torch.from_numpy(Y)
        optimizer = torch.optim.SGD(parameters, lr=0.01)

        def step() -> float:
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.mse_loss(model(X), Y)
            loss.backward()
            optimizer.step()
            return loss.item()

        return step, [step(), step()]

    def step(self, case: StepCase | LayerCase, seconds: float, min_steps: int) -> dict:
        if isinstance(case, LayerCase):
            if case not in self.prepared:
                self.prepared[case] = self._prepare_layer(case)
            step, first_losses = self.prepared[case]
            return {"times": timed(step, seconds, min_steps), "first_losses": first_losses}
        return {"times": timed(self._prepare(case), seconds, min_steps)}


class SklearnSide:
    """scikit-learn's ``MLPClassifier`` with chapter 13's architecture, batch size and optimiser."""

    def info(self) -> dict:
        import sklearn

        return {"sklearn": sklearn.__version__}

    def digits(self, epochs: int) -> dict:
        from sklearn.neural_network import MLPClassifier

        from bp_lib.data import load_digits_split

        data = load_digits_split(test_fraction=0.25, seed=0)
        model = MLPClassifier(
            hidden_layer_sizes=(128,), activation="relu", solver="adam", learning_rate_init=1e-3, batch_size=32,
            random_state=0,
        )  # fmt: skip
        classes = np.arange(10)
        seconds, accuracy = [], []
        for _ in range(epochs):
            start = time.perf_counter()
            model.partial_fit(data.X_train, data.y_train, classes=classes)  # one epoch of mini-batches
            seconds.append(time.perf_counter() - start)
            accuracy.append(float(model.score(data.X_test, data.y_test)))
        return {"epoch_seconds": seconds, "test_accuracy": accuracy}


SIDES = {"bp_lib": NumpySide, "torch": TorchSide, "sklearn": SklearnSide}


def answer(side, request: dict) -> dict:
    """Carry out one request on ``side``."""
    op = request["op"]
    if op == "info":
        return side.info()
    if op == "threads":
        return side.set_threads(request["threads"])
    if op in ("step", "matmul", "passes", "preallocated"):
        return getattr(side, op)(_case(request["case"]), request["seconds"], request["min_steps"])
    if op == "conv_pair":
        return side.conv_pair(_case(request["case"]), request["pair"], request["seconds"], request["min_steps"])
    if op == "memory":
        return side.memory(_case(request["case"]))
    if op == "digits":
        return side.digits(request["epochs"])
    raise ValueError(f"unknown request {op!r}")


def _case(fields: dict) -> StepCase | LayerCase:
    """The case a request names: a layer case has a ``kind``, an MLP case ``sizes``."""
    if "kind" in fields:
        return LayerCase.from_json(fields)
    return StepCase(**{**fields, "sizes": tuple(fields["sizes"])})


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in SIDES:
        raise SystemExit(f"usage: python -m benchmarks.worker {{{','.join(SIDES)}}}")
    side = SIDES[argv[0]]()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            reply = {"ok": answer(side, json.loads(line))}
        except Exception as error:  # reported to the runner, which stops with the message
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
