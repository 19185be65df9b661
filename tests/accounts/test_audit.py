"""The audit log: sign-ins and anything recorded through ``audit.record``; admins read and
filter it, nobody edits it."""

import pytest
from django.urls import reverse

from accounts import audit
from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client, username, password=PASSWORD):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3"
    )


def test_a_sign_in_is_recorded_with_who_and_from_where(client, staff_a):
    assert sign_in(client, "staff_a").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == staff_a
    assert event.actor_username == "staff_a"
    assert event.ip_address == "10.1.2.3"


def test_a_failed_sign_in_is_recorded_with_the_name_tried(client, staff_a):
    assert sign_in(client, "staff_a", "wrong").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_username == "staff_a"
    assert "password" not in str(event.details).lower()


def test_sign_out_is_recorded(client, staff_a):
    sign_in(client, "staff_a")
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=staff_a).exists()


def test_record_names_the_object_and_its_unit(rf, staff_a, units):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Phone")
    request.user = staff_a
    event = audit.record(action=AuditAction.VIEW, request=request, obj=staff_a, rows=1)
    event.refresh_from_db()
    assert event.object_repr == "staff_a"
    assert event.object_id == str(staff_a.pk)
    assert event.content_type.model == "user"
    assert event.unit == units.station_a
    assert event.details == {"rows": 1}
    assert event.user_agent == "Phone"


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(rf, settings, staff_a):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    request.user = staff_a
    assert audit.record(action=AuditAction.VIEW, request=request).ip_address == "10.0.0.1"
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    assert audit.record(action=AuditAction.VIEW, request=request).ip_address == "203.0.113.9"


@pytest.mark.parametrize(
    "persona, status", [("staff_a", 403), ("coordinator", 403), ("admin_user", 200)]
)
def test_only_admins_read_the_audit_log(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("accounts:audit-list")).status_code == status


def test_anonymous_visitor_is_sent_to_sign_in(anon):
    response = anon.get(reverse("accounts:audit-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_filters_by_action_and_person(client, client_for, admin_user, staff_a, staff_b):
    sign_in(client, "staff_a")
    sign_in(client, "staff_b", "wrong")
    page = client_for(admin_user)
    logins = page.get(reverse("accounts:audit-list"), {"action": AuditAction.LOGIN_FAILED})
    rows = list(logins.context["object_list"])
    assert [(e.actor_username, e.action) for e in rows] == [("staff_b", "login_failed")]
    by_person = page.get(reverse("accounts:audit-list"), {"actor": "staff_a"})
    assert {e.actor_username for e in by_person.context["object_list"]} == {"staff_a"}


def test_a_bad_filter_is_a_field_error_not_a_server_error(client_for, admin_user):
    response = client_for(admin_user).get(
        reverse("accounts:audit-list"), {"ip_address": "not-an-ip", "date_from": "31/31/2026"}
    )
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert "ip_address" in errors and "date_from" in errors


def test_audit_events_cannot_be_added_changed_or_deleted_in_admin(client_for, admin_user, staff_a):
    event = audit.record(action=AuditAction.EXPORT, actor=staff_a, rows=3)
    client = client_for(admin_user)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    delete = client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_list_query_count_does_not_grow(client_for, admin_user, staff_a, units):
    client = client_for(admin_user)

    def grow():
        for n in range(40):
            audit.record(action=AuditAction.EXPORT, actor=staff_a, obj=units.station_a, n=n)

    assert_queries_bounded(lambda: client.get(reverse("accounts:audit-list")), grow, maximum=10)
