"""One way into the registry: the staff page, the API, the donor import, the camp donor
sheet, the camp table and the public pledge all register a donor through
``donors.services.donor_create``. The same person typed the same way comes out the same on
each: the phone normalised, a consent row per purpose saying who, when and which notice, and
exactly one audit CREATE row. The same person already registered (same number, name and date
of birth, ``donors.services.find_duplicates``) is refused on each, with the error on ``phone``
(the pledge silently, so a stranger learns nothing), and nothing is saved. A family may share
a number: another person on it is registered, up to DONORS_PER_PHONE_MAX; the next one is
refused on each path with a field error on ``phone``.

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
from camps.models import QueueEntry
from camps.queue import join_code
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


def by_join_page(ctx, phone):
    data = {**PERSON, "phone": phone, "consent": "on", "consent_reminders": "on"}
    camp = CampFactory(unit=ctx.units.station_a, status="planned")
    return ctx.anon.post(reverse("camps:join", args=[join_code(camp)]), data)


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


def refused_on_phone(path, response, ctx):
    if path is by_api:
        assert response.status_code == 400
        return response.json()["phone"]
    if path is by_donor_import:
        errors = response.context["report"].errors
        assert [e.field for e in errors] == ["phone"]
        return [e.message for e in errors]
    form = response.context["form"]
    assert list(form.errors) == ["phone"], form.errors
    return form.errors["phone"]


@pytest.mark.parametrize(
    "path",
    # The camp sheet and the join page take a known person as that donor, by design.
    [by_page, by_api, by_donor_import, by_camp_table, by_pledge],
    ids=lambda p: p.__name__,
)
def test_the_same_person_is_refused_on_every_path_and_nothing_is_saved(ctx, path):
    # Another unit's donor: the same number, the name typed in another case and spacing,
    # the same date of birth.
    known = DonorFactory(
        unit=ctx.units.station_b,
        phone=STORED,
        name="  KAVITA   rao ",
        date_of_birth=datetime.date(1994, 8, 30),
    )

    response = path(ctx, TYPED)

    if path is by_pledge:
        assert response.status_code == 302  # the same answer as a new number
    else:
        [message] = refused_on_phone(path, response, ctx)
        assert "already registered with another police unit" in message
        assert f"#{known.pk}" not in message  # another unit's donor: no id
    assert list(Donor.objects.values_list("pk", flat=True)) == [known.pk]
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()
    known.refresh_from_db()
    assert known.name == "  KAVITA   rao "


@pytest.mark.parametrize("path", [*ALL_PATHS, by_join_page], ids=lambda p: p.__name__)
def test_a_family_member_on_a_known_number_is_registered_on_every_path(ctx, path):
    # Same number, another name (or the same name, another date of birth: a namesake).
    husband = DonorFactory(unit=ctx.units.station_b, phone=STORED, name="Arun Rao")
    namesake = DonorFactory(
        unit=ctx.units.station_a,
        phone=STORED,
        name="Kavita Rao",
        date_of_birth=datetime.date(1960, 1, 1),
    )

    response = path(ctx, TYPED)

    assert response.status_code in (200, 201, 302), response.content[:500]
    kavita = Donor.objects.exclude(pk__in=[husband.pk, namesake.pk]).get()
    assert (kavita.phone, kavita.name) == (STORED, "Kavita Rao")
    assert creations(kavita).count() == 1
    if path is by_join_page:
        assert QueueEntry.objects.get().donor == kavita


@pytest.mark.parametrize("path", [*ALL_PATHS, by_join_page], ids=lambda p: p.__name__)
def test_the_fifth_donor_on_a_number_is_refused_on_every_path(ctx, path, settings):
    assert settings.DONORS_PER_PHONE_MAX == 4
    family = [
        DonorFactory(unit=ctx.units.station_a, phone=STORED, name=f"Rao {n}") for n in range(4)
    ]

    response = path(ctx, TYPED)

    if path is by_camp_sheet:
        # The sheet checks its rows before it writes: the refusal is the apply's report.
        assert "4 donors already share this mobile number" in response.content.decode()
    elif path in (by_pledge, by_join_page):
        messages = response.context["form"].errors["phone"]
        assert any("4 donors already share this mobile number" in m for m in messages)
    else:
        [message] = refused_on_phone(path, response, ctx)
        assert "4 donors already share this mobile number" in message
    assert set(Donor.objects.values_list("pk", flat=True)) == {d.pk for d in family}
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_bulk_import_counts_its_own_rows_against_the_limit_and_names_the_same_person_twice(
    ctx,
):
    from donors.services import donors_create_bulk
    from portal.sheets import RowsRefused

    DonorFactory(unit=ctx.units.station_a, phone=STORED, name="Arun Rao")
    rows = [
        {
            "source": "import",
            "name": name,
            "sex": "F",
            "date_of_birth": datetime.date(1990, 1, day),
            "phone": TYPED,
            "unit": ctx.units.station_a,
        }
        for day, name in enumerate(["Asha", "Bela", "Chitra", "Devi", "Bela"], start=1)
    ]
    rows[4]["date_of_birth"] = datetime.date(1990, 1, 2)  # Bela again

    with pytest.raises(RowsRefused) as refused:
        donors_create_bulk(actor=ctx.staff_a, rows=rows)

    by_row = {i: e.message_dict["phone"][0] for i, e in refused.value.by_index.items()}
    assert set(by_row) == {3, 4}  # Asha, Bela, Chitra join Arun: four; Devi is the 5th
    assert "4 donors already share" in by_row[3]
    assert "appears twice" in by_row[4]
    assert Donor.objects.count() == 1


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
