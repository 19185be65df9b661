"""Force admins for the accounts tests: one of the commissionerate (knp), one of Kanpur
Dehat (another force)."""

import pytest

from accounts.choices import Role
from tests.factories import UserFactory


@pytest.fixture
def force_admin(units):
    return UserFactory(username="knp_admin", role=Role.FORCE_ADMIN, unit=units.knp)


@pytest.fixture
def dehat_admin(units):
    return UserFactory(username="dehat_admin", role=Role.FORCE_ADMIN, unit=units.dehat)
