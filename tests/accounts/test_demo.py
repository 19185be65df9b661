"""The demo data of the README's first command: a real-shaped force and one user per role."""

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role, UnitKind
from accounts.models import PoliceUnit, User
from accounts.scoping import units_for_user

pytestmark = pytest.mark.django_db


def test_demo_data_is_a_commissionerate_of_three_zones_and_twelve_stations(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # a second run changes nothing
    knp = PoliceUnit.objects.get(code="knp")
    subtree = PoliceUnit.objects.filter(path__startswith=knp.path)
    assert knp.kind == UnitKind.COMMISSIONERATE
    zones = subtree.filter(kind=UnitKind.ZONE)
    assert sorted(zones.values_list("name", flat=True)) == [
        "Central Zone",
        "East Zone",
        "West Zone",
    ]
    assert subtree.filter(kind=UnitKind.CIRCLE).count() == 6
    for zone in zones:  # four police stations in each
        assert subtree.filter(path__startswith=zone.path, kind=UnitKind.STATION).count() == 4
    assert subtree.filter(kind=UnitKind.STATION).count() == 12
    # Kanpur Dehat stays a second force, beyond the commissionerate's people.
    assert PoliceUnit.objects.get(code="kanpur-dehat").kind == UnitKind.DISTRICT
    assert PoliceUnit.objects.filter(code="knp-kotwali").count() == 1
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    printed = capsys.readouterr().out
    assert "coordinator" in printed and "bloodbond-coord" in printed


def test_demo_users_sign_in_with_the_printed_passwords(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    response = client.post(
        "/accounts/login/", {"username": "kotwali", "password": "bloodbond-staff"}
    )
    assert response.status_code == 302
    kotwali = User.objects.get(username="kotwali")
    assert set(units_for_user(kotwali).values_list("code", flat=True)) == {"knp-kotwali"}
    coordinator = User.objects.get(username="coordinator")
    assert units_for_user(coordinator).count() == 1 + 3 + 6 + 12


def test_demo_data_refuses_to_load_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing with DEBUG off"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_demo_open_camp_has_donors_and_screenings_once(settings, client):
    """`make run` shows a live camp: verified, consenting donors over several stations and
    blood groups, and at the open camp four bags collected and one donor deferred, however
    often the demo is loaded."""
    from camps.models import Camp
    from donors.models import Consent, Deferral, Donation, Donor

    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    demo = Donor.objects.filter(phone__startswith="+9190000003")
    assert demo.count() == 10
    assert not demo.filter(verified_at__isnull=True).exists()
    assert not demo.filter(consent_at__isnull=True).exists()
    assert Consent.objects.filter(donor__in=demo, purpose="registry").count() == 10
    assert demo.values("unit").distinct().count() >= 6
    assert demo.values("blood_group").distinct().count() >= 6
    camp = Camp.objects.get(name="Kotwali Police Lines camp", status="open")
    screenings = Donation.objects.filter(camp=camp)
    assert screenings.count() == 5
    collected = screenings.filter(outcome="collected")
    assert sorted(collected.values_list("bag_number", flat=True)) == [
        "KPL-0001",
        "KPL-0002",
        "KPL-0003",
        "KPL-0004",
    ]
    assert screenings.filter(outcome="deferred").count() == 1
    assert Deferral.objects.filter(donor__in=demo).count() == 1
    assert not screenings.filter(recorded_by__isnull=True).exists()
    client.force_login(User.objects.get(username="kotwali"))
    page = client.get(f"/camps/{camp.pk}/")
    assert page.status_code == 200
    assert b"Rajesh Kumar Yadav" in page.content or b"KPL-0001" in page.content


def test_the_demo_coordinator_gets_the_morning_digest(settings):
    """With make run's demo, the coordinator's daily digest of uncovered transfusions is
    written in the morning with no manual step (it needs an address to go to)."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from notifications.models import Message
    from thalassemia.reminders import coordinator_digests

    settings.DEBUG = True
    call_command("load_demo")
    morning = dt.datetime.combine(timezone.localdate(), dt.time(settings.THAL_DIGEST_HOUR, 30))
    with time_machine.travel(timezone.make_aware(morning), tick=False):
        assert coordinator_digests(timezone.localdate()) >= 1
    digest = Message.objects.get(topic="coordinator_digest", recipient_key__startswith="user:")
    assert digest.email == "coordinator@bloodbond.example"
    assert "Riya Sharma" in digest.body


def test_each_app_adds_its_own_demo_rows_in_the_order_the_rooms_stand(settings, capsys):
    """load_demo names no domain app: each app's demo.py is found and run in INSTALLED_APPS
    order (donors before the camp that screens them), and its count printed."""
    settings.DEBUG = True
    call_command("load_demo")
    printed = capsys.readouterr().out
    builders = [line.split(":")[0].strip() for line in printed.splitlines() if ".demo.load" in line]
    assert builders == [
        "donors.demo.load",
        "camps.demo.load",
        "thalassemia.demo.load",
        "dashboard.demo.load",
    ]
    assert "  camps.demo.load: 5 rows" in printed


def test_a_database_loaded_by_the_four_zone_demo_loads_again_and_keeps_its_rows(settings, capsys):
    """An older demo had a South zone, Feelkhana and differently named camps: loading the
    three-zone demo over it deletes nothing, adds no second year of camps (whose bag numbers
    would collide) and no second camp tomorrow, and a further load changes nothing."""
    from accounts.services import unit_create
    from camps.models import Camp
    from donors.models import Donation, Donor

    settings.DEBUG = True
    call_command("load_demo")
    # Make it the older demo's database: its South zone with a station and a donor there,
    # and the camps of the stations it had under their names of the time.
    knp = PoliceUnit.objects.get(code="knp")
    south = unit_create(name="South Zone", kind=UnitKind.ZONE, code="knp-south", parent=knp)
    circle = unit_create(
        name="Babupurwa Circle", kind=UnitKind.CIRCLE, code="knp-babupurwa-circle", parent=south
    )
    babupurwa = unit_create(
        name="Babupurwa", kind=UnitKind.STATION, code="knp-babupurwa", parent=circle
    )
    donor = Donor.objects.filter(phone__startswith="+9190000").order_by("pk").last()
    Donor.objects.filter(pk=donor.pk).update(unit=babupurwa)
    for new, old in [
        ("Panki Industrial Area camp", "Kidwai Nagar Community Hall camp"),
        ("Kakadeo Coaching Mandi camp", "Babupurwa Colony camp"),
        ("Kalyanpur Police Lines camp", "Kidwai Nagar Police Lines camp"),
    ]:
        Camp.objects.filter(name=new).update(name=old)
    camps, donations = Camp.objects.count(), Donation.objects.count()
    capsys.readouterr()

    call_command("load_demo")
    call_command("load_demo")

    assert (Camp.objects.count(), Donation.objects.count()) == (camps, donations)
    assert Donor.objects.get(pk=donor.pk).unit == babupurwa
    assert PoliceUnit.objects.filter(code__in=["knp-south", "knp-babupurwa"]).count() == 2
    assert "Kept from an older demo, with their rows: South Zone" in capsys.readouterr().out
