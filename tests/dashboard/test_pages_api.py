"""The dashboard page, its exports and the API: who may see what, bad input, the same
numbers everywhere, and a bounded number of queries whatever the data."""

import csv
import io
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from dashboard import raw
from dashboard.rollups import figures_refresh
from tests.factories import (
    CampFactory,
    DonationFactory,
    DonorFactory,
    PoliceUnitFactory,
    make_patient,
)
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
PAGE = "/dashboard/"
EXPORT = "/dashboard/export/"
TOTALS = "/api/v1/dashboard/totals/"
FORECAST = "/api/v1/dashboard/forecast/"


@pytest.fixture
def records(units):
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    a = DonorFactory(unit=units.station_a, blood_group="A+")
    b = DonorFactory(unit=units.station_b, blood_group="B+")
    c = DonorFactory(unit=units.station_c, blood_group="O+")
    camp = CampFactory(unit=units.station_a, held_on=start, status="closed")
    DonationFactory(donor=a, donated_on=start, camp=camp, blood_centre=camp.blood_centre)
    DonationFactory(donor=b, donated_on=start, camp=camp, blood_centre=camp.blood_centre)
    DonationFactory(donor=b, donated_on=today, outcome="deferred", bag_number="")
    DonationFactory(donor=c, donated_on=today)
    make_patient(
        units.station_a,
        name="Anaya",
        blood_group="A+",
        last_transfused_on=today - timedelta(days=18),
    )
    make_patient(units.station_c, name="Dehat child", last_transfused_on=today - timedelta(days=18))
    return camp


def csv_values(content: bytes) -> dict:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return {row[0]: row[1] for row in rows if len(row) > 1 and row[0]}


# --- who may see what --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(anon, records):
    for url in (PAGE, f"{EXPORT}?format=csv"):
        response = anon.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_api_refuses_anonymous_callers(units):
    from rest_framework.test import APIClient

    for url in (f"{TOTALS}?by=month", f"{FORECAST}?days=30"):
        assert APIClient().get(url).status_code in (401, 403)


def test_a_unit_outside_the_callers_scope_is_refused_and_never_counted(
    staff_a, client_for, api_client_for, units, records
):
    outside = units.station_b.pk
    page = client_for(staff_a).get(f"{PAGE}?unit={outside}")
    assert page.status_code == 400
    assert "Choose a police unit in your jurisdiction." in page.content.decode()
    assert "board" not in page.context
    assert client_for(staff_a).get(f"{EXPORT}?format=csv&unit={outside}").status_code == 400
    api = api_client_for(staff_a)
    response = api.get(f"{TOTALS}?by=unit&unit={outside}")
    assert response.status_code == 400 and "unit" in response.json()
    response = api.get(f"{FORECAST}?days=30&unit={outside}")
    assert response.status_code == 400 and "unit" in response.json()


def test_each_role_sees_its_own_jurisdiction(
    staff_a, staff_b, coordinator, admin_user, client_for, records
):
    def units_for(user):
        return client_for(user).get(PAGE).context["totals"]["units"]

    # Two at Kotwali's camp (one a Cantt donor), one in Dehat; the deferral is no unit.
    assert units_for(staff_a) == 2
    assert units_for(staff_b) == 0
    assert units_for(coordinator) == 2
    assert units_for(admin_user) == 3


def test_the_unit_filter_narrows_to_a_subtree(coordinator, client_for, units, records):
    response = client_for(coordinator).get(f"{PAGE}?unit={units.cantt_circle.pk}")
    assert response.status_code == 200
    assert response.context["totals"]["units"] == 0
    assert response.context["totals"]["donors_deferred"] == 1


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,field",
    [
        ("from=notadate", "from"),
        ("to=2026-02-30", "to"),
        ("from=2026-05-01&to=2026-04-30", "to"),
        ("from=1990-01-01&to=2026-01-01", "to"),
        ("unit=abc", "unit"),
        ("unit=999999", "unit"),
        ("unit=99999999999999999999", "unit"),
        ("blood_group=C%2B", "blood_group"),
    ],
)
def test_bad_filters_answer_400_with_the_field(
    params, field, admin_user, client_for, api_client_for, units
):
    page = client_for(admin_user).get(f"{PAGE}?{params}")
    assert page.status_code == 400
    assert page.context["form"].errors[field]
    response = api_client_for(admin_user).get(f"{TOTALS}?by=month&{params}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("by", ["", "week", "donor"])
def test_an_unknown_grouping_answers_400(by, admin_user, api_client_for, units):
    response = api_client_for(admin_user).get(f"{TOTALS}?by={by}")
    assert response.status_code == 400 and "by" in response.json()


@pytest.mark.parametrize("days", ["", "0", "-3", "abc", "731", "99999999999999999999"])
def test_a_bad_forecast_horizon_answers_400(days, admin_user, api_client_for, units):
    response = api_client_for(admin_user).get(f"{FORECAST}?days={days}")
    assert response.status_code == 400 and "days" in response.json()


def test_an_unknown_export_format_answers_400(admin_user, client_for, units):
    assert client_for(admin_user).get(f"{EXPORT}?format=docx").status_code == 400


# --- the same numbers everywhere -------------------------------------------------------------


def test_page_export_and_api_agree(coordinator, client_for, api_client_for, units, records):
    params = f"from={date.today().year}-01-01&unit={units.kotwali_circle.pk}"
    page = client_for(coordinator).get(f"{PAGE}?{params}")
    totals = page.context["totals"]
    api = api_client_for(coordinator).get(f"{TOTALS}?by=unit&{params}").json()
    exported = csv_values(client_for(coordinator).get(f"{EXPORT}?format=csv&{params}").content)
    assert totals["units"] == api["totals"]["units"] == int(exported["Units collected"]) == 2
    for key, label in [
        ("camps_held", "Camps held"),
        ("donors_donated", "Donors donated"),
        ("first_time_donors", "First-time donors"),
        ("children_active", "Children active"),
        ("transfusions_done", "Transfusions done"),
    ]:
        assert totals[key] == api["totals"][key] == int(exported[label]), key
    assert api["rows"] == [
        {
            "key": units.station_a.pk,
            "label": "Kotwali",
            "units": 2,
            "donations": 2,
            "donors_deferred": 0,
        }
    ]
    html = page.content.decode()
    assert 'data-testid="card-units"' in html
    forecast = page.context["board"].forecasts[0]
    api_forecast = (
        api_client_for(coordinator)
        .get(f"{FORECAST}?days={forecast.days}&unit={units.kotwali_circle.pk}")
        .json()
    )
    assert api_forecast["units_needed"] == forecast.as_dict()["units_needed"]
    assert api_forecast["eligible_donors"] == forecast.as_dict()["eligible_donors"]


def test_the_api_groups_by_month_with_empty_months(admin_user, api_client_for, records):
    year = date.today().year
    body = (
        api_client_for(admin_user)
        .get(f"{TOTALS}?by=month&from={year}-01-01&to={year}-03-31")
        .json()
    )
    assert [row["key"] for row in body["rows"]] == [f"{year}-01", f"{year}-02", f"{year}-03"]
    assert body["rows"][0]["units"] == 2
    assert (body["from"], body["to"], body["by"]) == (f"{year}-01-01", f"{year}-03-31", "month")


def test_exports_are_audit_logged(admin_user, client_for, units, records):
    client = client_for(admin_user)
    for fmt, kind in [("csv", "text/csv"), ("xlsx", "spreadsheetml"), ("pdf", "application/pdf")]:
        response = client.get(f"{EXPORT}?format={fmt}&blood_group=A%2B")
        assert response.status_code == 200 and kind in response["Content-Type"]
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, details__what="dashboard")
    assert sorted(e.details["format"] for e in events) == ["csv", "pdf", "xlsx"]
    assert all(e.details["filters"]["blood_group"] == "A+" for e in events)


def test_the_pdf_report_is_a_page_of_figures_and_a_page_of_charts(
    admin_user, client_for, records, tmp_path
):
    content = client_for(admin_user).get(f"{EXPORT}?format=pdf").content
    assert content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == 2
    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        [PDFTOTEXT, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "3 units given" in text


# --- the forecast for Kanpur's 150 children ---------------------------------------------------


def test_the_api_forecast_for_150_children_on_1_unit_every_21_days(
    admin_user, api_client_for, units
):
    today = timezone.localdate()
    offsets = [i % 21 for i in range(150)]  # next dues spread evenly over the interval
    for i, k in enumerate(offsets):
        make_patient(
            units.station_a,
            name=f"Child {i}",
            blood_group="B+",
            last_transfused_on=today + timedelta(days=k - 21),
        )
    api = api_client_for(admin_user)
    year = api.get(f"{FORECAST}?days=365").json()
    # Whole transfusions on calendars: within 1% of 150 × 365 / 21 = 2,607.1.
    assert abs(sum(year["units_needed"].values()) - 2607) <= 26
    assert year["units_needed"]["B+"] == year["units_needed_total"]
    month = api.get(f"{FORECAST}?days=30").json()
    assert month["units_needed"]["B+"] == sum(len(range(k, 31, 21)) for k in offsets)
    assert set(month["units_needed"]) >= {"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "Oh"}


# --- bounded queries ------------------------------------------------------------------------


def grow(units):
    def more():
        today = timezone.localdate()
        start = today.replace(month=1, day=1)
        for i in range(6):
            unit = [units.station_a, units.station_a2, units.station_b][i % 3]
            camp = CampFactory(unit=unit, held_on=start + timedelta(days=i), status="closed")
            donor = DonorFactory(unit=unit, blood_group=["A+", "B+", "O-"][i % 3])
            DonationFactory(
                donor=donor, donated_on=camp.held_on, camp=camp, blood_centre=camp.blood_centre
            )
            DonationFactory(donor=DonorFactory(unit=unit), donated_on=today)
            make_patient(
                unit,
                name=f"Grown {i}",
                blood_group="A+",
                last_transfused_on=today - timedelta(days=18 + i % 3),
            )

    return more


def refreshed(grow):
    """``grow``, then the beat's refresh of the roll-ups: the reads are what is measured."""

    def more():
        grow()
        figures_refresh()

    figures_refresh()
    return more


def test_the_page_runs_a_bounded_number_of_queries(coordinator, client_for, units, records):
    client = client_for(coordinator)
    assert_queries_bounded(lambda: client.get(PAGE), refreshed(grow(units)), maximum=40)


def test_the_totals_api_runs_a_bounded_number_of_queries(
    coordinator, api_client_for, units, records
):
    api = api_client_for(coordinator)
    assert_queries_bounded(lambda: api.get(f"{TOTALS}?by=camp"), refreshed(grow(units)), maximum=15)


def test_the_forecast_api_runs_a_bounded_number_of_queries(
    coordinator, api_client_for, units, records
):
    api = api_client_for(coordinator)
    assert_queries_bounded(lambda: api.get(f"{FORECAST}?days=90"), grow(units), maximum=10)


def test_the_pdf_stays_two_pages_with_much_to_say(admin_user, client_for, units, tmp_path):
    """Two years, a dozen units, every group needing blood, many children at risk: the
    figures still fit the first page, the charts the second."""
    today = timezone.localdate()
    start = today.replace(year=today.year - 1, month=1, day=1)
    stations = [units.station_a, units.station_a2, units.station_b, units.station_c]
    groups = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "Oh", ""]
    for i in range(12):
        extra = PoliceUnitFactory(name=f"Thana number {i}", parent=units.kotwali_circle)
        stations.append(extra)
    for i, unit in enumerate(stations):
        camp = CampFactory(unit=unit, held_on=start + timedelta(days=40 * i), status="closed")
        DonationFactory(
            donor=DonorFactory(unit=unit),
            donated_on=camp.held_on,
            camp=camp,
            blood_centre=camp.blood_centre,
        )
    for i, group in enumerate(groups * 2):
        make_patient(
            stations[i % len(stations)],
            name=f"A child with a long name {i}",
            blood_group=group,
            last_transfused_on=today - timedelta(days=20),
        )
    response = client_for(admin_user).get(f"{EXPORT}?format=pdf&from={start.isoformat()}")
    assert response.status_code == 200
    (tmp_path / "big.pdf").write_bytes(response.content)
    assert len(re.findall(rb"/Type\s*/Page\b", response.content)) == 2


def test_cards_link_to_the_lists_they_count(coordinator, client_for, units, records):
    client = client_for(coordinator)
    page = client.get(f"{PAGE}?unit={units.kotwali_circle.pk}")
    totals, links = page.context["totals"], page.context["links"]
    html = page.content.decode()
    assert f'href="{links["camps"].replace("&", "&amp;")}"' in html
    camps = client.get(links["camps"])
    assert camps.status_code == 200
    assert camps.context["paginator"].count == totals["camps_held"] == 1
    children = client.get(links["children"])
    assert children.status_code == 200
    assert children.context["paginator"].count == totals["children_active"] == 1
    assert client.get(links["donors"]).status_code == 200


def test_the_nav_offers_the_dashboard_to_every_role(staff_a, coordinator, admin_user, client_for):
    for user in (staff_a, coordinator, admin_user):
        assert 'href="/dashboard/"' in client_for(user).get("/").content.decode()


def test_the_xlsx_export_carries_the_pages_numbers(coordinator, client_for, records):
    from openpyxl import load_workbook

    client = client_for(coordinator)
    totals = client.get(PAGE).context["totals"]
    content = client.get(f"{EXPORT}?format=xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert int(values["Units collected"]) == totals["units"] == 2
    assert int(values["Children active"]) == totals["children_active"] == 1


def test_the_api_counts_the_last_day_of_the_range_and_not_the_next(staff_a, api_client_for, units):
    donor = DonorFactory(unit=units.station_a)
    DonationFactory(donor=donor, donated_on=date(2026, 3, 31))
    DonationFactory(donor=donor, donated_on=date(2026, 4, 1))
    api = api_client_for(staff_a)
    march = api.get(f"{TOTALS}?by=blood_group&from=2026-03-01&to=2026-03-31").json()
    assert march["totals"]["units"] == 1
    assert march["rows"] == [
        {"key": "O+", "label": "O+", "units": 1, "donations": 1, "donors_deferred": 0}
    ]
    april = api.get(f"{TOTALS}?by=month&from=2026-04-01&to=2026-04-30").json()
    assert april["totals"]["units"] == 1


def test_the_headline_gives_one_number_when_plans_and_calendars_agree(admin_user, client_for):
    page = client_for(admin_user).get(PAGE).content.decode()
    headline = re.search(r'data-testid="headline">(.*?)</p>', page, re.S).group(1)
    assert "the children need 0 units a year" in " ".join(headline.split())
    assert "0–0" not in headline


def test_the_page_lists_the_camps_with_most_units_and_the_export_every_camp(
    admin_user, client_for, units, settings
):
    """A state's five years hold 20,000 camps: the page's table stops at
    DASHBOARD_CAMPS_SHOWN (the most units first) and says how many more the exports hold."""
    settings.DASHBOARD_CAMPS_SHOWN = 3
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    camps = []
    for i in range(5):
        camp = CampFactory(unit=units.station_a, name=f"Camp {i}", held_on=start, status="closed")
        for _ in range(i + 1):  # camp i gave i + 1 units
            DonationFactory(
                donor=DonorFactory(unit=units.station_a),
                donated_on=start,
                camp=camp,
                blood_centre=camp.blood_centre,
            )
        camps.append(camp)
    figures_refresh()
    query = f"from={start.isoformat()}&to={today.isoformat()}"

    page = client_for(admin_user).get(f"{PAGE}?{query}")

    assert [row.key for row in page.context["camps_shown"]] == [c.pk for c in reversed(camps[2:])]
    html = page.content.decode()
    assert "2 more camps are in the CSV and XLSX exports" in html
    assert f"/camps/{camps[0].pk}/" not in html  # the smallest camp is left to the exports
    exported = client_for(admin_user).get(f"{EXPORT}?format=csv&{query}").content.decode()
    assert all(c.name in exported for c in camps)


def test_the_page_lists_the_children_at_risk_due_first_and_counts_them_all(
    admin_user, client_for, units, monkeypatch
):
    """A state has thousands of children due within the week: the page lists the first due
    (AT_RISK_SHOWN), its card counts every one and the list links to the rest; the
    exports still list every child."""
    monkeypatch.setattr("dashboard.views.AT_RISK_SHOWN", 3)
    today = timezone.localdate()
    for i in range(5):  # due in 1, 2, … 5 days (every 21 days, the last 20 − i days ago)
        make_patient(
            units.station_a, name=f"Child {i}", last_transfused_on=today - timedelta(days=20 - i)
        )

    page = client_for(admin_user).get(PAGE)

    assert page.status_code == 200
    assert page.context["board"].at_risk_total == 5
    assert [t.patient.name for t in page.context["board"].at_risk] == [
        "Child 0",
        "Child 1",
        "Child 2",
    ]
    html = page.content.decode()
    card = html.split('data-testid="card-at-risk"')[1].split("</a>")[0]
    assert '<div class="figure-number text-danger">5</div>' in card
    assert html.count('data-testid="at-risk-row"') == 3
    assert "2 more children are on the children’s list" in html
    assert "Child 3" not in html
    exported = client_for(admin_user).get(f"{EXPORT}?format=csv").content.decode()
    assert all(f"Child {i}" in exported for i in range(5))


def test_the_page_lists_the_units_with_most_units_and_the_export_every_unit(
    admin_user, client_for, units, monkeypatch
):
    """A state has 1,000 police stations: the page's two tables by unit stop at
    UNITS_SHOWN (the most units collected, the most camps held first) and say how many
    more the exports hold; a scope with fewer units lists them all as before."""
    monkeypatch.setattr("dashboard.views.UNITS_SHOWN", 2)
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    stations = [units.station_c, units.station_a, units.station_b]
    for i, station in enumerate(stations):  # station i gave i + 1 units at i + 1 camps
        for _ in range(i + 1):
            camp = CampFactory(unit=station, held_on=start, status="closed")
            DonationFactory(
                donor=DonorFactory(unit=station),
                donated_on=start,
                camp=camp,
                blood_centre=camp.blood_centre,
            )
    deferred = {"outcome": "deferred", "bag_volume_ml": None, "bag_number": ""}
    DonationFactory(donor=DonorFactory(unit=units.station_a), donated_on=start, **deferred)
    figures_refresh()
    query = f"from={start.isoformat()}&to={today.isoformat()}"

    page = client_for(admin_user).get(f"{PAGE}?{query}")

    board = page.context["board"]
    assert [row.donors_deferred for row in board.by["unit"]] == [0, 1]
    shown = [units.station_b.name, units.station_a.name]
    assert [row.label for row in page.context["units_shown"]] == shown
    assert [row.label for row in page.context["camp_units"]] == shown
    assert page.context["chart_data"]["camps"] == {"labels": shown, "camps": [3, 2]}
    assert len(board.camps_by_unit) == 3  # the board (and the exports) keep every unit
    assert board.units_total == 3
    # Donors deferred are counted for the units shown, as the full breakdown counts them.
    every = {row.key: row.as_dict() for row in raw.collection_by(page.context["query"], "unit")}
    assert [row.as_dict() for row in board.by["unit"]] == [
        every[row.key] for row in board.by["unit"]
    ]
    html = page.content.decode()
    table = html.split('data-testid="table-units"')[1].split("</table>")[0]
    assert units.station_c.name not in table
    assert "1 more unit is in the CSV and XLSX exports" in html
    assert 'data-testid="camp-units-more"' in html
    exported = client_for(admin_user).get(f"{EXPORT}?format=csv&{query}").content.decode()
    assert all(station.name in exported for station in stations)
