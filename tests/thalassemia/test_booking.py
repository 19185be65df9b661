"""A donor cannot hold two live assignments within their donation interval: checked by the
service everywhere, enforced by the database on PostgreSQL, even for two coordinators at
the same moment."""

import datetime
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from tests.factories import DonorFactory, make_patient
from thalassemia.booking import assignment_create, assignment_set_status
from thalassemia.models import Assignment

pytestmark = pytest.mark.django_db


def due(patient):
    return patient.transfusions.get(status="due")


def two_children(units):
    today = datetime.date.today()
    first = make_patient(
        units.station_a, blood_group="O+", last_transfused_on=today - timedelta(days=5)
    )
    second = make_patient(
        units.station_a,
        blood_group="O+",
        name="Second",
        last_transfused_on=today - timedelta(days=3),
    )
    return first, second


def test_a_second_assignment_within_the_interval_is_refused_with_a_clear_message(units):
    first, second = two_children(units)
    donor = DonorFactory(unit=units.station_a, blood_group="O+", sex="M")
    assignment_create(transfusion=due(first), donor=donor)
    with pytest.raises(ValidationError) as error:
        assignment_create(
            transfusion=due(second), donor=donor, on=due(first).due_on + timedelta(days=10)
        )
    assert "already booked" in str(error.value.message_dict["donor"])
    assert Assignment.objects.filter(donor=donor).count() == 1


def test_after_the_interval_or_once_declined_the_donor_may_be_booked_again(units):
    first, second = two_children(units)
    donor = DonorFactory(unit=units.station_a, blood_group="O+", sex="M")
    booking = assignment_create(transfusion=due(first), donor=donor)
    later = assignment_create(
        transfusion=due(second), donor=donor, on=booking.on + timedelta(days=90)
    )
    assert later.blocks_until == later.on + timedelta(days=90)
    assignment_set_status(assignment=later, status="declined")
    again = assignment_create(
        transfusion=due(second), donor=donor, on=booking.on + timedelta(days=95)
    )
    assert again.status == "proposed"


def test_assignment_moves_follow_the_allowed_paths(units):
    first, _ = two_children(units)
    booking = assignment_create(
        transfusion=due(first), donor=DonorFactory(unit=units.station_a, blood_group="O+")
    )
    assignment_set_status(assignment=booking, status="asked")
    confirmed = assignment_set_status(assignment=booking, status="confirmed")
    assert confirmed.asked_at and confirmed.responded_at
    with pytest.raises(ValidationError):
        assignment_set_status(assignment=booking, status="proposed")


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_booking_one_donor_at_the_same_moment_get_one_booking(units):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint and row locks are PostgreSQL's")
    first, second = two_children(units)
    donor = DonorFactory(unit=units.station_a, blood_group="O+", sex="M")
    targets = [
        (due(first), due(first).due_on),
        (due(second), due(first).due_on + timedelta(days=10)),
    ]
    barrier = threading.Barrier(2)
    results = []

    def book(transfusion, on):
        try:
            barrier.wait(timeout=10)
            assignment_create(transfusion=transfusion, donor=donor, on=on)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    assert Assignment.objects.filter(donor=donor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_overlapping_live_assignments(units):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    first, second = two_children(units)
    donor = DonorFactory(unit=units.station_a, blood_group="O+")
    on = date(2027, 1, 1)
    Assignment.objects.create(
        transfusion=due(first), donor=donor, on=on, blocks_until=on + timedelta(days=90)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            transfusion=due(second),
            donor=donor,
            on=on + timedelta(days=10),
            blocks_until=on + timedelta(days=100),
        )
    # A declined one holds nothing.
    Assignment.objects.create(
        transfusion=due(second),
        donor=donor,
        on=on + timedelta(days=10),
        blocks_until=on + timedelta(days=100),
        status="declined",
    )


def test_cancelling_or_giving_a_transfusion_frees_the_donors_it_no_longer_needs(units):
    from thalassemia.children import patient_update
    from thalassemia.transfusions import transfusion_cancel, transfusion_record_done

    first, second = two_children(units)
    proposed = DonorFactory(unit=units.station_a, blood_group="O+")
    confirmed = DonorFactory(unit=units.station_a, blood_group="O+")
    a1 = assignment_create(transfusion=due(first), donor=proposed)
    a2 = assignment_create(transfusion=due(first), donor=confirmed)
    assignment_set_status(assignment=a2, status="confirmed")
    transfusion_record_done(transfusion=due(first), done_on=datetime.date.today(), units_given=1)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.status, a2.status) == ("cancelled", "confirmed")

    a3 = assignment_create(transfusion=due(second), donor=proposed)
    transfusion_cancel(transfusion=due(second))
    a3.refresh_from_db()
    assert a3.status == "cancelled"

    a4 = assignment_create(transfusion=due(second), donor=proposed)
    patient_update(patient=second, status="deceased")
    a4.refresh_from_db()
    assert a4.status == "cancelled"
