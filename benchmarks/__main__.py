"""Run the benchmark: ``python -m benchmarks [--quick] [--only PARTS] [--json PATH]`` (``make bench``).

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
from benchmarks.cases import FULL, QUICK, StepCase

ROOT = Path(__file__).resolve().parent.parent
TORCH_REQUIREMENTS = "benchmarks/requirements-torch.txt"
PAUSE = 0.2  # seconds between handing work to one process and to the other: spinning BLAS threads settle
PARTS = ("steps", "layers", "loops", "memory", "digits")  # what --only may name


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


def measure_steps(config: dict, ours: Worker, theirs: Worker | None, cases=None) -> list[dict]:
    """Training-step times of each case: bp_lib, its matrix products alone, its passes, and PyTorch.

    ``cases`` defaults to the MLP cases ``config["steps"]``; for a layer case the entry also holds
    the losses of each side's first two steps (same weights, same batch).
    """
    results = []
    budget = {"seconds": config["round_seconds"], "min_steps": 8}
    for case in config["steps"] if cases is None else cases:
        runs = {"bp_lib": [], "matmul": [], "forward": [], "backward": [], "torch": []}
        if isinstance(case, StepCase):
            runs["preallocated"] = []
        first_losses = {}

        def run_ours(_round, case=case, runs=runs, first_losses=first_losses):
            reply = ours.ask("step", case=case.to_json(), **budget)
            runs["bp_lib"] += reply["times"]
            first_losses["bp_lib"] = reply.get("first_losses")
            runs["matmul"] += ours.ask("matmul", case=case.to_json(), **budget)["times"]
            if "preallocated" in runs:
                runs["preallocated"] += ours.ask("preallocated", case=case.to_json(), **budget)["times"]
            passes = ours.ask("passes", case=case.to_json(), **budget)
            runs["forward"] += passes["forward"]
            runs["backward"] += passes["backward"]

        def run_theirs(_round, case=case, runs=runs, first_losses=first_losses):
            if theirs is not None:
                reply = theirs.ask("step", case=case.to_json(), **budget)
                runs["torch"] += reply["times"]
                first_losses["torch"] = reply.get("first_losses")

        alternate(run_ours, run_theirs, config["rounds"])
        entry = {"case": case.to_json(), "name": case.name, "times": runs}
        if first_losses.get("bp_lib") is not None:
            entry["first_losses"] = first_losses
        results.append(entry)
        print(f"  measured {case.name}", file=sys.stderr, flush=True)
    return results


def measure_conv_loops(config: dict, ours: Worker) -> list[dict]:
    """A convolution's forward + backward, loops against im2col, in alternating runs in one process."""
    results = []
    budget = {"seconds": config["round_seconds"], "min_steps": 8}
    for case in config["conv_loops"]:
        runs = {"loops": [], "im2col": []}

        def run(pair, case=case, runs=runs):
            def ask(_round):
                runs[pair] += ours.ask("conv_pair", case=case.to_json(), pair=pair, **budget)["times"]

            return ask

        alternate(run("loops"), run("im2col"), config["rounds"])
        results.append({"case": case.to_json(), "name": case.name, "times": runs})
        print(f"  measured {case.name} loops and im2col", file=sys.stderr, flush=True)
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


def run(config: dict, parts=PARTS) -> dict:
    """Start the workers, measure the ``parts`` of ``config`` (all by default), and return the raw results."""
    has_torch = importlib.util.find_spec("torch") is not None
    ours, sklearn = Worker("bp_lib"), Worker("sklearn")
    theirs = Worker("torch") if has_torch else None
    try:
        numpy_info = ours.ask("info")
        torch_info = theirs.ask("threads", threads=numpy_info["threads"]) if theirs else None
        results = {
            "machine": machine(numpy_info),
            "libraries": {"sklearn": sklearn.ask("info"), "torch": torch_info},
            "config": {k: v for k, v in config.items() if k not in ("steps", "memory", "layers", "conv_loops")},
        }
        if "steps" in parts:
            results["steps"] = measure_steps(config, ours, theirs)
        if "layers" in parts:
            results["layers"] = measure_steps(config, ours, theirs, cases=config["layers"])
        if "loops" in parts:
            results["conv_loops"] = measure_conv_loops(config, ours)
        if "memory" in parts:
            results["memory"] = [{"name": c.name, **ours.ask("memory", case=c.to_json())} for c in config["memory"]]
        if "digits" in parts:
            results["digits"] = measure_digits(config, ours, sklearn)
    finally:
        for worker in (ours, sklearn, theirs):
            if worker is not None:
                worker.close()
    return results


def parts_list(text: str) -> tuple[str, ...]:
    """``--only``'s value as a tuple of part names, each one of ``PARTS``."""
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"got {text!r}: name one or more of {', '.join(PARTS)}, comma-separated")
    return parts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on tiny cases (its figures mean nothing)")
    parser.add_argument("--json", default=str(ROOT / "_build" / "bench.json"), help="where to write the results")
    parser.add_argument(
        "--only", type=parts_list, default=PARTS, metavar="PARTS",
        help=f"measure only these parts, comma-separated, of: {','.join(PARTS)} (default: all)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if importlib.util.find_spec("torch") is None:
        print(
            "PyTorch is not installed, so the PyTorch columns are skipped. To include them:\n"
            f"  .venv/bin/python -m pip install -r {TORCH_REQUIREMENTS}   (then make bench again)\n",
            file=sys.stderr,
        )
    results = run(QUICK if args.quick else FULL, args.only)
    summary = report.summarise(results)
    print(report.table(results, summary))
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"summary": summary, "raw": results}, indent=1))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
