"""What the benchmark measures: the training-step cases, the round counts and the digits run."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class StepCase:
    """One training step of an MLP with ``sizes`` on a batch of ``batch`` rows in ``dtype``."""

    sizes: tuple[int, ...]
    batch: int
    dtype: str

    @property
    def name(self) -> str:
        return f"{'-'.join(map(str, self.sizes))} b{self.batch} {self.dtype}"

    def to_json(self) -> dict:
        return asdict(self)


BIG = (784, 512, 512, 10)
TUTORIAL = (64, 128, 10)

FULL = {
    "steps": [StepCase(BIG, batch, dtype) for dtype in ("float32", "float64") for batch in (64, 256, 1024)]
    + [StepCase(TUTORIAL, 32, dtype) for dtype in ("float32", "float64")],
    "rounds": 6,  # per side, alternating A, B, A, B; at least 20 timed steps each in all
    "round_seconds": 0.4,  # timed work per side and round (at least 8 steps)
    "memory": [StepCase(BIG, 256, "float64"), StepCase(BIG, 1024, "float32"), StepCase(TUTORIAL, 32, "float64")],
    "digits_epochs": 60,
    "digits_repeats": 3,
}

QUICK = {  # a smoke run: every code path once, in seconds; its figures mean nothing
    "steps": [StepCase((20, 16, 10), 8, "float32"), StepCase((20, 16, 10), 8, "float64")],
    "rounds": 2,
    "round_seconds": 0.01,
    "memory": [StepCase((20, 16, 10), 8, "float64")],
    "digits_epochs": 2,
    "digits_repeats": 1,
}
