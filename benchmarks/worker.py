"""One library's side of the benchmark, in a process of its own: ``python -m benchmarks.worker SIDE``.

SIDE is ``bp_lib``, ``torch`` or ``sklearn``. The worker reads one JSON request per line on
stdin and answers one JSON line on stdout, so the runner can hand the same case to each
side in turn while the other side's process waits, its thread pool idle.

Requests: ``{"op": "info"}``; ``{"op": "step", "case": ..., "seconds": s, "min_steps": n}``
(per-step seconds of a training step); bp_lib only: ``"matmul"`` (the step's matrix
products alone), ``"passes"`` (forward and backward apart), ``"memory"``; bp_lib and
sklearn: ``{"op": "digits", "epochs": n}`` (chapter 13's classifier, epoch by epoch).
"""

from __future__ import annotations

import json
import math
import platform
import sys
import time

import numpy as np

from benchmarks.cases import StepCase
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


class NumpySide:
    """bp_lib (and the bound of its matrix products), with numpy's BLAS."""

    def __init__(self) -> None:
        self.prepared: dict[StepCase, tuple] = {}

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
        return self.prepared[case]

    def step(self, case: StepCase, seconds: float, min_steps: int) -> dict:
        return {"times": timed(self._prepare(case)[3], seconds, min_steps)}

    def matmul(self, case: StepCase, seconds: float, min_steps: int) -> dict:
        return {"times": timed(self._prepare(case)[4], seconds, min_steps)}

    def passes(self, case: StepCase, seconds: float, min_steps: int) -> dict:
        from bp_lib.book import bench

        model, X, y, step, _ = self._prepare(case)
        forward, backward = bench.pass_times(model, X, y, steps=steps_for(step, seconds, min_steps), warmup=WARMUP)
        return {"forward": forward, "backward": backward}

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

    def step(self, case: StepCase, seconds: float, min_steps: int) -> dict:
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
    if op in ("step", "matmul", "passes"):
        return getattr(side, op)(StepCase(**_case(request["case"])), request["seconds"], request["min_steps"])
    if op == "memory":
        return side.memory(StepCase(**_case(request["case"])))
    if op == "digits":
        return side.digits(request["epochs"])
    raise ValueError(f"unknown request {op!r}")


def _case(fields: dict) -> dict:
    return {**fields, "sizes": tuple(fields["sizes"])}


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
