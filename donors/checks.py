"""A deploy check (run by ``manage.py migrate`` and ``check --database default``): the
donors' stored eligibility was computed under the rules the settings hold now."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections


@register(Tags.database)
def eligibility_rules_current(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    from .pool import stale_profiles

    try:
        stale = stale_profiles(using=connections["default"])
    except DatabaseError:  # not migrated yet: migrate itself will fill the limits
        return []
    if not stale:
        return []
    names = ", ".join(p or "deployment" for p in stale)
    return [
        Warning(
            f"Donors' eligibility was computed under other rules than the settings hold now "
            f"(profiles: {names}).",
            hint="The pool's periodic task computes it again within DONOR_POOL_COMPACT_MINUTES;"
            " or run `manage.py refresh_eligibility` now.",
            id="donors.W001",
        )
    ]
