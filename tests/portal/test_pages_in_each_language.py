"""A child's page, the call desk, an emergency and the dashboard in Vietnamese write every
date dd/mm/yyyy (a day with no year dd/mm), never a month name ("2 Tháng 12"), and group
thousands with a dot; the same pages in English read exactly as they always did."""

import datetime
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from emergency.models import EmergencyRequest
from emergency.services import emergency_create

# The emergency's cast and partner hospital, and its settings (no quiet hours).
from tests.emergency.conftest import _no_quiet_hours, cast, hospital  # noqa: F401
from tests.factories import DonorFactory, make_assignment, make_patient

pytestmark = pytest.mark.django_db

# 23 Nov 2026, 11:30 in Kolkata: a Monday.
NOW = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)
# A day written with a month name ("25 Tháng 11", "25 Nov"), or a month with a two-digit
# year that reads as a day ("Tháng 11 26"). "Tháng 11 2026", a month, is fine.
MONTH_NAME = re.compile(
    r"\b\d{1,2} [Tt]háng \d{1,2}\b|[Tt]háng \d{1,2} \d{2}(?!\d)"
    r"|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def read(client, url, language):
    """The page's main content as the reader sees it in ``language``."""
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Language"] == language
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.fixture
def child(units):
    """Riya, born 1 Mar 2018, last transfused 10 Nov 2026 on 2 units every 15 days: due
    Wed 25 Nov 2026; a donor booked to give that day."""
    riya = make_patient(
        units.station_a,
        name="Riya",
        units=2,
        interval=15,
        date_of_birth=date(2018, 3, 1),
        last_transfused_on=date(2026, 11, 10),
        guardians=[{"name": "Riya's mother", "phone": "+919000012345", "relation": "mother"}],
    )
    make_assignment(riya.transfusions.get(status="due"), DonorFactory(unit=units.station_a))
    return riya


def test_a_childs_page_in_vietnamese_writes_dates_dd_mm_yyyy(client_for, coordinator, child):
    text = read(client_for(coordinator), child.get_absolute_url(), "vi")
    assert "01/03/2018" in text  # date of birth
    assert "Thứ 4, 25/11/2026" in text  # next transfusion, with its weekday
    assert "25/11" in text  # the booked donor's day
    assert "48,7" in text  # units a year: a decimal comma
    assert not MONTH_NAME.search(text), MONTH_NAME.findall(text)


def test_a_childs_page_in_english_is_unchanged(client_for, coordinator, child):
    text = read(client_for(coordinator), child.get_absolute_url(), "en")
    assert "1 Mar 2018" in text
    assert "Wed 25 Nov 2026" in text
    assert "to give 25 Nov" in text
    assert "48.7 units a year" in text


def test_the_call_desk_in_vietnamese_writes_days_dd_mm(client_for, staff_a, child):
    text = read(client_for(staff_a), reverse("calldesk:list"), "vi")
    assert "25/11" in text  # the guardian's row: the child's due day
    assert "23/11/2026" in text  # today, and the week the confirmations count from
    assert not MONTH_NAME.search(text), MONTH_NAME.findall(text)


def test_the_call_desk_in_english_is_unchanged(client_for, staff_a, child):
    text = read(client_for(staff_a), reverse("calldesk:list"), "en")
    assert "Riya due 25 Nov" in text
    assert "23 Nov 2026" in text


@pytest.fixture
def emergency(cast, coordinator, hospital, units):  # noqa: F811
    """Needed by 15:30 in Kolkata today (10:00 UTC)."""
    made = emergency_create(
        actor=coordinator,
        unit=units.knp,
        hospital=hospital,
        blood_group="O+",
        units_needed=2,
        needed_by=timezone.now() + timedelta(hours=4),
    )
    return EmergencyRequest.objects.get(pk=made.pk)


def test_an_emergency_in_vietnamese_writes_the_time_then_the_day(
    client_for, coordinator, emergency
):
    client = client_for(coordinator)
    text = read(client, reverse("emergency:detail", args=[emergency.pk]), "vi")
    assert "15:30 23/11/2026" in text
    listed = read(client, reverse("emergency:list"), "vi")
    assert "15:30 23/11" in listed
    assert not MONTH_NAME.search(text + listed)


def test_an_emergency_in_english_keeps_day_month_and_time(client_for, coordinator, emergency):
    client = client_for(coordinator)
    assert "23 Nov 2026, 15:30" in read(
        client, reverse("emergency:detail", args=[emergency.pk]), "en"
    )
    assert "needed by 23 Nov 15:30" in read(client, reverse("emergency:list"), "en")


@pytest.fixture
def big_need(units):
    """Five children on 4 units a week, over a thousand units a year, due on Wed 25 Nov
    with no donor yet: at risk."""
    for n in range(5):
        make_patient(
            units.station_a,
            name=f"Child {n}",
            units=4,
            interval=7,
            last_transfused_on=date(2026, 11, 18),
        )


def headline(client, language):
    client.cookies["django_language"] = language
    html = client.get(reverse("dashboard:index")).content.decode()
    return re.search(r'data-testid="headline">(.*?)</p>', html, re.S).group(1)


def test_the_dashboard_headline_groups_thousands_with_a_dot_in_vietnamese(
    client_for, admin_user, big_need
):
    client = client_for(admin_user)
    vi, en = headline(client, "vi"), headline(client, "en")
    assert re.search(r"\b1\.0\d\d\b", vi), vi
    assert not re.search(r"\b1,0\d\d\b", vi), vi
    assert re.search(r"\b1,0\d\d\b", en), en


PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(client, language, tmp_path):
    client.cookies["django_language"] = language
    content = client.get(reverse("dashboard:export") + "?format=pdf").content
    assert content.startswith(b"%PDF")
    path = tmp_path / f"report-{language}.pdf"
    path.write_bytes(content)
    return subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) is not installed")
def test_the_dashboard_pdf_in_vietnamese_groups_with_a_dot_and_writes_days_dd_mm(
    client_for, admin_user, big_need, tmp_path
):
    client = client_for(admin_user)
    vi = pdf_text(client, "vi", tmp_path)
    assert re.search(r"\b1\.0\d\d\b", vi) and not re.search(r"\b1,0\d\d\b", vi)
    assert "25/11" in vi  # the children at risk
    assert "11/2026" in vi  # the months' column, not "Tháng 11 26"
    assert not MONTH_NAME.search(vi), MONTH_NAME.findall(vi)
    en = pdf_text(client, "en", tmp_path)
    assert re.search(r"\b1,0\d\d\b", en)
    assert "25 Nov" in en and "Nov 26" in en
