"""Every donor-facing SMS fits in 2 parts, in English, Hindi and Vietnamese, with realistic long
values (a long hospital name, a long donor name, the portal's real links); and the part
counter itself follows GSM 03.38 (160/153 septets, extension characters count double) and
UCS-2 (70/67 units)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import signing

from donors.consent import OPT_OUT_SALT
from notifications.rendering import link_url, portal_url, render
from notifications.smsparts import sms_parts, sms_units

LONG_PLACE = "Ganesh Shankar Vidyarthi Memorial Medical College Hospital, Swaroop Nagar, Kanpur"
LONG_PLACE_HI = "गणेश शंकर विद्यार्थी मेमोरियल मेडिकल कॉलेज अस्पताल, स्वरूप नगर, कानपुर"
LONG_PLACE_VI = "Bệnh viện Đa khoa tỉnh Bắc Giang, đường Lê Lợi, phường Hoàng Văn Thụ, TP Bắc Giang"
LONG_NAME = "Rajendra Prasad Shrivastava"
LONG_PLACES = {"hi": LONG_PLACE_HI, "vi": LONG_PLACE_VI}
UNICODE_LANGUAGES = ("hi", "vi")  # Devanagari, and Vietnamese with its diacritics
ON = dt.date(2026, 12, 12)


def context(language: str) -> dict:
    place = LONG_PLACES.get(language, LONG_PLACE)
    camp = SimpleNamespace(held_on=ON, starts_at=dt.time(9, 30), venue=place)
    return {
        "on": ON,
        "place": place,
        "name": LONG_NAME,
        "camp": camp,
        "code": "482913",
        "minutes": 10,
        "child": SimpleNamespace(name="Aarav Kumar Singh"),
        "respond_url": link_url("/r/AB3D5F7H"),
        "certificate_url": link_url("/c/Q7WX2KPM"),
        "opt_out_url": portal_url(f"/stop/{signing.dumps(123456, salt=OPT_OUT_SALT)}/"),
        # An emergency call and its confirmation (emergency.messages): the longest group.
        "request": SimpleNamespace(blood_group="AB-"),
        "hospital": SimpleNamespace(
            name=LONG_PLACE, address=LONG_PLACE + ", Kanpur 208002", phone="+915122535000"
        ),
        "by": dt.datetime(2026, 12, 12, 23, 45),
        "url": link_url("/e/Ab3dE6gh/"),
        "contact": SimpleNamespace(name=LONG_NAME, phone="+919711111111"),
    }


DONOR_SMS = [
    "donor_request",
    "donor_reminder_eve",
    "donor_reminder_day",
    "donor_eligible_again",
    "camp_announcement",
    "pledge_thanks",
    "donation_thanks",
    "phone_code",
    "guardian_transfusion_due",
    "emergency_call",
    "emergency_confirmed",
]


@pytest.fixture
def long_base_url(settings):
    settings.SITE_URL = "https://bloodbond.kanpurpolice.gov.in"
    settings.NOTIFY_LINK_BASE_URL = "https://bloodbond.up.gov.in"


@pytest.mark.parametrize("code", ["", "K7QM"], ids=["own-phone", "shared-phone"])
@pytest.mark.parametrize("language", ["en", "hi", "vi"])
@pytest.mark.parametrize("template", DONOR_SMS)
def test_every_donor_sms_fits_in_two_parts(template, language, code, long_base_url):
    # A request to a phone a family shares carries its reply code (issue 15).
    text = render(template, language, {**context(language), "reply_code": code}, max_parts=2)
    alphabet, units = sms_units(text)
    print(
        f"{template:28} {language} {code or '-':4} {alphabet:4} {units:4} units  "
        f"{sms_parts(text)} part(s)"
    )
    assert sms_parts(text) <= 2, text
    assert alphabet == ("ucs2" if language in UNICODE_LANGUAGES else "gsm"), text


@pytest.mark.parametrize("language", ["en", "hi", "vi"])
def test_a_request_says_what_where_when_and_how_to_answer(language, long_base_url):
    ctx = {**context(language), "place": "Hallet Hospital"}
    text = render("donor_request", language, ctx, max_parts=2)
    assert "Hallet Hospital" in text  # where, in full when it fits
    assert "12" in text  # when
    assert "/r/AB3D5F7H" in text
    if language == "en":
        assert "Reply 1 to come, 2 if you can't" in text
    elif language == "vi":
        assert "Có nhắn 1, không nhắn 2" in text
    else:
        assert "1" in text and "2 भेजें" in text


@pytest.mark.parametrize("language", ["en", "hi", "vi"])
def test_an_emergency_call_says_how_to_answer_by_reply(language, long_base_url):
    text = render("emergency_call", language, context(language), max_parts=2)
    assert "/e/Ab3dE6gh/" in text
    if language == "en":
        assert "Reply 1 to come, 2 if you can't" in text
    elif language == "vi":
        assert "Có nhắn 1, không nhắn 2" in text
    else:
        assert "हाँ तो 1, ना तो 2 भेजें" in text


def test_a_long_place_is_shortened_not_dropped(long_base_url):
    text = render("donor_request", "hi", context("hi"), max_parts=2)
    assert "गणेश शंकर" in text and "…" in text
    assert sms_parts(text) == 2


def test_the_listing_of_every_template(long_base_url, capsys):
    """A table of every template's part count, as the issue asks (``pytest -s`` shows it)."""
    rows = []
    for template in DONOR_SMS:
        for language in ("en", "hi", "vi"):
            text = render(template, language, context(language), max_parts=2)
            rows.append((template, language, *sms_units(text), sms_parts(text)))
    with capsys.disabled():
        print()
        for row in rows:
            print("{:28} {}  {:4} {:4} units  {} part(s)".format(*row))
    assert max(row[-1] for row in rows) <= 2


@pytest.mark.parametrize(
    "text, parts",
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters count double
        ("{" * 81, 2),
        ("a" * 152 + "€" + "a" * 100, 2),  # the escape pair moves whole to part 2
        ("a" * 153 + "€" * 77, 3),
        ("क" * 70, 1),
        ("क" * 71, 2),
        ("क" * 134, 2),
        ("क" * 135, 3),
        ("a" * 159 + "’", 3),  # one curly quote: the whole text goes as UCS-2
        ("😀" * 35, 1),  # surrogate pairs: 2 units each
        ("😀" * 36, 2),
    ],
)
def test_part_counter(text, parts):
    assert sms_parts(text) == parts


@pytest.mark.parametrize("template", ["donor_request", "emergency_call"])
@pytest.mark.parametrize("language", ["en", "hi"])
def test_a_request_to_a_shared_phone_says_which_code_to_send(template, language, long_base_url):
    text = render(template, language, {**context(language), "reply_code": "K7QM"}, max_parts=2)
    if language == "en":
        assert "Reply 1 K7QM to come, 2 K7QM if you can't" in text
    else:
        assert "1 K7QM, " in text and "2 K7QM भेजें" in text
