"""Every donor's standing at once (``Donor.next_eligible_on`` and friends), for the data
migration, the state seeder and ``manage.py refresh_eligibility`` (run it after changing an
interval, a 12-month limit or the apheresis switch in settings).

One donor's standing is written by ``donor_refresh_eligibility`` (below) from
``donors.eligibility.standing``; this is the same computation in one SQL statement per batch
of donors on PostgreSQL (tests/donors/test_standing.py holds the two equal), and that
function in a loop elsewhere (SQLite: the tests and a laptop).
"""

from django.db import connection, transaction

from .eligibility import DonorFacts, standing
from .models import Donor
from .selectors import facts_for

BATCH = 50_000

_SQL = """
WITH d AS (
    SELECT id, sex, external_last_donation_on FROM donors_donor WHERE id BETWEEN %(lo)s AND %(hi)s
), wb AS (
    SELECT donor_id, on_,
           row_number() OVER (PARTITION BY donor_id ORDER BY on_ DESC) AS rn
    FROM (
        SELECT donor_id, donated_on AS on_ FROM donors_donation
        WHERE donor_id BETWEEN %(lo)s AND %(hi)s AND kind = 'whole_blood'
          AND outcome IN ('collected', 'adverse_reaction')
        UNION ALL
        SELECT id, external_last_donation_on FROM d WHERE external_last_donation_on IS NOT NULL
    ) s
), wb_by_donor AS (
    SELECT wb.donor_id, max(wb.on_) AS last_on,
           max(wb.on_) FILTER (WHERE wb.rn = CASE d.sex WHEN 'M' THEN %(limit_m)s
                                                        WHEN 'F' THEN %(limit_f)s
                                                        ELSE %(limit_o)s END) AS kth_on
    FROM wb JOIN d ON d.id = wb.donor_id
    GROUP BY wb.donor_id
), ap AS (
    SELECT donor_id, max(donated_on) AS last_on FROM donors_donation
    WHERE donor_id BETWEEN %(lo)s AND %(hi)s AND kind = 'apheresis'
      AND outcome IN ('collected', 'adverse_reaction')
    GROUP BY donor_id
), df AS (
    SELECT donor_id, max(until) AS until, bool_or(until IS NULL) AS permanent,
           max(starts_on) AS latest_start
    FROM donors_deferral WHERE donor_id BETWEEN %(lo)s AND %(hi)s
    GROUP BY donor_id
)
UPDATE donors_donor t SET
    next_eligible_on = GREATEST(
        wb_by_donor.last_on + CASE d.sex WHEN 'M' THEN %(interval_m)s
                                         WHEN 'F' THEN %(interval_f)s
                                         ELSE %(interval_o)s END,
        wb_by_donor.kth_on + 365,
        ap.last_on + %(switch)s,
        df.until
    ),
    permanently_deferred = COALESCE(df.permanent, false),
    last_donated_on = GREATEST(wb_by_donor.last_on, ap.last_on),
    eligibility_settled_on = GREATEST(wb_by_donor.last_on, ap.last_on, df.latest_start)
FROM d
LEFT JOIN wb_by_donor ON wb_by_donor.donor_id = d.id
LEFT JOIN ap ON ap.donor_id = d.id
LEFT JOIN df ON df.donor_id = d.id
WHERE t.id = d.id
"""


def _params() -> dict:
    from .choices import Sex
    from .eligibility import Rules

    rules = Rules.from_settings()
    return {
        "limit_m": rules.max_donations_12m[Sex.MALE],
        "limit_f": rules.max_donations_12m[Sex.FEMALE],
        "limit_o": rules.max_donations_12m[Sex.OTHER],
        "interval_m": rules.interval_days[Sex.MALE],
        "interval_f": rules.interval_days[Sex.FEMALE],
        "interval_o": rules.interval_days[Sex.OTHER],
        "switch": rules.switch_days,
    }


def refresh_all(*, batch: int = BATCH, using=None, out=None) -> int:
    """Recompute every donor's standing; returns how many donors were written. Batches of
    ``batch`` donor ids, each its own transaction, so a state (a million donors) neither
    holds one long lock nor one huge sort."""
    conn = connection if using is None else using
    with conn.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM donors_donor")
        low, high = cursor.fetchone()
    if low is None:
        return 0
    if conn.vendor != "postgresql":
        return _refresh_in_python(batch)
    params = _params()
    written = 0
    for lo in range(low, high + 1, batch):
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute(_SQL, {**params, "lo": lo, "hi": lo + batch - 1})
            written += cursor.rowcount
        if out is not None:
            out.write(f"standing: {written} donors\n")
    return written


def _refresh_in_python(batch: int) -> int:
    from .selectors import with_eligibility_facts

    written = 0
    for donor in with_eligibility_facts(Donor.objects.order_by("pk")).iterator(chunk_size=batch):
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
        )
    )
    donor.next_eligible_on = now.next_eligible_on
    donor.permanently_deferred = now.permanently_deferred
    donor.last_donated_on = now.last_donated_on
    donor.eligibility_settled_on = now.settled_on
    return donor
