"""Issue 15, families sharing a phone: the merge page for the records the duplicate rule
cannot refuse (records from before it, or one person on two numbers). A merge moves
everything of the merged-away donor to the kept one — donations, deferrals, consents, camp
queue places, children's circles and bookings, emergency calls, messages — keeps the donor's
standing and the dashboard's figures right, and is audited; coordinators and admins see the
likely pairs of their own units only."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from camps.models import QueueEntry
from dashboard import raw, selectors
from dashboard.rollups import figures_refresh
from dashboard.selectors import DashboardQuery
from donors.models import Consent, Deferral, Donation, Donor
from donors.services import donor_merge
from emergency.models import EmergencyCall, EmergencyRequest
from notifications.models import Message
from tests.factories import (
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    HospitalFactory,
    make_assignment,
    make_patient,
)
from thalassemia.booking import circle_add
from thalassemia.models import Assignment, DonorCircle

pytestmark = pytest.mark.django_db

PHONE = "+919876512345"


def test_a_merge_moves_everything_and_keeps_standing_and_figures_right(units, admin_user):
    today = timezone.localdate()
    keep = DonorFactory(name="Ravi Kumar", phone=PHONE, unit=units.station_a, blood_group="O+")
    dup = DonorFactory(
        name="Ravi K.", phone="+919876599999", unit=units.station_b, blood_group="O+"
    )
    # Booked for a child before the duplicate's last donation was recorded.
    child = make_patient(
        units.station_a, blood_group="O+", last_transfused_on=today - timedelta(days=17)
    )
    circle_add(patient=child, donor=dup)
    assignment = make_assignment(child.transfusions.get(status="due"), dup)
    DonationFactory(donor=keep, donated_on=today - timedelta(days=400))
    # The duplicate gave last, 30 days ago: the kept donor now waits for that donation.
    DonationFactory(donor=dup, donated_on=today - timedelta(days=30))
    DeferralFactory(donor=dup)
    Consent.objects.create(donor=dup, purpose="registry", source="staff")
    Consent.objects.create(donor=dup, purpose="reminders", source="staff")
    Consent.objects.create(donor=keep, purpose="registry", source="staff")
    both_camp, dup_camp = (CampFactory(unit=units.station_a) for _ in range(2))
    QueueEntry.objects.create(camp=both_camp, donor=keep, number=1)
    QueueEntry.objects.create(camp=both_camp, donor=dup, number=2)
    QueueEntry.objects.create(camp=dup_camp, donor=dup, number=1)
    emergency = EmergencyRequest.objects.create(
        unit=units.station_a,
        hospital=HospitalFactory(),
        blood_group="O+",
        units_needed=1,
        needed_by=timezone.now() + timedelta(hours=4),
    )
    call = EmergencyCall.objects.create(request=emergency, donor=dup, wave=1, code="Zx4kP9qw")
    Message.objects.filter(recipient_key=f"donor:{dup.pk}").delete()
    message = Message.objects.create(
        topic="test",
        subject_key="s",
        recipient_key=f"donor:{dup.pk}",
        template="t",
        due_on=today,
        channel="sms",
    )
    figures_refresh()

    donor_merge(keep=keep, duplicate=dup, actor=admin_user)

    assert not Donor.objects.filter(pk=dup.pk).exists()
    assert Donation.objects.filter(donor=keep).count() == 2
    assert Deferral.objects.filter(donor=keep).count() == 1
    assert set(
        keep.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True)
    ) == {
        "registry",
        "reminders",
    }
    # One place per camp: the kept donor's at the camp both queued for.
    assert sorted(QueueEntry.objects.filter(donor=keep).values_list("camp", "number")) == sorted(
        [(both_camp.pk, 1), (dup_camp.pk, 1)]
    )
    assert DonorCircle.objects.get(patient=child).donor == keep
    assert Assignment.objects.get(pk=assignment.pk).donor == keep
    assert EmergencyCall.objects.get(pk=call.pk).donor == keep
    message.refresh_from_db()
    assert message.recipient_key == f"donor:{keep.pk}"
    keep.refresh_from_db()
    assert keep.last_donated_on == today - timedelta(days=30)
    assert keep.next_eligible_on is not None and keep.next_eligible_on > today
    merge = AuditEvent.objects.get(details__note="merge", object_id=str(keep.pk))
    assert merge.details["merged_donor"] == dup.pk
    assert merge.details["moved"]["donors.Donation"] == 1
    # The dashboard: the roll-ups (triggers on the moved donations and the deleted donor)
    # equal the raw counts again.
    figures_refresh()
    query = DashboardQuery(user=admin_user, start=today - timedelta(days=800), end=today)
    assert selectors.collection_summary(query) == raw.collection_summary(query)
    assert selectors.donors_registered(query) == raw.donors_registered(query)
    assert selectors.collection_totals(query) == raw.collection_totals(query)


def test_the_merge_page_lists_likely_pairs_of_the_viewers_units_only(
    units, client_for, coordinator, admin_user
):
    born = datetime.date(1990, 5, 5)
    ravi = DonorFactory(name="Ravi Kumar", phone=PHONE, unit=units.station_a)
    ravi_k = DonorFactory(name="Ravi K.", phone=PHONE, unit=units.station_a)
    # A family on one number: not a pair.
    DonorFactory(name="Sunita Devi", phone=PHONE, unit=units.station_a)
    asha = DonorFactory(name="Asha Verma", date_of_birth=born, unit=units.station_a)
    asha2 = DonorFactory(
        name="asha verma", date_of_birth=born, phone="+919812300000", unit=units.station_a
    )
    # Another district's pair: not the Kanpur coordinator's to see.
    elsewhere = DonorFactory(name="Ravi Kumar S", phone="+919800011111", unit=units.station_c)
    DonorFactory(name="Ravi Kumar", phone="+919800011111", unit=units.station_c)

    page = client_for(coordinator).get(reverse("donors:merge"))

    assert page.status_code == 200
    pairs = {frozenset((a.pk, b.pk)): why for a, b, why in page.context["pairs"]}
    assert pairs == {
        frozenset((ravi.pk, ravi_k.pk)): "phone",
        frozenset((asha.pk, asha2.pk)): "name",
    }
    assert f"#{elsewhere.pk}" not in page.content.decode()
    assert AuditEvent.objects.filter(actor=coordinator).exists()  # the list shown is audited


def test_staff_cannot_merge(units, client_for, staff_a):
    assert client_for(staff_a).get(reverse("donors:merge")).status_code == 403


def test_the_donor_list_leads_coordinators_to_the_merge_page_and_not_staff(
    units, client_for, coordinator, staff_a
):
    merge = reverse("donors:merge")
    assert merge in client_for(coordinator).get(reverse("donors:list")).content.decode()
    assert merge not in client_for(staff_a).get(reverse("donors:list")).content.decode()
