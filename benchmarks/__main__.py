"""Run the benchmark: ``python -m benchmarks [--quick] [--json PATH]`` (``make bench``).

Every figure is a ratio of two times measured in this run: each library works in its own
worker process, the runner hands them the same case in turn (A, B, A, B, with a warm-up
each time), and a ratio is the quotient of the two medians over all timed steps.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import report
from benchmarks.cases import FULL, QUICK

ROOT = Path(__file__).resolve().parent.parent
TORCH_REQUIREMENTS = "benchmarks/requirements-torch.txt"
PAUSE = 0.2  # seconds between handing work to one process and to the other: spinning BLAS threads settle


class Worker:
    """A ``benchmarks.worker`` process for one library, asked one JSON request at a time."""

    def __init__(self, side: str) -> None:
        self.side = side
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", side],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        self._read()

    def ask(self, op: str, **fields):
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.side} worker stopped (exit code {self.process.wait()}); see its error above")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"the {self.side} worker failed: {reply['error']}")
        return reply.get("ok")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def machine(numpy_info: dict) -> dict:
    """CPU, cores, OS and the BLAS numpy uses, for the report's header."""
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(), **numpy_info}


def alternate(first, second, rounds: int) -> None:
    """Call ``first(r)`` and ``second(r)`` in turn for each round ``r``, pausing between them."""
    for r in range(rounds):
        for run in (first, second):
            run(r)
            time.sleep(PAUSE)


def measure_steps(config: dict, ours: Worker, theirs: Worker | None) -> list[dict]:
    """Training-step times of each case: bp_lib, its matrix products alone, its passes, and PyTorch."""
    results = []
    budget = {"seconds": config["round_seconds"], "min_steps": 8}
    for case in config["steps"]:
        runs = {"bp_lib": [], "matmul": [], "forward": [], "backward": [], "torch": []}

        def run_ours(_round, case=case, runs=runs):
            runs["bp_lib"] += ours.ask("step", case=case.to_json(), **budget)["times"]
            runs["matmul"] += ours.ask("matmul", case=case.to_json(), **budget)["times"]
            passes = ours.ask("passes", case=case.to_json(), **budget)
            runs["forward"] += passes["forward"]
            runs["backward"] += passes["backward"]

        def run_theirs(_round, case=case, runs=runs):
            if theirs is not None:
                runs["torch"] += theirs.ask("step", case=case.to_json(), **budget)["times"]

        alternate(run_ours, run_theirs, config["rounds"])
        results.append({"case": case.to_json(), "name": case.name, "times": runs})
        print(f"  measured {case.name}", file=sys.stderr, flush=True)
    return results


def measure_digits(config: dict, ours: Worker, sklearn: Worker) -> dict:
    """Chapter 13's classifier, epoch by epoch, beside MLPClassifier, in alternating runs."""
    runs = {"bp_lib": [], "sklearn": []}
    epochs = config["digits_epochs"]
    alternate(
        lambda _r: runs["bp_lib"].append(ours.ask("digits", epochs=epochs)),
        lambda _r: runs["sklearn"].append(sklearn.ask("digits", epochs=epochs)),
        config["digits_repeats"],
    )
    return runs


def run(config: dict) -> dict:
    """Start the workers, measure everything in ``config``, and return the raw results."""
    has_torch = importlib.util.find_spec("torch") is not None
    ours, sklearn = Worker("bp_lib"), Worker("sklearn")
    theirs = Worker("torch") if has_torch else None
    try:
        numpy_info = ours.ask("info")
        torch_info = theirs.ask("threads", threads=numpy_info["threads"]) if theirs else None
        results = {
            "machine": machine(numpy_info),
            "libraries": {"sklearn": sklearn.ask("info"), "torch": torch_info},
            "config": {k: v for k, v in config.items() if k not in ("steps", "memory")},
            "steps": measure_steps(config, ours, theirs),
            "memory": [{"name": c.name, **ours.ask("memory", case=c.to_json())} for c in config["memory"]],
            "digits": measure_digits(config, ours, sklearn),
        }
    finally:
        for worker in (ours, sklearn, theirs):
            if worker is not None:
                worker.close()
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on tiny cases (its figures mean nothing)")
    parser.add_argument("--json", default=str(ROOT / "_build" / "bench.json"), help="where to write the results")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("torch") is None:
        print(
            "PyTorch is not installed, so the PyTorch columns are skipped. To include them:\n"
            f"  .venv/bin/python -m pip install -r {TORCH_REQUIREMENTS}   (then make bench again)\n",
            file=sys.stderr,
        )
    results = run(QUICK if args.quick else FULL)
    summary = report.summarise(results)
    print(report.table(results, summary))
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"summary": summary, "raw": results}, indent=1))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
