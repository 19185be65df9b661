"""An adverse reaction (vasovagal, haematoma, other) noted on a camp entry through the
donations service: audited, counted in the camp's totals and on the dashboard."""

import pytest
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps.selectors import camp_totals
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a)


def entry(camp, staff, **fields):
    donor = DonorFactory(unit=camp.unit)
    return DonationFactory(
        donor=donor,
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        recorded_by=staff,
        **fields,
    )


def post(client, camp, donation, **data):
    url = reverse("camps:table-reaction", args=[camp.pk, donation.pk])
    return client.post(url, data)


def test_a_reaction_is_noted_on_the_entry_audited_and_counted(client_for, staff_a, camp):
    donation = entry(camp, staff_a)
    client = client_for(staff_a, htmx=True)
    form = client.get(reverse("camps:table-reaction", args=[camp.pk, donation.pk]))
    assert "Vasovagal" in form.content.decode()
    response = post(client, camp, donation, reaction="vasovagal", reaction_note="fainted")
    assert response.status_code == 200 and "Noted: Vasovagal" in response.content.decode()
    donation.refresh_from_db()
    assert (donation.reaction, donation.reaction_note) == ("vasovagal", "fainted")
    assert donation.outcome == "collected"  # the unit still counts
    assert camp_totals(camp).reactions == 1 and camp_totals(camp).collected == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(donation.pk), actor=staff_a
    ).exists()


def test_other_needs_a_note_and_a_deferral_takes_no_reaction(client_for, staff_a, camp):
    client = client_for(staff_a)
    donation = entry(camp, staff_a)
    response = post(client, camp, donation, reaction="other")
    assert response.status_code == 400 and "Say what happened." in response.content.decode()
    deferred = entry(camp, staff_a, outcome="deferred", bag_number="", bag_volume_ml=None)
    response = post(client, camp, deferred, reaction="haematoma")
    assert response.status_code == 400 and "no blood was drawn" in response.content.decode()
    bad = post(client, camp, donation, reaction="broken-arm")
    assert bad.status_code == 400
    assert camp_totals(camp).reactions == 0


def test_a_reaction_is_noted_only_at_an_open_camp_in_scope(client_for, staff_a, staff_b, camp):
    donation = entry(camp, staff_a)
    assert post(client_for(staff_b), camp, donation, reaction="haematoma").status_code == 404
    camp.status = "closed"
    camp.save()
    response = post(client_for(staff_a), camp, donation, reaction="haematoma")
    assert response.status_code == 400
    donation.refresh_from_db()
    assert donation.reaction == ""


def test_the_dashboard_counts_reactions_by_kind(client_for, coordinator, staff_a, camp):
    client = client_for(staff_a)
    post(client, camp, entry(camp, staff_a), reaction="vasovagal")
    post(client, camp, entry(camp, staff_a), reaction="haematoma", reaction_note="left arm")
    post(client, camp, entry(camp, staff_a), reaction="vasovagal")
    page = client_for(coordinator).get(reverse("dashboard:index")).content.decode()
    card = page[page.index('data-testid="card-reactions"') :][:600]
    assert ">3<" in card and "Vasovagal (faint, dizziness, nausea): 2" in card
    assert "Haematoma (bruise at the needle): 1" in card


def test_the_camp_report_counts_the_reactions(client_for, staff_a, camp):
    post(client_for(staff_a), camp, entry(camp, staff_a), reaction="haematoma")
    csv = client_for(staff_a).get(reverse("camps:report", args=[camp.pk]) + "?format=csv")
    assert "Adverse reactions,1" in csv.content.decode()
