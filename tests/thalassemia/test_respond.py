"""The confirm / decline link in a donor's request: works without signing in, only by a
button press (opening it changes nothing), once, and not after it expires."""

import datetime as dt
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import DonorFactory, make_assignment, make_patient
from thalassemia.respond import respond_token

IST = ZoneInfo("Asia/Kolkata")
D = dt.date(2026, 12, 10)
pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(units):
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=IST), tick=False):
        patient = make_patient(units.station_a, last_transfused_on=D - timedelta(days=18))
        transfusion = patient.transfusions.get(status="due")
        return make_assignment(
            transfusion, DonorFactory(unit=units.station_a, preferred_language="en")
        )


def url(assignment):
    return reverse("thalassemia:respond", args=[respond_token(assignment)])


def test_opening_the_link_asks_and_changes_nothing(anon, asked):
    response = anon.get(url(asked))
    assert response.status_code == 200
    assert b'data-state="ask"' in response.content
    assert b"Can you donate for a child on" in response.content
    asked.refresh_from_db()
    assert asked.status == "asked"


def test_confirm_works_once(anon, asked):
    link = url(asked)
    response = anon.post(link, {"answer": "confirm"})
    assert b'data-state="done"' in response.content
    asked.refresh_from_db()
    assert asked.status == "confirmed" and asked.responded_at is not None
    assert AuditEvent.objects.filter(details__note="donor answered by link").count() == 1
    again = anon.post(link, {"answer": "decline"})
    assert b'data-state="used"' in again.content
    asked.refresh_from_db()
    assert asked.status == "confirmed"


def test_decline_frees_the_assignment(anon, asked):
    anon.post(url(asked), {"answer": "decline"})
    asked.refresh_from_db()
    assert asked.status == "declined"


def test_the_link_expires(anon, asked, settings):
    settings.THAL_CONFIRM_LINK_HOURS = 72
    link = url(asked)
    with time_machine.travel(timedelta(hours=73)):
        response = anon.post(link, {"answer": "confirm"})
    assert response.status_code == 410
    assert b'data-state="expired"' in response.content
    asked.refresh_from_db()
    assert asked.status == "asked"


@pytest.mark.parametrize("token", ["nonsense", "eyJhIjoxfQ:1abc:forged"])
def test_a_mangled_link_is_a_clear_404(anon, token):
    response = anon.post(reverse("thalassemia:respond", args=[token]), {"answer": "confirm"})
    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_an_unknown_answer_changes_nothing(anon, asked):
    response = anon.post(url(asked), {"answer": "maybe"})
    assert response.status_code == 200
    asked.refresh_from_db()
    assert asked.status == "asked"


def test_the_page_says_where_and_when_to_come(anon, asked):
    from camps.models import Hospital

    hospital = Hospital.objects.create(
        name="Lala Lajpat Rai Hospital",
        address="Swaroop Nagar, Kanpur 208002",
        phone="+915122222222",
    )
    asked.transfusion.hospital = hospital
    asked.transfusion.save(update_fields=["hospital"])
    page = anon.get(url(asked)).content.decode()
    assert "Lala Lajpat Rai Hospital" in page and "Swaroop Nagar, Kanpur 208002" in page
    assert asked.on.strftime("%A") in page and 'data-testid="when"' in page
    done = anon.post(url(asked), {"answer": "confirm"}).content.decode()
    assert "Lala Lajpat Rai Hospital" in done


# --- the short link of the SMS -------------------------------------------------------------


def test_the_sms_link_is_short_and_answers_once(anon, asked, settings):
    from thalassemia.respond import respond_url

    settings.SITE_URL = "https://bloodbond.example"
    link = respond_url(asked)
    assert re.fullmatch(r"https://bloodbond\.example/r/[2-9A-HJKMNP-Z]{8}", link)
    assert respond_url(asked) == link  # written again (a scan run twice): the same link
    path = link.removeprefix("https://bloodbond.example")
    assert b'data-state="ask"' in anon.get(path).content
    assert b'data-state="done"' in anon.post(path, {"answer": "confirm"}).content
    assert b'data-state="used"' in anon.post(path, {"answer": "decline"}).content
    asked.refresh_from_db()
    assert asked.status == "confirmed"


def test_the_short_link_expires(anon, asked, settings):
    from thalassemia.respond import respond_code

    settings.THAL_CONFIRM_LINK_HOURS = 72
    path = f"/r/{respond_code(asked)}"
    with time_machine.travel(timedelta(hours=73)):
        response = anon.post(path, {"answer": "confirm"})
    assert response.status_code == 410
    asked.refresh_from_db()
    assert asked.status == "asked"


@pytest.mark.parametrize("code", ["AB3D5F7H", "ab3d5f7h", "AB3D5F7", "00000000"])
def test_a_guessed_short_code_is_a_404(anon, asked, code):
    response = anon.post(f"/r/{code}", {"answer": "confirm"})
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.status == "asked"


def test_only_a_hash_of_the_code_is_stored(asked):
    from notifications.models import ShortLink
    from thalassemia.respond import respond_code

    code = respond_code(asked)
    row = ShortLink.objects.get(subject_key=f"assignment:{asked.pk}")
    assert code not in (row.code_hash, row.nonce)


def test_guessing_short_codes_is_slowed_down(anon, asked, settings):
    from thalassemia.respond import respond_code

    settings.SHORT_LINK_MISS_RATE_LIMIT = "3/h"
    real = f"/r/{respond_code(asked)}"
    for _ in range(5):
        assert anon.get(real).status_code == 200  # known links never count
    codes = [anon.get(f"/r/ZZZZZZZ{n}").status_code for n in range(2, 7)]
    assert codes[:3] == [404, 404, 404] and codes[-1] == 429
