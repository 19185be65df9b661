"""Every donor's standing at once (``Donor.next_eligible_on`` and friends), for the data
migration, the state seeder and ``manage.py refresh_eligibility`` (run it after changing an
interval, a 12-month limit or the apheresis switch in settings).

One donor's standing is written by ``donor_refresh_eligibility`` (below) from
``donors.eligibility.standing``; this is the same computation in one SQL statement per batch
of donors on PostgreSQL (tests/donors/test_standing.py holds the two equal), and that
function in a loop elsewhere (SQLite: the tests and a laptop).
"""

from django.db import connection, transaction
from django.db.models import Max, Min

from .eligibility import DonorFacts, standing
from .models import Donor
from .selectors import facts_for

BATCH = 50_000

_SQL = """
WITH r (profile, sex, interval_days, per_year, switch_days) AS (
    VALUES {rules}
), d AS (
    SELECT dd.id, dd.sex, dd.external_last_donation_on, r.interval_days, r.per_year,
           r.switch_days
    FROM donors_donor dd
    JOIN r ON r.profile = {profile} AND r.sex = dd.sex
    WHERE dd.id {among}
), wb AS (
    SELECT donor_id, on_,
           row_number() OVER (PARTITION BY donor_id ORDER BY on_ DESC) AS rn
    FROM (
        SELECT donor_id, donated_on AS on_ FROM donors_donation
        WHERE donor_id {among} AND kind = 'whole_blood'
          AND outcome IN ('collected', 'adverse_reaction')
        UNION ALL
        SELECT id, external_last_donation_on FROM d WHERE external_last_donation_on IS NOT NULL
    ) s
), wb_by_donor AS (
    SELECT wb.donor_id, max(wb.on_) AS last_on,
           max(wb.on_) FILTER (WHERE wb.rn = d.per_year) AS kth_on
    FROM wb JOIN d ON d.id = wb.donor_id
    GROUP BY wb.donor_id
), ap AS (
    SELECT donor_id, max(donated_on) AS last_on FROM donors_donation
    WHERE donor_id {among} AND kind = 'apheresis'
      AND outcome IN ('collected', 'adverse_reaction')
    GROUP BY donor_id
), df AS (
    SELECT donor_id, max(until) AS until, bool_or(until IS NULL) AS permanent,
           max(starts_on) AS latest_start
    FROM donors_deferral WHERE donor_id {among}
    GROUP BY donor_id
)
UPDATE donors_donor t SET
    next_eligible_on = GREATEST(
        wb_by_donor.last_on + d.interval_days,
        wb_by_donor.kth_on + 365,
        ap.last_on + d.switch_days,
        df.until
    ),
    permanently_deferred = COALESCE(df.permanent, false),
    rules_profile = {profile_set},
    last_donated_on = GREATEST(wb_by_donor.last_on, ap.last_on),
    eligibility_settled_on = GREATEST(wb_by_donor.last_on, ap.last_on, df.latest_start)
FROM d
LEFT JOIN wb_by_donor ON wb_by_donor.donor_id = d.id
LEFT JOIN ap ON ap.donor_id = d.id
LEFT JOIN df ON df.donor_id = d.id
WHERE t.id = d.id
"""


_RANGE = "BETWEEN %(lo)s AND %(hi)s"  # a batch of the whole table: ids lo to hi
_LISTED = "= ANY(%(ids)s)"  # a batch of the donors listed (a unit's, scattered over the ids)


def _statement(among: str = _RANGE, profile: str | None = None) -> tuple[str, dict]:
    """The refresh's SQL with each profile's and sex's numbers as a VALUES list, and its
    parameters; with ``profile``, the donors are given that rules profile in the same
    UPDATE (a unit's rules changed: one write of each row, not two)."""
    from .choices import Sex
    from .eligibility import Rules, profiles

    rows, params = [], {}
    for p, name in enumerate(profiles()):
        rules = Rules.for_profile(name)
        for sex in Sex:
            key = f"{p}_{sex}"
            rows.append(
                f"(%(profile_{key})s, %(sex_{key})s, %(interval_{key})s::integer,"
                f" %(limit_{key})s::integer, %(switch_{key})s::integer)"
            )
            params.update(
                {
                    f"profile_{key}": name,
                    f"sex_{key}": str(sex),
                    f"interval_{key}": rules.interval_days[sex],
                    f"limit_{key}": rules.max_donations_12m[sex],
                    f"switch_{key}": rules.switch_days,
                }
            )
    if profile is not None:
        params["new_profile"] = profile
    held = "dd.rules_profile" if profile is None else "%(new_profile)s"
    kept = "t.rules_profile" if profile is None else "%(new_profile)s"
    return _SQL.format(rules=", ".join(rows), among=among, profile=held, profile_set=kept), params


def refresh_all(
    *, batch: int = BATCH, using=None, out=None, units=None, profile: str | None = None
) -> int:
    """Recompute every donor's standing (with ``units``, a list of unit ids, only their
    donors', and with ``profile`` too, under that rules profile, which they are given);
    returns how many donors were written. Batches of ``batch`` donor ids, each its own
    transaction (inside the caller's, when there is one), so a state (a million donors)
    neither holds one long lock nor one huge sort."""
    conn = connection if using is None else using
    donors = Donor.objects.using(conn.alias)
    if units is not None:
        donors = donors.filter(unit_id__in=units)
    if conn.vendor != "postgresql":
        if profile is not None:
            donors.update(rules_profile=profile)
        return _refresh_in_python(batch, donors) if donors.exists() else 0
    if units is not None:  # the units' donors, by their ids: a few among a state's
        ids = list(donors.order_by("pk").values_list("pk", flat=True))
        sql, params = _statement(_LISTED, profile)
        batches = [{"ids": ids[i : i + batch]} for i in range(0, len(ids), batch)]
    else:
        bounds = donors.aggregate(low=Min("pk"), high=Max("pk"))
        low, high = bounds["low"], bounds["high"]
        if low is None:
            return 0
        sql, params = _statement(_RANGE)
        batches = [{"lo": lo, "hi": lo + batch - 1} for lo in range(low, high + 1, batch)]
    written = 0
    for bounds in batches:
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute(sql, {**params, **bounds})
            written += cursor.rowcount
        if out is not None:
            out.write(f"standing: {written} donors\n")
    return written


def _refresh_in_python(batch: int, donors) -> int:
    from .selectors import with_eligibility_facts

    written = 0
    for donor in with_eligibility_facts(donors.order_by("pk")).iterator(chunk_size=batch):
        donor_refresh_eligibility(donor)
        written += 1
    return written


def donor_refresh_eligibility(donor: Donor, *, facts=None) -> Donor:
    """Recompute and store ``donor``'s standing (``Donor.next_eligible_on``,
    ``permanently_deferred``, ``last_donated_on``, ``eligibility_settled_on``) from its
    donations and deferrals by ``donors.eligibility.standing``: the one writer of those
    fields. Every service that changes a donation, a deferral, the outside last donation or
    the donor's sex calls it in its own transaction (three queries; one when the caller
    passes the ``facts`` it already read, with its own change in them, as the camp table's
    ``donation_record`` does)."""
    if facts is None:
        for name in ("drawn_donations", "all_deferrals"):  # a prefetch may be stale by now
            donor.__dict__.pop(name, None)
        facts = facts_for(donor)
    now = standing(facts)
    values = {
        "next_eligible_on": now.next_eligible_on,
        "permanently_deferred": now.permanently_deferred,
        "last_donated_on": now.last_donated_on,
        "eligibility_settled_on": now.settled_on,
    }
    Donor.objects.filter(pk=donor.pk).update(**values)
    for name, value in values.items():
        setattr(donor, name, value)
    return donor


def standing_of_new(donor: Donor) -> Donor:
    """Set (unsaved) the standing of a donor not yet written, who has no donation or
    deferral yet, only perhaps an outside last donation: ``donor_refresh_eligibility``'s
    answer without its queries, for a bulk registration."""
    now = standing(
        DonorFacts(
            sex=donor.sex,
            date_of_birth=donor.date_of_birth,
            weight_kg=donor.weight_kg,
            external_last_donation_on=donor.external_last_donation_on,
            profile=donor.rules_profile,
        )
    )
    donor.next_eligible_on = now.next_eligible_on
    donor.permanently_deferred = now.permanently_deferred
    donor.last_donated_on = now.last_donated_on
    donor.eligibility_settled_on = now.settled_on
    return donor


# A refresh under way (a state's takes minutes): the periodic task does not start another.
_REFRESH_LOCK = "donors:refresh-stale-eligibility"


def refresh_if_stale(*, out=None) -> list[str]:
    """When the stored eligibility was computed under other numbers than the settings say
    now (``pool.stale_profiles``: RULES_PROFILE or an interval changed at a deploy), compute
    every donor's standing and the pool again: what ``manage.py refresh_eligibility`` does,
    run by the pool's periodic task so nobody has to remember it. Returns the profiles that
    were stale."""
    from django.core.cache import cache

    from . import pool

    stale = pool.stale_profiles()
    if not stale or not cache.add(_REFRESH_LOCK, 1, timeout=3600):
        return stale
    try:
        refresh_all(out=out)
        pool.rebuild()
    finally:
        cache.delete(_REFRESH_LOCK)
    return stale
