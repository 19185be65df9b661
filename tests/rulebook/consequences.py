"""The booked-donor setting shared by the consequence tests: a child due on 3 Dec with a
donor confirmed for it, and a later booking of the same donor outside any interval."""

import datetime as dt
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine

from camps.forms import ScreeningForm
from tests.factories import DonorFactory, make_assignment, make_patient

IST = ZoneInfo("Asia/Kolkata")
CAMP_DAY = dt.date(2026, 11, 30)
BOOKED_ON = dt.date(2026, 12, 3)
LATER_ON = dt.date(2027, 3, 10)  # 100 days after the camp: outside a man's 90-day interval


def noon(day=CAMP_DAY):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12, 0), tzinfo=IST), tick=False)


def booked_donor(units, *, status="confirmed", phone="+919812300001"):
    """Asha (B+) due on 3 Dec with Ravi confirmed for it; Meena (B+) due later, with Ravi
    booked for 10 Mar. Call inside ``noon()``."""
    asha = make_patient(
        units.station_a,
        name="Asha Verma",
        blood_group="B+",
        last_transfused_on=BOOKED_ON - timedelta(days=21),
        guardians=[{"name": "Sunita Verma", "phone": "+919800000111", "relation": "mother"}],
    )
    meena = make_patient(
        units.station_a,
        name="Meena Gupta",
        blood_group="B+",
        last_transfused_on=BOOKED_ON - timedelta(days=10),
    )
    donor = DonorFactory(
        unit=units.station_a, name="Ravi Kumar", sex="M", blood_group="O+", phone=phone
    )
    booked = make_assignment(asha.transfusions.get(status="due"), donor, status=status)
    later = make_assignment(meena.transfusions.get(status="due"), donor, on=LATER_ON)
    return SimpleNamespace(child=asha, donor=donor, booked=booked, later=later)


def screening_values() -> dict:
    """What the camp table's screening measured: Hb 13.5, weight 65 and, where the form has
    them (blood pressure arrives with the rulebook's screening), BP 120/80."""
    values = {"haemoglobin_g_dl": "13.5", "weight_kg": "65"}
    for name in ScreeningForm.base_fields:
        if "systolic" in name:
            values[name] = "120"
        elif "diastolic" in name:
            values[name] = "80"
        elif name in ("bp", "blood_pressure"):
            values[name] = "120/80"
    return values
