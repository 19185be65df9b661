"""The camp table without htmx: a tap on a form htmx has not processed yet (just after a new
card is swapped in), or a phone where the script did not load, submits natively. Each step
then answers the whole table page (a saved post: a 303 back to the table with a message),
never the bare fragment meant for htmx."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from camps.models import QueueEntry
from camps.queue import join_code
from donors.models import Donation, Donor
from tests.camps.test_queue import join_data
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db

SCREENING = {
    "haemoglobin_g_dl": "13.4",
    "weight_kg": "70",
    "bp_systolic": "120",
    "bp_diastolic": "80",
}


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a, name="Kotwali camp")


def is_whole_page(page: str) -> bool:
    """The table page, not a fragment: the document, the lookup box, the panel once."""
    return (
        page.lstrip().lower().startswith("<!doctype html")
        and 'data-testid="lookup-form"' in page
        and page.count(' id="camp-totals"') == 1
        and page.count(' id="camp-entries"') == 1
        and "hx-swap-oob" not in page
    )


def collected(donor, bag="KNP-501"):
    return {
        "phone": donor.phone,
        "donor": donor.pk,
        "client_id": str(uuid.uuid4()),
        "outcome": "collected",
        "bag_number": bag,
        "bag_volume_ml": "350",
        **SCREENING,
    }


def test_a_native_double_tap_on_record_collected_saves_once_and_returns_to_the_table(
    client_for, staff_a, camp
):
    donor = DonorFactory(unit=camp.unit, name="Asha Verma")
    client = client_for(staff_a)
    url = reverse("camps:table-record", args=[camp.pk])
    post = collected(donor)

    first = client.post(url, post)
    second = client.post(url, post)  # the same form, tapped again

    table = reverse("camps:table", args=[camp.pk])
    assert (first.status_code, first["Location"]) == (303, table)
    assert (second.status_code, second["Location"]) == (303, table)
    assert Donation.objects.filter(camp=camp, donor=donor).count() == 1
    page = client.get(table).content.decode()
    assert is_whole_page(page)
    assert "Asha Verma: collected, bag KNP-501 (350 ml). Next donor." in page
    assert 'data-testid="total-collected">1<' in page


def test_a_refused_native_record_shows_the_card_and_its_error_in_the_whole_page(
    client_for, staff_a, camp
):
    DonationFactory(
        donor=DonorFactory(unit=camp.unit), blood_centre=camp.blood_centre, bag_number="KNP-1"
    )
    donor = DonorFactory(unit=camp.unit, name="Ravi Kumar")
    response = client_for(staff_a).post(
        reverse("camps:table-record", args=[camp.pk]), collected(donor, bag="KNP-1")
    )
    page = response.content.decode()
    assert response.status_code == 200 and is_whole_page(page)
    assert 'data-testid="donor-card"' in page and "Ravi Kumar" in page
    assert "Bag KNP-1 is already recorded at this blood centre." in page
    assert 'value="KNP-1"' in page  # what was typed stays, to correct
    assert not donor.donations.exists()


def test_the_same_post_from_htmx_still_answers_the_fragment(client_for, staff_a, camp):
    donor = DonorFactory(unit=camp.unit)
    response = client_for(staff_a, htmx=True).post(
        reverse("camps:table-record", args=[camp.pk]), collected(donor)
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'data-testid="recorded"' in page and 'hx-swap-oob="true"' in page


def test_a_native_lookup_shows_the_card_in_the_whole_page(client_for, staff_a, camp):
    DonorFactory(unit=camp.unit, name="Ravi Kumar", phone="+919812345678")
    client = client_for(staff_a)
    url = reverse("camps:table-lookup", args=[camp.pk])

    response = client.get(url, {"phone": "98123 45678"})
    page = response.content.decode()
    assert is_whole_page(page) and 'data-testid="donor-card"' in page
    assert "HX-Request" in response["Vary"]  # no cache answers htmx with this page

    bad = client.get(url, {"phone": "12"})
    assert bad.status_code == 200 and is_whole_page(bad.content.decode())
    assert 'data-testid="lookup-error"' in bad.content.decode()


def test_a_native_lookup_at_a_closed_camp_is_refused_in_the_whole_page(client_for, staff_a, units):
    camp = CampFactory(unit=units.station_a, status="closed")
    response = client_for(staff_a).get(
        reverse("camps:table-lookup", args=[camp.pk]), {"phone": "9876500001"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "<html" in page and "Donors can be looked up only while the camp is open." in page


def test_a_native_registration_goes_on_to_the_new_donors_card(client_for, staff_a, camp):
    client = client_for(staff_a)
    data = {
        "phone": "9876501234",
        "client_id": str(uuid.uuid4()),
        "name": "Sita Devi",
        "sex": "F",
        "date_of_birth": "1995-04-02",
        "blood_group": "A+",
        "weight_kg": "58",
        "consent": "on",
    }
    url = reverse("camps:table-donor", args=[camp.pk])
    response = client.post(url, data)
    again = client.post(url, data)  # a double tap: the same client id

    donor = Donor.objects.get(phone="+919876501234")
    assert response.status_code == 303 and again.status_code == 303
    assert response["Location"].startswith(reverse("camps:table-lookup", args=[camp.pk]))
    page = client.get(response["Location"]).content.decode()
    assert is_whole_page(page)
    assert "Sita Devi registered." in page
    assert 'data-testid="screening-form"' in page and f'name="donor" value="{donor.pk}"' in page


def test_a_native_registration_with_errors_shows_them_in_the_whole_page(client_for, staff_a, camp):
    response = client_for(staff_a).post(
        reverse("camps:table-donor", args=[camp.pk]),
        {"phone": "+919876501234", "name": "", "sex": "F", "date_of_birth": "3000-01-01"},
    )
    page = response.content.decode()
    assert is_whole_page(page) and "Enter a real date of birth." in page
    assert not Donor.objects.exists()


def entry(camp, staff):
    return DonationFactory(
        donor=DonorFactory(unit=camp.unit, name="Meena Rao"),
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        recorded_by=staff,
        bag_number="A1",
        bag_volume_ml=350,
    )


def test_native_corrections_removals_and_reactions_return_to_the_table(client_for, staff_a, camp):
    donation = entry(camp, staff_a)
    client = client_for(staff_a)
    table = reverse("camps:table", args=[camp.pk])
    args = [camp.pk, donation.pk]

    noted = client.post(reverse("camps:table-reaction", args=args), {"reaction": "vasovagal"})
    assert (noted.status_code, noted["Location"]) == (303, table)
    assert "Noted: Vasovagal (faint" in client.get(table).content.decode()

    fields = {"bag_number": "A2", "bag_volume_ml": 350, **SCREENING}
    corrected = client.post(reverse("camps:table-correct", args=args), fields)
    assert (corrected.status_code, corrected["Location"]) == (303, table)
    assert "Entry for Meena Rao corrected." in client.get(table).content.decode()

    refused = client.post(reverse("camps:table-correct", args=args), {**fields, "bag_number": ""})
    assert refused.status_code == 200 and is_whole_page(refused.content.decode())
    assert 'data-testid="correct-form"' in refused.content.decode()

    donation.refresh_from_db()
    assert (donation.bag_number, donation.reaction) == ("A2", "vasovagal")

    removed = client.post(reverse("camps:table-withdraw", args=args))
    assert (removed.status_code, removed["Location"]) == (303, table)
    assert "Entry removed." in client.get(table).content.decode()
    assert not Donation.objects.filter(camp=camp).exists()


def test_a_refused_native_removal_says_why_on_the_table(client_for, staff_a, circle_staff, camp):
    donation = entry(camp, staff_a)
    client = client_for(circle_staff)
    response = client.post(reverse("camps:table-withdraw", args=[camp.pk, donation.pk]))
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "alert-danger" in page and Donation.objects.filter(pk=donation.pk).exists()


def test_a_native_call_next_returns_to_the_table_with_the_number_called(client_for, staff_a, camp):
    Client().post(reverse("camps:join", args=[join_code(camp)]), join_data(name="Donor 1"))
    client = client_for(staff_a)
    response = client.post(reverse("camps:table-queue-next", args=[camp.pk]))
    assert response.status_code == 303
    assert response["Location"] == reverse("camps:table", args=[camp.pk])
    # The table's queue panel (loaded by htmx) shows the number called.
    panel = client.get(reverse("camps:table-queue", args=[camp.pk])).content.decode()
    assert 'data-testid="queue-now-calling"' in panel and "Donor 1" in panel
    assert QueueEntry.objects.get().called_by == staff_a
