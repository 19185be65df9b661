"""The public impact page: anyone may look, small counts are shown as "<5", nobody is
named, the figures come from the roll-ups in a bounded number of queries and are cached,
and the pledge page links to it."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.rollups import figures_refresh
from tests.factories import DonationFactory, DonorFactory, make_patient
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

PAGE = "/impact/"


def give(unit, n):
    """``n`` donors of ``unit`` who each gave a unit today."""
    donors = [DonorFactory(unit=unit) for _ in range(n)]
    for donor in donors:
        DonationFactory(donor=donor, donated_on=timezone.localdate())
    return donors


def card(html: str, key: str) -> str:
    found = re.search(rf'data-testid="impact-{key}">([^<]*)<', html)
    assert found, f"no {key} card"
    return found.group(1)


def test_anyone_may_look_without_signing_in(anon, units):
    response = anon.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    # Every force is offered, and choosing one shows its figures.
    assert "Kanpur Nagar Police Commissionerate" in html and "Kanpur Dehat District" in html
    for url in (f"{PAGE}{units.knp.pk}/", f"{PAGE}?force={units.knp.pk}"):
        response = anon.get(url)
        assert response.status_code == 200
        assert "Cantt Circle" in response.content.decode()
    # A police station is not a page of its own (its counts are too small to show).
    assert anon.get(f"{PAGE}{units.station_a.pk}/").status_code == 404
    assert anon.get(f"{PAGE}999999/").status_code == 404


def test_small_counts_are_shown_as_under_five_and_nobody_is_named(anon, units):
    few = give(units.station_c, 3)  # Kanpur Dehat: 3 units
    many = give(units.station_b, 6)  # Kanpur Nagar: 6 units
    child = make_patient(units.station_c, name="Anaya Verma")
    figures_refresh()

    dehat = anon.get(f"{PAGE}{units.dehat.pk}/").content.decode()
    assert card(dehat, "units") == "&lt;5"
    assert card(dehat, "donors") == "&lt;5"
    assert card(dehat, "children") == "&lt;5"
    assert card(dehat, "camps") == "0"
    assert '<td class="text-end">&lt;5</td>' in dehat  # this month, in the table too
    # The chart leaves that month out: its figures carry no count under 5.
    drawn = json.loads(re.search(r'id="impact-data"[^>]*>(.*?)</script>', dehat).group(1))
    assert None in drawn["units"] and not any(0 < (n or 0) < 5 for n in drawn["units"])
    knp = anon.get(f"{PAGE}{units.knp.pk}/").content.decode()
    assert card(knp, "units") == "6"
    assert card(knp, "donors") == "6"
    everyone = anon.get(PAGE).content.decode()
    assert card(everyone, "units") == "9"

    for html in (dehat, knp, everyone):
        assert child.name not in html
        for donor in few + many:
            assert donor.name not in html


def test_queries_are_bounded_and_a_second_visit_is_served_from_the_cache(anon, units):
    give(units.station_b, 2)
    make_patient(units.station_b, name="Child one")
    figures_refresh()

    def visit():
        cache.clear()
        assert anon.get(f"{PAGE}{units.knp.pk}/").status_code == 200

    def grow():
        give(units.station_a, 15)
        give(units.station_c, 10)
        for i in range(5):
            make_patient(units.station_a, name=f"Child {i}")
        figures_refresh()

    first = assert_queries_bounded(visit, grow, maximum=16)
    with CaptureQueriesContext(connection) as again:
        assert anon.get(f"{PAGE}{units.knp.pk}/").status_code == 200
    assert len(again.captured_queries) < first
    assert len(again.captured_queries) <= 2


def test_the_pledge_page_links_to_the_impact_page(anon, units):
    html = anon.get("/pledge/").content.decode()
    assert f'href="{PAGE}"' in html
