"""The demo data includes partners and camps, once however often it is loaded."""

import pytest
from django.core.management import call_command

from camps.models import BloodCentre, Camp, HospitalContact

pytestmark = pytest.mark.django_db


def test_demo_partners_and_camps_load_once(settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    assert BloodCentre.objects.count() == 2
    assert HospitalContact.objects.count() == 2
    assert set(Camp.objects.values_list("status", flat=True)) == {"open", "planned", "closed"}
    # Today's open camp, 15 held over the past year, two planned (one tomorrow).
    assert Camp.objects.count() == 18
