"""Two tables typing the same bag number at the same moment: one entry, one field error.
PostgreSQL only (SQLite serialises writers); CI runs it."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from camps import services
from donors.models import Donation
from tests.factories import CampFactory, DonorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_bag_at_two_tables_at_once_is_recorded_once(units, staff_a, circle_staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    camp = CampFactory(unit=units.station_a)
    donors = [DonorFactory(unit=units.station_a) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def record(donor, actor):
        try:
            barrier.wait()
            services.camp_donation_record(
                camp=camp,
                donor=donor,
                actor=actor,
                outcome="collected",
                bag_number="SAME-1",
                bag_volume_ml=350,
                haemoglobin_g_dl=Decimal("13"),
                weight_kg=Decimal("70"),
                bp_systolic=120,
                bp_diastolic=80,
            )
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.message_dict.get("bag_number"))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(donor, actor))
        for donor, actor in zip(donors, (staff_a, circle_staff), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == sorted(
        ["ok", str(["Bag SAME-1 is already recorded at this blood centre."])]
    )
    assert Donation.objects.filter(bag_number="SAME-1").count() == 1
