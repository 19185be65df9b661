"""How many donors may give whole blood on a day, per blood group, without reading the donors.

``donors.selectors.eligible_on`` decides one donor at a time in the database; counting a
state's pool that way reads a million donor rows per day asked. Every donor is eligible on
an interval of days, though, as far as the stored fields say:

- from the latest of ``next_eligible_on``, ``eligibility_settled_on`` and the day it reaches
  the minimum age;
- until (not including) the day it passes the maximum age, or the first-time donor's
  maximum age while it has never given;
- never while erased, permanently deferred or recorded under the minimum weight.

So each donor is two steps, +1 on its first day and -1 on its last, kept in
``EligiblePoolStep`` per police unit, blood group and day, and "eligible on D" is the sum
of the steps dated D or earlier: a few thousand rows for a state, not a million.

What the steps cannot say is a donor with a fact dated after D (``eligibility_settled_on``
> D: a deferral that starts later, or a question about the past): ``eligible_on`` decides
those from their history, and so does ``eligible_counts``, for those few donors only.
``tests/donors/test_standing.py`` holds ``eligible_counts`` equal to ``eligible_on`` (and so
to ``check_eligibility``) for every group and date after every kind of write.

**How the steps are kept** (PostgreSQL): statement-level triggers on ``donors_donor``
(insert, update, delete; ``install``) append the difference a statement made, whatever wrote
it (a service, ``QuerySet.update``, the bulk standing SQL, ``COPY``). Appending takes no
lock on a shared row, so two camp tables never wait for each other. ``compact`` (beat,
``DONOR_POOL_COMPACT_MINUTES``) folds the new steps into one per unit, group and day, and
the steps of days gone by onto today: ``EligiblePoolState.floor``, from which the steps
answer. ``rebuild`` recomputes them all (the migration, ``refresh_eligibility``, a bulk
load after ``suspend``). Each donor's steps follow the limits of its rules profile
(``Donor.rules_profile``: a unit may hold Vietnam's rules in an Indian deployment), read from
``EligiblePoolLimits``, so changing a limit in settings makes ``eligible_counts`` decline
(the callers then count the donors) until ``manage.py refresh_eligibility`` rebuilds, or
the periodic task does (``stale_profiles``). A unit's change of rules needs no rebuild: its
donors' rows are updated, and the trigger counts them under their new profile's limits.
SQLite keeps no steps: the callers count the donors, as before.
"""

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .choices import Sex
from .eligibility import Rules, profiles
from .models import Donor, EligiblePoolLimits, EligiblePoolStep  # noqa: F401 (callers)

# The first day someone born on ``dob`` is at least ``years`` old, as ``selectors._born_by``
# counts: the birthday ``years`` on, and for one born on 29 February, 1 March in a common
# year (PostgreSQL's year arithmetic gives 28 February there: the day of the month moved).
# Tests hold it to _born_by.
AGE_REACHED_SQL = """
CREATE OR REPLACE FUNCTION donors_age_reached(dob date, years integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (dob + make_interval(years => years))::date
          + CASE WHEN extract(day FROM dob + make_interval(years => years))
                      <> extract(day FROM dob) THEN 1 ELSE 0 END $$
"""


# The steps of the donor rows of {rows} (a table or a transition table), times {sign}; the
# limits are those of each donor's rules profile, so no limits rows (not kept), no steps.
_STEPS_OF = """
    SELECT r.unit_id, r.blood_group, v.day, v.n
    FROM {rows} r
    JOIN donors_eligiblepoollimits s ON s.profile = r.rules_profile
    CROSS JOIN LATERAL (
        SELECT GREATEST(r.next_eligible_on, r.eligibility_settled_on,
                        donors_age_reached(r.date_of_birth, s.min_age)) AS first,
               LEAST(donors_age_reached(r.date_of_birth, s.max_age + 1),
                     CASE WHEN r.last_donated_on IS NULL
                          THEN donors_age_reached(r.date_of_birth, s.first_time_max_age + 1)
                     END) AS past
    ) w
    CROSS JOIN LATERAL (VALUES (w.first, {sign}), (w.past, {minus})) v (day, n)
    WHERE r.erased_at IS NULL AND NOT r.permanently_deferred
      AND (r.weight_kg IS NULL OR r.weight_kg >= CASE r.sex WHEN 'M' THEN s.min_weight_male
                                                            WHEN 'F' THEN s.min_weight_female
                                                            ELSE s.min_weight_other END)
      AND w.first < w.past
"""


def _steps_of(rows: str, sign: int) -> str:
    return _STEPS_OF.format(rows=rows, sign=sign, minus=-sign)


_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION donors_pool_steps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO donors_eligiblepoolstep (unit_id, blood_group, day, donors)
    SELECT unit_id, blood_group, day, sum(n) FROM ({new}) c
    GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO donors_eligiblepoolstep (unit_id, blood_group, day, donors)
    SELECT unit_id, blood_group, day, sum(n) FROM ({old}) c
    GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO donors_eligiblepoolstep (unit_id, blood_group, day, donors)
    SELECT unit_id, blood_group, day, sum(n) FROM ({new} UNION ALL {old}) c
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END $$
"""

TRIGGER_SQL = [
    AGE_REACHED_SQL,
    _TRIGGER_FUNCTION.format(new=_steps_of("new_rows", 1), old=_steps_of("old_rows", -1)),
    "DROP TRIGGER IF EXISTS donors_pool_insert ON donors_donor",
    "DROP TRIGGER IF EXISTS donors_pool_update ON donors_donor",
    "DROP TRIGGER IF EXISTS donors_pool_delete ON donors_donor",
    """CREATE TRIGGER donors_pool_insert AFTER INSERT ON donors_donor
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION donors_pool_steps()""",
    """CREATE TRIGGER donors_pool_update AFTER UPDATE ON donors_donor
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION donors_pool_steps()""",
    """CREATE TRIGGER donors_pool_delete AFTER DELETE ON donors_donor
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION donors_pool_steps()""",
]

UNINSTALL_SQL = [
    "DROP TRIGGER IF EXISTS donors_pool_insert ON donors_donor",
    "DROP TRIGGER IF EXISTS donors_pool_update ON donors_donor",
    "DROP TRIGGER IF EXISTS donors_pool_delete ON donors_donor",
    "DROP FUNCTION IF EXISTS donors_pool_steps()",
    "DROP FUNCTION IF EXISTS donors_age_reached(date, integer)",
]


def _conn(using):
    return connection if using is None else using


def install(using=None) -> None:
    """Create (or replace) the triggers; PostgreSQL only. A change to their SQL needs a
    migration that calls this again."""
    conn = _conn(using)
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for sql in TRIGGER_SQL:
            cursor.execute(sql)


def uninstall(using=None) -> None:
    conn = _conn(using)
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for sql in UNINSTALL_SQL:
            cursor.execute(sql)


def _limits_rows() -> list[dict]:
    """What ``EligiblePoolLimits`` should hold under today's settings: a row per profile."""
    rows = []
    for profile in profiles():
        rules = Rules.for_profile(profile)
        rows.append(
            {
                "profile": profile,
                "min_age": rules.min_age,
                "max_age": rules.max_age,
                "first_time_max_age": rules.first_time_max_age,
                "min_weight_male": rules.min_weight_for(Sex.MALE),
                "min_weight_female": rules.min_weight_for(Sex.FEMALE),
                "min_weight_other": rules.min_weight_for(Sex.OTHER),
                "standing": _standing_numbers(rules),
            }
        )
    return rows


def _standing_numbers(rules: Rules) -> dict:
    """The numbers ``Donor.next_eligible_on`` is computed with (``donors.standing``)."""
    return {
        "interval": {str(sex): rules.interval_days[sex] for sex in Sex},
        "max_12m": {str(sex): rules.max_donations_12m[sex] for sex in Sex},
        "switch": rules.switch_days,
    }


_LIMIT_FIELDS = (
    "min_age",
    "max_age",
    "first_time_max_age",
    "min_weight_male",
    "min_weight_female",
    "min_weight_other",
)


_REBUILD_SQL = """
INSERT INTO donors_eligiblepoolstep (unit_id, blood_group, day, donors)
SELECT unit_id, blood_group, GREATEST(day, %(floor)s), sum(n)
FROM ({steps}) c
GROUP BY 1, 2, 3 HAVING sum(n) <> 0
""".format(steps=_steps_of("donors_donor", 1))


def rebuild(*, using=None, today: date | None = None) -> int:
    """Recompute every step from the donors, under today's limits of each rules profile,
    and record those limits (``EligiblePoolLimits``, every database: ``stale_profiles``
    reads them); returns the steps written. Donor writes wait meanwhile (the donor table is
    locked in SHARE mode), so no change is counted twice or missed. The steps are
    PostgreSQL's only (0 elsewhere)."""
    conn = _conn(using)
    with transaction.atomic(using=conn.alias):
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("LOCK TABLE donors_donor IN SHARE MODE")
        limits = EligiblePoolLimits.objects.using(conn.alias)
        limits.all().delete()
        limits.bulk_create([EligiblePoolLimits(**row) for row in _limits_rows()])
        if conn.vendor != "postgresql":
            return 0
        values = {"floor": today or timezone.localdate(), "now": timezone.now()}
        with conn.cursor() as cursor:
            cursor.execute("DELETE FROM donors_eligiblepoolstep")
            cursor.execute(
                """
                INSERT INTO donors_eligiblepoolstate (id, floor, compacted_through, rebuilt_at)
                VALUES (1, %(floor)s, 0, %(now)s)
                ON CONFLICT (id) DO UPDATE SET
                    floor = EXCLUDED.floor, rebuilt_at = EXCLUDED.rebuilt_at
                """,
                values,
            )
            cursor.execute(_REBUILD_SQL, values)
            written = cursor.rowcount
            cursor.execute(
                "UPDATE donors_eligiblepoolstate SET compacted_through ="
                " (SELECT coalesce(max(id), 0) FROM donors_eligiblepoolstep)"
            )
    return written


def suspend(*, using=None) -> None:
    """Stop keeping the steps (before a bulk load: the triggers then write nothing, and
    ``eligible_counts`` declines) until the next ``rebuild``."""
    conn = _conn(using)
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute("DELETE FROM donors_eligiblepoolstate")
        cursor.execute("DELETE FROM donors_eligiblepoolstep")
        cursor.execute("DELETE FROM donors_eligiblepoollimits")


def compact(*, using=None, today: date | None = None) -> int | None:
    """Fold the steps appended since the last run into one per unit, group and day, and
    every step dated before ``today`` onto ``today`` (the floor moves up to it); returns the
    steps that replaced them, None when nothing is kept. New steps wait for it (the step
    table is locked in EXCLUSIVE mode: reads go on)."""
    conn = _conn(using)
    if conn.vendor != "postgresql":
        return None
    today = today or timezone.localdate()
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("LOCK TABLE donors_eligiblepoolstep IN EXCLUSIVE MODE")
        cursor.execute(
            "SELECT floor, compacted_through FROM donors_eligiblepoolstate WHERE id = 1 FOR UPDATE"
        )
        row = cursor.fetchone()
        if row is None:
            return None
        floor, last = row
        floor = max(floor, today)
        params = {"floor": floor, "last": last}
        cursor.execute("DROP TABLE IF EXISTS pool_gone")
        cursor.execute(
            """CREATE TEMPORARY TABLE pool_gone (unit_id bigint, blood_group varchar(3),
               day date, donors integer)"""
        )
        # The new steps and the past ones, then every other step on the same keys.
        cursor.execute(
            """
            WITH gone AS (
                DELETE FROM donors_eligiblepoolstep WHERE day < %(floor)s OR id > %(last)s
                RETURNING unit_id, blood_group, GREATEST(day, %(floor)s) AS day, donors
            )
            INSERT INTO pool_gone SELECT * FROM gone
            """,
            params,
        )
        cursor.execute(
            """
            WITH keys AS (SELECT DISTINCT unit_id, blood_group, day FROM pool_gone),
            gone AS (
                DELETE FROM donors_eligiblepoolstep s USING keys k
                WHERE s.unit_id = k.unit_id AND s.day = k.day AND s.blood_group = k.blood_group
                RETURNING s.unit_id, s.blood_group, s.day, s.donors
            )
            INSERT INTO pool_gone SELECT * FROM gone
            """
        )
        cursor.execute(
            """
            INSERT INTO donors_eligiblepoolstep (unit_id, blood_group, day, donors)
            SELECT unit_id, blood_group, day, sum(donors) FROM pool_gone
            GROUP BY 1, 2, 3 HAVING sum(donors) <> 0
            """
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE pool_gone")
        cursor.execute(
            """UPDATE donors_eligiblepoolstate SET floor = %(floor)s,
                compacted_through = (SELECT coalesce(max(id), 0) FROM donors_eligiblepoolstep)""",
            params,
        )
    return written


_STATE_SQL = """
SELECT s.floor, l.profile, {fields}
FROM donors_eligiblepoolstate s JOIN donors_eligiblepoollimits l ON true
WHERE s.id = 1
""".format(fields=", ".join(f"l.{name}" for name in _LIMIT_FIELDS))


def _state() -> list[tuple] | None:
    """The floor and the limits the steps were kept under, per profile, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL)
        return cursor.fetchall()


def _answers_from(state: list[tuple] | None) -> date | None:
    """The first day the steps answer for under the limits in force; None: they don't."""
    if not state:
        return None
    kept = {row[1]: tuple(row[2:]) for row in state}
    for row in _limits_rows():
        if kept.get(row["profile"]) != tuple(row[name] for name in _LIMIT_FIELDS):
            return None
    return state[0][0]


def stale_profiles(*, using=None) -> list[str]:
    """The rules profiles whose stored standing (``Donor.next_eligible_on``) or pool steps
    were computed under numbers other than today's settings (a RULES_PROFILE or an interval
    changed since): ``manage.py refresh_eligibility`` (or the pool's periodic task, which
    runs it when this is not empty) computes them again. Blank when nothing was ever
    recorded (a database that never ran ``rebuild``)."""
    stored = {
        row.profile: row for row in EligiblePoolLimits.objects.using(_conn(using).alias).all()
    }
    if not stored:
        return []
    stale = []
    for row in _limits_rows():
        kept = stored.get(row["profile"])
        if (
            kept is None
            or kept.standing != row["standing"]
            or any(getattr(kept, name) != row[name] for name in _LIMIT_FIELDS)
        ):
            stale.append(row["profile"])
    return stale


def eligible_counts(donors: QuerySet, steps: QuerySet, dates) -> dict[date, dict[str, int]] | None:
    """The donors of ``donors`` who pass ``eligible_on``'s whole-blood test on each day of
    ``dates``, counted per blood group: what ``eligible_on(donors, day)`` grouped by
    ``blood_group`` counts, exactly. ``steps`` is ``EligiblePoolStep`` narrowed the same way
    as ``donors`` (the same unit subtree and group filters).

    Three queries: the state (the floor and the limits the steps were kept under), the sum
    of the steps, and the donors with a fact dated after the first day (a deferral still to
    start: few), whose count on each day is then asked of ``whole_blood_eligible`` (a fourth
    query, when there are any). None when the steps cannot answer (SQLite, not kept, other
    limits in settings, a day before the floor), after one query: the caller then counts
    the donors."""
    from .selectors import whole_blood_eligible

    if connection.vendor != "postgresql":
        return None
    dates = sorted(set(dates))
    if not dates:
        return {}
    floor = _answers_from(_state())
    if floor is None or floor > dates[0]:
        return None
    sums = {f"on_{i}": Sum("donors", filter=Q(day__lte=on)) for i, on in enumerate(dates)}
    rows = list(steps.filter(day__lte=dates[-1]).order_by().values("blood_group").annotate(**sums))
    settling = list(
        donors.filter(eligibility_settled_on__gt=dates[0]).order_by().values_list("pk", flat=True)
    )
    if settling:
        later = {
            f"on_{i}": Count(
                "pk", filter=Q(eligibility_settled_on__gt=on) & whole_blood_eligible(on)
            )
            for i, on in enumerate(dates)
        }
        rows += list(
            Donor.objects.filter(pk__in=settling).order_by().values("blood_group").annotate(**later)
        )
    # A compaction meanwhile may have folded steps onto a later floor: never past its own
    # today, so a first day from today on is safe; an earlier one is checked again.
    if dates[0] < timezone.localdate():
        floor = _answers_from(_state())
        if floor is None or floor > dates[0]:
            return None
    found: dict[date, dict[str, int]] = {on: {} for on in dates}
    for row in rows:
        for i, on in enumerate(dates):
            n = row[f"on_{i}"] or 0
            if n:
                group = row["blood_group"]
                found[on][group] = found[on].get(group, 0) + n
    return {on: {g: n for g, n in counts.items() if n} for on, counts in found.items()}
