"""Every list runs a bounded number of SQL queries, whatever the row count.

Each app tests its own lists; this walks all of them at once, so a list added later is held
too: every page route without a parameter and every API list of the OpenAPI schema, asked
by a coordinator (the widest non-admin scope) over a small world, then over a bigger one.
The count must not change."""

import datetime as dt
import re
from itertools import count

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from dashboard.rollups import figures_refresh
from notifications import services as outbox
from tests.factories import (
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    HospitalContactFactory,
    make_assignment,
    make_patient,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "api/", "i18n/", "jsi18n/", "accounts/", "healthz", "pledge/")
_n = count(1)


def page_routes():
    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    return sorted(
        {
            "/" + route
            for route in walk(get_resolver())
            if "<" not in route and "(?P" not in route and not route.startswith(SKIP_PREFIXES)
        }
    )


def api_lists(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    return sorted(p for p, ops in paths.items() if "{" not in p and "get" in ops)


def grow_world(units, size):
    """``size`` more of everything, in both stations of the coordinator's force."""
    today = timezone.localdate()
    for _ in range(size):
        n = next(_n)
        for unit in (units.station_a, units.station_b):
            donor = DonorFactory(unit=unit, blood_group="B+")
            DonationFactory(donor=donor, donated_on=today - dt.timedelta(days=200))
            DeferralFactory(donor=DonorFactory(unit=unit))
            camp = CampFactory(unit=unit)
            DonationFactory(donor=DonorFactory(unit=unit), camp=camp, donated_on=camp.held_on)
            HospitalContactFactory()
            patient = make_patient(
                unit,
                name=f"Child {n}",
                last_transfused_on=today - dt.timedelta(days=18),
                guardians=[
                    {"name": f"Guardian {n}", "relation": "mother", "phone": f"+9161{n:08d}"}
                ],
            )
            transfusion = patient.transfusions.get(status="due")
            make_assignment(transfusion, DonorFactory(unit=unit, blood_group="B+"))
            outbox.message_enqueue(
                topic="transfusion_due",
                subject_key=f"transfusion:{transfusion.pk}",
                recipient_key=f"guardian:{n}-{unit.pk}",
                recipient_name="Meena",
                phone="+919000000101",
                channel="sms",
                template="guardian_transfusion_due",
                due_on=transfusion.due_on,
                unit=unit,
                context={"child": patient, "on": transfusion.due_on},
            )


def counts(client, urls):
    """Queries per URL, for the URLs this user may open (admin-only pages answer 403 to
    the coordinator: the admin's run counts those)."""
    answers, queries = {}, {}
    for url in urls:
        queries[url] = count_queries(lambda url=url: answers.__setitem__(url, client.get(url)))
    return {url: n for url, n in queries.items() if answers[url].status_code == 200}


@pytest.mark.parametrize("persona", ["coordinator", "admin_user"])
def test_every_list_page_and_api_list_keeps_its_query_count_as_rows_grow(
    request, units, client_for, persona
):
    client = client_for(request.getfixturevalue(persona))
    urls = page_routes() + api_lists(client)
    assert "/donors/" in urls and "/api/v1/donations/" in urls  # the walk found the lists
    grow_world(units, 1)
    figures_refresh()  # the beat's refresh of the dashboard's roll-ups; reads are measured
    cache.clear()  # each run counts the pages' work, not what the first run cached (/impact/)
    small = counts(client, urls)
    grow_world(units, 6)
    figures_refresh()
    cache.clear()
    big = counts(client, urls)
    assert small.keys() == big.keys()
    assert len(big) >= 25  # most lists answered, not a run of refusals
    grown = {url: (small[url], big[url]) for url in big if big[url] != small[url]}
    assert grown == {}, "query counts that grew with the rows (before, after)"
    assert max(big.values()) <= 40, {u: q for u, q in big.items() if q > 40}


def test_the_walk_covers_the_lists_named_in_design(client_for, coordinator):
    urls = page_routes() + api_lists(client_for(coordinator))
    for resource in (
        "units", "donors", "donations", "deferrals", "camps", "blood-centres", "hospitals",
        "patients", "transfusions", "assignments", "messages",
    ):  # fmt: skip
        assert any(re.fullmatch(rf"/api/v1/{resource}/", u) for u in urls), resource
