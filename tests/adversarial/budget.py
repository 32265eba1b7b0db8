"""How many cases each adversarial test tries: the hypothesis profile `ci` or `nightly`.

The profile comes from MINSHENG_HYPOTHESIS_PROFILE (ci or nightly); without it every run is
ci, the slow tests included (`pytest -m slow` finishes in minutes): ten times the cases is a
run someone asks for by name. ci is seeded (the same cases each run, so a red run is one
that can be repeated); nightly draws new ones each time. Every test of the suite runs under
the chosen profile (tests/conftest.py loads it).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV_VAR = "MINSHENG_HYPOTHESIS_PROFILE"
PROFILES = ("ci", "nightly")

for _name in PROFILES:
    settings.register_profile(
        _name,
        max_examples=1000 if _name == "nightly" else 100,  # each test sets its own count
        deadline=None,  # timings are never asserted: a slow machine is not a failure
        # ci draws the same cases every run (seeded by each test's name); nightly explores.
        derandomize=_name == "ci",
        # The example database (.hypothesis/, ignored by git) keeps each failure found, so
        # the next run tries it first; print_blob gives the example to pin with @example.
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

_chosen = "ci"


def choose() -> str:
    """Load the profile for this run and return its name."""
    global _chosen
    name = os.environ.get(ENV_VAR, "").strip() or "ci"
    if name not in PROFILES:
        raise ValueError(f"{ENV_VAR} must be one of {', '.join(PROFILES)}, not {name!r}")
    settings.load_profile(name)
    _chosen = name
    return name


def profile() -> str:
    return _chosen


def cases(ci: int, nightly: int) -> int:
    """The number of cases a test tries under the current profile."""
    return nightly if _chosen == "nightly" else ci


choose()
