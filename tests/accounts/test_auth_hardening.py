"""Locks that can't be abused and tokens that end: a username is locked only from the
address that tried it, each address has its own ceiling, the token endpoint is throttled and
answers a lock as the sign-in page does, tokens expire and end with a password change or a
sign-out, and password-reset emails are rate-limited."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(
    client, staff_a, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "staff_a", "nope", "203.0.113.9")
    assert sign_in(client, "staff_a", PASSWORD, "203.0.113.9").status_code == 429
    elsewhere = sign_in(client, "staff_a", PASSWORD, "198.51.100.7")
    assert elsewhere.status_code == 302  # the real user, at their own station, signs in
    assert client.session["_auth_user_id"] == str(staff_a.pk)


def test_one_address_trying_many_usernames_meets_its_own_ceiling(client, staff_a, settings):
    settings.SIGNIN_RATE_PER_ADDRESS = "4/h"
    for name in ("admin", "root", "coordinator", "staff", "guest"):
        assert sign_in(client, name, "guess", "203.0.113.9").status_code == 200
    stopped = sign_in(client, "staff_a", PASSWORD, "203.0.113.9")
    assert stopped.status_code == 429
    assert "Too many failed sign-ins" in stopped.content.decode()
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "staff_a", PASSWORD, "198.51.100.7").status_code == 302


def test_a_whole_shift_signing_in_from_one_address_is_not_stopped(client, staff_a, settings):
    settings.SIGNIN_RATE_PER_ADDRESS = "3/h"
    for _ in range(6):  # successful sign-ins from the station's one address
        assert sign_in(Client(), "staff_a", PASSWORD, "203.0.113.9").status_code == 302


def token_for(username, password=PASSWORD, address="203.0.113.9"):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_token_endpoint_answers_a_locked_account_as_the_sign_in_page_does(staff_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_for("staff_a", "nope").status_code == 400
    assert token_for("staff_a", "nope").status_code == 429  # the failure that locks
    locked = token_for("staff_a")  # the right password, too late
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    assert not Token.objects.filter(user=staff_a).exists()


def test_the_token_endpoint_is_throttled_per_address(staff_a):
    answers = [token_for(f"guess{n}", "x", address="192.0.2.1").status_code for n in range(11)]
    assert answers[:10] == [400] * 10
    assert answers[10] == 429
    assert token_for("staff_a", address="192.0.2.2").status_code == 200


def api_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_and_a_new_one_replaces_it(staff_a, settings):
    key = token_for("staff_a").json()["token"]
    assert api_with(key).get("/api/v1/units/").status_code == 200
    later = timezone.now() + settings.API_TOKEN_TTL + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        expired = api_with(key).get("/api/v1/units/")
        # 403, not 401: session authentication comes first, and DRF answers as it says.
        assert expired.status_code == 403
        assert "expired" in expired.json()["detail"]
        fresh = token_for("staff_a", address="192.0.2.3").json()["token"]
        assert fresh != key
        assert api_with(fresh).get("/api/v1/units/").status_code == 200


def assert_revoked(key):
    answer = api_with(key).get("/api/v1/units/")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Invalid token."


def test_a_password_change_ends_the_api_tokens(client, staff_a):
    key = token_for("staff_a").json()["token"]
    client.force_login(staff_a)
    client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase 7",
            "new_password2": "a much longer passphrase 7",
        },
    )
    assert_revoked(key)


def test_signing_out_ends_the_api_tokens(client, staff_a):
    key = token_for("staff_a").json()["token"]
    client.force_login(staff_a)
    client.post(reverse("logout"))
    assert_revoked(key)


def test_a_password_reset_ends_the_api_tokens(client, staff_a):
    key = token_for("staff_a").json()["token"]
    client.post(reverse("password_reset"), {"email": staff_a.email})
    link = re.search(r"https?://[^\s]+/accounts/reset/[^\s]+/", mail.outbox[-1].body).group(0)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "another long passphrase 9",
            "new_password2": "another long passphrase 9",
        },
    )
    assert_revoked(key)


def test_password_reset_emails_are_limited_per_account(client, staff_a, settings):
    settings.PASSWORD_RESET_RATE_PER_ACCOUNT = "2/h"
    answers = [
        client.post(reverse("password_reset"), {"email": staff_a.email}, REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [302] * 4  # the page never tells
    assert len(mail.outbox) == 2


def test_password_reset_emails_are_limited_per_address(client, staff_a, coordinator, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "1/h"
    for user in (staff_a, coordinator):
        client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="192.0.2.50")
    assert len(mail.outbox) == 1
