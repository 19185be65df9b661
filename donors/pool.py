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
load after ``suspend``). The age and weight limits are read from that state row, so
changing them in settings makes ``eligible_counts`` decline (the callers then count the
donors) until ``manage.py refresh_eligibility`` rebuilds. SQLite keeps no steps: the
callers count the donors, as before.
"""

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .eligibility import Rules
from .models import Donor, EligiblePoolState

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
# limits come from the state row, so no state row, no steps.
_STEPS_OF = """
    SELECT r.unit_id, r.blood_group, v.day, v.n
    FROM {rows} r
    CROSS JOIN donors_eligiblepoolstate s
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
      AND (r.weight_kg IS NULL OR r.weight_kg >= s.min_weight_kg)
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


def _state_values(today: date) -> dict:
    rules = Rules.from_settings()
    return {
        "floor": today,
        "min_age": rules.min_age,
        "max_age": rules.max_age,
        "first_time_max_age": rules.first_time_max_age,
        "min_weight_kg": rules.min_weight_kg,
        "now": timezone.now(),
    }


_REBUILD_SQL = """
INSERT INTO donors_eligiblepoolstep (unit_id, blood_group, day, donors)
SELECT unit_id, blood_group, GREATEST(day, %(floor)s), sum(n)
FROM ({steps}) c
GROUP BY 1, 2, 3 HAVING sum(n) <> 0
""".format(steps=_steps_of("donors_donor", 1))


def rebuild(*, using=None, today: date | None = None) -> int:
    """Recompute every step from the donors, under today's limits; returns the steps
    written. Donor writes wait meanwhile (the donor table is locked in SHARE mode), so no
    change is counted twice or missed. PostgreSQL only (0 elsewhere)."""
    conn = _conn(using)
    if conn.vendor != "postgresql":
        return 0
    values = _state_values(today or timezone.localdate())
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("LOCK TABLE donors_donor IN SHARE MODE")
        cursor.execute("DELETE FROM donors_eligiblepoolstep")
        cursor.execute(  # the state first: the steps' SQL reads the limits from it
            """
            INSERT INTO donors_eligiblepoolstate (id, floor, min_age, max_age,
                first_time_max_age, min_weight_kg, compacted_through, rebuilt_at)
            VALUES (1, %(floor)s, %(min_age)s, %(max_age)s, %(first_time_max_age)s,
                    %(min_weight_kg)s, 0, %(now)s)
            ON CONFLICT (id) DO UPDATE SET
                floor = EXCLUDED.floor, min_age = EXCLUDED.min_age,
                max_age = EXCLUDED.max_age, first_time_max_age = EXCLUDED.first_time_max_age,
                min_weight_kg = EXCLUDED.min_weight_kg, rebuilt_at = EXCLUDED.rebuilt_at
            """,
            values,
        )
        cursor.execute(_REBUILD_SQL, values)
        written = cursor.rowcount
        cursor.execute(
            "UPDATE donors_eligiblepoolstate"
            " SET compacted_through = (SELECT coalesce(max(id), 0) FROM donors_eligiblepoolstep)"
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


def _answers_from(state: dict | None) -> date | None:
    """The first day the steps answer for under the limits in force; None: they don't."""
    if state is None:
        return None
    rules = Rules.from_settings()
    kept = (state["min_age"], state["max_age"], state["first_time_max_age"])
    if kept != (rules.min_age, rules.max_age, rules.first_time_max_age):
        return None
    if state["min_weight_kg"] != rules.min_weight_kg:
        return None
    # The steps hold one minimum weight for every sex: with a minimum per sex (VN-26), the
    # counts come from the donors themselves until the steps learn it (issue 17).
    if rules.weight_by_sex_differs:
        return None
    return state["floor"]


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
    state = EligiblePoolState.objects.filter(pk=1).values().first()
    floor = _answers_from(state)
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
        state = EligiblePoolState.objects.filter(pk=1).values().first()
        floor = _answers_from(state)
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
