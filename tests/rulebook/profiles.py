"""The settings a rule profile (RULES_PROFILE, issue 17) starts a deployment with, read from
settings_domain itself under that profile, for tests that run under each profile."""

import importlib

from donation_portal import settings_domain

# Every env value settings_domain reads that a profile decides: cleared, so a test sees the
# profile's defaults and not the machine's environment.
PROFILE_ENV = [
    "DONOR_MIN_AGE",
    "DONOR_MAX_AGE",
    "DONOR_MIN_WEIGHT_KG",
    "DONOR_MIN_WEIGHT_KG_MALE",
    "DONOR_MIN_WEIGHT_KG_FEMALE",
    "DONOR_MIN_WEIGHT_KG_OTHER",
    "DONOR_INTERVAL_DAYS_MALE",
    "DONOR_INTERVAL_DAYS_FEMALE",
    "DONOR_INTERVAL_DAYS_OTHER",
    "DONOR_MAX_DONATIONS_12M_MALE",
    "DONOR_MAX_DONATIONS_12M_FEMALE",
    "DONOR_MAX_DONATIONS_12M_OTHER",
    "DONOR_BAG_VOLUMES_ML",
    "PHONE_DEFAULT_REGION",
    "PHONE_ALLOWED_REGIONS",
]


def load_profile(monkeypatch, profile: str | None, **env) -> dict:
    """settings_domain's names as a start with RULES_PROFILE=profile (and ``env``) makes
    them; the module is read again afterwards as this process started it."""
    for name in PROFILE_ENV:
        monkeypatch.delenv(name, raising=False)
    if profile is None:
        monkeypatch.delenv("RULES_PROFILE", raising=False)
    else:
        monkeypatch.setenv("RULES_PROFILE", profile)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        module = importlib.reload(settings_domain)
        return {name: getattr(module, name) for name in dir(module) if name.isupper()}
    finally:
        monkeypatch.undo()
        importlib.reload(settings_domain)


def apply_profile(monkeypatch, settings, profile: str) -> None:
    """Run the test under ``profile``'s settings (pytest-django's ``settings`` restores them)."""
    for name, value in load_profile(monkeypatch, profile).items():
        setattr(settings, name, value)
