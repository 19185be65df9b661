"""One parity table for the clinical rules of a collection: the same screening through the
camp table (its htmx POST), the API (POST /api/v1/donations/) and the camp donor-sheet
import (its dry run, then the apply) is refused with the same fields and the same messages,
and nothing is saved; an acceptable one is saved once on each path, with its audit row."""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import AuditAction, Role
from accounts.models import AuditEvent
from accounts.services import unit_update
from donors.models import Deferral, Donation
from tests.factories import (
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    UserFactory,
)
from tests.rulebook.profiles import apply_profile

pytestmark = pytest.mark.django_db

WHOLE = "whole"  # the entry as a whole (non-field errors), whatever a path calls it
GOOD = {
    "haemoglobin_g_dl": "13.5",
    "weight_kg": "70",
    "bp_systolic": "120",
    "bp_diastolic": "80",
    "bag_number": "KNP-0001",
    "bag_volume_ml": "350",
}


def years_before(day, years):
    return day.replace(year=day.year - years)


@dataclass
class Case:
    id: str
    screening: dict = field(default_factory=dict)  # changes to GOOD; None: left blank
    donor: object = lambda day: {}  # (camp day) -> the donor's fields
    setup: object = None  # (donor, camp) -> None: the records the case needs
    errors: object = lambda day: {}  # (camp day) -> {field: the one message expected there}


def _last_donation_30_days_ago(donor, camp):
    DonationFactory(donor=donor, donated_on=camp.held_on - datetime.timedelta(days=30))


def _deferred_until_next_month(donor, camp):
    DeferralFactory(
        donor=donor,
        category="tattoo",
        starts_on=camp.held_on - datetime.timedelta(days=10),
        until=camp.held_on + datetime.timedelta(days=30),
    )


def _bag_used_at_the_centre(donor, camp):
    DonationFactory(
        donor=DonorFactory(unit=donor.unit),
        blood_centre=camp.blood_centre,
        bag_number=GOOD["bag_number"],
    )


def _d(day):
    return f"{day.day} {day:%b %Y}"


def _not_eligible(reason):
    return {WHOLE: f"Not eligible, so not recorded as collected: {reason}"}


def _days(day, n):
    return _d(day + datetime.timedelta(days=n))


CASES = [
    Case(
        "interval-30-days",
        setup=_last_donation_30_days_ago,
        errors=lambda day: _not_eligible(
            f"Last whole-blood donation on {_days(day, -30)}: 90 days must pass, so from "
            f"{_days(day, 60)}."
        ),
    ),
    Case(
        "haemoglobin-11",
        screening={"haemoglobin_g_dl": "11.0"},
        errors=lambda day: {
            "haemoglobin_g_dl": "Haemoglobin 11.0 g/dL: at least 12.5 g/dL is needed."
        },
    ),
    Case(
        "weight-44",
        screening={"weight_kg": "44"},
        donor=lambda day: {"weight_kg": Decimal("44")},
        errors=lambda day: {"weight_kg": "Weight 44 kg: at least 45 kg is needed."},
    ),
    Case(
        "450-ml-from-48-kg",
        screening={"weight_kg": "48", "bag_volume_ml": "450"},
        donor=lambda day: {"weight_kg": Decimal("48")},
        errors=lambda day: {
            "bag_volume_ml": "Weight 48 kg: more than 55 kg is needed for a 450 ml bag."
        },
    ),
    Case(
        "age-17",
        donor=lambda day: {"date_of_birth": years_before(day, 17)},
        errors=lambda day: _not_eligible(f"Under 18: may donate from {_d(years_before(day, -1))}."),
    ),
    Case(
        "first-time-61",
        donor=lambda day: {"date_of_birth": years_before(day, 61)},
        errors=lambda day: _not_eligible("A first-time donor must be 60 or younger."),
    ),
    Case(
        "active-deferral",
        setup=_deferred_until_next_month,
        errors=lambda day: _not_eligible(
            f"Deferred (Tattoo, piercing or acupuncture) until {_days(day, 30)}."
        ),
    ),
    Case(
        "bp-150-95",
        screening={"bp_systolic": "150", "bp_diastolic": "95"},
        errors=lambda day: {
            "bp_systolic": "Blood pressure 150/95 mmHg is outside 100–140 / 60–90."
        },
    ),
    Case(
        "bp-90-50",
        screening={"bp_systolic": "90", "bp_diastolic": "50"},
        errors=lambda day: {"bp_systolic": "Blood pressure 90/50 mmHg is outside 100–140 / 60–90."},
    ),
    Case(
        "bag-number-missing",
        screening={"bag_number": None},
        errors=lambda day: {"bag_number": "Enter the bag number."},
    ),
    Case(
        "bag-number-used-at-the-centre",
        setup=_bag_used_at_the_centre,
        errors=lambda day: {"bag_number": "Bag KNP-0001 is already recorded at this blood centre."},
    ),
    Case(
        "bag-volume-missing",
        screening={"bag_volume_ml": None},
        errors=lambda day: {"bag_volume_ml": "Choose the bag volume."},
    ),
    Case(
        "haemoglobin-missing",
        screening={"haemoglobin_g_dl": None},
        errors=lambda day: {"haemoglobin_g_dl": "Enter the haemoglobin measured at the screening."},
    ),
    Case(
        "weight-missing",
        screening={"weight_kg": None},
        errors=lambda day: {"weight_kg": "Enter the weight measured at the screening."},
    ),
    Case(
        "bp-missing",
        screening={"bp_systolic": None, "bp_diastolic": None},
        errors=lambda day: {
            "bp_systolic": "Enter the systolic blood pressure measured at the screening.",
            "bp_diastolic": "Enter the diastolic blood pressure measured at the screening.",
        },
    ),
]


# --- The three paths: each answers {field: [messages]} (empty when saved) ---------------


def through_the_camp_table(client, camp, donor, values):
    data = {"phone": donor.phone, "outcome": "collected"}
    data.update({name: value or "" for name, value in values.items()})
    response = client.post(
        reverse("camps:table-record", args=[camp.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    if "form" not in response.context:  # the "recorded" answer
        return {}
    page = response.content.decode()
    errors = {}
    for name, messages in response.context["form"].errors.items():
        errors[WHOLE if name == "__all__" else name] = list(messages)
        for message in messages:  # the constable sees it
            assert message in page.replace("&#x27;", "'")
    return errors


def through_the_api(api_client, camp, donor, values):
    body = {
        "donor": donor.pk,
        "donated_on": camp.held_on.isoformat(),
        "blood_centre": camp.blood_centre.pk,
        "kind": "whole_blood",
        "outcome": "collected",
    }
    body.update({name: value for name, value in values.items() if value is not None})
    response = api_client.post("/api/v1/donations/", body, format="json")
    if response.status_code == 201:
        return {}
    assert response.status_code == 400, response.content
    return {
        WHOLE if name == "non_field_errors" else name: messages
        for name, messages in response.json().items()
    }


IMPORT_COLUMNS = {  # the sheet's column for each field
    "haemoglobin_g_dl": "haemoglobin",
    "weight_kg": "weight_kg",
    "bp_systolic": "bp_systolic",
    "bp_diastolic": "bp_diastolic",
    "bag_number": "bag_number",
    "bag_volume_ml": "bag_ml",
}
FIELD_OF_COLUMN = {column: name for name, column in IMPORT_COLUMNS.items()} | {"outcome": WHOLE}


def through_the_import(client, camp, donor, values):
    header = ["phone", "outcome", *IMPORT_COLUMNS.values()]
    row = [donor.phone, "collected", *(values[name] or "" for name in IMPORT_COLUMNS)]
    data = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
    url = reverse("camps:import", args=[camp.pk])
    response = client.post(url, {"file": SimpleUploadedFile("sheet.csv", data, "text/csv")})
    report = response.context["report"]
    if report.ok:
        applied = client.post(url, {"token": response.context["token"]})
        assert applied.status_code == 302
        return {}
    assert response.context["token"] is None
    errors = {}
    for error in report.errors:
        errors.setdefault(FIELD_OF_COLUMN.get(error.field, error.field), []).append(error.message)
    return errors


PATHS = {"table": through_the_camp_table, "api": through_the_api, "import": through_the_import}


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a)


@pytest.fixture
def clients(client_for, api_client_for, staff_a):
    return {
        "table": client_for(staff_a),
        "api": api_client_for(staff_a),
        "import": client_for(staff_a),
    }


def _counts():
    return (
        Donation.objects.count(),
        Deferral.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.CREATE).count(),
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_rule_is_refused_alike_on_every_path(case, path, camp, clients, units):
    donor = DonorFactory(unit=units.station_a, **case.donor(camp.held_on))
    if case.setup:
        case.setup(donor, camp)
    values = {**GOOD, **case.screening}
    before = _counts()
    errors = PATHS[path](clients[path], camp, donor, values)
    assert errors == {name: [message] for name, message in case.errors(camp.held_on).items()}
    assert _counts() == before
    assert not donor.donations.filter(camp=camp).exists()


def test_the_message_is_the_same_word_for_word_on_every_path(camp, clients, units):
    """The table above compares each path with the expected text; here the three answers are
    compared with each other for a case with every kind of error at once."""
    values = {**GOOD, "haemoglobin_g_dl": "11.0", "bp_systolic": "150", "bag_number": None}
    answers = []
    for path, through in PATHS.items():
        donor = DonorFactory(unit=units.station_a)
        _last_donation_30_days_ago(donor, camp)
        answers.append(through(clients[path], camp, donor, values))
    assert answers[0] == answers[1] == answers[2]
    assert set(answers[0]) == {WHOLE, "haemoglobin_g_dl", "bp_systolic", "bag_number"}


@pytest.mark.parametrize("path", PATHS)
def test_an_acceptable_screening_is_saved_once_with_its_audit_row(
    path, camp, clients, units, staff_a
):
    donor = DonorFactory(unit=units.station_a)
    assert PATHS[path](clients[path], camp, donor, dict(GOOD)) == {}
    donation = Donation.objects.get(donor=donor)
    assert (donation.bp_systolic, donation.bp_diastolic) == (120, 80)
    assert (donation.haemoglobin_g_dl, donation.weight_kg) == (Decimal("13.5"), Decimal("70"))
    assert (donation.bag_number, donation.bag_volume_ml) == ("KNP-0001", 350)
    assert not Deferral.objects.exists()
    audit = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(donation.pk))
    assert audit.actor == staff_a


# --- Both rule profiles (issue 17): the weight by sex and the bag volumes, on every path ----
PROFILE_CASES = [
    # (profile, donor's sex, weight, bag, the one error expected or {} when saved)
    pytest.param(
        "india",
        "F",
        "43",
        "350",
        {"weight_kg": "Weight 43 kg: at least 45 kg is needed."},
        id="india-woman-43-kg",
    ),
    pytest.param("vietnam", "F", "43", "350", {}, id="vietnam-woman-43-kg"),
    pytest.param(
        "vietnam",
        "F",
        "41.5",
        "350",
        {"weight_kg": "Weight 41.5 kg: at least 42 kg is needed."},
        id="vietnam-woman-41.5-kg",
    ),
    pytest.param(
        "vietnam",
        "M",
        "44",
        "350",
        {"weight_kg": "Weight 44 kg: at least 45 kg is needed."},
        id="vietnam-man-44-kg",
    ),
    pytest.param("vietnam", "F", "43", "250", {}, id="vietnam-250-ml-bag"),
    pytest.param(
        "india",
        "M",
        "70",
        "250",
        {"bag_volume_ml": "A 250 ml bag is not in use here: choose 350, 450 ml."},
        id="india-250-ml-bag",
    ),
]


def through_the_offline_sync(client, camp, donor, values):
    """The offline queue's replay (camps/<pk>/table/sync/): its reasons are "Label: message"
    lines, read back into {field: [messages]} by the screening form's labels."""
    from camps.forms import ScreeningForm

    fields = {"phone": donor.phone, "outcome": "collected"}
    fields.update({name: value or "" for name, value in values.items()})
    body = {"client_id": str(uuid.uuid4()), "kind": "record", "fields": fields}
    response = client.post(
        reverse("camps:table-sync", args=[camp.pk]), body, content_type="application/json"
    )
    if response.status_code == 200:
        assert response.json()["state"] == "saved"
        return {}
    assert response.status_code == 422, response.content
    by_label = {str(f.label): name for name, f in ScreeningForm.base_fields.items()}
    errors = {}
    for reason in response.json()["reasons"]:
        label, _sep, message = reason.partition(": ")
        if label in by_label:
            errors.setdefault(by_label[label], []).append(message)
        else:
            errors.setdefault(WHOLE, []).append(reason)
    return errors


PROFILE_PATHS = {**PATHS, "sync": through_the_offline_sync}


@pytest.mark.parametrize("where", ["deployment", "unit"])
@pytest.mark.parametrize("path", PROFILE_PATHS)
@pytest.mark.parametrize(("profile", "sex", "weight", "bag", "expected"), PROFILE_CASES)
def test_each_profile_screens_alike_on_every_path(
    profile,
    sex,
    weight,
    bag,
    expected,
    path,
    where,
    camp,
    units,
    monkeypatch,
    settings,
    client_for,
    api_client_for,
    staff_a,
):
    """Each profile as the deployment's RULES_PROFILE, and as a force's own under India's
    deployment (PoliceUnit.rules_profile, set on the commissionerate above the camp)."""
    if where == "deployment":
        apply_profile(monkeypatch, settings, profile)
    else:
        apply_profile(monkeypatch, settings, "india")
        admin = UserFactory(role=Role.ADMIN)
        unit_update(actor=admin, unit=units.knp, rules_profile=profile)
        camp.refresh_from_db()
    donor = DonorFactory(unit=units.station_a, sex=sex, weight_kg=Decimal(weight))
    assert donor.rules_profile == ("" if where == "deployment" else profile)
    values = {**GOOD, "weight_kg": weight, "bag_volume_ml": bag}
    client = api_client_for(staff_a) if path == "api" else client_for(staff_a)

    errors = PROFILE_PATHS[path](client, camp, donor, values)

    assert errors == {name: [message] for name, message in expected.items()}
    saved = Donation.objects.filter(donor=donor)
    assert saved.exists() is (not expected)
    if not expected:
        assert saved.get().bag_volume_ml == int(bag)
