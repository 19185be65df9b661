"""A camp and its donors in the shape a blood centre uploads to e-RaktKosh.

e-RaktKosh (the national blood-centre system) publishes no API and no upload schema, so the
columns are chosen from what its camp and donor registration asks; docs/eraktkosh.md says
which and why. One row per donation at the camp (collected, deferred, adverse reaction),
read in one query (the deferral's reason is a subquery) and streamed through
``portal.exports.stream_csv`` (cells neutralised against formulas). Dates are ISO 8601."""

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery

from donors.choices import DonationOutcome
from donors.eligibility import age_on
from donors.models import Deferral, Donation
from donors.privacy import listed_phone
from portal import exports

from .models import Camp

# The file's header row: fixed English names, for the machine that reads the file.
HEADERS = [
    "blood_centre_eraktkosh_id",
    "blood_centre_licence_number",
    "blood_centre_name",
    "camp_eraktkosh_id",
    "camp_ref",
    "camp_name",
    "camp_date",
    "camp_venue",
    "donor_eraktkosh_id",
    "donor_name",
    "sex",
    "date_of_birth",
    "age",
    "blood_group",
    "mobile",
    "donation_date",
    "donation_type",
    "outcome",
    "deferral_reason",
    "reaction",
    "bag_number",
    "bag_volume_ml",
    "haemoglobin_g_dl",
    "weight_kg",
]

CHUNK = 500


def donations_for(camp: Camp) -> QuerySet:
    """The camp's donations with their donors and, for a deferred one, the category of the
    deferral recorded for that donor on that day: one query whatever the number."""
    reason = (
        Deferral.objects.filter(donor=OuterRef("donor"), starts_on=OuterRef("donated_on"))
        .order_by("-recorded_at", "-id")
        .values("category")[:1]
    )
    return (
        Donation.objects.filter(camp=camp)
        .select_related("donor")
        .annotate(deferral_reason=Subquery(reason))
        .order_by("recorded_at", "id")
    )


def _mobile(phone: str) -> str:
    """An Indian mobile as the 10 digits e-RaktKosh's forms ask (``+919839012345`` →
    ``9839012345``); any other number as stored. A leading ``+`` would otherwise be
    neutralised to ``'+91…`` (a spreadsheet reads ``+`` as a formula)."""
    if phone.startswith("+91") and len(phone) == 13:
        return phone[3:]
    return phone


def _blank(value):
    return "" if value is None else value


def rows(camp: Camp, viewer) -> Iterator[list]:
    """One list of cells per donation at ``camp``; phones as lists show them to ``viewer``
    (whole for coordinators and admins and for staff's own unit, masked beyond it)."""
    centre = camp.blood_centre
    head = [
        centre.eraktkosh_id,
        centre.licence_number,
        centre.name,
        camp.eraktkosh_id,
        camp.pk,
        camp.name,
        camp.held_on.isoformat(),
        camp.venue,
    ]
    for donation in donations_for(camp).iterator(chunk_size=CHUNK):
        donor = donation.donor
        deferred = donation.outcome == DonationOutcome.DEFERRED
        yield [
            *head,
            donor.eraktkosh_id,
            donor.name,
            donor.sex,
            donor.date_of_birth.isoformat() if donor.date_of_birth else "",
            age_on(donor.date_of_birth, donation.donated_on) if donor.date_of_birth else "",
            donor.blood_group,
            _mobile(listed_phone(viewer, donor)),
            donation.donated_on.isoformat(),
            donation.kind,
            donation.outcome,
            (donation.deferral_reason or "") if deferred else "",
            donation.reaction,
            donation.bag_number,
            _blank(donation.bag_volume_ml),
            _blank(donation.haemoglobin_g_dl),
            _blank(donation.weight_kg),
        ]


def export_csv(camp: Camp, viewer) -> Iterator[bytes]:
    return exports.stream_csv(HEADERS, rows(camp, viewer))
