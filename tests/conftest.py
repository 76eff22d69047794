"""Shared test configuration: hypothesis profiles.

The ``ci`` profile (the default) runs a moderate number of examples without deadlines,
since CI machines are shared; ``DIGIMAAT_HYPOTHESIS_PROFILE=thorough`` runs more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("DIGIMAAT_HYPOTHESIS_PROFILE", "ci"))
