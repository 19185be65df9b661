"""Keeping the dashboard's roll-ups (``dashboard/models.py``) equal to the raw rows.

**How changes are found.** Database triggers on the raw tables (migration
``0002_change_triggers``) write a row to ``FigureChange`` for every insert, update and delete
of a donation or a transfusion, for a new or removed donor, and for a donor, camp or child
whose unit, blood group (or camp's blood centre, donor's reported last donation) changed —
whatever wrote it: a service, ``QuerySet.update``, ``COPY``, the shell. A correction that
moves a donation to another day notes both days; a withdrawal notes the deleted row's day.
So nothing depends on ``recorded_at``/``updated_at`` being set, and nothing is missed.

**How they are applied** (``figures_refresh``): in one transaction, under an advisory lock so
two refreshes never interleave, take the pending changes (``DELETE … RETURNING``: exactly the
rows committed so far; later ones wait for the next run), then recompute from the raw rows:

- ``CollectionDay`` for every day noted, every day a changed donor or camp has donations on;
- ``DonorDay`` for every donor noted (its ``drawn_since`` depends on all its donations) and
  every donor who gave at a changed camp, and ``DonorSpan`` for the same donors from
  their ``DonorDay`` rows;
- ``RegistrationDay`` for every registration day noted;
- ``CollectionMonth`` (per month × unit subtree) for every month of those days, from the
  three day tables above; ``DonorCount`` (distinct donors per subtree by their last day)
  by difference: the changed donors' counts from their old ``DonorSpan`` rows are taken
  away and those from the new ones added (an upsert), so a refresh touches a few rows;
  a police unit moved (its path changed: a trigger notes ``tree``) rebuilds both whole;
- ``TransfusionDay`` and ``TransfusedDay`` for every day noted and every day a changed
  child has transfusions on, then ``TransfusionMonth`` (per month × unit subtree) for every
  month of those days, from those two; a police unit moved rebuilds it whole.

Each is "delete those days' (donors') rows, insert them again from an aggregate over the raw
rows", so a refresh is idempotent and equals ``figures_rebuild`` (everything from scratch),
which is used when there are more than ``DASHBOARD_FIGURES_REBUILD_OVER`` changes pending
(a bulk load), when the tables were never filled, and on SQLite (the embedded default: no
triggers there; the demo's data is small, and the beat rebuilds every few minutes).

The Celery beat runs ``dashboard.tasks.refresh_figures`` every
``DASHBOARD_FIGURES_REFRESH_MINUTES``; a page or API read applies a short queue itself
(``figures_ready``), so the figures are as of the moment the page says.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import PoliceUnit
from donors.choices import DRAWN_OUTCOMES, DonationOutcome
from donors.models import Donation, Donor
from thalassemia.choices import OPEN_TRANSFUSION, TransfusionStatus
from thalassemia.models import Transfusion

from .models import (
    COLLECTION_MONTH_VALUES,
    CollectionDay,
    CollectionMonth,
    DonorCount,
    DonorDay,
    DonorSpan,
    FigureChange,
    FigureRun,
    RegistrationDay,
    TransfusedDay,
    TransfusionDay,
    TransfusionMonth,
)

ROLLUPS = (
    CollectionDay,
    CollectionMonth,
    DonorDay,
    DonorSpan,
    DonorCount,
    RegistrationDay,
    TransfusionDay,
    TransfusedDay,
    TransfusionMonth,
)
LOCK_KEY = 72_011_212  # pg advisory lock: one refresh at a time
COLLECTED = Q(outcome=DonationOutcome.COLLECTED)
DEFERRED = Q(outcome=DonationOutcome.DEFERRED)


# --- the aggregates over the raw rows ------------------------------------------------------


def _collection_rows(donations: QuerySet) -> QuerySet:
    return (
        donations.order_by()
        .annotate(
            r_day=F("donated_on"),
            r_unit=Coalesce(F("camp__unit"), F("donor__unit")),
            r_group=F("donor__blood_group"),
            r_camp=F("camp"),
            r_centre=Coalesce(F("blood_centre"), F("camp__blood_centre")),
            r_outcome=F("outcome"),
        )
        .values("r_day", "r_unit", "r_group", "r_camp", "r_centre", "r_outcome")
        .annotate(r_n=Count("pk"))
    )


COLLECTION_FIELDS = [
    "day",
    "unit_id",
    "blood_group",
    "camp_id",
    "blood_centre_id",
    "outcome",
    "donations",
]


def _donor_rows(donations: QuerySet) -> QuerySet:
    """A donor's visits per day, unit, camp and centre; ``drawn_since`` starts as the donor's
    reported last donation and ``_set_drawn_since`` lowers it to their first drawn one."""
    return (
        donations.order_by()
        .annotate(
            r_donor=F("donor"),
            r_day=F("donated_on"),
            r_unit=Coalesce(F("camp__unit"), F("donor__unit")),
            r_group=F("donor__blood_group"),
            r_camp=F("camp"),
            r_centre=Coalesce(F("blood_centre"), F("camp__blood_centre")),
            r_since=F("donor__external_last_donation_on"),
        )
        .values("r_donor", "r_day", "r_unit", "r_group", "r_camp", "r_centre", "r_since")
        .annotate(
            r_collected=Count("pk", filter=COLLECTED),
            r_deferred=Count("pk", filter=DEFERRED),
        )
    )


def _insert_donor_days(donors=None) -> None:
    """DonorDay rows of ``donors`` (all when None), ``drawn_since`` the earlier of the
    reported last donation and the first drawn donation in the portal: one INSERT … SELECT
    joining the visits to the donors' first drawn day (grouped once, not a subquery a row)."""
    donations = Donation.objects.all()
    drawn = Donation.objects.filter(outcome__in=DRAWN_OUTCOMES)
    if donors is not None:
        donations = donations.filter(donor__in=donors)
        drawn = drawn.filter(donor__in=donors)
    visits, visit_params = _donor_rows(donations).query.sql_with_params()
    first = drawn.order_by().values(f_donor=F("donor")).annotate(f_first=Min("donated_on"))
    firsts, first_params = first.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(DonorDay._meta.get_field(name).column) for name in DONOR_FIELDS)
    # The SQL is the ORM's, with its parameters.
    select = (
        "SELECT v.r_donor, v.r_day, v.r_unit, v.r_group, v.r_camp, v.r_centre,"  # noqa: S608
        " CASE WHEN v.r_since IS NULL OR f.f_first < v.r_since THEN f.f_first"
        " ELSE v.r_since END,"
        " v.r_collected, v.r_deferred"
        f" FROM ({visits}) AS v LEFT JOIN ({firsts}) AS f"
        " ON f.f_donor = v.r_donor"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(DonorDay._meta.db_table)} ({columns}) {select}",  # noqa: S608
            (*visit_params, *first_params),
        )


DONOR_FIELDS = [
    "donor_id",
    "day",
    "unit_id",
    "blood_group",
    "camp_id",
    "blood_centre_id",
    "drawn_since",
    "collected",
    "deferred",
]


def _insert_donor_spans(donors=None) -> None:
    """DonorSpan rows of ``donors`` (all when None), from their DonorDay rows (filled
    first): per donor and credited unit the last day collected and deferred, and whether
    the donor has visits for that unit only (a window over the donor's units)."""
    days = DonorDay.objects.all()
    if donors is not None:
        days = days.filter(donor_id__in=donors)
    spans, params = (
        days.order_by()
        .values("donor_id", "unit_id", "blood_group")
        .annotate(
            s_collected=Max("day", filter=Q(collected__gt=0)),
            s_deferred=Max("day", filter=Q(deferred__gt=0)),
            s_since=Min("drawn_since"),
        )
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(DonorSpan._meta.get_field(name).column) for name in SPAN_FIELDS)
    # The SQL is the ORM's, with its parameters; the window counts the donor's units.
    select = (
        "SELECT s.donor_id, s.unit_id, s.blood_group, s.s_collected, s.s_deferred,"  # noqa: S608
        " s.s_since, COUNT(*) OVER (PARTITION BY s.donor_id) = 1"
        f" FROM ({spans}) AS s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(DonorSpan._meta.db_table)} ({columns}) {select}",  # noqa: S608
            params,
        )


SPAN_FIELDS = [
    "donor_id",
    "unit_id",
    "blood_group",
    "last_collected",
    "last_deferred",
    "drawn_since",
    "solo",
]


def _registration_rows(donors: QuerySet) -> QuerySet:
    return (
        donors.order_by()
        .annotate(r_day=TruncDate("created_at"), r_unit=F("unit"), r_group=F("blood_group"))
        .values("r_day", "r_unit", "r_group")
        .annotate(r_n=Count("pk"))
    )


REGISTRATION_FIELDS = ["day", "unit_id", "blood_group", "donors"]


def _transfusion_rows(transfusions: QuerySet) -> QuerySet:
    return (
        transfusions.order_by()
        .annotate(
            r_day=F("due_on"),
            r_unit=F("patient__unit"),
            r_group=F("patient__blood_group"),
            r_status=F("status"),
        )
        .values("r_day", "r_unit", "r_group", "r_status")
        .annotate(r_n=Count("pk"))
    )


TRANSFUSION_FIELDS = ["day", "unit_id", "blood_group", "status", "transfusions"]


def _transfused_rows(transfusions: QuerySet) -> QuerySet:
    return (
        transfusions.filter(status=TransfusionStatus.DONE, done_on__isnull=False)
        .order_by()
        .annotate(r_day=F("done_on"), r_unit=F("patient__unit"), r_group=F("patient__blood_group"))
        .values("r_day", "r_unit", "r_group")
        .annotate(r_n=Sum(Coalesce("units_given", "units_needed")))
    )


TRANSFUSED_FIELDS = ["day", "unit_id", "blood_group", "units"]


def _insert(model, fields: list[str], rows: QuerySet) -> None:
    """INSERT INTO ``model`` (fields) SELECT … — the aggregate never leaves the database.
    ``rows`` selects its columns in ``fields``' order."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)


# --- the subtree roll-ups: CollectionMonth and DonorCount ------------------------------------
#
# Both are built from the day-level roll-ups above (never from the raw rows), with every
# credited unit expanded to itself, each of its ancestors (a prefix of its materialised
# path) and 0 (every unit): a subtree's figure is then the rows of one ``unit_id``.


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _ancestors_sql() -> str:
    """(unit_id, anc): each police unit with itself, every unit above it, and 0."""
    units = _table(PoliceUnit)
    return (
        f"SELECT u.id AS unit_id, a.id AS anc FROM {units} u"  # noqa: S608
        f" JOIN {units} a ON u.path LIKE a.path || '%%'"
        f" UNION ALL SELECT u.id, 0 FROM {units} u"
    )


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


NO_CENTRE = "CAST(NULL AS bigint)"
# slice → (expanded to the subtree?, by blood group?, by blood centre?, by camp?)
SLICES = {
    "all": (True, False, False, False),
    "group": (True, True, False, False),
    "centre": (True, False, True, False),
    "centre_group": (True, True, True, False),
    "own": (False, False, False, False),
    "own_group": (False, True, False, False),
    "camp": (False, False, False, True),
    "camp_group": (False, True, False, True),
}


def _month_sql(months) -> tuple[str, list]:
    """The SELECT of CollectionMonth's rows for ``months`` (first days; None: every month):
    the day roll-ups summed per month and own unit first, then expanded to the ancestors
    (far fewer rows than the days), then one GROUP BY per slice."""
    when, when_params = "", []
    if months is not None:
        # Day ranges, not a month expression: the day index answers them.
        when = " OR ".join(["({day} >= %s AND {day} < %s)"] * len(months))
        for month in months:
            when_params += [month, (month + timedelta(days=32)).replace(day=1)]

    def in_months(day):
        return f" AND ({when.format(day=day)})" if when else ""

    c, d, r = _table(CollectionDay), _table(DonorDay), _table(RegistrationDay)
    base = (
        f"WITH anc AS ({_ancestors_sql()}),"  # noqa: S608
        f" c0 AS (SELECT {_month_of('c.day')} AS m, c.unit_id AS u, c.blood_group AS g,"
        " c.blood_centre_id AS bc, c.camp_id AS camp,"
        " SUM(CASE WHEN c.outcome = %s THEN c.donations ELSE 0 END) AS units,"
        f" SUM(c.donations) AS donations FROM {c} c WHERE 1 = 1{in_months('c.day')}"
        f" GROUP BY {_month_of('c.day')}, c.unit_id, c.blood_group, c.blood_centre_id,"
        " c.camp_id),"
        f" d0 AS (SELECT DISTINCT {_month_of('d.day')} AS m, d.unit_id AS u,"
        " d.blood_group AS g, d.blood_centre_id AS bc, d.camp_id AS camp, d.donor_id AS donor"
        f" FROM {d} d WHERE d.deferred > 0{in_months('d.day')}),"
        f" r0 AS (SELECT {_month_of('r.day')} AS m, r.unit_id AS u, r.blood_group AS g,"
        f" SUM(r.donors) AS n FROM {r} r WHERE 1 = 1{in_months('r.day')}"
        f" GROUP BY {_month_of('r.day')}, r.unit_id, r.blood_group),"
        " c1 AS (SELECT c0.m, a.anc AS u, c0.g, c0.bc, c0.camp, c0.units, c0.donations"
        " FROM c0 JOIN anc a ON a.unit_id = c0.u),"
        " d1 AS (SELECT d0.m, a.anc AS u, d0.g, d0.bc, d0.camp, d0.donor FROM d0 JOIN anc a"
        " ON a.unit_id = d0.u),"
        " r1 AS (SELECT r0.m, a.anc AS u, r0.g, r0.n FROM r0 JOIN anc a ON a.unit_id = r0.u)"
    )
    params = [DonationOutcome.COLLECTED, *when_params, *when_params, *when_params]
    measures = {
        "c": "SUM(x.units) AS units, SUM(x.donations) AS donations, 0 AS deferred, 0 AS registered",
        "d": "0, 0, COUNT(DISTINCT x.donor), 0",
        "r": "0, 0, 0, SUM(x.n)",
    }
    parts = []
    for name, (subtree, by_group, by_centre, by_camp) in SLICES.items():
        for source in ("c", "d", "r"):
            if (by_centre or by_camp) and source == "r":
                continue  # registrations have no blood centre or camp
            keys = ["x.m", "x.u"] + (["x.g"] if by_group else [])
            keys += (["x.bc"] if by_centre else []) + (["x.camp"] if by_camp else [])
            group = "x.g" if by_group else "''"
            centre = "x.bc" if by_centre else NO_CENTRE
            camp = "x.camp" if by_camp else NO_CENTRE
            parts.append(
                f"SELECT x.m, x.u, %s AS s, {group} AS g, {centre} AS bc, {camp} AS camp,"  # noqa: S608
                f" {measures[source]}"
                f" FROM {source}{'1' if subtree else '0'} x GROUP BY {', '.join(keys)}"
            )
            params.append(name)
    union = " UNION ALL ".join(parts)
    sql = (
        f"{base} SELECT y.m, y.u, y.s, y.g, y.bc, y.camp, SUM(y.units), SUM(y.donations),"  # noqa: S608
        f" SUM(y.deferred), SUM(y.registered) FROM ({union}) AS y"
        " GROUP BY y.m, y.u, y.s, y.g, y.bc, y.camp"
    )
    return sql, params


def _insert_months(months=None) -> None:
    sql, params = _month_sql(months)
    columns = ", ".join(
        connection.ops.quote_name(CollectionMonth._meta.get_field(name).column)
        for name in MONTH_FIELDS
    )
    # The SQL is built above from fixed names; the values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(CollectionMonth)} ({columns}) {sql}", params)


MONTH_FIELDS = ["month", "unit_id", "slice", *COLLECTION_MONTH_VALUES]


def _donor_count_sql(donors_table: str | None = None) -> str:
    """The SELECT of DonorCount's rows (unit_id, kind, blood_group, day, donors) from
    DonorSpan; with ``donors_table``, only the donors listed there (column ``donor_id``)."""
    spans = _table(DonorSpan)
    # ``donors_table`` is this module's temporary table's fixed name.
    listed = f"s.donor_id IN (SELECT donor_id FROM {donors_table})"  # noqa: S608
    and_listed = f" AND {listed}" if donors_table else ""
    anc = _ancestors_sql()
    # A donor of one unit (solo) has one span: its days are the subtree's as they are.
    per = (
        f"WITH anc AS ({anc}), per AS ("  # noqa: S608
        "SELECT a.anc AS u, s.blood_group AS g, s.last_collected AS lc,"
        " s.last_deferred AS ld, s.drawn_since AS ds"
        f" FROM {spans} s JOIN anc a ON a.unit_id = s.unit_id WHERE s.solo{and_listed}"
        " UNION ALL SELECT a.anc, s.blood_group, MAX(s.last_collected),"
        " MAX(s.last_deferred), MIN(s.drawn_since)"
        f" FROM {spans} s JOIN anc a ON a.unit_id = s.unit_id WHERE NOT s.solo{and_listed}"
        " GROUP BY a.anc, s.donor_id, s.blood_group)"
    )
    return (
        f"{per} SELECT p.u, 'collected', p.g, p.lc, COUNT(*) FROM per p"  # noqa: S608
        " WHERE p.lc IS NOT NULL GROUP BY p.u, p.g, p.lc"
        " UNION ALL SELECT p.u, 'deferred', p.g, p.ld, COUNT(*) FROM per p"
        " WHERE p.ld IS NOT NULL GROUP BY p.u, p.g, p.ld"
        " UNION ALL SELECT p.u, 'since', p.g, p.ds, COUNT(*) FROM per p"
        " WHERE p.lc IS NOT NULL AND p.ds IS NOT NULL GROUP BY p.u, p.g, p.ds"
        " UNION ALL SELECT s.unit_id, 'own_deferred', s.blood_group, s.last_deferred, COUNT(*)"
        f" FROM {spans} s WHERE s.last_deferred IS NOT NULL{and_listed}"
        " GROUP BY s.unit_id, s.blood_group, s.last_deferred"
    )


DONOR_COUNT_COLUMNS = "unit_id, kind, blood_group, day, donors"


def _insert_donor_counts() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(DonorCount)} ({DONOR_COUNT_COLUMNS}) {_donor_count_sql()}"  # noqa: S608
        )


DELTA = "dashboard_donorcount_delta"
CHANGED = "dashboard_donorcount_donors"


def _donor_counts_before(donors) -> None:
    """PostgreSQL, before ``donors``' DonorSpan rows are replaced: note their present
    contribution to DonorCount, to be taken away (``_donor_counts_after``)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {CHANGED} (donor_id bigint) ON COMMIT DROP")
        cursor.execute(
            f"INSERT INTO {CHANGED} (donor_id) SELECT unnest(%s::bigint[])", [list(donors)]
        )
        cursor.execute(
            f"CREATE TEMP TABLE {DELTA} ON COMMIT DROP AS"  # noqa: S608
            f" SELECT x.* FROM ({_donor_count_sql(CHANGED)}) AS x(u, k, g, d, n)"
        )
        cursor.execute(f"UPDATE {DELTA} SET n = -n")  # noqa: S608


def _donor_counts_after() -> None:
    """Add ``donors``' new contribution, apply the difference to DonorCount (an upsert),
    and drop the rows left at zero."""
    table = _table(DonorCount)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DELTA} SELECT * FROM ({_donor_count_sql(CHANGED)}) AS x"  # noqa: S608
        )
        cursor.execute(
            f"INSERT INTO {table} ({DONOR_COUNT_COLUMNS})"  # noqa: S608
            f" SELECT u, k, g, d, SUM(n) FROM {DELTA} GROUP BY u, k, g, d HAVING SUM(n) <> 0"
            " ON CONFLICT (unit_id, kind, blood_group, day)"
            f" DO UPDATE SET donors = {table}.donors + EXCLUDED.donors"
        )
        cursor.execute(
            f"DELETE FROM {table} t USING (SELECT DISTINCT u, k, g, d FROM {DELTA}) x"  # noqa: S608
            " WHERE t.unit_id = x.u AND t.kind = x.k AND t.blood_group = x.g AND t.day = x.d"
            " AND t.donors = 0"
        )
        cursor.execute(f"DROP TABLE {DELTA}")
        cursor.execute(f"DROP TABLE {CHANGED}")


def _refill_subtrees(months=None, tree=False) -> None:
    """CollectionMonth for ``months`` (None or ``tree``: every month)."""
    if months is None or tree:
        CollectionMonth.objects.all().delete()
        _insert_months()
    elif months:
        months = sorted(months)
        CollectionMonth.objects.filter(month__in=months).delete()
        _insert_months(months)


def _transfusion_month_sql(months) -> tuple[str, list]:
    """The SELECT of TransfusionMonth's rows for ``months`` (first days; None: every month):
    ``TransfusionDay`` and ``TransfusedDay`` summed per month and own unit first, then
    expanded to the ancestors (as ``_month_sql``)."""
    when, when_params = "", []
    if months is not None:
        when = " AND (" + " OR ".join(["({day} >= %s AND {day} < %s)"] * len(months)) + ")"
        for month in months:
            when_params += [month, (month + timedelta(days=32)).replace(day=1)]
    t, d = _table(TransfusionDay), _table(TransfusedDay)
    open_marks = ", ".join(["%s"] * len(OPEN_TRANSFUSION))
    sql = (
        f"WITH anc AS ({_ancestors_sql()}),"  # noqa: S608
        f" t0 AS (SELECT {_month_of('t.day')} AS m, t.unit_id AS u, t.blood_group AS g,"
        " SUM(CASE WHEN t.status <> %s THEN t.transfusions ELSE 0 END) AS due,"
        " SUM(CASE WHEN t.status = %s THEN t.transfusions ELSE 0 END) AS done,"
        " SUM(CASE WHEN t.status = %s THEN t.transfusions ELSE 0 END) AS missed,"
        f" SUM(CASE WHEN t.status IN ({open_marks}) THEN t.transfusions ELSE 0 END) AS late,"
        f" 0 AS units FROM {t} t WHERE 1 = 1{when.format(day='t.day')}"
        f" GROUP BY {_month_of('t.day')}, t.unit_id, t.blood_group"
        f" UNION ALL SELECT {_month_of('d.day')}, d.unit_id, d.blood_group, 0, 0, 0, 0,"
        f" SUM(d.units) FROM {d} d WHERE 1 = 1{when.format(day='d.day')}"
        f" GROUP BY {_month_of('d.day')}, d.unit_id, d.blood_group)"
        " SELECT t0.m, a.anc, t0.g, SUM(t0.due), SUM(t0.done), SUM(t0.missed), SUM(t0.late),"
        " SUM(t0.units) FROM t0 JOIN anc a ON a.unit_id = t0.u GROUP BY t0.m, a.anc, t0.g"
    )
    params = [
        TransfusionStatus.CANCELLED,
        TransfusionStatus.DONE,
        TransfusionStatus.MISSED,
        *OPEN_TRANSFUSION,
        *when_params,
        *when_params,
    ]
    return sql, params


TRANSFUSION_MONTH_FIELDS = ["month", "unit_id", "blood_group", "due", "done", "missed", "open",
                            "units"]  # fmt: skip


def _refill_transfusion_months(months=None) -> None:
    """TransfusionMonth for ``months`` (first days; None: every month), from the day tables
    (filled first)."""
    if months is None:
        TransfusionMonth.objects.all().delete()
    elif not months:
        return
    else:
        months = sorted(months)
        TransfusionMonth.objects.filter(month__in=months).delete()
    sql, params = _transfusion_month_sql(months)
    columns = ", ".join(
        connection.ops.quote_name(TransfusionMonth._meta.get_field(name).column)
        for name in TRANSFUSION_MONTH_FIELDS
    )
    # The SQL is built above from fixed names; the values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(TransfusionMonth)} ({columns}) {sql}", params)


# --- rebuild and refresh -------------------------------------------------------------------


def _refill(days=None, donors=None, registered=None, due_days=None, tree=False) -> None:
    """Recompute the rows of the given days (donors); ``None`` means all of them. ``tree``:
    police units moved, so the subtree roll-ups are rebuilt whole."""
    donations = Donation.objects.all()
    transfusions = Transfusion.objects.all()

    def redo(model, fields, rows, scope, key="day", source_key="donated_on", source=None):
        if scope is None:
            model.objects.all().delete()
            _insert(model, fields, rows(source))
        elif scope:
            scope = sorted(scope)
            model.objects.filter(**{f"{key}__in": scope}).delete()
            _insert(model, fields, rows(source.filter(**{f"{source_key}__in": scope})))

    redo(CollectionDay, COLLECTION_FIELDS, _collection_rows, days, source=donations)
    whole_counts = donors is None or tree
    if donors is None:
        DonorDay.objects.all().delete()
        _insert_donor_days()
        DonorSpan.objects.all().delete()
        _insert_donor_spans()
    elif donors:
        DonorDay.objects.filter(donor_id__in=sorted(donors)).delete()
        _insert_donor_days(sorted(donors))
        if not whole_counts:
            _donor_counts_before(sorted(donors))
        DonorSpan.objects.filter(donor_id__in=sorted(donors)).delete()
        _insert_donor_spans(sorted(donors))
        if not whole_counts:
            _donor_counts_after()
    if whole_counts:
        DonorCount.objects.all().delete()
        _insert_donor_counts()
    if registered is None:
        redo(RegistrationDay, REGISTRATION_FIELDS, _registration_rows, None, source=Donor.objects)
    elif registered:
        zone = timezone.get_current_timezone()
        RegistrationDay.objects.filter(day__in=sorted(registered)).delete()
        donors_of = Donor.objects.annotate(local_day=TruncDate("created_at", tzinfo=zone))
        _insert(
            RegistrationDay,
            REGISTRATION_FIELDS,
            _registration_rows(donors_of.filter(local_day__in=sorted(registered))),
        )
    if days is None or registered is None or tree:
        _refill_subtrees(tree=True)
    else:
        _refill_subtrees(months={day.replace(day=1) for day in days | registered})
    redo(TransfusionDay, TRANSFUSION_FIELDS, _transfusion_rows, due_days, "day", "due_on",
         transfusions)  # fmt: skip
    redo(TransfusedDay, TRANSFUSED_FIELDS, _transfused_rows, due_days, "day", "done_on",
         transfusions)  # fmt: skip
    if due_days is None or tree:
        _refill_transfusion_months()
    else:
        _refill_transfusion_months({day.replace(day=1) for day in due_days})


def _lock(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def _take_changes() -> list[tuple[str, object, int | None]]:
    """Remove and return the changes committed so far (exactly those: a change committed
    while this runs stays for the next refresh)."""
    table = connection.ops.quote_name(FigureChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} RETURNING what, day, ref")  # noqa: S608
        return cursor.fetchall()


def figures_rebuild() -> datetime:
    """Every roll-up from scratch (``manage.py rebuild_figures``); returns the "as of"."""
    with transaction.atomic():
        _lock(wait=True)
        FigureChange.objects.all().delete()
        _refill()
        return _stamp()


def vacuum_rollups() -> None:
    """``VACUUM ANALYZE`` every roll-up table, after a rebuild has written millions of rows
    (PostgreSQL, outside a transaction; elsewhere nothing). The reads are index-only scans
    (covering indexes), which skip the heap only for pages the visibility map marks: until
    autovacuum comes round — never, on a copy of the database, whose statistics start
    empty — a state admin's page read 0.5–0.7 s of heap it did not need."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in ROLLUPS:
            cursor.execute(f"VACUUM (ANALYZE) {_table(model)}")


def _stamp() -> datetime:
    now = timezone.now()
    FigureRun.objects.update_or_create(pk=1, defaults={"refreshed_at": now})
    return now


def figures_refresh(*, wait: bool = True) -> datetime | None:
    """Apply the pending changes to the roll-ups (or rebuild, see the module docstring).
    Returns the new "as of", or None when another refresh holds the lock and ``wait`` is
    False."""
    with transaction.atomic():
        if not _lock(wait):
            return None
        never = not FigureRun.objects.exists()
        limit = settings.DASHBOARD_FIGURES_REBUILD_OVER
        many = FigureChange.objects.all()[limit : limit + 1]
        if never or connection.vendor != "postgresql" or many.exists():
            # The changes committed so far go first: the rebuild, later, sees their rows.
            FigureChange.objects.all().delete()
            _refill()
            return _stamp()
        changes = _take_changes()
        if changes:
            _apply(changes)
        return _stamp()


def _apply(changes) -> None:
    days, donors, registered, due_days = set(), set(), set(), set()
    changed_donors, camps, patients = set(), set(), set()
    tree = False
    for what, day, ref in changes:
        if what == "donation":
            days.add(day)
            donors.add(ref)
        elif what == "donor":
            changed_donors.add(ref)
        elif what == "registration":
            registered.add(day)
        elif what == "camp":
            camps.add(ref)
        elif what == "transfusion":
            due_days.add(day)
        elif what == "patient":
            patients.add(ref)
        elif what == "tree":
            tree = True
    donors |= changed_donors
    if changed_donors or camps:
        moved = Donation.objects.filter(Q(donor__in=changed_donors) | Q(camp__in=camps))
        for day, donor in moved.order_by().values_list("donated_on", "donor").distinct():
            days.add(day)
            donors.add(donor)
    if patients:
        given = Transfusion.objects.filter(patient__in=patients).order_by()
        due_days.update(given.values_list("due_on", flat=True).distinct())
        due_days.update(
            given.filter(done_on__isnull=False).values_list("done_on", flat=True).distinct()
        )
    days.discard(None)
    due_days.discard(None)
    registered.discard(None)
    _refill(days=days, donors=donors, registered=registered, due_days=due_days, tree=tree)


def figures_as_of() -> datetime | None:
    """When the roll-ups were last brought up to date (None: never), without touching them:
    for readers that must not start a refresh (the public impact page). One query."""
    return FigureRun.objects.values_list("refreshed_at", flat=True).first()


def figures_ready() -> datetime | None:
    """Before a read: bring the roll-ups up to date when that is quick (never refreshed, or
    at most DASHBOARD_FIGURES_INLINE_CHANGES pending and no refresh running), and return
    the "as of" the figures are. Two queries when nothing is pending."""
    run = FigureRun.objects.first()
    if run is None:
        return figures_refresh()
    if connection.vendor != "postgresql":
        return run.refreshed_at
    pending = FigureChange.objects.all()
    inline = settings.DASHBOARD_FIGURES_INLINE_CHANGES
    if pending[:1].exists() and not pending[inline : inline + 1].exists():
        return figures_refresh(wait=False) or run.refreshed_at
    return run.refreshed_at
