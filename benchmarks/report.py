"""The benchmark's figures (ratios of medians measured in one run), their targets, and the printed table."""

from __future__ import annotations

import numpy as np

from benchmarks.cases import TUTORIAL


def spread(times) -> float:
    """Interquartile range over the median: how much one step's time varies."""
    q25, q50, q75 = np.percentile(times, [25, 50, 75])
    return float((q75 - q25) / q50)


def step_target(case: dict) -> float | None:
    """The issue's target for bp_lib's step time over PyTorch's (None where it sets none).

    A layer case (Part V) carries its own target, set in ``benchmarks/cases.py``.
    """
    if "kind" in case:
        return case["target"]
    if tuple(case["sizes"]) == TUTORIAL:
        return 1 / 3  # at least 3x faster
    if case["dtype"] == "float32":
        return 0.9 if case["batch"] <= 256 else 1.1
    return 1.1 if case["batch"] >= 256 else None


def summarise_step(entry: dict) -> dict:
    """Medians, spreads and ratios of one training-step case."""
    times, case = entry["times"], entry["case"]
    median = {name: float(np.median(t)) if t else None for name, t in times.items()}
    ratio = median["bp_lib"] / median["torch"] if median["torch"] else None
    target = step_target(case)
    matmul_fraction = median["matmul"] / median["bp_lib"]
    summary = {
        "name": entry["name"],
        "steps_timed": {name: len(t) for name, t in times.items()},
        "median_seconds": median,
        "spread": {name: spread(t) for name, t in times.items() if t},
        "bp_lib_over_torch": ratio,
        "target": target,
        "met": None if ratio is None or target is None else ratio <= target,
        "matmul_fraction": matmul_fraction,
        "matmul_target": 0.9 if "batch" in case and case["batch"] >= 256 else None,
        "backward_over_forward": median["backward"] / median["forward"],
    }
    if median.get("preallocated"):
        summary["matmul_over_preallocated"] = median["matmul"] / median["preallocated"]
    if "first_losses" in entry:
        summary["first_losses"] = entry["first_losses"]
        summary["first_loss_difference"] = loss_difference(entry["first_losses"])
    return summary


def loss_difference(first_losses: dict) -> float | None:
    """The largest |bp_lib - torch| / |torch| over the first two steps' losses (None without PyTorch).

    Both sides start from the same weights and batch: the first losses agree if the forward passes
    and losses do, the second (after one SGD update) only if the gradients do too.
    """
    if first_losses.get("torch") is None:
        return None
    return max(abs(ours - theirs) / abs(theirs) for ours, theirs in zip(first_losses["bp_lib"], first_losses["torch"]))


def summarise_conv_loops(entry: dict) -> dict:
    """Medians of the convolution's forward + backward, loops and im2col, and their ratio."""
    median = {pair: float(np.median(t)) for pair, t in entry["times"].items()}
    return {
        "name": entry["name"],
        "calls_timed": {pair: len(t) for pair, t in entry["times"].items()},
        "median_seconds": median,
        "spread": {pair: spread(t) for pair, t in entry["times"].items()},
        "loops_over_im2col": median["loops"] / median["im2col"],
    }


def time_to_accuracy(run: dict, target: float) -> float | None:
    """Training seconds until the test accuracy first reaches ``target`` (None if it never does)."""
    elapsed = np.cumsum(run["epoch_seconds"])
    reached = np.flatnonzero(np.asarray(run["test_accuracy"]) >= target)
    return float(elapsed[reached[0]]) if reached.size else None


def summarise_digits(runs: dict) -> dict:
    """Time of each library to the test accuracy both reach (the lower of their best accuracies)."""
    best = {side: min(max(r["test_accuracy"]) for r in side_runs) for side, side_runs in runs.items()}
    target = min(best.values())
    seconds = {
        side: float(np.median([time_to_accuracy(r, target) for r in side_runs])) for side, side_runs in runs.items()
    }
    return {
        "target_accuracy": target,
        "best_accuracy": best,
        "final_accuracy": {side: float(np.median([r["test_accuracy"][-1] for r in rs])) for side, rs in runs.items()},
        "seconds_to_target": seconds,
        "total_seconds": {side: float(np.median([sum(r["epoch_seconds"]) for r in rs])) for side, rs in runs.items()},
        "bp_lib_over_sklearn": seconds["bp_lib"] / seconds["sklearn"],
    }


def summarise(results: dict) -> dict:
    """Every figure of the report from the raw results (of the parts that were measured)."""
    summary = {}
    if "steps" in results:
        summary["steps"] = [summarise_step(entry) for entry in results["steps"]]
    if "layers" in results:
        summary["layers"] = [summarise_step(entry) for entry in results["layers"]]
    if "conv_loops" in results:
        summary["conv_loops"] = [summarise_conv_loops(entry) for entry in results["conv_loops"]]
    if "memory" in results:
        summary["memory"] = [
            {**m, "over_reference": m["peak"] / m["reference"], "target": 1.5} for m in results["memory"]
        ]
    if "digits" in results:
        summary["digits"] = summarise_digits(results["digits"])
    return summary


def _ratio(value, target, lower_is_better=True) -> str:
    """A ratio, its target (if any) and whether it is met; ``n/a`` where it was not measured."""
    shown = f"{'n/a':>7}" if value is None else f"{value:7.2f}"
    if target is None:
        return f"{shown} {'':>8} {'':4}"
    sign = "<=" if lower_is_better else ">="
    if value is None:
        return f"{shown} {sign}{target:6.2f} {'n/a':4}"
    met = value <= target if lower_is_better else value >= target
    return f"{shown} {sign}{target:6.2f} {'yes' if met else 'NO':4}"


def _times(median: float | None, spread_: float | None) -> str:
    """A median in ms and its spread, or a dash where the side was not measured."""
    if median is None:
        return f"{'-':>10}{'':7}"
    return f"{median * 1e3:10.3f}{spread_:7.0%}"


def _against_torch_header(width: int) -> str:
    """The headings of the columns every step table starts with."""
    return (
        f"{'case':<{width}}{'bp_lib ms':>10}{'spread':>7}{'torch ms':>10}{'spread':>7}   "
        f"{'bp/torch':>7} {'target':>8} {'met':4}  "
    )


def _against_torch(s: dict, width: int) -> str:
    """A case's name, both sides' times and their ratio against its target."""
    med, spr = s["median_seconds"], s["spread"]
    return (
        f"{s['name']:<{width}}{_times(med['bp_lib'], spr['bp_lib'])}{_times(med['torch'], spr.get('torch'))}   "
        f"{_ratio(s['bp_lib_over_torch'], s['target'])}  "
    )


def step_table(summary: list[dict]) -> list[str]:
    """The MLP training steps: one line per case."""
    lines = [
        "Training step (forward, loss, backward, SGD update): medians over all timed steps, spread = IQR / median",
        _against_torch_header(30) + f"{'matmul/step':>11} {'target':>8} {'met':4}  {'matmul/hand':>12}  {'bwd/fwd':>7}",
    ]
    for s in summary:
        floor = s.get("matmul_over_preallocated")
        lines.append(
            _against_torch(s, 30) + f"{_ratio(s['matmul_fraction'], s['matmul_target'], lower_is_better=False):>24}  "
            f"{floor if floor is None else format(floor, '.2f'):>12}  "
            f"{s['backward_over_forward']:7.2f}"
        )
    return lines + [
        "  matmul/step: the step's own matrix products run alone (same shapes, dtype, BLAS) over the step's time;",
        "  matmul/hand: the same over the step written by hand, every array allocated once",
        "  (bench.preallocated_step): the most a numpy step reaches here; the rest is the platform's;",
        "  bwd/fwd: backward pass (as in training: no dL/dX of the data) over forward pass;",
        "  their FLOP ratio is 1.40 for 784-512-512-10.",
    ]


def layer_table(summary: list[dict]) -> list[str]:
    """Part V's layers, each trained alone under a mean-squared error: one line per case."""
    lines = [
        "Layer step (one Conv2d or SelfAttention, MSE against a fixed target, SGD update), same weights each side",
        _against_torch_header(40) + f"{'matmul/step':>11}  {'bwd/fwd':>7}  {'loss diff':>9}",
    ]
    for s in summary:
        difference = s.get("first_loss_difference")
        lines.append(
            _against_torch(s, 40) + f"{s['matmul_fraction']:11.2f}  "
            f"{s['backward_over_forward']:7.2f}  {'n/a' if difference is None else format(difference, '9.1e'):>9}"
        )
    return lines + [
        "  torch: nn.Conv2d / nn.Linear (no bias) around F.scaled_dot_product_attention, weights copied from bp_lib;",
        "  loss diff: largest |bp_lib - torch| / torch of the first two steps' losses (same weights and batch):",
        "  the first agrees if the forward passes do, the second (after one update) only if the gradients do too.",
    ]


def conv_loops_table(summary: list[dict]) -> list[str]:
    """The convolution's loops against im2col: one line per case."""
    lines = [
        "Convolution, forward + backward: the loops (conv2d_*_loops) against im2col (conv2d_forward/backward)",
        f"{'case':<40}{'loops ms':>10}{'spread':>7}{'im2col ms':>10}{'spread':>7}   {'loops/im2col':>12}",
    ]
    for s in summary:
        med, spr = s["median_seconds"], s["spread"]
        lines.append(
            f"{s['name']:<40}{_times(med['loops'], spr['loops'])}{_times(med['im2col'], spr['im2col'])}   "
            f"{s['loops_over_im2col']:12.1f}"
        )
    return lines


def memory_table(summary: list[dict]) -> list[str]:
    """Bytes one step allocates: one line per case."""
    lines = [
        "Memory of one step (tracemalloc: bytes the step allocates at its peak) over parameters + cached activations",
        f"{'case':<30}{'peak MiB':>10}{'params MiB':>11}{'cached MiB':>11}   {'ratio':>7} {'target':>8} {'met':4}",
    ]
    for s in summary:
        lines.append(
            f"{s['name']:<30}{s['peak'] / 2**20:10.2f}{s['parameters'] / 2**20:11.2f}{s['cached'] / 2**20:11.2f}   "
            f"{_ratio(s['over_reference'], s['target'])}"
        )
    return lines


def digits_table(d: dict, config: dict) -> list[str]:
    """Chapter 13's classifier against scikit-learn's to the same accuracy."""
    return [
        f"Digits end to end (chapter 13's 64-128-10 network, Adam 1e-3, batch 32, "
        f"{config['digits_epochs']} epochs; median of {config['digits_repeats']} runs each)",
        f"{'':<30}{'bp_lib':>10}{'sklearn':>10}",
        f"{'final test accuracy':<30}{d['final_accuracy']['bp_lib']:10.3f}{d['final_accuracy']['sklearn']:10.3f}",
        f"{'all epochs (s)':<30}{d['total_seconds']['bp_lib']:10.2f}{d['total_seconds']['sklearn']:10.2f}",
        f"{'to accuracy ' + format(d['target_accuracy'], '.3f') + ' (s)':<30}"
        f"{d['seconds_to_target']['bp_lib']:10.2f}{d['seconds_to_target']['sklearn']:10.2f}"
        f"   bp/sklearn {_ratio(d['bp_lib_over_sklearn'], 1.0)}",
    ]


def table(results: dict, summary: dict) -> str:
    """The report as plain text: the machine, then one table per kind of figure measured."""
    m, libraries = results["machine"], results["libraries"]
    blas = ", ".join(f"{b['internal_api']} {b['version']} ({b['num_threads']} threads)" for b in m["blas"])
    torch = libraries["torch"]
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m['os']}",
        f"python {m['python']}, numpy {m['numpy']} with {blas}, bp_lib {m['bp_lib']}, "
        f"scikit-learn {libraries['sklearn']['sklearn']}, "
        + (f"torch {torch['torch']} ({torch['threads']} threads)" if torch else "torch not installed (skipped)"),
    ]
    sections = {
        "steps": step_table,
        "layers": layer_table,
        "conv_loops": conv_loops_table,
        "memory": memory_table,
        "digits": lambda d: digits_table(d, results["config"]),
    }
    for part, section in sections.items():
        if part in summary:
            lines += ["", *section(summary[part])]
    return "\n".join(lines)
