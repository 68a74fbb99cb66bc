"""Shared test settings: the hypothesis profile used in CI and locally."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,  # timing varies on a shared 2-core machine; correctness is what we test
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "30")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")
