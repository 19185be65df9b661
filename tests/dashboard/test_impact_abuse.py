"""The public impact page under hostile use: anyone may call it as often as they like, so a
visit never refreshes the roll-ups (it says as of when the figures are), counting figures
afresh is rate-limited per address (a cached page stays free), its queries are bounded, and
no id or query string makes it fail."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.dateformat import format as date_format

from dashboard.models import FigureChange, FigureRun
from dashboard.rollups import figures_refresh
from tests.dashboard.test_impact import card, give
from tests.helpers import assert_queries_bounded, count_queries

pytestmark = pytest.mark.django_db

PAGE = "/impact/"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    # The limit counts in the cache: a small one, from zero in every test.
    settings.IMPACT_RATE_LIMIT = "3/h"
    cache.clear()
    yield
    cache.clear()


def as_shown(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")  # en DATETIME_FORMAT


def test_a_visit_reads_the_figures_as_last_refreshed_and_says_when(anon, units):
    give(units.station_b, 6)
    figures_refresh()
    as_of = FigureRun.objects.get().refreshed_at
    give(units.station_b, 3)  # pending: the dashboard would apply these itself
    pending = FigureChange.objects.count()
    assert pending

    html = anon.get(f"{PAGE}{units.knp.pk}/").content.decode()

    assert card(html, "units") == "6"
    assert f"Figures as of {as_shown(as_of)}." in html
    # Nothing was written: the changes wait for the beat, the "as of" is the beat's.
    assert FigureChange.objects.count() == pending
    assert FigureRun.objects.get().refreshed_at == as_of
    # Once the beat has run, the next count shows them.
    figures_refresh()
    cache.clear()
    assert card(anon.get(f"{PAGE}{units.knp.pk}/").content.decode(), "units") == "9"


def test_figures_never_counted_are_shown_as_such_and_not_counted_by_a_visit(anon, units):
    give(units.station_b, 6)

    response = anon.get(PAGE)

    assert response.status_code == 200
    assert "The figures have not been counted yet." in response.content.decode()
    assert not FigureRun.objects.exists()


def test_past_the_limit_a_fresh_count_answers_429_and_a_counted_page_still_opens(anon, units):
    give(units.station_b, 6)
    figures_refresh()
    first = anon.get(f"{PAGE}{units.knp.pk}/")
    assert anon.get(f"{PAGE}{units.dehat.pk}/").status_code == 200
    assert anon.get(f"{PAGE}999999/").status_code == 404  # a wrong id counts as well

    refused = anon.get(f"{PAGE}{units.cantt_circle.pk}/")

    assert refused.status_code == 429
    assert "Please try again later" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 3600
    # The pages already counted are served from the cache, with the same figures.
    again = anon.get(f"{PAGE}{units.knp.pk}/")
    assert again.status_code == 200
    assert card(again.content.decode(), "units") == card(first.content.decode(), "units") == "6"
    # Another address is not held back.
    other = Client(REMOTE_ADDR="203.0.113.9").get(f"{PAGE}{units.cantt_circle.pk}/")
    assert other.status_code == 200
    assert card(other.content.decode(), "units") == "6"


def test_walking_ids_past_the_limit_costs_no_query(anon, units):
    for unit_id in range(900001, 900004):
        assert anon.get(f"{PAGE}{unit_id}/").status_code == 404

    assert count_queries(lambda: anon.get(f"{PAGE}900004/")) == 0
    assert anon.get(f"{PAGE}900004/").status_code == 429


def test_a_fresh_count_takes_a_bounded_number_of_queries_with_changes_pending(anon, units):
    give(units.station_b, 2)
    figures_refresh()

    def visit():
        cache.clear()  # a miss each time (and the limit's count with it)
        # A circle: the most queries (its force is named in the breadcrumb).
        assert anon.get(f"{PAGE}{units.cantt_circle.pk}/").status_code == 200

    def grow():
        give(units.station_a, 15)
        give(units.station_c, 10)
        figures_refresh()
        give(units.station_b, 5)  # left pending

    assert_queries_bounded(visit, grow, maximum=13)


@pytest.mark.parametrize(
    "url",
    [
        f"{PAGE}-1/",
        f"{PAGE}0/",
        f"{PAGE}abc/",
        f"{PAGE}9223372036854775807/",
        f"{PAGE}9223372036854775808/",
        f"{PAGE}{'9' * 400}/",
        f"{PAGE}?force=",
        f"{PAGE}?force=abc",
        f"{PAGE}?force=-1",
        f"{PAGE}?force=0",
        f"{PAGE}?force=1e3",
        f"{PAGE}?force=%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
        f"{PAGE}?force=%D9%A3",  # Arabic-Indic three
        f"{PAGE}?force=%00",
        f"{PAGE}?force={'9' * 400}",
        f"{PAGE}?force=1&force=x&force[]=2",
        f"{PAGE}?page=../../etc/passwd&lang=%27%22%3E",
        f"{PAGE}?{'x' * 4000}=1",
    ],
)
def test_no_id_or_query_string_makes_the_page_fail(anon, units, url, settings):
    settings.IMPACT_RATE_LIMIT = "1000/h"  # the limit is not what is tested here
    figures_refresh()
    response = anon.get(url)
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert 'data-testid="impact-cards"' in response.content.decode()


def test_id_zero_is_no_unit_even_when_the_state_page_is_cached(anon, units):
    assert anon.get(PAGE).status_code == 200
    assert anon.get(f"{PAGE}0/").status_code == 404
