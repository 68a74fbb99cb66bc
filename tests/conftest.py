"""Shared test settings: the hypothesis profiles, ``ci`` loaded by default.

``HYPOTHESIS_PROFILE=thorough pytest tests`` runs many more examples per property;
``HYPOTHESIS_EXAMPLES=n`` sets the number of examples of the ``ci`` profile.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,  # timing varies on a shared 2-core machine; correctness is what we test
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "30")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
