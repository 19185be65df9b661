"""A pledged number nobody has verified is still offered for a child, but below every
verified donor whatever their rank, with an "unverified" badge on the match-and-assign page,
"Unverified number." among its reasons and ``verified: false`` in the API."""

import datetime
from datetime import date

import pytest
import time_machine

from tests.factories import DonorFactory, make_patient
from thalassemia.matching import match_donors

pytestmark = pytest.mark.django_db

ON = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def story(units):
    patient = make_patient(units.station_a, blood_group="A+", last_transfused_on=date(2026, 11, 10))
    # The unverified pledge would rank first on every other key: identical group, same unit.
    unverified = DonorFactory(
        unit=units.station_a, blood_group="A+", name="Aarav Pledge", verified_at=None
    )
    identical = DonorFactory(unit=units.station_a, blood_group="A+", name="Zubin Verified")
    fallback = DonorFactory(unit=units.station_b, blood_group="O-", name="Yash Fallback")
    return patient, unverified, identical, fallback


def test_an_unverified_donor_comes_after_every_verified_one(story):
    patient, unverified, identical, fallback = story

    suggestions = match_donors(patient, ON)

    assert [s.donor for s in suggestions] == [identical, fallback, unverified]
    assert [s.verified for s in suggestions] == [True, True, False]
    assert "Unverified number." in suggestions[-1].reasons
    assert not any("Unverified" in r for s in suggestions[:-1] for r in s.reasons)


def test_the_match_page_badges_the_unverified_donor(story, client_for, coordinator):
    patient, unverified, identical, _fallback = story
    transfusion = patient.transfusions.get(status="due")

    page = client_for(coordinator).get(f"/transfusions/{transfusion.pk}/match/?on={ON}")

    html = page.content.decode()
    assert html.count('data-testid="unverified"') == 1
    assert html.index("Zubin Verified") < html.index("Aarav Pledge")
    assert html.index("Aarav Pledge") < html.index('data-testid="unverified"')


def test_the_matches_api_says_which_donors_are_verified(story, api_client_for, coordinator):
    patient, unverified, identical, fallback = story

    response = api_client_for(coordinator).get(f"/api/v1/patients/{patient.pk}/matches/?on={ON}")

    assert response.status_code == 200
    answer = response.json()
    assert [(m["donor"], m["verified"]) for m in answer] == [
        (identical.pk, True),
        (fallback.pk, True),
        (unverified.pk, False),
    ]
    assert "Unverified number." in answer[-1]["reasons"]
    assert all({"donor", "blood_group", "reasons"} <= m.keys() for m in answer)
