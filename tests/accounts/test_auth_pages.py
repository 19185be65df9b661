"""Sign in, sign out, change and reset a password, lock out after repeated failures, and
the home page each role lands on."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_sign_in_lands_on_the_home_page(client, staff_a):
    response = client.post(
        reverse("login"), {"username": "staff_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Kotwali" in response.content.decode()


def test_a_wrong_password_says_so_and_signs_nobody_in(client, staff_a):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account(client, staff_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "staff_a", "password": "nope"})
    locked = client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "persona, text",
    [
        ("staff_a", "Plan and log blood donation camps"),
        ("coordinator", "transfusion calendar"),
        ("admin_user", "Recent activity"),
    ],
)
def test_each_role_has_its_home_page(request, client_for, persona, text):
    user = request.getfixturevalue(persona)
    assert text in client_for(user).get(reverse("home")).content.decode()


def test_home_page_names_the_jurisdiction(client_for, circle_staff):
    page = client_for(circle_staff).get(reverse("home")).content.decode()
    assert "Kotwali Circle (Circle) and every unit below it." in page
    assert "3 police units in view." in page


def test_password_change_needs_the_old_password_and_is_audited(client_for, staff_a):
    client = client_for(staff_a)
    url = reverse("password_change")
    bad = client.post(
        url,
        {"old_password": "wrong", "new_password1": "a-new-pass-2026", "new_password2": "x"},
    )
    assert bad.status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)
    good = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-pass-2026",
            "new_password2": "a-new-pass-2026",
        },
    )
    assert good.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password("a-new-pass-2026")
    # Written once, by the service, with the user as actor; the session stays signed in.
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).get().actor == staff_a
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_by_email_link(client, staff_a, settings):
    settings.SITE_URL = "http://192.168.43.10:8000"
    client.post(reverse("password_reset"), {"email": staff_a.email})
    assert len(mail.outbox) == 1
    # The link is the portal's own address (SITE_URL), not the Host the request named.
    link = re.search(
        r"http://192\.168\.43\.10:8000(/accounts/reset/\S+)", mail.outbox[0].body
    ).group(1)
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh-password-99", "new_password2": "fresh-password-99"},
    )
    assert done.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password("fresh-password-99")
    # The link works once.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]


def test_password_reset_for_an_unknown_address_reveals_nothing(client, staff_a):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_sign_out_needs_a_post_and_ends_the_session(client_for, staff_a):
    client = client_for(staff_a)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
