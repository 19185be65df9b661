"""The README's production step `manage.py createsuperuser` works on a fresh database: it
makes a portal admin, who needs no police unit."""

import pytest
from django.core.management import call_command

from accounts.choices import Role
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_an_admin_without_a_unit(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase 1")
    call_command("createsuperuser", interactive=False, username="chief", email="chief@example.org")
    chief = User.objects.get(username="chief")
    assert chief.role == Role.ADMIN and chief.unit is None
    assert chief.is_superuser and chief.check_password("a long enough passphrase 1")
