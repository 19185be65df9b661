"""Plausible ranges hold on every path: the page, the API and the import refuse an
implausible haemoglobin, weight, blood pressure or date with the same message on the same
field and write nothing; the database refuses a row written around the services; and no
date in a query string, nor a body nested too deep, answers 500."""

import datetime
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import ranges
from camps import spreadsheets as camp_sheets
from camps.models import Camp
from donors import spreadsheets as donor_sheets
from donors.donations import donation_record
from donors.models import Donation, Donor
from tests.factories import (
    BloodCentreFactory,
    CampFactory,
    DonationFactory,
    DonorFactory,
    make_patient,
)
from thalassemia.choices import TransfusionStatus
from thalassemia.models import Patient, Transfusion

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def message_of(validator, value) -> str:
    """The one message the model's validator gives for ``value``: every path must show it."""
    with pytest.raises(ValidationError) as caught:
        validator(value)
    (message,) = caught.value.messages
    return message


# --- Each path, answering {field: [messages]} and writing nothing when refused --------------


def _page_errors(response, form="form") -> dict:
    assert response.status_code == 200, "the page refused the form"
    return {name: list(errors) for name, errors in response.context[form].errors.items()}


def _api_errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()


def _import_errors(report) -> dict:
    assert not report.applied
    errors = {}
    for error in report.errors:
        errors.setdefault(error.field, []).append(error.message)
    return errors


def _csv(header: list[str], row: dict) -> bytes:
    return (",".join(header) + "\n" + ",".join(str(row.get(c, "")) for c in header) + "\n").encode()


# Donors: date of birth, weight, last donation outside the portal.
DONOR = {
    "name": "Asha Verma",
    "sex": "F",
    "date_of_birth": "1994-03-05",
    "blood_group": "B+",
    "phone": "9876500001",
    "weight_kg": "60",
}
DONOR_FIELDS = {  # the field as each path names it
    "page": {"last_donated_on": "external_last_donation_on"},
    "api": {},
    "import": {},
}


def donor_page(ctx, field, value):
    data = {**DONOR, "unit": ctx.units.station_a.pk, "preferred_language": "hi", "consent": "on"}
    data[DONOR_FIELDS["page"].get(field, field)] = value
    response = ctx.client.post("/donors/new/", data)
    return _page_errors(response), DONOR_FIELDS["page"].get(field, field)


def donor_api(ctx, field, value):
    body = {**DONOR, "unit": ctx.units.station_a.pk, field: value}
    return _api_errors(ctx.api.post("/api/v1/donors/", body, format="json")), field


def donor_import(ctx, field, value):
    row = {**DONOR, "unit": ctx.units.station_a.code, field: value}
    table = donor_sheets.read_donor_file(
        _csv(donor_sheets.IMPORT_COLUMNS, row), filename="donors.csv"
    )
    report = donor_sheets.import_donors(table=table, actor=ctx.user)
    return _import_errors(report), field


# Screenings at a camp: haemoglobin and weight (the API and the camp's donor sheet).
def donation_api(ctx, field, value):
    donor = DonorFactory(unit=ctx.units.station_a)
    body = {
        "donor": donor.pk,
        "donated_on": "2026-11-20",
        "blood_centre": BloodCentreFactory().pk,
        "outcome": "collected",
        "bag_volume_ml": 350,
        "bag_number": "BC-1",
        "haemoglobin_g_dl": "13.5",
        "weight_kg": "65",
        "bp_systolic": 120,
        "bp_diastolic": 80,
        field: value,
    }
    return _api_errors(ctx.api.post("/api/v1/donations/", body, format="json")), field


SHEET_COLUMNS = {"haemoglobin_g_dl": "haemoglobin", "weight_kg": "weight_kg"}


def donation_import(ctx, field, value):
    camp = CampFactory(unit=ctx.units.station_a)
    row = {
        "phone": "9876500002",
        "name": "Ravi",
        "sex": "M",
        "date_of_birth": "1990-01-01",
        "blood_group": "B+",
        "outcome": "collected",
        "bag_number": "BC-2",
        "bag_ml": "350",
        "haemoglobin": "13.5",
        "weight_kg": "65",
        "bp_systolic": "120",
        "bp_diastolic": "80",
        SHEET_COLUMNS.get(field, field): value,
    }
    header = [*camp_sheets.REQUIRED_COLUMNS, *camp_sheets.OPTIONAL_COLUMNS]
    table = camp_sheets.read_sheet(_csv(header, row), filename="sheet.csv")
    report = camp_sheets.import_sheet(camp=camp, table=table, actor=ctx.user)
    return _import_errors(report), SHEET_COLUMNS.get(field, field)


def donation_table(ctx, field, value):
    """The camp table's screening form (htmx POST), as the constable sends it."""
    camp = CampFactory(unit=ctx.units.station_a)
    donor = DonorFactory(unit=ctx.units.station_a)
    data = {
        "phone": donor.phone,
        "outcome": "collected",
        "bag_number": "BC-4",
        "bag_volume_ml": "350",
        "haemoglobin_g_dl": "13.5",
        "weight_kg": "65",
        "bp_systolic": "120",
        "bp_diastolic": "80",
        field: value,
    }
    url = reverse("camps:table-record", args=[camp.pk])
    return _page_errors(ctx.client.post(url, data, HTTP_HX_REQUEST="true")), field


def donation_service(ctx, field, value):
    """Blood pressure is written by the screening service (the camp table and the API call
    it); its error is the field's."""
    screening = {
        "haemoglobin_g_dl": Decimal("13.5"),
        "weight_kg": Decimal("65"),
        "bp_systolic": 120,
        "bp_diastolic": 80,
        field: value,
    }
    with pytest.raises(ValidationError) as caught:
        donation_record(
            donor=DonorFactory(unit=ctx.units.station_a),
            donated_on=TODAY,
            blood_centre=BloodCentreFactory(),
            outcome="collected",
            bag_number="BC-3",
            bag_volume_ml=350,
            actor=ctx.user,
            **screening,
        )
    return caught.value.message_dict, field


# Children: date of birth and weight.
CHILD = {
    "name": "Riya",
    "date_of_birth": "2019-06-01",
    "sex": "F",
    "blood_group": "O+",
    "weight_kg": "20",
}


def child_page(ctx, field, value):
    data = {
        **CHILD,
        "unit": ctx.units.station_a.pk,
        "plan-units_per_transfusion": "1",
        "plan-interval_days": "21",
        "plan-consent": "on",
        "guardian-name": "Meena",
        "guardian-relation": "mother",
        "guardian-phone": "098123 45678",
        "guardian-preferred_language": "hi",
        field: value,
    }
    return _page_errors(ctx.client.post("/children/new/", data)), field


def child_api(ctx, field, value):
    body = {
        **CHILD,
        "unit": ctx.units.station_a.pk,
        "units_per_transfusion": 1,
        "interval_days": 21,
        field: value,
    }
    return _api_errors(ctx.api.post("/api/v1/patients/", body, format="json")), field


# A transfusion given: the day and the pre-transfusion haemoglobin.
def _open_transfusion(ctx):
    patient = make_patient(ctx.units.station_a, last_transfused_on=date(2026, 11, 10))
    return patient.transfusions.exclude(status=TransfusionStatus.DONE).get()


def transfusion_page(ctx, field, value):
    transfusion = _open_transfusion(ctx)
    data = {"done_on": "2026-11-22", "units_given": "1", "pre_haemoglobin_g_dl": "9.0"}
    data[field] = value
    response = ctx.client.post(f"/transfusions/{transfusion.pk}/record/", data)
    return _page_errors(response, "done_form"), field


def transfusion_api(ctx, field, value):
    transfusion = _open_transfusion(ctx)
    body = {"done_on": "2026-11-22", "units_given": 1, "pre_haemoglobin_g_dl": "9.0"}
    body[field] = value
    url = f"/api/v1/transfusions/{transfusion.pk}/done/"
    return _api_errors(ctx.api.post(url, body, format="json")), field


# Camps: the day, within two years of today.
def _camp(ctx):
    return {
        "name": "Police Lines camp",
        "held_on": "2026-12-05",
        "venue": "Police Lines",
        "unit": ctx.units.station_a.pk,
        "blood_centre": BloodCentreFactory().pk,
        "target_donors": 50,
    }


def camp_page(ctx, field, value):
    return _page_errors(ctx.client.post("/camps/new/", {**_camp(ctx), field: value})), field


def camp_api(ctx, field, value):
    body = {**_camp(ctx), field: value}
    return _api_errors(ctx.api.post("/api/v1/camps/", body, format="json")), field


def _donors():
    return Donor.objects.count()


def _donations():
    return Donation.objects.count()


def _children():
    return Patient.objects.count()


def _given():
    # Recorded by someone: the child's registration records the one before it by no one.
    return Transfusion.objects.filter(
        status=TransfusionStatus.DONE, recorded_by__isnull=False
    ).count()


def _camps():
    return Camp.objects.count()


HB, DONOR_KG, CHILD_KG = (
    ranges.validate_haemoglobin,
    ranges.validate_donor_weight,
    ranges.validate_child_weight,
)
BIRTH, PAST, CAMP_DAY = (
    ranges.validate_birth_date,
    ranges.validate_past_date,
    ranges.validate_camp_date,
)
SYS, DIA = ranges.validate_bp_systolic, ranges.validate_bp_diastolic

# Every path that records a screening: the camp table, the API, the camp's donor sheet and
# the service itself.
SCREENING_PATHS = (donation_table, donation_api, donation_import, donation_service)

# (what, field, value, the model's validator, the paths, the rows they must not add)
CASES = [
    *[
        (
            "haemoglobin",
            "haemoglobin_g_dl",
            hb,
            HB,
            (donation_table, donation_api, donation_import),
            _donations,
        )
        for hb in ("99", "-1", "0.5", "26")
    ],
    *[
        (
            "transfusion Hb",
            "pre_haemoglobin_g_dl",
            hb,
            HB,
            (transfusion_page, transfusion_api),
            _given,
        )
        for hb in ("99", "-1", "0.5", "26")
    ],
    *[
        ("donor weight", "weight_kg", kg, DONOR_KG, (donor_page, donor_api, donor_import), _donors)
        for kg in ("500", "29")
    ],
    *[
        (
            "screening weight",
            "weight_kg",
            kg,
            DONOR_KG,
            (donation_table, donation_api, donation_import),
            _donations,
        )
        for kg in ("500", "29")
    ],
    ("child weight", "weight_kg", "500", CHILD_KG, (child_page, child_api), _children),
    ("child weight", "weight_kg", "1.5", CHILD_KG, (child_page, child_api), _children),
    *[
        (what, field, value, validator, SCREENING_PATHS, _donations)
        for what, field, value, validator in (
            ("systolic", "bp_systolic", 300, SYS),
            ("systolic", "bp_systolic", 59, SYS),
            ("diastolic", "bp_diastolic", 20, DIA),
            ("diastolic", "bp_diastolic", 151, DIA),
        )
    ],
    *[
        ("donation day", "donated_on", day, PAST, (donation_api,), _donations)
        for day in ("1800-01-01", "2200-01-01")
    ],
    *[
        ("transfusion day", "done_on", day, PAST, (transfusion_page, transfusion_api), _given)
        for day in ("1800-01-01", "2200-01-01")
    ],
    *[
        ("camp day", "held_on", day, CAMP_DAY, (camp_page, camp_api), _camps)
        for day in ("1800-01-01", "2200-01-01", "2029-01-01")
    ],
    *[
        ("donor birth", "date_of_birth", day, BIRTH, (donor_page, donor_api, donor_import), _donors)
        for day in ("1800-01-01", "2026-11-24")
    ],
    *[
        ("child birth", "date_of_birth", day, BIRTH, (child_page, child_api), _children)
        for day in ("1800-01-01", "2026-11-24")
    ],
    *[
        (
            "last donation",
            "last_donated_on",
            day,
            PAST,
            (donor_page, donor_api, donor_import),
            _donors,
        )
        for day in ("1800-01-01", "2026-11-24")
    ],
]


class Context:
    def __init__(self, units, user, client, api):
        self.units, self.user, self.client, self.api = units, user, client, api


@pytest.fixture
def ctx(units, coordinator, client_for, api_client_for):
    return Context(units, coordinator, client_for(coordinator), api_client_for(coordinator))


@pytest.mark.parametrize(
    ("what", "field", "value", "validator", "paths", "rows"),
    CASES,
    ids=[f"{case[0]} {case[2]}" for case in CASES],
)
def test_every_path_refuses_an_implausible_value_alike(
    ctx, what, field, value, validator, paths, rows
):
    expected = message_of(validator, _typed(validator, value))
    for path in paths:
        before = rows()
        errors, name = path(ctx, field, value)
        assert errors.get(name) == [expected], f"{path.__name__}: {errors}"
        assert rows() == before, f"{path.__name__} wrote a row"


def _typed(validator, value):
    if validator in (BIRTH, PAST, CAMP_DAY):
        return date.fromisoformat(value)
    return Decimal(str(value)) if validator not in (SYS, DIA) else value


def test_the_messages_say_what_to_enter():
    assert message_of(HB, Decimal(99)) == "Enter the haemoglobin in g/dL, between 1 and 25."
    assert (
        message_of(DONOR_KG, Decimal(500)) == "Enter the weight in kilograms, between 30 and 250."
    )
    assert message_of(CHILD_KG, Decimal(500)) == "Enter the weight in kilograms, between 2 and 150."
    assert message_of(SYS, 300) == (
        "Enter the systolic blood pressure in mmHg, between 60 and 250."
    )
    assert message_of(PAST, date(1800, 1, 1)) == "Enter a date between 1900 and today."
    assert message_of(CAMP_DAY, date(2200, 1, 1)) == "Choose a date within 2 years of today."


@pytest.mark.parametrize(
    ("validator", "accepted", "refused"),
    [
        (HB, ["1", "25", "12.5"], ["0.9", "25.1"]),
        (DONOR_KG, ["30", "250"], ["29.9", "250.1"]),
        (CHILD_KG, ["2", "150"], ["1.9", "150.1"]),
        (SYS, [60, 250], [59, 251]),
        (DIA, [30, 150], [29, 151]),
        (PAST, ["1900-01-01", "2026-11-23"], ["1899-12-31", "2026-11-24"]),
        (BIRTH, ["1900-01-01", "2026-11-23"], ["1899-12-31", "2026-11-24"]),
        (CAMP_DAY, ["2024-11-23", "2028-11-23"], ["2024-11-22", "2028-11-24"]),
    ],
)
def test_the_bounds_are_inclusive(validator, accepted, refused):
    for value in accepted:
        validator(_typed(validator, value))
    for value in refused:
        with pytest.raises(ValidationError):
            validator(_typed(validator, value))


def test_the_boundary_values_are_recorded_through_the_api(ctx):
    donor = DonorFactory(unit=ctx.units.station_a, weight_kg=Decimal("30"))
    response = ctx.api.patch(
        f"/api/v1/donors/{donor.pk}/",
        {"weight_kg": "250", "date_of_birth": "1900-01-01", "last_donated_on": "2026-11-23"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    donor.refresh_from_db()
    assert donor.weight_kg == Decimal("250") and donor.date_of_birth == date(1900, 1, 1)


# --- The database refuses what goes around the services -----------------------------------


def _refused(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


def test_check_constraints_refuse_implausible_rows_written_around_the_services(units):
    donation = DonationFactory(donor=DonorFactory(unit=units.station_a))
    donations = Donation.objects.filter(pk=donation.pk)
    _refused(donations, haemoglobin_g_dl=Decimal("99"))
    _refused(donations, haemoglobin_g_dl=Decimal("0.5"))
    _refused(donations, weight_kg=Decimal("500"))
    _refused(donations, bp_systolic=300)
    _refused(donations, bp_diastolic=20)
    _refused(donations, donated_on=date(1800, 1, 1))
    donors = Donor.objects.filter(pk=donation.donor_id)
    _refused(donors, weight_kg=Decimal("29"))
    _refused(donors, date_of_birth=date(1800, 1, 1))
    _refused(donors, external_last_donation_on=date(1800, 1, 1))
    patient = make_patient(units.station_a, last_transfused_on=date(2026, 11, 10))
    _refused(Patient.objects.filter(pk=patient.pk), weight_kg=Decimal("500"))
    _refused(Patient.objects.filter(pk=patient.pk), date_of_birth=date(1800, 1, 1))
    given = Transfusion.objects.filter(patient=patient, status=TransfusionStatus.DONE)
    _refused(given, pre_haemoglobin_g_dl=Decimal("26"))
    _refused(given, done_on=date(1800, 1, 1))
    _refused(Camp.objects.filter(pk=CampFactory(unit=units.station_a).pk), held_on=date(1800, 1, 1))
    # In range, the same writes go through.
    assert donations.update(haemoglobin_g_dl=Decimal("25"), bp_systolic=250) == 1


# --- No date answers 500 -------------------------------------------------------------------

FAR_DATES = ("9999-12-31", "0001-01-01", "1899-12-31", "2040-01-01")


@pytest.fixture
def child_with_calendar(units):
    return make_patient(units.station_a, last_transfused_on=date(2026, 11, 10))


@pytest.mark.parametrize("day", FAR_DATES)
def test_api_query_dates_out_of_range_answer_400_on_the_field(ctx, child_with_calendar, day):
    donor = DonorFactory(unit=ctx.units.station_a)
    DonationFactory(donor=donor, donated_on=date(2026, 6, 1))
    child = child_with_calendar.pk
    for url, field in (
        (f"/api/v1/patients/{child}/matches/?on={day}", "on"),
        (f"/api/v1/patients/{child}/schedule/?until={day}", "until"),
        (f"/api/v1/donors/{donor.pk}/eligibility/?on={day}", "on"),
        (f"/api/v1/dashboard/totals/?by=month&from={day}", "from"),
        (f"/api/v1/dashboard/totals/?by=month&from=2026-01-01&to={day}", "to"),
        (f"/api/v1/camps/?held_from={day}", "held_from"),
    ):
        response = ctx.api.get(url)
        assert response.status_code == 400, (url, response.content)
        assert field in response.json(), (url, response.json())


def test_a_forecast_too_far_ahead_answers_400(ctx):
    response = ctx.api.get("/api/v1/dashboard/forecast/?days=999999999")
    assert response.status_code == 400 and "days" in response.json()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_list_filters_with_far_dates_do_not_fail(ctx, child_with_calendar, day):
    DonationFactory(donor=DonorFactory(unit=ctx.units.station_a))
    for url in (
        f"/api/v1/donations/?donated_on__gte={day}",
        f"/api/v1/donations/?donated_on__lte={day}",
        f"/api/v1/transfusions/?due_on__gte={day}",
        f"/api/v1/messages/?created_from={day}",
    ):
        assert ctx.api.get(url).status_code in (200, 400), url
    for url in (
        f"/camps/?held_from={day}",
        f"/camps/calendar/?month={day[:7]}",
        f"/dashboard/?from={day}&to={day}",
        f"/transfusions/{child_with_calendar.transfusions.first().pk}/match/?on={day}",
    ):
        assert ctx.client.get(url).status_code in (200, 302, 400), url


def test_a_match_page_asked_for_a_far_date_says_so(ctx, child_with_calendar):
    transfusion = child_with_calendar.transfusions.exclude(status=TransfusionStatus.DONE).get()
    response = ctx.client.get(f"/transfusions/{transfusion.pk}/match/?on=9999-12-31", follow=True)
    assert response.status_code == 200
    assert "is not a date" in response.content.decode()


def test_the_dashboard_page_shows_a_far_date_as_a_form_error(ctx):
    response = ctx.client.get("/dashboard/?to=9999-12-31")
    assert response.status_code == 400  # the page's answer to a bad filter, with the form
    assert response.context["form"].errors["to"] == [
        "Enter a date between 1900-01-01 and 2031-11-23."
    ]


# --- Deep JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 40])
def test_a_deeply_nested_body_answers_400(ctx, depth):
    body = '{"a":' + "[" * depth + "]" * depth + "}"
    before = _donors()
    response = ctx.api.post("/api/v1/donors/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert _donors() == before


def test_an_ordinary_nested_body_is_still_read(ctx):
    response = ctx.api.post(
        "/api/v1/hospitals/",
        {"name": "LLR", "contacts": [{"name": "Dr Rao", "phone": "9876500009"}]},
        format="json",
    )
    assert response.status_code in (201, 403)  # parsed; only admins write partners


def test_an_old_camp_keeps_its_date_and_can_still_be_corrected(ctx):
    from camps.services import camp_update

    with time_machine.travel(datetime.datetime(2023, 1, 10, 6, 0, tzinfo=datetime.UTC)):
        camp = CampFactory(unit=ctx.units.station_a, held_on=date(2023, 1, 10), status="planned")
    camp = camp_update(camp=camp, actor=ctx.user, venue="Kotwali thana courtyard")
    assert camp.venue == "Kotwali thana courtyard"
    with pytest.raises(ValidationError) as caught:
        camp_update(camp=camp, actor=ctx.user, held_on=date(2023, 1, 11))
    assert "held_on" in caught.value.message_dict


def test_a_batch_checks_its_dates_against_the_day_it_began():
    """``ranges.same_day`` (the imports) takes today once: a sheet checked across midnight
    is held to the day it began; outside a batch each check asks again."""
    tomorrow = TODAY + datetime.timedelta(days=1)
    next_morning = datetime.datetime(2026, 11, 24, 6, 0, tzinfo=datetime.UTC)
    with ranges.same_day(), time_machine.travel(next_morning):  # the day is taken first
        with pytest.raises(ValidationError):
            ranges.validate_birth_date(tomorrow)
        with pytest.raises(ValidationError):
            ranges.validate_past_date(tomorrow)
        ranges.validate_birth_date(TODAY)
    with time_machine.travel(next_morning):
        ranges.validate_birth_date(tomorrow)
        ranges.validate_past_date(tomorrow)
    with pytest.raises(ValidationError):
        ranges.validate_birth_date(tomorrow)
