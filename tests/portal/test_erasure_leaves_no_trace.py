"""Erasure erases (issue 13, DPDP): after a donor, a child and its guardian are erased, no
text, varchar or JSON column of any table in the database holds their name, phone (in any
spelling) or email. The copies a working portal makes are all made first: the outbox, the
call desk, booking notes, searches by phone and name in the audit log, record views."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from calldesk.models import CallLog
from donors.models import Donation, Donor
from notifications.models import Message
from notifications.services import message_enqueue
from tests.factories import DonationFactory, DonorFactory, make_assignment, make_patient
from thalassemia.models import Guardian, Patient, Transfusion

pytestmark = [pytest.mark.django_db]
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the dump reads information_schema: PostgreSQL (CI's database)",
)

DONOR = {"name": "Asha Verma", "phone": "+919876500001", "email": "asha.verma@example.in"}
CHILD = "Meera Kushwaha"
GUARDIAN = {"name": "Sunita Kushwaha", "phone": "+919812300002"}


def spellings(e164: str) -> list[str]:
    """Every way a person writes an Indian mobile number."""
    national = e164[-10:]
    return [
        e164,
        e164[1:],  # 9198…
        national,
        "0" + national,
        f"{national[:5]} {national[5:]}",
        f"{national[:5]}-{national[5:]}",
        f"0{national[:5]} {national[5:]}",
    ]


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'json', 'jsonb')
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


def find_everywhere(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every value of every text/varchar/JSON column holding a
    needle, case-insensitively; phones also with separators stripped."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            # Names from information_schema, quoted: no input reaches this SQL.
            qtable, qcolumn = connection.ops.quote_name(table), connection.ops.quote_name(column)
            sql = f"SELECT {qcolumn}::text FROM {qtable} WHERE {qcolumn} IS NOT NULL"  # noqa: S608
            cursor.execute(sql)
            for (value,) in cursor.fetchall():
                lowered = value.casefold()
                digits = "".join(ch for ch in value if ch.isdigit())
                for needle in needles:
                    if needle.casefold() in lowered or (
                        needle.startswith("+") and needle[-10:] in digits
                    ):
                        found.append((table, column, value[:120]))
    return found


@pytest.fixture
def world(units, staff_a, coordinator, admin_user, client_for):
    """A donor, a child and its guardian, with the copies daily work makes of them."""
    with time_machine.travel(datetime.datetime(2026, 11, 20, 5, 0, tzinfo=datetime.UTC)):
        donor = DonorFactory(unit=units.station_a, sex="F", blood_group="B+", **DONOR)
        DonationFactory(donor=donor, donated_on=datetime.date(2026, 3, 1))
        child = make_patient(
            units.station_a,
            name=CHILD,
            blood_group="B+",
            last_transfused_on=datetime.date(2026, 11, 10),
            guardians=[{**GUARDIAN, "relation": "mother"}],
        )
        transfusion = Transfusion.objects.filter(patient=child, status="due").get()
        assignment = make_assignment(transfusion, donor, status="asked")
        guardian = child.guardians.get()
        # The outbox: to the donor, to the guardian, and about both to a coordinator.
        for i, (key, name, phone, body) in enumerate(
            [
                (f"donor:{donor.pk}", DONOR["name"], DONOR["phone"], f"Dear {DONOR['name']}"),
                (f"guardian:{guardian.pk}", GUARDIAN["name"], GUARDIAN["phone"], f"{CHILD} due"),
                (f"phone:{DONOR['phone']}", "", DONOR["phone"], "Your code is 123456"),
                ("user:1", "Coordinator", "", f"{DONOR['name']} can't give for {CHILD}"),
            ]
        ):
            message_enqueue(
                topic="test",
                subject_key=f"test:{i}",
                recipient_key=key,
                recipient_name=name,
                phone=phone,
                email={"donor": DONOR["email"], "user": "coordinator@example.in"}.get(
                    key.partition(":")[0], ""
                ),
                channel="sms",
                template="donor_eligible_again",
                due_on=datetime.date(2026, 11, 25),
                context={"on": datetime.date(2026, 11, 25)},
            )
            Message.objects.filter(recipient_key=key).update(body=body)  # as rendered
        Message.objects.filter(recipient_key__startswith="guardian").update(state="failed")
        # The call desk phoned both, and wrote notes.
        for kind, key, name, phone, notes in [
            ("donor", f"assignment:{assignment.pk}", DONOR["name"], DONOR["phone"], "evening"),
            ("guardian", f"guardian:{guardian.pk}:transfusion:{transfusion.pk}",
             GUARDIAN["name"], GUARDIAN["phone"], f"{CHILD} has fever"),
        ]:  # fmt: skip
            CallLog.objects.create(
                unit=units.station_a,
                kind=kind,
                row_key=key,
                name=name,
                phone=phone,
                outcome="reached",
                notes=notes,
                assignment=assignment if kind == "donor" else None,
            )
        Patient.objects.filter(pk=child.pk).update(notes=f"Mother {GUARDIAN['name']} calls")
        # Staff searched by phone (three spellings) and by name, and opened both records.
        staff = client_for(staff_a)
        for q in ["98765 00001", "+91 98123-00002", DONOR["email"], DONOR["name"]]:
            assert staff.get(reverse("donors:list"), {"q": q}).status_code == 200
        coordinator_client = client_for(coordinator)
        assert coordinator_client.get(reverse("thalassemia:list"), {"q": CHILD}).status_code == 200
        assert staff.get(donor.get_absolute_url()).status_code == 200
        assert coordinator_client.get(child.get_absolute_url()).status_code == 200
    return {"donor": donor, "child": child, "guardian": guardian}


NEEDLES = [
    DONOR["name"],
    DONOR["email"],
    *spellings(DONOR["phone"]),
    CHILD,
    GUARDIAN["name"],
    *spellings(GUARDIAN["phone"]),
]


@needs_postgres
def test_the_world_holds_the_traces_before_erasure(world):
    """The oracle finds what it must: every kind of copy is there to erase."""
    tables = {table for table, _column, _value in find_everywhere(NEEDLES)}
    assert {
        "donors_donor",
        "thalassemia_patient",
        "thalassemia_guardian",
        "notifications_message",
        "calldesk_calllog",
        "accounts_auditevent",
    } <= tables


@needs_postgres
def test_erasing_a_donor_and_a_child_leaves_no_trace_in_any_text_column(
    world, client_for, admin_user, coordinator
):
    totals_before = raw_totals_now()
    messages_before = Message.objects.count()
    calls_before = CallLog.objects.count()

    response = client_for(admin_user).post(
        reverse("donors:erase", args=[world["donor"].pk]), {"confirm": "erase"}
    )
    assert response.status_code == 302
    response = client_for(coordinator).post(
        reverse("thalassemia:erase", args=[world["child"].pk]), {"confirm": "erase"}
    )
    assert response.status_code == 302

    left = find_everywhere(NEEDLES)
    assert left == [], "\n".join(map(str, left))
    # Counts stay: the rows are there, anonymised.
    assert Message.objects.count() == messages_before
    assert CallLog.objects.count() == calls_before
    assert Donation.objects.filter(donor=world["donor"]).count() == 1
    assert raw_totals_now() == totals_before
    # Nothing waits to go to an address that is gone.
    assert not Message.objects.filter(state="pending", phone="", email="").exists()


def test_the_erasure_is_audited_without_the_erased_data(world, client_for, coordinator):
    client_for(coordinator).post(
        reverse("thalassemia:erase", args=[world["child"].pk]), {"confirm": "erase"}
    )
    event = AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        details__note="erasure",
        content_type__model="patient",
        object_id=str(world["child"].pk),
    ).get()
    assert event.actor == coordinator
    assert event.object_repr == f"Erased child #{world['child'].pk}"
    assert CHILD not in str(event.details)


@needs_postgres
def test_a_guardian_alone_is_erased_from_the_child_page(world, client_for, coordinator):
    guardian = world["guardian"]
    client_for(coordinator).post(
        reverse("thalassemia:guardian-erase", args=[guardian.pk]), {"confirm": "erase"}
    )
    guardian = Guardian.objects.get(pk=guardian.pk)
    assert guardian.name == f"Erased guardian #{guardian.pk}" and guardian.erased_at
    assert find_everywhere([GUARDIAN["name"], *spellings(GUARDIAN["phone"])]) == []
    # The child keeps its record: only the guardian went.
    page = client_for(coordinator).get(world["child"].get_absolute_url()).content.decode()
    assert CHILD in page and 'data-testid="erase-child"' in page


@pytest.mark.parametrize(
    ("persona", "erases"), [("staff_a", False), ("coordinator", True), ("admin_user", True)]
)
def test_coordinators_and_admins_erase_children_staff_do_not(
    request, world, client_for, persona, erases
):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(world["child"].get_absolute_url()).content.decode()
    assert ('data-testid="erase-child"' in page) is erases
    assert ('data-confirm="Erase this child' in page) is erases
    response = client.post(
        reverse("thalassemia:erase", args=[world["child"].pk]), {"confirm": "erase"}
    )
    assert response.status_code == (302 if erases else 403)
    assert Patient.objects.get(pk=world["child"].pk).erased_at is not None if erases else True


def test_without_the_confirmation_nothing_is_erased(world, client_for, coordinator):
    client_for(coordinator).post(reverse("thalassemia:erase", args=[world["child"].pk]))
    assert Patient.objects.get(pk=world["child"].pk).name == CHILD


def test_another_forces_child_is_not_found(world, units, client_for):
    from accounts.choices import Role
    from tests.factories import UserFactory

    outsider = UserFactory(role=Role.COORDINATOR, unit=units.dehat)
    response = client_for(outsider).post(
        reverse("thalassemia:erase", args=[world["child"].pk]), {"confirm": "erase"}
    )
    assert response.status_code == 404


def test_an_erased_childs_record_is_closed(world, client_for, coordinator):
    client = client_for(coordinator)
    client.post(reverse("thalassemia:erase", args=[world["child"].pk]), {"confirm": "erase"})
    child = Patient.objects.get(pk=world["child"].pk)
    assert child.status == "inactive" and child.next_due_on is None
    page = client.get(child.get_absolute_url()).content.decode()
    assert 'data-testid="erased"' in page and 'data-testid="erase-child"' not in page
    response = client.post(
        reverse("thalassemia:guardian-create", args=[child.pk]),
        {"name": "New", "phone": "9812300009", "relation": "father", "preferred_language": "hi"},
    )
    assert response.status_code == 200 and "erased" in response.content.decode()
    assert child.guardians.count() == 1


def raw_totals_now():
    """What the dashboard counts from: donations, donors, transfusions given."""
    return {
        "donations": Donation.objects.count(),
        "donors": Donor.objects.count(),
        "transfusions_done": Transfusion.objects.filter(status="done").count(),
    }
