"""The demo children: loaded by load_demo, once, each with a calendar, a guardian and a circle."""

import pytest
from django.core.management import call_command

from thalassemia.matching import match_donors
from thalassemia.models import Patient

pytestmark = pytest.mark.django_db


def test_demo_children_have_calendars_guardians_and_circles(settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # a second run changes nothing
    children = Patient.objects.all()
    assert children.count() == 40
    assert all(c.next_due_on and c.guardians.count() == 1 for c in children)
    riya = children.get(registration_number="HTC-0101")
    assert match_donors(riya, riya.next_due_on)[0].in_circle
