"""The call desk rings donors too: those proposed or asked with no answer 48 hours before
the day they are to give, and those who declined with nobody in their place yet. Called
rows move to "done today"; a follow-up day brings a row back on that day; outcomes swap
their row in place with htmx, or come back to the row's section without JavaScript. Phone
numbers only for the roles that call. A fixed number of queries whatever the row count."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from calldesk.models import CallLog
from calldesk.selectors import call_list, desk
from tests.factories import DonorFactory, UserFactory, make_assignment, make_patient
from tests.helpers import assert_queries_bounded
from thalassemia.booking import assignment_create, assignment_set_status
from thalassemia.models import Assignment

pytestmark = pytest.mark.django_db
URL = reverse("calldesk:list")
LOG = reverse("calldesk:log")
HTMX = {"HTTP_HX_REQUEST": "true"}
_phones = iter(range(100, 100_000))


def child_due_in(unit, days, *, name="Riya", units=1, guardian=True):
    today = timezone.localdate()
    guardians = (
        [
            {
                "name": f"{name}'s mother",
                "phone": f"+9191111{next(_phones):05d}",
                "relation": "mother",
            }
        ]
        if guardian
        else []
    )
    return make_patient(
        unit,
        name=name,
        units=units,
        interval=21 if units == 1 else 15,
        last_transfused_on=today - timedelta(days=(21 if units == 1 else 15) - days),
        guardians=guardians,
    ).transfusions.get(status="due")


def donor(unit, name="Ravi Kumar"):
    return DonorFactory(unit=unit, name=name, blood_group="B+")


def keys(user, state="todo"):
    return {row.key for row in call_list(user) if row.state == state}


def at(days, hour=10):
    """A moment ``days`` from today, local time, frozen."""
    day = timezone.localdate() + timedelta(days=days)
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    return time_machine.travel(moment, tick=False)


# --- Which donors are on the list --------------------------------------------------------


def test_a_proposed_donor_with_no_answer_two_days_before_is_rung(staff_a, units):
    soon = make_assignment(
        child_due_in(units.station_a, 2), donor(units.station_a), status="proposed"
    )
    later = make_assignment(
        child_due_in(units.station_a, 5, name="Later"),
        donor(units.station_a, "Later Donor"),
        status="proposed",
    )
    rows = {row.key: row for row in call_list(staff_a)}
    assert rows[f"assignment:{soon.pk}"].kind == "donor"
    assert f"assignment:{later.pk}" not in rows


def test_an_asked_donor_far_from_the_day_waits_until_silent(staff_a, units):
    asked = make_assignment(child_due_in(units.station_a, 5), donor(units.station_a))
    assert f"assignment:{asked.pk}" not in keys(staff_a)
    Assignment.objects.filter(pk=asked.pk).update(asked_at=timezone.now() - timedelta(hours=30))
    assert f"assignment:{asked.pk}" in keys(staff_a)


def test_a_donor_who_answered_is_not_rung(staff_a, units):
    confirmed = make_assignment(
        child_due_in(units.station_a, 1, guardian=False), donor(units.station_a), status="confirmed"
    )
    assert f"assignment:{confirmed.pk}" not in keys(staff_a)


def test_a_declined_donor_is_rung_until_someone_takes_the_place(staff_a, units):
    transfusion = child_due_in(units.station_a, 4, guardian=False)
    declined = make_assignment(transfusion, donor(units.station_a))
    assignment_set_status(assignment=declined, status="declined")
    row = next(r for r in call_list(staff_a) if r.key == f"assignment:{declined.pk}")
    assert row.kind == "declined"
    make_assignment(transfusion, donor(units.station_a, "Suresh Yadav"), status="proposed")
    assert f"assignment:{declined.pk}" not in keys(staff_a)


def test_a_child_needing_two_units_still_lacks_a_donor_after_one_replacement(staff_a, units):
    transfusion = child_due_in(units.station_a, 4, units=2, guardian=False)
    declined = make_assignment(transfusion, donor(units.station_a))
    assignment_set_status(assignment=declined, status="declined")
    make_assignment(transfusion, donor(units.station_a, "Suresh Yadav"), status="confirmed")
    assert f"assignment:{declined.pk}" in keys(staff_a)


def test_donor_rows_are_scoped_to_the_users_units(staff_b, coordinator, units):
    soon = make_assignment(
        child_due_in(units.station_a, 1), donor(units.station_a), status="proposed"
    )
    assert f"assignment:{soon.pk}" not in keys(staff_b)
    assert f"assignment:{soon.pk}" in keys(coordinator)


def test_a_declined_donor_who_says_yes_on_the_phone_is_booked_again(client_for, staff_a, units):
    transfusion = child_due_in(units.station_a, 4, guardian=False)
    declined = make_assignment(transfusion, donor(units.station_a))
    assignment_set_status(assignment=declined, status="declined")
    client_for(staff_a).post(LOG, {"key": f"assignment:{declined.pk}", "outcome": "confirmed"})
    again = Assignment.objects.exclude(pk=declined.pk).get(transfusion=transfusion)
    assert (again.donor_id, again.status, again.on) == (declined.donor_id, "confirmed", declined.on)
    assert f"assignment:{declined.pk}" not in keys(staff_a)
    assert [c.row_key for c in desk(staff_a).done] == [f"assignment:{declined.pk}"]


# --- Phones only for the roles that call -------------------------------------------------


def test_the_admin_sees_the_workload_without_phones_and_cannot_log(client_for, admin_user, units):
    soon = make_assignment(
        child_due_in(units.station_a, 1), donor(units.station_a), status="proposed"
    )
    body = client_for(admin_user).get(URL).content.decode()
    assert "Ravi Kumar" in body and "tel:" not in body and "outcome-confirmed" not in body
    response = client_for(admin_user).post(
        LOG, {"key": f"assignment:{soon.pk}", "outcome": "confirmed"}
    )
    assert response.status_code == 403
    assert not CallLog.objects.exists()


def test_a_force_admin_calls_like_a_coordinator(client_for, units):
    force_admin = UserFactory(username="fa", role="force_admin", unit=units.knp)
    make_assignment(child_due_in(units.station_a, 1), donor(units.station_a), status="proposed")
    assert 'href="tel:+91' in client_for(force_admin).get(URL).content.decode()


# --- Done today and follow-ups -----------------------------------------------------------


def test_a_called_row_moves_to_done_today(client_for, staff_a, staff_b, units):
    transfusion = child_due_in(units.station_a, 3)
    row = call_list(staff_a)[0]
    client_for(staff_a).post(LOG, {"key": row.key, "outcome": "reached", "notes": "Will come"})
    board = desk(staff_a)
    assert board.to_call == 0
    assert [(c.row_key, c.outcome, c.notes) for c in board.done] == [
        (row.key, "reached", "Will come")
    ]
    assert desk(staff_b).done == []  # another station's calls are not its business
    body = client_for(staff_a).get(URL).content.decode()
    assert 'data-testid="done-row"' in body and transfusion.patient.name in body


def test_a_donor_confirmed_on_the_phone_is_still_in_done_today(client_for, staff_a, units):
    soon = make_assignment(child_due_in(units.station_a, 1, guardian=False), donor(units.station_a))
    client_for(staff_a).post(LOG, {"key": f"assignment:{soon.pk}", "outcome": "confirmed"})
    assert call_list(staff_a) == []  # covered: no row any more
    assert [c.name for c in desk(staff_a).done] == ["Ravi Kumar"]


def test_a_follow_up_day_brings_the_row_back_on_that_day(client_for, staff_a, units):
    child_due_in(units.station_a, 6)
    key = call_list(staff_a)[0].key
    follow_up = timezone.localdate() + timedelta(days=3)
    client_for(staff_a).post(
        LOG, {"key": key, "outcome": "will_try", "follow_up_on": follow_up.isoformat()}
    )
    assert key in keys(staff_a, "later") and key not in keys(staff_a)
    with at(1):
        assert key in keys(staff_a, "later")
        assert desk(staff_a).done == []  # yesterday's call
    with at(3):
        row = next(r for r in call_list(staff_a) if r.key == key)
        assert (row.state, row.follow_up_due, row.last_call.outcome) == ("todo", True, "will_try")
        assert desk(staff_a).sections[0][2][0].key == key


def test_no_answer_comes_back_the_next_day_and_a_reached_row_does_not(client_for, staff_a, units):
    child_due_in(units.station_a, 5, name="Asha")
    child_due_in(units.station_a, 5, name="Bela")
    rows = {r.name: r.key for r in call_list(staff_a)}
    client = client_for(staff_a)
    client.post(LOG, {"key": rows["Asha's mother"], "outcome": "no_answer"})
    client.post(LOG, {"key": rows["Bela's mother"], "outcome": "reached"})
    assert keys(staff_a) == set()
    with at(1):
        assert keys(staff_a) == {rows["Asha's mother"]}
        assert keys(staff_a, "closed") == {rows["Bela's mother"]}


def test_a_follow_up_today_keeps_the_row_to_call(client_for, staff_a, units):
    child_due_in(units.station_a, 5)
    key = call_list(staff_a)[0].key
    today = timezone.localdate().isoformat()
    client_for(staff_a).post(LOG, {"key": key, "outcome": "no_answer", "follow_up_on": today})
    assert key in keys(staff_a) and desk(staff_a).done == []


def test_a_follow_up_too_far_ahead_is_refused(client_for, staff_a, units, settings):
    child_due_in(units.station_a, 5)
    key = call_list(staff_a)[0].key
    far = timezone.localdate() + timedelta(days=settings.CALLDESK_FOLLOW_UP_MAX_DAYS + 1)
    response = client_for(staff_a).post(
        LOG, {"key": key, "outcome": "reached", "follow_up_on": far.isoformat()}, follow=True
    )
    assert "Choose a day within" in response.content.decode()
    assert not CallLog.objects.exists()


# --- In place with htmx, back to the row without it --------------------------------------


def test_with_htmx_the_row_is_swapped_in_place(client_for, staff_a, units):
    child_due_in(units.station_a, 3)
    row = call_list(staff_a)[0]
    response = client_for(staff_a).post(LOG, {"key": row.key, "outcome": "no_answer"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(
        f'<div class="list-group-item list-group-item-light" id="{row.anchor}"'
    )
    assert 'data-testid="call-row-logged"' in body and "moved to done today" in body
    # The done-today section and the counts come along out-of-band.
    assert 'id="section-done"' in body and 'id="count-guardian"' in body
    assert body.count('hx-swap-oob="true"') == 5  # four sections' counts and done today
    assert CallLog.objects.get().outcome == "no_answer"


def test_without_htmx_the_answer_goes_back_to_the_rows_section(client_for, staff_a, units):
    child_due_in(units.station_a, 3)
    row = call_list(staff_a)[0]
    response = client_for(staff_a).post(LOG, {"key": row.key, "outcome": "reached"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}#section-guardian"


def test_with_htmx_a_refused_outcome_shows_on_the_row(client_for, staff_a, units):
    child_due_in(units.station_a, 3)
    row = call_list(staff_a)[0]
    response = client_for(staff_a).post(
        LOG, {"key": row.key, "outcome": "reached", "follow_up_on": "2020-01-01"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="{row.anchor}"' in body and "Choose today or a later day." in body
    assert not CallLog.objects.exists()


def test_with_htmx_a_row_gone_meanwhile_says_so(client_for, staff_a, staff_b, units):
    soon = make_assignment(child_due_in(units.station_a, 1, guardian=False), donor(units.station_a))
    response = client_for(staff_b).post(
        LOG, {"key": f"assignment:{soon.pk}", "outcome": "confirmed"}, **HTMX
    )
    assert 'data-testid="call-row-gone"' in response.content.decode()
    soon.refresh_from_db()
    assert soon.status == "asked" and not CallLog.objects.exists()


# --- Bounded --------------------------------------------------------------------------------


def test_the_desk_runs_a_bounded_number_of_queries(client_for, coordinator, units):
    client = client_for(coordinator)
    n = iter(range(1000))

    def world():
        i = next(n)
        unit = units.station_a if i % 2 else units.station_b
        transfusion = child_due_in(unit, 2, name=f"Kid {i}")
        make_assignment(transfusion, donor(unit, f"Silent {i}"), status="proposed")
        declined = assignment_create(
            transfusion=child_due_in(unit, 4, name=f"Other {i}", guardian=False),
            donor=donor(unit, f"No {i}"),
        )
        assignment_set_status(assignment=declined, status="declined")
        rows = [r for r in call_list(coordinator) if r.state == "todo"]
        client.post(LOG, {"key": rows[0].key, "outcome": "no_answer"})
        client.post(
            LOG,
            {
                "key": rows[1].key,
                "outcome": "will_try",
                "follow_up_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            },
        )

    world()

    def grow():
        for _ in range(5):
            world()

    assert_queries_bounded(lambda: client.get(URL), grow, maximum=25)
    assert_queries_bounded(
        lambda: client.post(LOG, {"key": "assignment:0", "outcome": "reached"}, **HTMX),
        world,
        maximum=25,
    )
