"""Reads of the donors app."""

from datetime import date, timedelta

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import for_user

from .choices import DRAWN_OUTCOMES, DonationKind, Sex
from .eligibility import (
    WEEK,
    YEAR,
    DeferralFact,
    DonorFacts,
    Eligibility,
    PastDonation,
    Rules,
    check_eligibility,
    profiles,
)
from .models import Deferral, Donation, Donor


def donors_for(user) -> QuerySet:
    """The donors ``user`` may see."""
    return for_user(Donor.objects.all(), user)


def with_eligibility_facts(queryset: QuerySet) -> QuerySet:
    """Prefetch what ``facts_for`` reads, so eligibility of a page of donors costs two
    queries in all."""
    return queryset.prefetch_related(
        Prefetch(
            "donations",
            queryset=Donation.objects.filter(outcome__in=DRAWN_OUTCOMES).only(
                "id", "donor_id", "donated_on", "kind"
            ),
            to_attr="drawn_donations",
        ),
        Prefetch("deferrals", queryset=Deferral.objects.all(), to_attr="all_deferrals"),
    )


class _JSONRows(Aggregate):
    """The rows of a group as one JSON array: PostgreSQL's ``jsonb_agg``, SQLite's
    ``json_group_array``."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


class _JSONRow(Func):
    """A row's fields as a JSON array (JSONArray without Django's feature probe, which a
    locked SQLite file answers "unsupported")."""

    function = "JSON_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_BUILD_ARRAY", **extra_context)


def _rows_of(queryset: QuerySet, *fields: str) -> Subquery:
    """``fields`` of each row of ``queryset`` (correlated to the outer donor), as one JSON
    array of arrays; NULL when there is none."""
    rows = queryset.order_by().values("donor").annotate(rows=_JSONRows(_JSONRow(*fields)))
    return Subquery(rows.values("rows"), output_field=JSONField())


def fetch_with_eligibility_facts(queryset: QuerySet) -> list:
    """The donors of ``queryset``, each with what ``facts_for`` reads, in ONE query: the
    donor's drawn donations and deferrals ride on its row as JSON arrays. For one donor or a
    few (the camp table: a phone's family); a page of donors is cheaper with
    ``with_eligibility_facts``' two prefetches."""
    drawn = Donation.objects.filter(donor=OuterRef("pk"), outcome__in=DRAWN_OUTCOMES)
    deferrals = Deferral.objects.filter(donor=OuterRef("pk"))
    donors = list(
        queryset.annotate(
            drawn_rows=_rows_of(drawn, "id", "donated_on", "kind"),
            deferral_rows=_rows_of(deferrals, "id", "category", "starts_on", "until"),
        )
    )
    day = date.fromisoformat
    for donor in donors:
        donor.drawn_donations = sorted(
            (
                Donation(pk=pk, donor_id=donor.pk, donated_on=day(on), kind=kind)
                for pk, on, kind in donor.drawn_rows or ()
            ),
            key=lambda d: (d.donated_on, d.pk),
            reverse=True,
        )
        donor.all_deferrals = sorted(  # Deferral's own order: latest first
            (
                Deferral(
                    pk=pk,
                    donor_id=donor.pk,
                    category=category,
                    starts_on=day(starts_on),
                    until=day(until) if until else None,
                )
                for pk, category, starts_on, until in donor.deferral_rows or ()
            ),
            key=lambda d: (d.starts_on, d.pk),
            reverse=True,
        )
        del donor.drawn_rows, donor.deferral_rows
    return donors


def facts_for(
    donor: Donor, *, haemoglobin_g_dl=None, weight_kg=None, bp_systolic=None, bp_diastolic=None
) -> DonorFacts:
    """The facts eligibility needs, from a donor (prefetched by ``with_eligibility_facts``
    when it was, read now otherwise). Screening values, when given, replace the records."""
    drawn = getattr(donor, "drawn_donations", None)
    if drawn is None:
        # donor_id too: the related manager sets each row's donor, which would otherwise
        # load the deferred column once per past donation.
        drawn = donor.donations.filter(outcome__in=DRAWN_OUTCOMES).only(
            "donated_on", "kind", "donor_id"
        )
    deferrals = getattr(donor, "all_deferrals", None)
    if deferrals is None:
        deferrals = donor.deferrals.all()
    return DonorFacts(
        sex=donor.sex,
        date_of_birth=donor.date_of_birth,
        weight_kg=weight_kg if weight_kg is not None else donor.weight_kg,
        haemoglobin_g_dl=haemoglobin_g_dl,
        bp_systolic=bp_systolic,
        bp_diastolic=bp_diastolic,
        donations=tuple(PastDonation(on=d.donated_on, kind=d.kind) for d in drawn),
        external_last_donation_on=donor.external_last_donation_on,
        deferrals=tuple(
            DeferralFact(
                category_label=str(d.get_category_display()),
                starts_on=d.starts_on,
                until=d.until,
            )
            for d in deferrals
        ),
        profile=donor.rules_profile,
    )


def donor_eligibility(
    donor: Donor,
    on: date | None = None,
    *,
    kind: str = DonationKind.WHOLE_BLOOD,
    **screening,
) -> Eligibility:
    """The pre-screen answer for ``donor`` on ``on`` (today in Asia/Kolkata by default), for a
    donation of ``kind`` (whole blood unless said)."""
    return check_eligibility(facts_for(donor, **screening), on or timezone.localdate(), kind=kind)


def _born_by(on: date, years: int) -> date:
    """The latest date of birth of someone aged at least ``years`` on ``on``, counted as
    ``eligibility.age_on`` counts (on 29 February of a leap year, 28 February ``years`` back)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return date(on.year - years, 2, 28)


def profile_branches(make) -> list[tuple[object, list[str]]]:
    """``make(rules)`` for each rules profile a donor may hold, with the profiles that give
    the same answer together: [(answer, [profile, ...]), ...]."""
    branches: list[tuple[object, list[str]]] = []
    for profile in profiles():
        answer = make(Rules.for_profile(profile))
        for known, names in branches:
            if known == answer:
                names.append(profile)
                break
        else:
            branches.append((answer, [profile]))
    return branches


def _per_profile(make) -> Q:
    """The condition ``make(rules)`` with each donor held to its own profile's rules
    (``Donor.rules_profile``): one branch per distinct condition, a donor's profile choosing
    it; no branching when every profile gives the same."""
    branches = profile_branches(make)
    if len(branches) == 1:
        return branches[0][0]
    either = Q()
    for condition, names in branches:
        either |= Q(rules_profile__in=names) & condition
    return either


def _by_sex(values_of, output_field):
    """``values_of(rules)[sex]`` for the donor's sex under its profile's rules."""
    return Case(
        *(
            When(Q(sex=sex) & Q(rules_profile__in=names), then=Value(values[sex]))
            for values, names in profile_branches(values_of)
            for sex in Sex
        ),
        output_field=output_field,
    )


def _count_since(donations: QuerySet, after: date) -> Coalesce:
    """How many of ``donations`` (correlated to the outer donor) fall after ``after``."""
    return Coalesce(
        Subquery(
            donations.filter(donated_on__gt=after)
            .order_by()
            .values("donor")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def eligible_on(queryset: QuerySet, on: date, *, kind: str = DonationKind.WHOLE_BLOOD) -> QuerySet:
    """The donors of ``queryset`` who pass the pre-screen for a donation of ``kind`` on
    ``on``, decided in the database in one query: the "may donate today" filter of the donor
    list and the API, the forecast and matching.

    Mirrors ``check_eligibility`` for what the database knows (age, recorded weight,
    intervals, the 12-month and 7-day counts, deferrals); haemoglobin and the bag size are
    screening facts and fail nothing here. tests/donors/test_eligible_on.py holds the two
    together.

    Whole blood reads each donor's stored standing (``Donor.next_eligible_on``, kept by
    ``services.donor_refresh_eligibility``): no history is recomputed, and with a blood
    group the per-group partial index answers by a range scan. Only a donor with a fact
    dated after ``on`` (a question about the past, or a deferral that starts later) is
    decided from the history rows, as before. Apheresis, rare, always is."""
    if kind == DonationKind.APHERESIS:
        rules, common, deferred, whole_blood, apheresis = _prescreen(on)
        return _apheresis_eligible(
            queryset, on, rules, [*common, ~Exists(deferred)], whole_blood, apheresis
        )
    return queryset.filter(whole_blood_eligible(on))


def _prescreen(on: date):
    """What every kind's test shares: the rules, the age and weight conditions, and the
    donor's deferrals, whole-blood and apheresis donations up to ``on`` (correlated)."""
    rules = Rules.from_settings()
    drawn = Donation.objects.filter(donor=OuterRef("pk"), outcome__in=DRAWN_OUTCOMES)
    whole_blood = drawn.filter(kind=DonationKind.WHOLE_BLOOD, donated_on__lte=on)
    apheresis = drawn.filter(kind=DonationKind.APHERESIS, donated_on__lte=on)
    deferred = Deferral.objects.filter(donor=OuterRef("pk"), starts_on__lte=on).filter(
        Q(until__isnull=True) | Q(until__gt=on)
    )
    common = [Q(erased_at__isnull=True), _per_profile(lambda rules: _age_and_weight(on, rules))]
    return rules, common, deferred, whole_blood, apheresis


def _age_and_weight(on: date, rules) -> Q:
    return Q(
        Q(date_of_birth__lte=_born_by(on, rules.min_age)),
        Q(date_of_birth__gt=_born_by(on, rules.max_age + 1)),
        # A first-time donor (no blood drawn, here or outside) has a lower age limit.
        Q(last_donated_on__isnull=False)
        | Q(date_of_birth__gt=_born_by(on, rules.first_time_max_age + 1)),
        Q(weight_kg__isnull=True) | _weight_ok(rules),
    )


def _weight_ok(rules) -> Q:
    """The recorded weight reaches the minimum, by sex where the rules set one per sex."""
    if not rules.weight_by_sex_differs:
        return Q(weight_kg__gte=rules.min_weight_kg)
    either = Q()
    for sex, least in rules.min_weight_by_sex.items():
        either |= Q(sex=sex, weight_kg__gte=least)
    return either


def whole_blood_eligible(on: date) -> Q:
    """``eligible_on``'s whole-blood test as a condition on ``Donor``: a filter, or the
    filter of one count among several (``dashboard.demand.eligible_by_group_on`` counts
    the donors eligible on several dates in one scan)."""
    rules, common, deferred, whole_blood, apheresis = _prescreen(on)
    year_from = on - YEAR  # a donation given after this day counts in the 12 months
    switch_from = on - timedelta(days=rules.switch_days)
    settled = Q(eligibility_settled_on__isnull=True) | Q(eligibility_settled_on__lte=on)
    waited = Q(permanently_deferred=False) & (
        Q(next_eligible_on__isnull=True) | Q(next_eligible_on__lte=on)
    )

    def interval_from(rules):  # whole blood given after this day is too recent, by sex
        return {sex: on - timedelta(days=rules.interval_days[sex]) for sex in Sex}

    external_in = Q(external_last_donation_on__lte=on) & Q(external_last_donation_on__gt=year_from)
    # The few donors with a fact after ``on``, decided from their rows in one uncorrelated
    # subquery (found by the index on eligibility_settled_on): the planner costs it once,
    # not once per donor of the state.
    from_history = (
        Donor.objects.filter(eligibility_settled_on__gt=on)
        .alias(
            eligibility_interval_from=_by_sex(interval_from, DateField()),
            eligibility_year_limit=_by_sex(lambda r: r.max_donations_12m, IntegerField()),
            eligibility_year_count=_count_since(whole_blood, year_from)
            + Case(When(external_in, then=1), default=0, output_field=IntegerField()),
        )
        .filter(
            ~Exists(deferred),
            ~Exists(whole_blood.filter(donated_on__gt=OuterRef("eligibility_interval_from"))),
            Q(external_last_donation_on__isnull=True)
            | Q(external_last_donation_on__gt=on)
            | Q(external_last_donation_on__lte=F("eligibility_interval_from")),
            ~Exists(apheresis.filter(donated_on__gt=switch_from)),
            Q(eligibility_year_count__lt=F("eligibility_year_limit")),
        )
        .values("pk")
    )
    return Q(
        *common,
        (settled & waited) | (Q(eligibility_settled_on__gt=on) & Q(pk__in=from_history)),
    )


def _apheresis_eligible(queryset, on, rules, common, whole_blood, apheresis) -> QuerySet:
    """The apheresis half of ``eligible_on``: 48 hours after the last apheresis, the switch
    gap after whole blood (the portal's or the one recorded from outside), and the caps per
    7 days and per 12 months."""
    apheresis_from = on - timedelta(days=rules.apheresis_min_days)
    switch_from = on - timedelta(days=rules.switch_days)
    return queryset.alias(
        eligibility_week_count=_count_since(apheresis, on - WEEK),
        eligibility_year_count=_count_since(apheresis, on - YEAR),
    ).filter(
        *common,
        ~Exists(apheresis.filter(donated_on__gt=apheresis_from)),
        ~Exists(whole_blood.filter(donated_on__gt=switch_from)),
        Q(external_last_donation_on__isnull=True)
        | Q(external_last_donation_on__gt=on)
        | Q(external_last_donation_on__lte=switch_from),
        Q(eligibility_week_count__lt=rules.apheresis_max_per_week),
        Q(eligibility_year_count__lt=rules.apheresis_max_per_year),
    )
