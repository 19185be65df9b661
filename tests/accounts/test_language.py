"""Hindi stays chosen: the choice outlives the browser session, follows the user to their
next sign-in on any phone, and Hindi month names are spelt right."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_the_language_cookie_outlives_the_browser_session(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("set_language"), {"language": "hi", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "hi"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600


def test_a_choice_made_while_signed_in_comes_back_at_the_next_sign_in_elsewhere(staff_a):
    first_phone = Client()
    first_phone.force_login(staff_a)
    first_phone.post(reverse("set_language"), {"language": "hi", "next": "/"})
    staff_a.refresh_from_db()
    assert staff_a.preferred_language == "hi"

    other_phone = Client()  # no cookie at all
    response = sign_in(other_phone, "staff_a")
    assert response.cookies["django_language"].value == "hi"
    home = other_phone.get("/")
    assert home.headers["Content-Language"] == "hi"
    assert '<html lang="hi">' in home.content.decode()


def test_a_choice_made_on_the_sign_in_page_is_kept_and_stored(client, staff_a):
    client.post(reverse("set_language"), {"language": "hi", "next": "/accounts/login/"})
    sign_in(client, "staff_a")
    staff_a.refresh_from_db()
    assert staff_a.preferred_language == "hi"
    assert client.get("/").headers["Content-Language"] == "hi"


def test_an_unknown_language_changes_nothing(client, staff_a):
    client.force_login(staff_a)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    staff_a.refresh_from_db()
    assert staff_a.preferred_language == "en"


@pytest.mark.parametrize("month, name", [(9, "सितंबर"), (11, "नवंबर"), (12, "दिसंबर"), (1, "जनवरी")])
def test_hindi_month_names_are_spelt_right(month, name):
    with translation.override("hi"):
        assert name in date_format(datetime.date(2026, month, 23), "j F Y")
