""" "Share totals" on the camp table: a WhatsApp-ready summary written on the server, in the
page's language: units by group, donors, first-time donors, deferrals."""

import pytest
from django.urls import reverse
from django.utils import translation

from camps.selectors import camp_totals
from camps.share import share_text
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db


DEFERRED = {"outcome": "deferred", "bag_number": "", "bag_volume_ml": None}


@pytest.fixture
def camp(units, staff_a):
    camp = CampFactory(unit=units.station_a, name="Kotwali Police Lines camp", venue="Lines")
    visits = [("O+", {}), ("O+", {}), ("B+", {}), ("A+", DEFERRED)]
    for group, fields in visits:
        donor = DonorFactory(unit=camp.unit, blood_group=group)
        centre = camp.blood_centre
        DonationFactory(
            donor=donor, camp=camp, blood_centre=centre, donated_on=camp.held_on, **fields
        )
    return camp


def test_the_summary_names_units_by_group_donors_first_time_and_deferrals(camp, settings):
    settings.FORCE_NAME = "Kanpur Nagar Police Commissionerate"
    text = share_text(camp, camp_totals(camp))
    assert text.splitlines()[0] == "*Kotwali Police Lines camp*"
    assert "Units collected: 3" in text
    assert "By blood group: B+ 1 · O+ 2" in text
    assert "Donors: 4 (first-time: 4)" in text
    assert "Deferred at screening: 1" in text
    assert text.endswith("Kanpur Nagar Police Commissionerate")


def test_the_summary_is_in_hindi_on_a_hindi_page(camp):
    with translation.override("hi"):
        text = share_text(camp, camp_totals(camp))
    assert "इकट्ठा यूनिट: 3" in text and "स्क्रीनिंग पर स्थगित: 1" in text


def test_the_table_answers_the_text_in_scope_only(client_for, staff_a, staff_b, camp):
    url = reverse("camps:table-share", args=[camp.pk])
    page = client_for(staff_a).get(url).content.decode()
    assert "Units collected: 3" in page and "https://wa.me/?text=" in page
    assert client_for(staff_b).get(url).status_code == 404
