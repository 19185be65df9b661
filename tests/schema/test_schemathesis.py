"""The API keeps its own schema (issue 13): schemathesis generates requests for every
operation of ``/api/v1/schema/`` and sends them, with a coordinator's token, to the portal
(in process, on the test database): no answer is a 5xx, no status code is one the schema
does not list, no body breaks the schema of its status.

Bounded for CI (about a minute or two on two cores): few examples per operation
(``SCHEMATHESIS_MAX_EXAMPLES``, 8 by default), no shrinking, no deadline. Run alone:
``pytest -m schemathesis``."""

import datetime as dt
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts.choices import Role
from accounts.services import token_issue
from tests.factories import (
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    UserFactory,
    make_patient,
)

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def load_schema():
    """The schema ``/api/v1/schema/`` serves, generated the same way without a request,
    bound to the portal's own WSGI application (calls run in this process, on the test
    database). One test per operation."""
    from drf_spectacular.generators import SchemaGenerator

    spec = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    # Schema examples and random generation only: the coverage phase's hundreds of boundary
    # cases per operation would not fit CI's budget.
    config = SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
    )
    loaded = schemathesis.openapi.from_dict(spec, config=config)
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture(autouse=True)
def _connection_kept_open():
    # As Django's test client does: the request signals must not close the test's
    # connection (its transaction holds the rows below).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(units):
    """A coordinator of the commissionerate, with rows of each kind in reach."""
    user = UserFactory(username="schema_coordinator", role=Role.COORDINATOR, unit=units.knp)
    donor = DonorFactory(unit=units.station_a)
    DonationFactory(donor=donor, donated_on=dt.date(2026, 3, 1))
    DeferralFactory(donor=donor, category="malaria")
    CampFactory(unit=units.station_a)
    make_patient(
        units.station_a,
        name="Riya",
        last_transfused_on=dt.date(2026, 11, 1),
        guardians=[{"name": "Meena", "phone": "+919800000001", "relation": "mother"}],
    )
    return token_issue(user=user).key


schema = load_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_its_schema(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=CHECKS)
