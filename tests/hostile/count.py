"""Count the hostile-input table's probes by outcome: ``python tests/hostile/count.py``.

Imports every ``tests/hostile/test_*.py``, runs each of its ``PROBES`` and prints how many
ended in each outcome of ``probes.OUTCOMES``, per file and in total, then every probe that
did not have the outcome it must have. Run it on an older checkout (with this folder and
``tests/probes.py`` copied in) to count how the library behaved before a change.
"""

import importlib.util
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from probes import OUTCOMES, run  # noqa: E402


def _probes_of(path):
    spec = importlib.util.spec_from_file_location(f"hostile_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - an older library may lack a name
        print(f"{path.name}: cannot import ({type(error).__name__}: {error})")
        return []
    return module.PROBES


def main():
    total, failures = Counter(), []
    for path in sorted(HERE.glob("test_*.py")):
        counts = Counter()
        for probe in _probes_of(path):
            got, detail = run(probe)
            counts[got] += 1
            if got != probe.wanted:
                failures.append(f"  {path.stem} / {probe.name}: {got}: {detail[:160]}")
        total += counts
        print(f"{path.stem:28} " + "  ".join(f"{o}: {counts[o]}" for o in OUTCOMES if counts[o]))
    print(f"{'total':28} {sum(total.values())} probes: " + ", ".join(f"{o} {total[o]}" for o in OUTCOMES))
    if failures:
        print(f"{len(failures)} probes without the outcome they must have:")
        print("\n".join(failures))


if __name__ == "__main__":
    main()
