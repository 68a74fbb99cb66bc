"""The benchmark runner works end to end (a quick run on tiny cases); its timings are not judged."""

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.__main__ import PARTS, parts_list

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = {
    "steps": "Training step",
    "layers": "Layer step",
    "conv_loops": "Convolution, forward + backward",
    "memory": "Memory of one step",
    "digits": "Digits end to end",
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads(out.read_text())


def test_a_quick_benchmark_run_prints_the_table_and_writes_every_figure(quick_run):
    stdout, written = quick_run
    for heading in ("machine:", *HEADINGS.values()):
        assert heading in stdout
    summary = written["summary"]
    for step in summary["steps"] + summary["layers"]:
        assert step["steps_timed"]["bp_lib"] >= 16 and step["matmul_fraction"] > 0
        assert step["backward_over_forward"] > 0
    assert all(m["peak"] > 0 and m["reference"] > 0 for m in summary["memory"])
    assert 0 < summary["digits"]["target_accuracy"] <= 1
    assert "matmul/hand" in stdout  # the MLP steps beside the step written by hand
    assert all(step["steps_timed"]["preallocated"] >= 16 for step in summary["steps"])
    assert all(step["matmul_over_preallocated"] > 0 for step in summary["steps"])


def test_the_quick_run_covers_both_layers_and_the_convolutions_loops(quick_run):
    stdout, written = quick_run
    layers, loops = written["summary"]["layers"], written["summary"]["conv_loops"]
    assert [s["name"] for s in layers] == ["conv2d 2->3 3x3 pad1 b2 5x5 float32", "attention b2 T4 d8 float64"]
    assert [s["target"] for s in layers] == [1.0, None]
    assert "<=  1.00" in next(line for line in stdout.splitlines() if line.startswith("conv2d 2->3"))
    assert all(len(s["first_losses"]["bp_lib"]) == 2 for s in layers)
    assert [s["name"] for s in loops] == ["conv2d 2->2 3x3 pad1 b1 4x4 float64"]
    assert all(min(s["calls_timed"].values()) >= 16 and s["loops_over_im2col"] > 0 for s in loops)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed")
def test_both_libraries_compute_the_same_first_two_losses_from_the_same_weights(quick_run):
    for s in quick_run[1]["summary"]["layers"]:
        assert s["median_seconds"]["torch"] > 0
        assert s["first_loss_difference"] < 1e-5, (s["name"], s["first_losses"])  # forward, gradients, update


def test_the_report_prints_only_the_parts_that_were_measured(quick_run):
    raw = quick_run[1]["raw"]
    for kept in (("layers", "conv_loops"), ("steps",), ("digits", "memory")):
        results = {k: v for k, v in raw.items() if k not in HEADINGS or k in kept}
        summary = report.summarise(results)
        assert sorted(summary) == sorted(kept)
        printed = report.table(results, summary)
        assert [part for part, heading in HEADINGS.items() if heading in printed] == [
            part for part in HEADINGS if part in kept
        ]


def test_only_names_parts_of_the_benchmark():
    assert parts_list("layers, loops") == ("layers", "loops")
    assert set(PARTS) == {"steps", "layers", "loops", "memory", "digits"}
    for wrong in ("layer", "", "steps,nothing"):
        with pytest.raises(argparse.ArgumentTypeError, match="name one or more of steps, layers"):
            parts_list(wrong)


def test_a_target_is_printed_even_where_pytorch_was_not_measured():
    from benchmarks.report import _ratio

    assert _ratio(None, 1.0).split() == ["n/a", "<=", "1.00", "n/a"]
    assert _ratio(0.5, 1.0).split() == ["0.50", "<=", "1.00", "yes"]
    assert _ratio(0.95, 0.9, lower_is_better=False).split() == ["0.95", ">=", "0.90", "yes"]
    assert _ratio(None, None).split() == ["n/a"]
