"""Donors in and out of CSV and Excel: a dry run that lists every bad row, an apply that
imports all rows or none, and scoped, audited exports safe against formula injection."""

import datetime
import decimal
import io
import os
import string
import zipfile

import openpyxl
import pytest
import tablib
import time_machine
from django.core import exceptions as django_exceptions
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors import spreadsheets as donor_sheets
from donors.choices import DonorSource
from donors.models import Donor
from portal import sheets
from tests.factories import DonationFactory, DonorFactory
from tests.helpers import assert_queries_bounded, count_queries, follow_import_job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today", "media_root")]

HEADER = donor_sheets.IMPORT_COLUMNS
IMPORT_URL = "/donors/import/"
EXPORT_URL = "/donors/export/"


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def row(phone, *, unit="station-a", **values):
    base = {
        "name": "Asha Verma",
        "sex": "F",
        "date_of_birth": "1994-03-05",
        "blood_group": "B+",
        "phone": phone,
        "unit": unit,
    }
    base.update(values)
    return base


def csv_upload(rows, *, header=HEADER, name="donors.csv"):
    dataset = tablib.Dataset(headers=list(header))
    for values in rows:
        dataset.append([values.get(column, "") for column in header])
    return SimpleUploadedFile(name, dataset.export("csv").encode("utf-8"), "text/csv")


def xlsx_upload(rows, *, header=HEADER, name="donors.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for values in rows:
        sheet.append([values.get(column) for column in header])
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile(name, stream.getvalue())


def dry_run(client, upload):
    return follow_import_job(client, client.post(IMPORT_URL, {"file": upload}))


def apply(client, response):
    return follow_import_job(client, client.post(IMPORT_URL, {"token": response.context["token"]}))


def row_errors(response):
    return [(e.row, e.field, e.message) for e in response.context["report"].errors]


def page_text(response):
    return response.content.decode()


# --- Importing good files ---------------------------------------------------------------


def test_a_good_csv_is_checked_then_imported_as_verified_donors(client_for, circle_staff, units):
    client = client_for(circle_staff)
    upload = csv_upload(
        [
            row("98765 43210", name="Asha Verma"),
            row("+91 91234-56789", name="Ravi Kumar", sex="M", unit="station-a2", is_police="yes"),
            row("08123456789", name="Meena", blood_group="", weight_kg="52.5"),
        ]
    )
    checked = dry_run(client, upload)
    assert checked.status_code == 200
    assert checked.context["report"].ok
    assert checked.context["token"]
    assert 'data-testid="apply-form"' in page_text(checked)
    assert Donor.objects.count() == 0  # the dry run writes nothing

    applied = apply(client, checked)
    assert "Imported 3 donors from donors.csv." in page_text(applied)
    donors = {d.phone: d for d in Donor.objects.select_related("unit")}
    assert set(donors) == {"+919876543210", "+919123456789", "+918123456789"}
    ravi = donors["+919123456789"]
    assert (ravi.name, ravi.sex, ravi.unit, ravi.is_police) == (
        "Ravi Kumar",
        "M",
        units.station_a2,
        True,
    )
    assert donors["+918123456789"].blood_group == ""
    assert str(donors["+918123456789"].weight_kg) == "52.5"
    for donor in donors.values():
        assert donor.source == DonorSource.IMPORT
        assert (
            donor.is_verified
            and donor.verified_by == circle_staff
            and donor.created_by == circle_staff
        )
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == circle_staff
    assert event.details == {"rows": 3, "format": "csv", "units": ["station-a", "station-a2"]}


def test_a_good_xlsx_with_date_cells_and_number_cells_imports(client_for, staff_a):
    client = client_for(staff_a)
    upload = xlsx_upload(
        [
            row(
                9876543210,  # a phone typed as a number
                date_of_birth=datetime.datetime(1990, 5, 17),
                weight_kg=70,
                badge_number=40213,
                last_donated_on=datetime.date(2026, 6, 1),
                living_blood_bank=True,
                preferred_language="en",
            ),
            row("9876543211", name="Ravi", sex="M", date_of_birth="17/05/1985"),
        ]
    )
    checked = dry_run(client, upload)
    assert checked.context["report"].ok, row_errors(checked)
    apply(client, checked)
    asha = Donor.objects.get(phone="+919876543210")
    assert asha.date_of_birth == datetime.date(1990, 5, 17)
    assert asha.badge_number == "40213"
    assert asha.external_last_donation_on == datetime.date(2026, 6, 1)
    assert asha.living_blood_bank and asha.preferred_language == "en"
    assert Donor.objects.get(phone="+919876543211").date_of_birth == datetime.date(1985, 5, 17)
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).details["format"] == "xlsx"


def test_headers_and_values_are_read_the_way_people_type_them(client_for, staff_a):
    header = ["Name", "Sex", "Date of birth", "Blood Group", "Phone", "Unit", "Is police", "Notes"]
    upload = csv_upload(
        [
            {
                "Name": " Sunita Devi ",
                "Sex": "female",
                "Date of birth": "05-03-1994",
                "Blood Group": "b +ve",
                "Phone": "'+919876543210",  # as our own export writes it
                "Unit": "STATION-A",
                "Is police": "No",
                "Notes": "ignored",
            }
        ],
        header=header,
    )
    checked = dry_run(client_for(staff_a), upload)
    assert checked.context["report"].ok, row_errors(checked)
    assert checked.context["table"].ignored_columns == ["notes"]
    cleaned = checked.context["report"].results[0].cleaned
    assert cleaned["name"] == "Sunita Devi"
    assert (cleaned["sex"], cleaned["blood_group"], cleaned["phone"]) == (
        "F",
        "B+",
        "+919876543210",
    )
    assert cleaned["date_of_birth"] == datetime.date(1994, 3, 5)


# --- Bad rows -----------------------------------------------------------------------------


def test_bad_rows_are_each_reported_and_nothing_is_imported(client_for, staff_a):
    client = client_for(staff_a)
    upload = csv_upload(
        [
            row("9876543210"),
            row("12345", name="Bad Phone"),
            row("9876543212", sex="X"),
            row("9876543213", date_of_birth="31/02/1990"),
            row("9876543214", blood_group="C+", weight_kg="heavy"),
            row("9876543215", name="", unit="nowhere"),
            row("9876543216", date_of_birth="2030-01-01", email="not-an-email"),
        ]
    )
    checked = dry_run(client, upload)
    errors = row_errors(checked)
    fields = {(number, field) for number, field, _message in errors}
    assert fields == {
        (3, "phone"),
        (4, "sex"),
        (5, "date_of_birth"),
        (6, "blood_group"),
        (6, "weight_kg"),
        (7, "name"),
        (7, "unit"),
        (8, "date_of_birth"),
        (8, "email"),
    }
    messages = {(n, f): m for n, f, m in errors}
    assert "not a valid mobile number" in messages[(3, "phone")]
    assert "31/02/1990" in messages[(5, "date_of_birth")]
    assert "“C+” is not a blood group" in messages[(6, "blood_group")]
    assert "“nowhere”" in messages[(7, "unit")]
    report = checked.context["report"]
    assert (report.error_rows, report.valid_rows) == (6, 1)
    assert checked.context["token"] is None
    html = page_text(checked)
    assert 'data-testid="row-errors"' in html
    assert 'data-testid="apply-form"' not in html
    assert "Nothing has been imported" in html
    assert Donor.objects.count() == 0

    # A forged or stale token imports nothing either.
    forged = client.post(IMPORT_URL, {"token": "made-up"}, follow=True)
    assert "already imported or has expired" in page_text(forged)
    assert Donor.objects.count() == 0


def test_apply_checks_every_row_again_and_imports_none_if_one_has_gone_bad(
    client_for, staff_a, units
):
    client = client_for(staff_a)
    checked = dry_run(client, csv_upload([row("9876543210"), row("9876543211", name="Ravi")]))
    assert checked.context["report"].ok
    # Between the dry run and the apply a colleague registers the second number.
    DonorFactory(
        phone="+919876543211",
        name="Ravi",
        date_of_birth=datetime.date(1994, 3, 5),
        unit=units.station_a,
    )

    applied = apply(client, checked)
    assert "Nothing was imported" in page_text(applied)
    assert ("phone", 3) in {(e.field, e.row) for e in applied.context["report"].errors}
    assert not Donor.objects.filter(phone="+919876543210").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_apply_names_no_donor_of_another_unit_who_took_a_number_meanwhile(
    client_for, staff_a, units
):
    client = client_for(staff_a)
    checked = dry_run(client, csv_upload([row("9876543210")]))
    assert checked.context["report"].ok
    # Between the dry run and the apply another district's station registers the number:
    # the bulk write refuses the row without telling station A whose number it is.
    theirs = DonorFactory(
        phone="+919876543210",
        name="Asha Verma",
        date_of_birth=datetime.date(1994, 3, 5),
        unit=units.station_c,
    )

    applied = apply(client, checked)
    assert row_errors(applied) == [
        (2, "phone", "This person is already registered with another police unit.")
    ]
    assert f"#{theirs.pk}" not in page_text(applied)
    assert Donor.objects.filter(phone="+919876543210").count() == 1


def _errors(report):
    return [(e.row, e.field, e.message) for e in report.errors]


def test_an_apply_refusing_a_sheet_says_all_the_dry_run_says(staff_a, units):
    """The apply leaves the duplicate rule to the bulk write; a sheet it refuses before the
    write still gets every row's errors, duplicates and the model's checks included."""
    DonorFactory(
        phone="+919876543212",
        name="Asha Verma",
        date_of_birth=datetime.date(1994, 3, 5),
        unit=units.station_a,
    )
    data = csv_upload(
        [
            row("9876543210"),
            row("+91 98765 43210", name="asha  VERMA"),  # the same person as row 2
            row("9876543211", sex="X"),  # refused by the parse: nothing is written
            row("9876543212"),  # registered already
            row("9876543213", email="not an address"),  # the model's check
        ]
    ).read()
    table = donor_sheets.read_donor_file(data, filename="donors.csv")
    dry = donor_sheets.check_donor_rows(table=table, user=staff_a)

    applied = donor_sheets.import_donors(table=table, actor=staff_a)
    assert _errors(applied) == _errors(dry)
    assert {(r, f) for r, f, _m in _errors(applied)} == {
        (3, "phone"),
        (4, "sex"),
        (5, "phone"),
        (6, "email"),
    }
    assert applied.applied == 0
    assert Donor.objects.count() == 1


def test_the_bulk_writes_refusals_are_worded_as_the_dry_runs(staff_a, units):
    """Rows that parse reach the bulk write, which refuses the same person twice, a person
    registered and a full number in the dry run's words, by the sheet's row numbers."""
    for name in ("A", "B", "C", "D"):
        DonorFactory(phone="+919876543219", name=name, unit=units.station_a)
    data = csv_upload(
        [
            row("9876543210"),
            row("9876543211", name="Ravi"),
            row("+91 98765 43210", name="asha  VERMA"),
            row("9876543219", name="E"),
        ]
    ).read()
    table = donor_sheets.read_donor_file(data, filename="donors.csv")
    dry = donor_sheets.check_donor_rows(table=table, user=staff_a)

    applied = donor_sheets.import_donors(table=table, actor=staff_a)
    assert (
        _errors(applied)
        == _errors(dry)
        == [
            (4, "phone", "The same person as row 2 of this file."),
            (
                5,
                "phone",
                "4 donors already share this mobile number: no more can be registered on it.",
            ),
        ]
    )
    assert Donor.objects.count() == 4


def test_a_unit_outside_the_users_jurisdiction_is_a_row_error(client_for, staff_a, coordinator):
    upload = csv_upload([row("9876543210", unit="station-b"), row("9876543211", unit="knp")])
    errors = row_errors(dry_run(client_for(staff_a), upload))
    assert errors == [
        (2, "unit", "No police unit with the code “station-b” in your jurisdiction."),
        (3, "unit", "No police unit with the code “knp” in your jurisdiction."),
    ]
    # The commissionerate's coordinator may import into both.
    upload = csv_upload([row("9876543210", unit="station-b"), row("9876543211", unit="knp")])
    assert dry_run(client_for(coordinator), upload).context["report"].ok


def test_a_phone_already_registered_is_a_row_error_naming_the_donor_only_when_visible(
    client_for, staff_a, units
):
    mine = DonorFactory(
        phone="+919876543210",
        name="Asha Verma",
        date_of_birth=datetime.date(1994, 3, 5),
        unit=units.station_a,
    )
    DonorFactory(
        phone="+919876543211",
        name=" ASHA verma",
        date_of_birth=datetime.date(1994, 3, 5),
        unit=units.station_c,
    )
    # A family member on a known number (another name) is no error.
    upload = csv_upload(
        [row("098765 43210"), row("9876543211"), row("9876543212"), row("9876543210", name="Ravi")]
    )
    errors = row_errors(dry_run(client_for(staff_a), upload))
    assert errors == [
        (
            2,
            "phone",
            f"This person is already registered on this mobile number (donor #{mine.pk}).",
        ),
        (3, "phone", "This person is already registered with another police unit."),
    ]


def test_a_fifth_donor_on_a_number_is_a_row_error(client_for, staff_a, units):
    for name in ("A", "B", "C"):
        DonorFactory(phone="+919876543210", name=name, unit=units.station_a)
    upload = csv_upload([row("9876543210", name="D"), row("9876543210", name="E")])
    errors = row_errors(dry_run(client_for(staff_a), upload))
    assert errors == [
        (3, "phone", "4 donors already share this mobile number: no more can be registered on it.")
    ]


def test_the_same_person_twice_in_the_file_is_an_error_on_the_second_row(client_for, staff_a):
    upload = csv_upload(
        [
            row("9876543210"),
            row("9876543299", name="Other"),
            row("+91 98765 43210", name="Twin"),  # a family member: no error
            row("+91 98765 43210", name="asha  VERMA"),
        ]
    )
    errors = row_errors(dry_run(client_for(staff_a), upload))
    assert errors == [(5, "phone", "The same person as row 2 of this file.")]


def test_rows_are_numbered_as_in_the_spreadsheet_and_blank_rows_skipped(client_for, staff_a):
    upload = xlsx_upload([row("9876543210"), {}, row("123", name="Bad")])
    checked = dry_run(client_for(staff_a), upload)
    assert row_errors(checked)[0][:2] == (4, "phone")
    assert len(checked.context["report"].results) == 2


def test_checking_a_file_costs_the_same_queries_for_3_rows_or_300(client_for, circle_staff):
    client = client_for(circle_staff)
    DonorFactory(phone="+919876500000", unit=circle_staff.unit)  # one duplicate in each file

    def check(n):
        rows = [row(f"98765{i:05d}", unit=("station-a", "station-a2")[i % 2]) for i in range(n)]
        return lambda: dry_run(client, csv_upload(rows))

    # The upload, the worker's check and the result page (two requests: session and user
    # twice).
    assert count_queries(check(3)) == count_queries(check(300)) <= 10


def test_applying_a_file_costs_the_same_queries_for_3_rows_or_300_and_writes_what_one_would(
    circle_staff,
):
    """The apply registers the whole sheet in bulk: per donor the consent rows, the CREATE
    audit event and the stored standing of ``donor_create``, in queries that do not grow
    with the rows."""
    from donors.models import Consent

    def apply_rows(n, start):
        rows = [
            row(
                f"98765{start + i:05d}",
                unit=("station-a", "station-a2")[i % 2],
                sex="M",
                last_donated_on="2026-10-01",
                consent_registry="yes",
                consent_reminders="yes",
            )
            for i in range(n)
        ]
        data = csv_upload(rows).read()
        table = donor_sheets.read_donor_file(data, filename="donors.csv")
        return lambda: donor_sheets.import_donors(table=table, actor=circle_staff)

    # A first sheet warms what any first request loads once (cached lookups), so the two
    # measured ones differ only in their rows, whatever ran before this test.
    apply_rows(1, 5000)()
    assert count_queries(apply_rows(3, 0)) == count_queries(apply_rows(300, 1000))
    donors = Donor.objects.all()
    assert donors.count() == 304
    # The outside last donation counts: a man waits 90 days after 1 October.
    assert set(donors.values_list("next_eligible_on", flat=True)) == {datetime.date(2026, 12, 30)}
    assert set(donors.values_list("last_donated_on", flat=True)) == {datetime.date(2026, 10, 1)}
    assert Consent.objects.filter(recorded_by=circle_staff).count() == 2 * 304
    assert not donors.filter(consent_at__isnull=True).exists()
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, actor=circle_staff)
    assert created.count() == 304
    assert created.first().details == {"source": "import", "consents": ["registry", "reminders"]}
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 3


def test_the_bulk_write_stores_each_value_as_a_single_save_would(circle_staff):
    """The bulk write (COPY on PostgreSQL, bulk_create elsewhere) keeps text with commas,
    quotes and line breaks, empty text apart from no value, decimals, dates and yes/no,
    and numbers each donor as the returned objects say."""
    from donors.models import Consent
    from donors.services import donors_create_bulk

    odd = 'Line 1, "Old" town\r\nback\\slash'
    rows = [
        {
            "name": 'Asha, "Didi"',
            "sex": "F",
            "date_of_birth": datetime.date(1994, 3, 5),
            "phone": "9876543210",
            "unit": circle_staff.unit,
            "source": DonorSource.IMPORT,
            "locality": odd,
            "weight_kg": decimal.Decimal("58.5"),
            "living_blood_bank": True,
            "consents": ["registry"],
        },
        {
            "name": "Ravi",
            "sex": "M",
            "date_of_birth": datetime.date(1990, 1, 2),
            "phone": "9876543211",
            "unit": circle_staff.unit,
            "source": DonorSource.IMPORT,
        },
    ]
    created = donors_create_bulk(actor=circle_staff, rows=rows)
    asha, ravi = (Donor.objects.get(pk=donor.pk) for donor in created)
    assert (asha.name, asha.locality, asha.phone) == ('Asha, "Didi"', odd, "+919876543210")
    assert (asha.weight_kg, asha.living_blood_bank) == (decimal.Decimal("58.5"), True)
    assert asha.date_of_birth == datetime.date(1994, 3, 5)
    assert asha.verified_by == circle_staff and asha.consent_at is not None
    assert (ravi.locality, ravi.email, ravi.weight_kg, ravi.consent_at) == ("", "", None, None)
    assert ravi.living_blood_bank is False and ravi.unit == circle_staff.unit
    assert list(Consent.objects.values_list("donor", "purpose")) == [(asha.pk, "registry")]
    events = AuditEvent.objects.filter(action=AuditAction.CREATE).order_by("object_id")
    assert [(e.object_id, e.object_repr, e.unit_id, e.ip_address) for e in events] == [
        (str(asha.pk), 'Asha, "Didi"', circle_staff.unit_id, None),
        (str(ravi.pk), "Ravi", circle_staff.unit_id, None),
    ]
    assert events[1].details == {"source": "import", "consents": []}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"name": "A" * 120, "locality": "L" * 120, "rank": "R" * 60, "eraktkosh_id": "E" * 40},
        {"name": "A" * 121},
        {"name": ""},
        {"name": "  "},
        {"phone": "+91987654321012345"},
        {"locality": "L" * 121, "badge_number": "B" * 41, "phenotype": "P" * 31},
        {"email": "not an address"},
        {"email": "asha@example.org", "locality": ""},
        {"sex": "X", "blood_group": "C+", "preferred_language": "fr"},
        {"date_of_birth": datetime.date(1899, 12, 31)},
        {"date_of_birth": datetime.date(2030, 1, 1)},
        {"external_last_donation_on": datetime.date(2030, 1, 1)},
        {"weight_kg": decimal.Decimal("29.9")},
        {"weight_kg": decimal.Decimal("58.5"), "is_police": True, "rank": "Constable"},
    ],
)
def test_the_bulk_field_checks_say_what_full_clean_says(changes, units):
    """``donor_field_errors`` (the import's and the bulk write's field checks, with its
    shortcuts) refuses exactly what the model's ``full_clean`` refuses, with its words."""
    from donors.services import donor_field_errors

    fields = {
        "name": "Asha Verma",
        "sex": "F",
        "date_of_birth": datetime.date(1994, 3, 5),
        "phone": "+919876543210",
        **changes,
    }
    try:
        Donor(unit=units.station_a, **fields).full_clean(validate_unique=False)
        expected = {}
    except django_exceptions.ValidationError as error:
        expected = error.message_dict
    assert donor_field_errors(dict(fields)) == expected
    assert donor_field_errors(dict(fields), memo={}) == expected


def test_a_number_registered_between_the_check_and_the_write_refuses_the_whole_sheet(
    circle_staff,
):
    from donors.services import donors_create_bulk

    fields = {"name": "Asha", "sex": "F", "date_of_birth": datetime.date(1994, 3, 5)}
    DonorFactory(
        phone="+919876543211",
        name="Asha",
        date_of_birth=datetime.date(1994, 3, 5),
        unit=circle_staff.unit,
    )
    rows = [
        {**fields, "phone": phone, "unit": circle_staff.unit, "source": DonorSource.IMPORT}
        for phone in ("9876543210", "9876543211", "98765 43210")
    ]
    with pytest.raises(sheets.RowsRefused) as refused:
        donors_create_bulk(actor=circle_staff, rows=rows)
    assert set(refused.value.by_index) == {1, 2}
    assert "already registered" in refused.value.by_index[1].message_dict["phone"][0]
    assert "twice" in refused.value.by_index[2].message_dict["phone"][0]
    assert Donor.objects.count() == 1


# --- Files that cannot be read --------------------------------------------------------------


def _xlsx_bytes():
    return xlsx_upload([row("9876543210")]).read()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("donors.csv", b"", "The submitted file is empty."),
        ("donors.csv", b"\n\n  \n", "The file is empty."),
        ("donors.xlsx", b"PK\x03\x04 this is not really a zip", "not a valid Excel .xlsx"),
        ("donors.xlsx", b"name,sex\nAsha,F\n", "not a valid Excel .xlsx"),
        ("donors.xlsx", _xlsx_bytes()[:600], "not a valid Excel .xlsx"),
        ("donors.pdf", b"%PDF-1.4 ...", "Upload a .csv or an Excel .xlsx file."),
        ("donors", b"name,sex\n", "Upload a .csv or an Excel .xlsx file."),
        ("donors.xls", b"\xd0\xcf\x11\xe0", "old Excel (.xls)"),
        ("donors.csv", "name,phone\nÄsha,1".encode("latin-1"), "not a UTF-8 CSV"),
        ("donors.csv", b"name,sex\x00\x00\x01", "not a CSV text file"),
        ("donors.csv", ",".join(HEADER).encode(), "header row but no rows of data"),
        ("donors.csv", b"name,sex,phone\nAsha,F,9876543210\n", "Missing columns: date_of_birth"),
        ("donors.csv", b"\n", "The file is empty."),
        ("donors.csv", b"a,b\n1,2,3,4\n", "Row 2 has more cells"),
        ("donors.csv", b"a,b\n1,2\n", "Missing columns: name, sex"),
        ("donors.csv", (",".join(HEADER) + "\n" + "x," * 30).encode(), "Row 2 has more cells"),
        ("donors.csv", b'name,"sex\n' + b"x" * 200_000, "could not be read"),
    ],
)
def test_an_unreadable_upload_gets_a_message_not_an_error_page(
    client_for, staff_a, name, content, message
):
    response = dry_run(client_for(staff_a), SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert response.context["report"] is None
    assert Donor.objects.count() == 0


def test_no_file_at_all_is_a_form_error(client_for, staff_a):
    response = client_for(staff_a).post(IMPORT_URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["This field is required."]


def test_a_ten_megabyte_file_is_refused_with_a_message(client_for, staff_a):
    big = (",".join(HEADER) + "\n").encode() + b"x" * (10 * 1024 * 1024)
    response = dry_run(client_for(staff_a), SimpleUploadedFile("donors.csv", big))
    assert response.status_code == 200
    assert "larger than 5.0" in response.context["form"].errors["file"][0]


def test_too_many_rows_are_refused(client_for, staff_a, settings):
    settings.DONOR_IMPORT_MAX_ROWS = 3
    upload = csv_upload([row(f"987654321{i}") for i in range(4)])
    response = dry_run(client_for(staff_a), upload)
    assert "more than 3 rows" in response.context["form"].errors["file"][0]


def test_an_xlsx_larger_than_the_file_cap_is_refused(client_for, staff_a, settings):
    settings.DONOR_IMPORT_MAX_BYTES = 1000  # the workbook is ~5 KB
    upload = xlsx_upload([row("9876543210")])
    response = dry_run(client_for(staff_a), upload)
    assert "larger than" in response.context["form"].errors["file"][0]


def test_a_small_xlsx_that_unpacks_to_a_huge_sheet_is_refused_as_it_inflates(
    client_for, staff_a, settings
):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    # 40 distinct 60 KB names: about 2.4 MB of XML in a zip of a few KB.
    upload = xlsx_upload([row(f"98765432{n:02d}", name="x" * 60_000 + str(n)) for n in range(40)])
    assert upload.size < 100_000
    response = dry_run(client_for(staff_a), upload)
    assert "unpacks to more than 1.0" in response.context["form"].errors["file"][0]
    assert Donor.objects.count() == 0


def test_the_page_keeps_a_bomb_and_answers_at_once_the_worker_refuses_it(
    client_for, staff_a, settings
):
    """Three bombs at once held every web worker for 50 s (issue 13): the upload page now
    only keeps the file and queues its check, so it answers before a row is read, and the
    refusal comes from the worker's side, on the job's page."""
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    upload = xlsx_upload([row(f"98765432{n:02d}", name="x" * 60_000 + str(n)) for n in range(40)])
    client = client_for(staff_a)
    answer = client.post(IMPORT_URL, {"file": upload})
    assert answer.status_code == 302 and "?job=" in answer.url  # no verdict in the web process
    assert 'data-testid="import-progress"' in client.get(answer.url).content.decode()
    refused = follow_import_job(client, answer)
    assert "unpacks to more than 1.0" in refused.context["form"].errors["file"][0]
    assert Donor.objects.count() == 0


def test_too_many_rows_in_a_workbook_are_refused(client_for, staff_a, settings):
    settings.DONOR_IMPORT_MAX_ROWS = 3
    upload = xlsx_upload([row(f"987654321{i}") for i in range(4)])
    response = dry_run(client_for(staff_a), upload)
    assert "more than 3 rows" in response.context["form"].errors["file"][0]


def test_a_sheet_without_its_dimension_is_still_read_only_up_to_the_row_cap(
    client_for, staff_a, settings
):
    """A bomb leaves out the sheet's <dimension>: openpyxl then parsed the whole sheet as
    the workbook opened, before the row cap could stop anything (issue 13, 17 s of the
    worker's time for a 20 MB sheet). Here the rows past the cap are not even well-formed
    XML: the cap's message proves nothing past it was parsed."""
    settings.DONOR_IMPORT_MAX_ROWS = 3
    book = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(list(HEADER))
    workbook.save(book)

    def cells(number, *texts):
        return "".join(
            f'<c r="{col}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
            for col, text in zip(string.ascii_uppercase, texts, strict=False)
        )

    rows = "".join(
        f'<row r="{n}">{cells(n, "Asha", f"98765432{n:02d}")}</row>' for n in range(2, 7)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{cells(1, *HEADER)}</row>{rows}<row r="7"><c <<<'
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(bomb, "w") as target:
        for member in source.namelist():
            target.writestr(
                member, sheet if member == "xl/worksheets/sheet1.xml" else source.read(member)
            )
    upload = SimpleUploadedFile("donors.xlsx", bomb.getvalue())
    response = dry_run(client_for(staff_a), upload)
    assert "more than 3 rows" in response.context["form"].errors["file"][0]


def _bad_rows(count):
    """Rows that would each be a row error (a bad phone, sex, blood group, date)."""
    return [
        row("12345", sex="X", blood_group="C+", date_of_birth="31/02/1990") for _ in range(count)
    ]


@pytest.mark.parametrize("upload", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_a_sheet_past_the_row_cap_is_refused_by_its_size_before_any_row_is_checked(
    client_for, staff_a, settings, upload
):
    """Issue 13: the worker spent 50–81 s on a row bomb before refusing it. Past the cap
    the answer names the cap and nothing else: no row was validated."""
    settings.DONOR_IMPORT_MAX_ROWS = 3
    response = dry_run(client_for(staff_a), upload(_bad_rows(5)))
    assert response.context["form"].errors["file"] == [
        "The file has more than 3 rows. Split it into smaller files."
    ]
    assert response.context.get("report") is None
    assert "not a valid mobile number" not in page_text(response)
    assert Donor.objects.count() == 0


def _workbook_with_sheet(sheet_xml: str) -> SimpleUploadedFile:
    book = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(list(HEADER))
    workbook.save(book)
    out = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            target.writestr(
                member, sheet_xml if member == "xl/worksheets/sheet1.xml" else source.read(member)
            )
    return SimpleUploadedFile("donors.xlsx", out.getvalue())


def _header_row() -> str:
    return (
        '<row r="1">'
        + "".join(
            f'<c r="{col}1" t="inlineStr"><is><t>{text}</t></is></c>'
            for col, text in zip(string.ascii_uppercase, HEADER, strict=False)
        )
        + "</row>"
    )


SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def test_a_sheet_whose_dimension_claims_more_rows_than_the_cap_is_refused_at_once(
    client_for, staff_a, settings
):
    """The <dimension> says 50,000 rows: refused before a row is parsed (the row after the
    header is broken XML, which would otherwise be the answer)."""
    settings.DONOR_IMPORT_MAX_ROWS = 3
    sheet = f'{SHEET_OPEN}<dimension ref="A1:F50000"/><sheetData>{_header_row()}<row r="2"><c <<<'
    response = dry_run(client_for(staff_a), _workbook_with_sheet(sheet))
    assert "more than 3 rows" in response.context["form"].errors["file"][0]


def test_rows_past_the_cap_are_counted_before_any_is_parsed_whatever_the_dimension_says(
    client_for, staff_a, settings
):
    """A bomb can leave out <dimension> or make it lie small: the <row> tags of the raw
    XML are counted as the size check inflates it. Here row 2 is already broken XML, so the
    cap's message proves the refusal came before openpyxl parsed a row (prefixed tags
    count too)."""
    settings.DONOR_IMPORT_MAX_ROWS = 3
    rows = '<row r="2"><c <<<' + "".join(f'<x:row r="{n}"/>' for n in range(3, 8))
    sheet = f'{SHEET_OPEN}<dimension ref="A1:F2"/><sheetData>{_header_row()}{rows}'
    response = dry_run(client_for(staff_a), _workbook_with_sheet(sheet))
    assert "more than 3 rows" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_the_row_tags_are_counted_exactly_across_the_chunks_the_sheet_is_inflated_in(prefix):
    """1,000 rows of ~300 bytes (five 64 KB chunks), then a broken row: a cap of 1,000
    is refused by the count alone; a cap of 1,001 lets the parser reach the broken row."""
    name = "A" * 250
    rows = "".join(
        f'<{prefix}row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{name}</t></is></c></{prefix}row>'
        for n in range(2, 1002)
    )
    sheet = f'{SHEET_OPEN}<sheetData>{_header_row()}{rows}<row r="1002"><c <<<'
    upload = _workbook_with_sheet(sheet)

    def read(cap):
        with pytest.raises(sheets.UploadError) as refused:
            sheets.read_table(
                upload.read(),
                filename="donors.xlsx",
                columns=HEADER,
                required=["name"],
                max_rows=cap,
                max_bytes=10**7,
            )
        upload.seek(0)
        return str(refused.value)

    assert "more than 1000 rows" in read(1000)
    assert "not a valid Excel" in read(1001)


def test_a_sheet_of_exactly_the_cap_is_not_refused(client_for, staff_a, settings):
    settings.DONOR_IMPORT_MAX_ROWS = 3
    response = dry_run(client_for(staff_a), xlsx_upload([row(f"987654321{i}") for i in range(3)]))
    assert response.context["report"].valid_rows == 3


# --- The kept upload -------------------------------------------------------------------------


def test_an_upload_is_applied_once_and_its_file_is_deleted(client_for, staff_a, media_root):
    client = client_for(staff_a)
    checked = dry_run(client, csv_upload([row("9876543210")]))
    assert len(list((media_root / "imports").iterdir())) == 1
    apply(client, checked)
    again = apply(client, checked)  # a double click, or the back button
    assert "already imported or has expired" in page_text(again)
    assert Donor.objects.count() == 1
    assert list((media_root / "imports").iterdir()) == []


def test_another_users_token_is_worthless(client_for, staff_a, circle_staff):
    checked = dry_run(client_for(staff_a), csv_upload([row("9876543210")]))
    response = apply(client_for(circle_staff), checked)
    assert "already imported or has expired" in page_text(response)
    assert Donor.objects.count() == 0


def test_uploads_left_unapplied_are_swept_after_a_day(client_for, staff_a, media_root):
    def upload_and_age(hours):
        before = set((media_root / "imports").glob("*"))
        dry_run(client_for(staff_a), csv_upload([row("9876543210")]))  # a new session each time
        (path,) = set((media_root / "imports").glob("*")) - before
        then = (
            datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=hours)
        ).timestamp()
        os.utime(path, (then, then))
        return path

    stale, fresh = upload_and_age(25), upload_and_age(23)
    upload_and_age(0)
    left = set((media_root / "imports").glob("*"))
    assert stale not in left
    assert fresh in left


def test_the_template_is_a_csv_with_the_header_row(client_for, staff_a):
    response = client_for(staff_a).get(reverse("donors:import-template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    data = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    assert data.headers == HEADER
    assert data.height == 0


# --- Export -------------------------------------------------------------------------------


@pytest.fixture
def registry(units):
    return {
        "asha": DonorFactory(
            name="Asha Verma", phone="+919876500001", unit=units.station_a, blood_group="A-"
        ),
        "ravi": DonorFactory(name="Ravi Kumar", phone="+919876500002", unit=units.station_a2),
        "bilal": DonorFactory(name="Bilal Khan", phone="+919876500003", unit=units.station_b),
    }


def export_csv(client, **params):
    response = client.get(EXPORT_URL, {"format": "csv", **params})
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)  # the CSV streams
    assert content.startswith("\ufeff".encode())
    return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")


def export_xlsx(client, **params):
    response = client.get(EXPORT_URL, {"format": "xlsx", **params})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="donors-')
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_export_is_scoped_to_the_users_jurisdiction(client_for, staff_a, circle_staff, registry):
    assert export_csv(client_for(staff_a))["name"] == ["Asha Verma"]
    assert export_csv(client_for(circle_staff))["name"] == ["Asha Verma", "Ravi Kumar"]


def test_export_takes_the_list_pages_filters(client_for, coordinator, registry):
    client = client_for(coordinator)
    assert export_csv(client, blood_group="A-")["name"] == ["Asha Verma"]
    assert export_csv(client, q="ravi")["name"] == ["Ravi Kumar"]
    assert export_csv(client, unit=registry["bilal"].unit_id)["name"] == ["Bilal Khan"]
    assert len(export_csv(client, page="2")) == 3  # the list's page number is not a filter


def test_export_columns_read_back_from_csv_and_xlsx(client_for, staff_a, registry, units):
    asha = registry["asha"]
    asha.rank, asha.is_police, asha.living_blood_bank = "Constable", True, True
    asha.external_last_donation_on = datetime.date(2026, 1, 5)
    asha.save()
    DonationFactory(donor=asha, donated_on=datetime.date(2026, 6, 1))
    client = client_for(staff_a)
    data = export_csv(client)
    assert data.headers == [header for header, _read in donor_sheets.EXPORT_COLUMNS]
    assert data.dict[0] == {
        "name": "Asha Verma",
        "sex": "M",
        "date_of_birth": "1990-05-17",
        "blood_group": "A-",
        "phone": "'+919876500001",
        "unit": "station-a",
        "unit_name": "Kotwali",
        "locality": "",
        "is_police": "yes",
        "rank": "Constable",
        "badge_number": "",
        "weight_kg": "70.0",
        "living_blood_bank": "yes",
        "verified": "yes",
        "last_donated_on": "2026-06-01",
        "eraktkosh_id": "",
    }
    sheet = export_xlsx(client)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(data.headers)
    assert len(rows) == 2
    assert rows[1][0] == "Asha Verma"
    assert rows[1][4] == "'+919876500001"
    assert rows[1][2] == datetime.datetime(1990, 5, 17)  # a real date cell


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client_for, staff_a, units):
    DonorFactory(
        name='=HYPERLINK("http://evil.example","click")',
        locality="@SUM(1+1)",
        rank="-2+3",
        badge_number="\t=1+1",
        eraktkosh_id="\r=1",
        phone="+919876500009",
        unit=units.station_a,
    )
    client = client_for(staff_a)
    exported = export_csv(client).dict[0]
    assert exported["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert exported["locality"] == "'@SUM(1+1)"
    assert exported["rank"] == "'-2+3"
    assert exported["badge_number"] == "'\t=1+1"
    assert exported["eraktkosh_id"] == "'\r=1"
    assert exported["phone"] == "'+919876500009"

    sheet = export_xlsx(client)
    for cell in sheet[2]:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str) and cell.value:
            assert cell.value[0] not in sheets.FORMULA_TRIGGERS, cell.coordinate
    assert sheet["A2"].value.startswith("'=HYPERLINK")


def test_an_export_is_recorded_in_the_audit_log_with_its_row_count(
    client_for, circle_staff, registry
):
    export_xlsx(client_for(circle_staff), blood_group="A-", page="3")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == circle_staff
    assert event.details == {
        "what": "donors",
        "format": "xlsx",
        "rows": 1,
        "filters": {"blood_group": "A-"},
    }


def test_export_queries_do_not_grow_with_the_rows(client_for, coordinator, registry, units):
    client = client_for(coordinator)

    def grow():
        for donor in DonorFactory.create_batch(30, unit=units.station_b):
            DonationFactory(donor=donor)

    def export(fmt):
        response = client.get(EXPORT_URL, {"format": fmt, "eligible_today": "true"})
        # A streamed CSV runs its query while it is read.
        return b"".join(response.streaming_content) if response.streaming else response.content

    for fmt in ("csv", "xlsx"):
        assert_queries_bounded(
            lambda fmt=fmt: export(fmt),
            grow if fmt == "csv" else lambda: None,
            maximum=8,
        )


def test_invalid_filters_or_format_export_nothing_and_say_so(client_for, staff_a, registry, units):
    client = client_for(staff_a)
    for params in (
        {"format": "csv", "unit": units.station_b.pk},  # outside the user's scope
        {"format": "csv", "blood_group": "Z"},
        {"format": "pdf"},
    ):
        response = client.get(EXPORT_URL, params)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("donors:list"))
        assert "format=" not in response["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    page = client.get(reverse("donors:list")).content.decode()
    assert "The export could not be made" in page


def test_an_exported_sheet_can_be_imported_elsewhere(client_for, coordinator, registry):
    """The export's columns are the import's (plus some it ignores); apostrophes come off."""
    client = client_for(coordinator)
    data = export_csv(client)
    Donor.objects.all().delete()
    upload = SimpleUploadedFile("export.csv", data.export("csv").encode())
    checked = dry_run(client, upload)
    assert checked.context["report"].ok, row_errors(checked)
    assert set(checked.context["table"].ignored_columns) == {"unit_name", "verified"}
    apply(client, checked)
    assert Donor.objects.get(name="Asha Verma").phone == "+919876500001"


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["donors:import", "donors:import-template", "donors:export"])
def test_anonymous_visitors_are_sent_to_sign_in(anon, name):
    response = anon.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_posts_import_nothing(anon, units):
    response = anon.post(IMPORT_URL, {"file": csv_upload([row("9876543210")])})
    assert response.status_code == 302
    assert Donor.objects.count() == 0


@pytest.mark.parametrize("persona", ["staff_a", "coordinator", "admin_user"])
def test_every_role_opens_the_import_page(client_for, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(IMPORT_URL)
    assert response.status_code == 200
    assert "Download the CSV template" in page_text(response)


def test_a_sheet_whose_dimension_claims_too_few_rows_and_columns_is_read_whole():
    """Some generators write <dimension ref="A1"/> or a stale size; openpyxl's read-only
    reader stopped at it, so rows past it were dropped without a word. Every row and column
    the sheet holds is read."""

    def cells(number, *texts):
        return "".join(
            f'<c r="{col}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
            for col, text in zip(string.ascii_uppercase, texts, strict=False)
        )

    rows = "".join(f'<row r="{n}">{cells(n, f"Donor {n}", "M")}</row>' for n in range(2, 8))
    sheet = (
        f'{SHEET_OPEN}<dimension ref="A1"/><sheetData>{_header_row()}{rows}</sheetData></worksheet>'
    )
    table = sheets.read_table(
        _workbook_with_sheet(sheet).read(),
        filename="donors.xlsx",
        columns=HEADER,
        required=["name"],
        max_rows=100,
        max_bytes=10**7,
    )
    assert [r.values["name"] for r in table.rows] == [f"Donor {n}" for n in range(2, 8)]
    assert {r.values["sex"] for r in table.rows} == {"M"}
