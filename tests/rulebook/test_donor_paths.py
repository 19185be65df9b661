"""One way into the registry: the staff page, the API, the donor import, the camp donor
sheet, the camp table and the public pledge all register a donor through
``donors.services.donor_create``. The same person typed the same way comes out the same on
each: the phone normalised, a consent row per purpose saying who, when and which notice, and
exactly one audit CREATE row. A number already registered is refused on each, with the error
on ``phone`` (the pledge silently, so a stranger learns nothing), and nothing is saved.

The demo loader goes through the same function: see the last test."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.models import Consent, Donor
from tests.factories import CampFactory, DonorFactory
from tests.helpers import follow_import_job

pytestmark = pytest.mark.django_db

TYPED = "098765 43210"  # a leading 0 and a space: every path must store +919876543210
STORED = "+919876543210"
PERSON = {"name": "Kavita Rao", "sex": "F", "date_of_birth": "1994-08-30", "blood_group": "B+"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the imports keep the checked file between the two steps


def csv_file(header: list[str], row: dict, name: str) -> SimpleUploadedFile:
    text = ",".join(header) + "\n" + ",".join(str(row.get(c, "")) for c in header) + "\n"
    return SimpleUploadedFile(name, text.encode(), "text/csv")


# --- the paths: each registers PERSON with ``phone`` and answers the response -----------


def by_page(ctx, phone):
    data = {
        **PERSON,
        "phone": phone,
        "unit": ctx.units.station_a.pk,
        "preferred_language": "hi",
        "consent": "on",
        "consent_reminders": "on",
    }
    return ctx.client_for(ctx.staff_a).post(reverse("donors:create"), data)


def by_api(ctx, phone):
    body = {
        **PERSON,
        "phone": phone,
        "unit": ctx.units.station_a.pk,
        "consent_registry": True,
        "consent_reminders": True,
    }
    return ctx.api_client_for(ctx.staff_a).post("/api/v1/donors/", body, format="json")


def by_donor_import(ctx, phone):
    header = [*PERSON, "phone", "unit", "consent_registry", "consent_reminders"]
    row = {**PERSON, "phone": phone, "unit": "station-a"}
    row.update(consent_registry="yes", consent_reminders="yes")
    client = ctx.client_for(ctx.staff_a)
    upload = {"file": csv_file(header, row, "donors.csv")}
    checked = follow_import_job(client, client.post("/donors/import/", upload))
    if not checked.context["report"].ok:
        return checked
    return follow_import_job(
        client, client.post("/donors/import/", {"token": checked.context["token"]})
    )


def by_camp_sheet(ctx, phone):
    header = [*PERSON, "phone", "outcome", "consent_registry", "consent_reminders"]
    row = {**PERSON, "phone": phone, "outcome": "deferred"}
    row.update(consent_registry="yes", consent_reminders="yes")
    client, url = ctx.client_for(ctx.staff_a), reverse("camps:import", args=[ctx.camp.pk])
    checked = client.post(url, {"file": csv_file(header, row, "sheet.csv")})
    assert checked.context["report"].ok, checked.context["report"].errors
    return client.post(url, {"token": checked.context["token"]})


def by_camp_table(ctx, phone):
    data = {**PERSON, "phone": phone, "consent": "on", "consent_reminders": "on"}
    return ctx.client_for(ctx.staff_a).post(
        reverse("camps:table-donor", args=[ctx.camp.pk]), data, HTTP_HX_REQUEST="true"
    )


def by_pledge(ctx, phone):
    data = {
        **PERSON,
        "phone": phone,
        "unit": ctx.units.station_a.pk,
        "preferred_language": "hi",
        "consent": "on",
        "consent_reminders": "on",
    }
    return ctx.anon.post(reverse("donors:pledge"), data)


STAFF_PATHS = [by_page, by_api, by_donor_import, by_camp_sheet, by_camp_table]
ALL_PATHS = [*STAFF_PATHS, by_pledge]


class Ctx:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


@pytest.fixture
def ctx(units, staff_a, anon, client_for, api_client_for):
    camp = CampFactory(unit=units.station_a)
    return Ctx(
        units=units,
        staff_a=staff_a,
        anon=anon,
        client_for=client_for,
        api_client_for=api_client_for,
        camp=camp,
    )


def creations(donor):
    return AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        content_type=ContentType.objects.get_for_model(Donor),
        object_id=str(donor.pk),
    )


@pytest.mark.parametrize("path", ALL_PATHS, ids=lambda p: p.__name__)
def test_the_same_person_is_registered_the_same_way_on_every_path(ctx, path, settings):
    response = path(ctx, TYPED)

    assert response.status_code in (200, 201, 302), response.content[:500]
    donor = Donor.objects.get()
    assert donor.phone == STORED
    assert (donor.name, donor.sex, donor.blood_group) == ("Kavita Rao", "F", "B+")
    assert donor.date_of_birth == datetime.date(1994, 8, 30)
    pledged = path is by_pledge
    # Who: staff at the donor's word, or the donor themselves on the pledge form.
    who = None if pledged else ctx.staff_a
    source = "pledge" if pledged else "staff"
    consents = Consent.objects.filter(donor=donor)
    assert {(c.purpose, c.source, c.recorded_by) for c in consents} == {
        ("registry", source, who),
        ("reminders", source, who),
    }
    for consent in consents:
        assert consent.withdrawn_at is None
        assert consent.notice_version == settings.DONOR_CONSENT_VERSION
        assert abs(timezone.now() - consent.given_at) < datetime.timedelta(minutes=1)
    # The registry consent in brief stays in step with its row.
    assert donor.consent_at == consents.get(purpose="registry").given_at
    assert donor.consent_version == settings.DONOR_CONSENT_VERSION
    assert donor.opted_out_at is None
    # Staff registering in person vouch for the number; a pledge waits for its code.
    assert (donor.verified_by, donor.verified_at is None) == (who, pledged)
    created = creations(donor)
    assert created.count() == 1
    assert created.get().actor == who


@pytest.mark.parametrize(
    "path",
    # The camp sheet takes a known number for that donor (their screening), by design.
    [by_page, by_api, by_donor_import, by_camp_table, by_pledge],
    ids=lambda p: p.__name__,
)
def test_a_known_number_is_refused_on_every_path_and_nothing_is_saved(ctx, path):
    known = DonorFactory(unit=ctx.units.station_b, phone=STORED, name="Ramesh Kumar")

    response = path(ctx, TYPED)

    if path is by_pledge:
        assert response.status_code == 302  # the same answer as a new number
    elif path is by_api:
        assert response.status_code == 400
        assert "phone" in response.json()
    elif path is by_donor_import:
        assert [e.field for e in response.context["report"].errors] == ["phone"]
    else:
        assert "phone" in response.context["form"].errors
    assert list(Donor.objects.values_list("pk", flat=True)) == [known.pk]
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()
    known.refresh_from_db()
    assert known.name == "Ramesh Kumar"


def test_a_walk_in_at_the_camp_table_consents_to_each_purpose_ticked(ctx):
    table = reverse("camps:table-donor", args=[ctx.camp.pk])
    client = ctx.client_for(ctx.staff_a)
    data = {**PERSON, "phone": "9876543210", "consent": "on", "consent_reminders": "on"}
    client.post(table, data)
    data = {**PERSON, "phone": "9876543211", "consent": "on"}
    client.post(table, data)

    both, registry_only = Donor.objects.order_by("phone")
    assert set(both.consents.values_list("purpose", flat=True)) == {"registry", "reminders"}
    assert set(registry_only.consents.values_list("purpose", flat=True)) == {"registry"}


def test_a_walk_in_without_the_registry_box_is_not_registered(ctx):
    table = reverse("camps:table-donor", args=[ctx.camp.pk])
    data = {**PERSON, "phone": "9876543210", "consent_reminders": "on"}
    response = ctx.client_for(ctx.staff_a).post(table, data)

    assert "consent" in response.context["form"].errors
    assert not Donor.objects.exists()


def test_the_demo_loader_registers_through_the_same_function(settings):
    settings.DEBUG = True
    call_command("load_demo")

    donor = Donor.objects.get(phone="+919000000301")
    desk = donor.verified_by
    assert desk is not None and desk.username == "kotwali"
    consent = donor.consents.get()
    assert (consent.purpose, consent.source, consent.recorded_by) == ("registry", "staff", desk)
    assert consent.notice_version == settings.DONOR_CONSENT_VERSION
    assert donor.consent_at == consent.given_at
    assert creations(donor).count() == 1
    # The children's circle donors of the demo too.
    circle_donor = Donor.objects.get(phone="+919000000203")
    assert circle_donor.consents.get().recorded_by == desk
    assert creations(circle_donor).count() == 1
