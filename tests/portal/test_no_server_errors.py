"""No page or endpoint answers 500, whatever it is sent.

Every URL pattern of the portal's own apps and every path of the OpenAPI schema is requested
by each persona with real and impossible ids, nonsense query strings, empty form posts and
junk JSON. New pages and endpoints are covered as soon as they are routed: nothing here
lists them by hand."""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories import (
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    make_patient,
)

# Parameters that pages and endpoints read from query strings, each given nonsense.
JUNK_QUERY = (
    "?on=notadate&until=31-31-2020&from=yesterday&to=2026-02-30&days=-5&by=nonsense"
    "&page=abc&q=%00&blood_group=ZZ&unit=abc&status=zz&sex=Q&eligible_today=maybe"
    "&month=13&year=0&window=x&camp=abc&patient=abc&donor=abc&ordering=nope&search=%00"
)
# Real dates at the ends of what a date can be: the edges of Python's calendar overflow date
# arithmetic, and a filter given one must refuse it or ignore it, never fail.
_DATE_FILTERS = (
    "on",
    "until",
    "from",
    "to",
    "donated_on__gte",
    "donated_on__lte",
    "donated_on",
    "due_on__gte",
    "due_on__lte",
    "due_on",
    "held_from",
    "held_to",
    "date_from",
    "date_to",
    "created_from",
    "created_to",
)
EXTREME_QUERIES = tuple(
    "?" + "&".join(f"{name}={day}" for name in _DATE_FILTERS) + f"&days={days}&month={month}"
    for day, days, month in (
        ("9999-12-31", "999999999", "9999-12"),
        ("0001-01-01", "0", "0001-01"),
    )
)


def probes(who: str, path: str) -> list[str]:
    """Query strings to send: nonsense always; the extreme dates by the admin (who sees
    every row, so reaches the deepest code) on routes of rows that exist."""
    extreme = who == "admin" and "/0/" not in path and HUGE_ID not in path
    return [JUNK_QUERY, *(EXTREME_QUERIES if extreme else ())]


JUNK_BODY = {
    "name": "",
    "sex": "Q",
    "date_of_birth": "yesterday",
    "blood_group": "ZZ",
    "phone": "12",
    "unit": "abc",
    "weight_kg": "heavy",
    "units_per_transfusion": -1,
    "interval_days": "often",
    "last_transfused_on": "2026-02-30",
    "donated_on": "never",
    "until": "x",
    "category": "nope",
    "status": "zz",
    "on": "x",
}
# The same fields given real dates no event can have.
EXTREME_BODY = {
    "date_of_birth": "0001-01-01",
    "last_transfused_on": "9999-12-31",
    "last_donated_on": "0001-01-01",
    "donated_on": "9999-12-31",
    "held_on": "0001-01-01",
    "done_on": "9999-12-31",
    "due_on": "9999-12-31",
    "starts_on": "0001-01-01",
    "until": "9999-12-31",
    "on": "9999-12-31",
    "units_per_transfusion": 1,
    "interval_days": 21,
}
HUGE_ID = "99999999999999999999"
SKIP_PREFIXES = ("admin/", "accounts/logout/", "i18n/", "jsi18n/", "api/v1/auth/")
OUR_APPS = ("accounts", "donors", "camps", "thalassemia", "notifications", "calldesk", "dashboard")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def page_patterns():
    """The site's own page routes (not the admin's, not the API's: the schema lists those)."""
    return sorted(
        {
            route
            for route in _walk(get_resolver())
            if not route.startswith(SKIP_PREFIXES)
            and not route.startswith("api/")
            and "(?P<" not in route
        }
    )


def existing_ids():
    """One id of every row of our apps' models, so detail routes hit a real row (in scope
    for some personas, out of scope for others), plus ids that cannot exist."""
    ids = {"0", HUGE_ID}
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            ids.update(str(pk) for pk in model.objects.values_list("pk", flat=True)[:2])
    return sorted(ids)


def fill(route: str, ident: str) -> str:
    path = re.sub(r"<(?:int:|str:|slug:|path:)?(\w+)>", ident, route)
    return "/" + path


@pytest.fixture
def rows(units, staff_a, staff_b):
    donor = DonorFactory(unit=units.station_a)
    DonationFactory(donor=donor)
    DeferralFactory(donor=DonorFactory(unit=units.station_b))
    # A child (with its calendar) and a camp, so their detail routes and actions are hit.
    make_patient(units.station_a, last_transfused_on=timezone.localdate())
    CampFactory(unit=units.station_a)
    return donor


@pytest.fixture
def personas(anon, client_for, staff_a, coordinator, admin_user):
    clients = {
        "anonymous": anon,
        "staff": client_for(staff_a),
        "coordinator": client_for(coordinator),
        "admin": client_for(admin_user),
    }
    for client in clients.values():
        client.raise_request_exception = False  # collect every 500, not just the first
    return clients


def test_every_page_survives_any_id_query_and_empty_post(rows, personas):
    failures, checked = [], 0
    ids = existing_ids()
    for route in page_patterns():
        paths = {fill(route, ident) for ident in ids} if "<" in route else {"/" + route}
        for path in sorted(paths):
            for who, client in personas.items():
                queries = [("get", path + query) for query in probes(who, path)]
                requests = [("get", path), *queries, ("post", path)]
                for method, url in requests:
                    status = getattr(client, method)(url).status_code
                    checked += 1
                    if status >= 500:
                        failures.append(f"{who} {method.upper()} {url} → {status}")
    assert failures == [], "\n".join(failures)
    assert checked > 500  # the walk found the routes


def api_paths(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    return schema["paths"]


def test_every_api_path_survives_any_id_query_and_junk_body(rows, personas):
    failures, checked = [], 0
    ids = existing_ids()
    paths = api_paths(personas["admin"])
    assert len(paths) > 5
    for template, operations in sorted(paths.items()):
        urls = {re.sub(r"\{\w+\}", ident, template) for ident in ids}
        for url in sorted(urls):
            for who, client in personas.items():
                requests = [("get", url, None)]
                requests += [("get", url + query, None) for query in probes(who, url)]
                bodies = [JUNK_BODY, EXTREME_BODY] if len(probes(who, url)) > 1 else [JUNK_BODY]
                for method in ("post", "put", "patch"):
                    if method in operations:
                        requests += [(method, url, body) for body in bodies]
                for method, target, body in requests:
                    kwargs = {"data": body, "content_type": "application/json"} if body else {}
                    status = getattr(client, method)(target, **kwargs).status_code
                    checked += 1
                    if status >= 500:
                        failures.append(f"{who} {method.upper()} {target} → {status}")
    assert failures == [], "\n".join(failures)
    assert checked > 300
