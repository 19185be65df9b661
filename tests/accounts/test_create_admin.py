"""``manage.py create_admin --unit CODE``: a force admin of that unit, through the service
(audited), with the password from DJANGO_SUPERUSER_PASSWORD."""

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import AuditAction, Role
from accounts.models import AuditEvent, User
from accounts.scoping import units_for_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 7"


def test_create_admin_makes_a_force_admin_of_the_unit(monkeypatch, units):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("create_admin", unit="dehat", email="sp@dehat.example", interactive=False)
    admin = User.objects.get(username="admin-dehat")
    assert admin.role == Role.FORCE_ADMIN and admin.unit == units.dehat
    assert admin.email == "sp@dehat.example" and admin.check_password(PASSWORD)
    assert not admin.is_superuser and not admin.is_staff  # Django's admin is not scoped
    assert set(units_for_user(admin).values_list("code", flat=True)) == {"dehat", "station-c"}
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(admin.pk), actor=None
    ).exists()


def test_create_admin_takes_a_username(monkeypatch, units):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("create_admin", unit="knp", username="sp_knp", interactive=False)
    assert User.objects.get(username="sp_knp").unit == units.knp


def test_an_unknown_unit_is_an_error(monkeypatch, units):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="No police unit"):
        call_command("create_admin", unit="atlantis", interactive=False)
    assert not User.objects.exists()


def test_without_a_password_and_no_prompt_it_refuses(monkeypatch, units):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("create_admin", unit="knp", interactive=False)
    assert not User.objects.exists()


def test_a_weak_password_is_refused(monkeypatch, units):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "knp")
    with pytest.raises(CommandError):
        call_command("create_admin", unit="knp", interactive=False)
    assert not User.objects.exists()


def test_the_password_is_asked_twice_when_not_in_the_environment(monkeypatch, units):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_admin", unit="knp")
    assert User.objects.get(username="admin-knp").check_password(PASSWORD)


def test_a_taken_username_is_an_error(monkeypatch, units, staff_a):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="taken"):
        call_command("create_admin", unit="knp", username="staff_a", interactive=False)
