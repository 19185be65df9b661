"""Reads of the donors app."""

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.scoping import for_user

from .choices import DRAWN_OUTCOMES
from .eligibility import DeferralFact, DonorFacts, Eligibility, PastDonation, check_eligibility
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


def facts_for(donor: Donor, *, haemoglobin_g_dl=None, weight_kg=None) -> DonorFacts:
    """The facts eligibility needs, from a donor (prefetched by ``with_eligibility_facts``
    when it was, read now otherwise). Screening values, when given, replace the records."""
    drawn = getattr(donor, "drawn_donations", None)
    if drawn is None:
        drawn = donor.donations.filter(outcome__in=DRAWN_OUTCOMES).only("donated_on", "kind")
    deferrals = getattr(donor, "all_deferrals", None)
    if deferrals is None:
        deferrals = donor.deferrals.all()
    return DonorFacts(
        sex=donor.sex,
        date_of_birth=donor.date_of_birth,
        weight_kg=weight_kg if weight_kg is not None else donor.weight_kg,
        haemoglobin_g_dl=haemoglobin_g_dl,
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
    )


def donor_eligibility(donor: Donor, on: date | None = None, **screening) -> Eligibility:
    """The pre-screen answer for ``donor`` on ``on`` (today in Asia/Kolkata by default)."""
    return check_eligibility(facts_for(donor, **screening), on or timezone.localdate())
