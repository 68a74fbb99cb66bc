"""The benchmark runner works end to end (a quick run on tiny cases); its timings are not judged."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_quick_benchmark_run_prints_the_table_and_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for heading in ("Training step", "Memory of one step", "Digits end to end", "machine:"):
        assert heading in result.stdout
    summary = json.loads(out.read_text())["summary"]
    for step in summary["steps"]:
        assert step["steps_timed"]["bp_lib"] >= 16 and step["matmul_fraction"] > 0
        assert step["backward_over_forward"] > 0
    assert all(m["peak"] > 0 and m["reference"] > 0 for m in summary["memory"])
    assert 0 < summary["digits"]["target_accuracy"] <= 1
