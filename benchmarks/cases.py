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


@dataclass(frozen=True)
class LayerCase:
    """One layer of Part V, trained alone on a fixed batch under a mean-squared error.

    ``kind`` "conv2d": ``shape`` (batch, C, H, W, F, k), ``Conv2d(C, F, k,
    padding=k // 2)`` on X (batch, C, H, W); "attention": ``shape`` (batch, T, d),
    ``SelfAttention(d)`` on X (batch, T, d). ``target`` is the most bp_lib's step time
    may be over PyTorch's (None: no target).
    """

    kind: str
    shape: tuple[int, ...]
    dtype: str
    target: float | None = None

    @property
    def name(self) -> str:
        if self.kind == "conv2d":
            m, C, H, W, F, k = self.shape
            return f"conv2d {C}->{F} {k}x{k} pad{k // 2} b{m} {H}x{W} {self.dtype}"
        m, T, d = self.shape
        return f"attention b{m} T{T} d{d} {self.dtype}"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, fields: dict) -> LayerCase:
        return cls(**{**fields, "shape": tuple(fields["shape"])})


BIG = (784, 512, 512, 10)
TUTORIAL = (64, 128, 10)
CONV = (64, 8, 28, 28, 16, 3)  # batch 64 of 8 x 28 x 28 -> 16 channels, 3x3, padding 1
ATTENTION = (32, 64, 64)  # batch 32, T 64, d 64
CONV_LOOPS = (4, 3, 12, 12, 8, 3)  # small enough for the loops: 4 * 8 * 12 * 12 = 4608 windows

FULL = {
    "steps": [StepCase(BIG, batch, dtype) for dtype in ("float32", "float64") for batch in (64, 256, 1024)]
    + [StepCase(TUTORIAL, 32, dtype) for dtype in ("float32", "float64")],
    "rounds": 6,  # per side, alternating A, B, A, B; at least 20 timed steps each in all
    "round_seconds": 0.4,  # timed work per side and round (at least 8 steps)
    "memory": [StepCase(BIG, 256, "float64"), StepCase(BIG, 1024, "float32"), StepCase(TUTORIAL, 32, "float64")],
    # Part V's layers against PyTorch, trained alone under an MSE (no head: the layer is the only work).
    # Targets (bp_lib / torch) set from a first measurement (3 December 2026, load 3-5 on 2 cores;
    # bp_lib / torch at 2 threads, then at 1 thread in one process): conv 2.1 / 3.0-3.3x in float32,
    # 2.5 / 1.5-1.6x in float64; attention 0.6-1.24 / 0.75-0.88x in float32, 1.1-1.37 / 0.84-0.89x in float64.
    "layers": [
        # set when im2col's row-layout copy (10-15 ms) alone exceeded torch's step (7.5-10 ms at 1 thread);
        # im2col is now a (C k k, m H W) gather by 9 slab copies (1.6 ms), the step 2x faster than then
        LayerCase("conv2d", CONV, "float32", target=2.0),
        LayerCase("conv2d", CONV, "float64", target=1.5),  # same copy, but torch's float64 conv is 3-4x its float32
        # one head, 15 products of 64-wide matrices against torch's fused SDPA: within 25 %
        LayerCase("attention", ATTENTION, "float32", target=1.25),
        LayerCase("attention", ATTENTION, "float64", target=1.25),
    ],
    # the convolution's loops against im2col (forward + backward); the loops take 80-110 ms a call
    "conv_loops": [LayerCase("conv2d", CONV_LOOPS, dtype) for dtype in ("float32", "float64")],
    "digits_epochs": 60,
    "digits_repeats": 3,
}

QUICK = {  # a smoke run: every code path once, in seconds; its figures mean nothing
    "steps": [StepCase((20, 16, 10), 8, "float32"), StepCase((20, 16, 10), 8, "float64")],
    "rounds": 2,
    "round_seconds": 0.01,
    "memory": [StepCase((20, 16, 10), 8, "float64")],
    "layers": [
        LayerCase("conv2d", (2, 2, 5, 5, 3, 3), "float32", target=1.0),  # a target, to print one
        LayerCase("attention", (2, 4, 8), "float64"),
    ],
    "conv_loops": [LayerCase("conv2d", (1, 2, 4, 4, 2, 3), "float64")],
    "digits_epochs": 2,
    "digits_repeats": 1,
}
