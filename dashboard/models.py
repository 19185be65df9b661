"""The dashboard's roll-ups: figures kept ready so the page, the exports and the API never
count millions of raw rows per request (issue 12). See ``dashboard/rollups.py`` for how they
are kept and refreshed; ``dashboard/raw.py`` counts the same figures from the raw rows (the
tests' oracle).

Only the dashboard reads or writes these tables; ids are plain integers (no foreign keys),
so the raw tables' deletes never wait on them. ``unit_id`` is always the unit a figure
counts for: the camp's organising unit for a camp donation, the donor's unit otherwise
(``dashboard/selectors.py``)."""

from django.db import models


class CollectionDay(models.Model):
    """Donations per day × credited unit × donor's blood group × camp × blood centre (the
    donation's, else the camp's) × outcome."""

    day = models.DateField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    camp_id = models.BigIntegerField(null=True)
    blood_centre_id = models.BigIntegerField(null=True)
    outcome = models.CharField(max_length=20)
    donations = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "unit_id"])]

    def __str__(self):
        return f"{self.day} unit {self.unit_id} {self.outcome}: {self.donations}"


class DonorDay(models.Model):
    """One donor's visits on one day for one credited unit, camp and blood centre: how many
    bags were collected and deferrals made, and the day since which the donor counts as a
    repeat donor (their first drawn donation in the portal or the one they reported, the
    earlier). Distinct-donor counts (donated, deferred, first-time, repeat) are exact
    ``COUNT(DISTINCT donor_id)`` over these rows for any range and subtree."""

    donor_id = models.BigIntegerField()
    day = models.DateField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    camp_id = models.BigIntegerField(null=True)
    blood_centre_id = models.BigIntegerField(null=True)
    collected = models.PositiveIntegerField()
    deferred = models.PositiveIntegerField()
    drawn_since = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["day", "unit_id"]),
            models.Index(fields=["donor_id"]),
            # The breakdowns' donors deferred read only the deferrals' rows.
            models.Index(
                fields=["day", "unit_id"],
                condition=models.Q(deferred__gt=0),
                name="donorday_deferred",
            ),
        ]

    def __str__(self):
        return f"{self.day} donor {self.donor_id} unit {self.unit_id}"


class DonorSpan(models.Model):
    """One donor's visits for one credited unit, summed over all time: the last day blood
    was collected from them and the last day they were deferred there, and their
    ``drawn_since`` (as in ``DonorDay``). ``solo``: the donor has visits for this unit
    only. A range that ends on or after the last day any donation is dated counts its
    distinct donors here: a donor gave in [start, end] exactly when their last collection
    is on or after ``start``; solo rows are counted without ``DISTINCT``, and only donors
    who gave for several units are de-duplicated. One row per donor and unit: about the
    donors, not the donations (``dashboard/selectors.py``)."""

    donor_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    last_collected = models.DateField(null=True)
    last_deferred = models.DateField(null=True)
    drawn_since = models.DateField(null=True)
    solo = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["donor_id"]),
            # A subtree's rows by an index-only scan: every column the counts read.
            models.Index(
                fields=["unit_id"],
                include=[
                    "last_collected",
                    "last_deferred",
                    "drawn_since",
                    "solo",
                    "donor_id",
                    "blood_group",
                ],
                name="donorspan_unit",
            ),
        ]

    def __str__(self):
        return f"donor {self.donor_id} unit {self.unit_id}"


# A CollectionMonth row's columns after its key (month, unit_id, slice), in this order: the
# covering index carries them all (every read is index-only) and the roll-up's INSERT
# (``rollups.MONTH_FIELDS``) writes them, so a new figure is added once, here.
COLLECTION_MONTH_VALUES = (
    "blood_group",
    "blood_centre_id",
    "camp_id",
    "units",
    "donations",
    "donors_deferred",
    "donors_registered",
)


class CollectionMonth(models.Model):
    """The collection figures per month, summed over a police unit's subtree, so that a
    state's five years are a few hundred rows whatever the number of units (issue 12).

    ``slice`` says what a row sums (``SLICES``): ``all`` the subtree of ``unit_id`` (0:
    every unit, the admin's view), ``group`` the same for one blood group, ``centre`` and
    ``centre_group`` for one blood centre (the donation's, else the camp's; NULL: none),
    ``own`` and ``own_group`` the unit's own credited donations only (the breakdown by
    unit), ``camp`` and ``camp_group`` the unit's own per camp (NULL: not at a camp).
    ``donors_deferred`` is ``COUNT(DISTINCT donor)`` over the row's month and
    slice, so it is exact for the row (never summed over months). Ragged ends of a range
    (part of a month) are read from ``CollectionDay``/``DonorDay``/``RegistrationDay``.
    Kept from those tables (``dashboard/rollups.py``), so it follows the tree: a unit moved
    rebuilds it."""

    month = models.DateField()
    unit_id = models.BigIntegerField()
    slice = models.CharField(max_length=12)
    blood_group = models.CharField(max_length=3, blank=True)
    blood_centre_id = models.BigIntegerField(null=True)
    camp_id = models.BigIntegerField(null=True)
    units = models.PositiveIntegerField()
    donations = models.PositiveIntegerField()
    donors_deferred = models.PositiveIntegerField()
    donors_registered = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Every read by an index-only scan: a state admin's breakdown by unit or camp
            # reads 40,000–60,000 rows of a slice, spread over the whole table.
            models.Index(
                fields=["slice", "unit_id", "month"],
                include=COLLECTION_MONTH_VALUES,
                name="collectionmonth_slice",
            ),
            models.Index(fields=["month"], name="collectionmonth_month"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} unit {self.unit_id} {self.slice}: {self.units}"


class DonorCount(models.Model):
    """How many donors of a police unit's subtree (``unit_id``; 0: every unit) and blood
    group have their last collection (``kind`` ``collected``), their last deferral
    (``deferred``) or their ``drawn_since`` (``since``, donors with a collection only) on
    ``day``; ``own_deferred`` counts the unit's own credited deferrals (not its subtree).
    From ``DonorSpan``: a donor gave for the subtree in [start, end], for a range ending
    on or after the last donation, exactly when that last day is on or after ``start``, so
    every distinct-donor total of such a range is a ``SUM`` over a few thousand rows, exact.
    First-time donors are those whose ``drawn_since`` is on or after ``start``."""

    unit_id = models.BigIntegerField()
    kind = models.CharField(max_length=12)
    blood_group = models.CharField(max_length=3, blank=True)
    day = models.DateField()
    donors = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "kind", "blood_group", "day"], name="donorcount_key"
            )
        ]
        # The reads: a subtree's days from ``start`` on, by an index-only range scan.
        indexes = [
            models.Index(
                fields=["unit_id", "kind", "day"],
                include=["blood_group", "donors"],
                name="donorcount_read",
            ),
            # The breakdown by unit's donors deferred: every unit of a scope at once.
            models.Index(
                fields=["day"],
                include=["unit_id", "blood_group", "donors"],
                condition=models.Q(kind="own_deferred"),
                name="donorcount_own_deferred",
            ),
        ]

    def __str__(self):
        return f"unit {self.unit_id} {self.kind} {self.day}: {self.donors}"


class RegistrationDay(models.Model):
    """Donors created per day (Asia/Kolkata) × unit × blood group; erased donors stay."""

    day = models.DateField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    donors = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "unit_id"])]

    def __str__(self):
        return f"{self.day} unit {self.unit_id}: {self.donors} registered"


class TransfusionDay(models.Model):
    """Transfusions per due day × the child's unit × the child's blood group × status."""

    day = models.DateField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=12)
    transfusions = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # The reads, by index-only scans: an admin's (every unit) by day, also the
            # refresh's deletes; a subtree's by unit, each a range of days (by day first,
            # a force's five years read a state's 200,000 rows).
            models.Index(
                fields=["day"],
                include=["unit_id", "blood_group", "status", "transfusions"],
                name="transfusionday_day",
            ),
            models.Index(
                fields=["unit_id", "day"],
                include=["blood_group", "status", "transfusions"],
                name="transfusionday_read",
            ),
        ]

    def __str__(self):
        return f"{self.day} unit {self.unit_id} {self.status}: {self.transfusions}"


class TransfusedDay(models.Model):
    """Units given per day (``done_on``) × the child's unit × blood group, done ones only."""

    day = models.DateField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    units = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # The reads, by index-only scans (as ``TransfusionDay``'s).
            models.Index(
                fields=["day"],
                include=["unit_id", "blood_group", "units"],
                name="transfusedday_day",
            ),
            models.Index(
                fields=["unit_id", "day"],
                include=["blood_group", "units"],
                name="transfusedday_read",
            ),
        ]

    def __str__(self):
        return f"{self.day} unit {self.unit_id}: {self.units} units given"


class TransfusionMonth(models.Model):
    """The children's transfusion figures per month, summed over a police unit's subtree
    (``unit_id``; 0: every unit, the admin's view) and the child's blood group, so that a
    state's five years are a few hundred rows whatever the number of units (as
    ``CollectionMonth`` for collections). By due month (``TransfusionDay``): ``due``
    (cancelled ones left out), ``done``, ``missed``, ``open`` (``OPEN_TRANSFUSION``: overdue
    once the month has passed); by month given (``TransfusedDay``): ``units``. Ragged ends of a
    range (part of a month, and the days of an overdue count up to yesterday) are read from
    the day tables. Kept from them (``dashboard/rollups.py``), so it follows the tree: a
    unit moved rebuilds it."""

    month = models.DateField()
    unit_id = models.BigIntegerField()
    blood_group = models.CharField(max_length=3, blank=True)
    due = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    missed = models.PositiveIntegerField()
    open = models.PositiveIntegerField()
    units = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # The reads: a subtree's months by an index-only range scan.
            models.Index(
                fields=["unit_id", "month"],
                include=["blood_group", "due", "done", "missed", "open", "units"],
                name="transfusionmonth_read",
            ),
            # The refresh's deletes.
            models.Index(fields=["month"], name="transfusionmonth_month"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} unit {self.unit_id}: {self.due} due"


class FigureChange(models.Model):
    """What changed since the last refresh, written by database triggers on the raw tables
    (every path: services, ``QuerySet.update``, COPY, the shell). ``what`` says which
    figures to recompute:

    - ``donation``: the donations of ``day`` (CollectionDay) and donor ``ref``'s rows;
    - ``donor``: donor ``ref`` (unit, blood group or reported last donation changed): all
      its rows and the days of its donations;
    - ``registration``: the registrations of ``day``;
    - ``camp``: camp ``ref`` (organising unit or blood centre changed): the days and
      donors of its donations;
    - ``transfusion``: the transfusions due or given on ``day``;
    - ``patient``: child ``ref`` (unit or blood group changed): the days of its
      transfusions;
    - ``tree``: a police unit moved (its path changed): the subtree roll-ups whole."""

    what = models.CharField(max_length=12)
    day = models.DateField(null=True)
    ref = models.BigIntegerField(null=True)

    def __str__(self):
        return f"{self.what} {self.day or ''} {self.ref or ''}".strip()


class FigureRun(models.Model):
    """One row: when the roll-ups were last brought up to date."""

    refreshed_at = models.DateTimeField()

    def __str__(self):
        return f"figures as of {self.refreshed_at}"
