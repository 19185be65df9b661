"""Schedule arithmetic (DOMAIN.md §3): both presets, a custom plan, a change mid-way, and a
missed transfusion that stays due; annual demand for 150 children."""

from datetime import date, timedelta

from thalassemia.schedule import Due, Plan, annual_units, next_due, plan_on, schedule

D = date(2026, 1, 1)


def test_younger_preset_is_due_every_21_days_with_one_unit():
    plans = [Plan(1, 21, D)]
    assert next_due(D, plans) == date(2026, 1, 22)
    assert schedule(date(2026, 1, 22), plans, date(2026, 3, 5)) == [
        Due(date(2026, 1, 22), 1),
        Due(date(2026, 2, 12), 1),
        Due(date(2026, 3, 5), 1),
    ]


def test_older_preset_is_due_every_15_days_with_two_units():
    plans = [Plan(2, 15, D)]
    assert next_due(D, plans) == date(2026, 1, 16)
    dues = schedule(date(2026, 1, 16), plans, date(2026, 2, 28))
    assert [d.due_on for d in dues] == [date(2026, 1, 16), date(2026, 1, 31), date(2026, 2, 15)]
    assert {d.units for d in dues} == {2}


def test_a_custom_plan_uses_the_doctors_interval():
    plans = [Plan(3, 28, D)]
    assert next_due(D, plans) == date(2026, 1, 29)
    assert schedule(date(2026, 1, 29), plans, date(2026, 2, 26))[-1] == Due(date(2026, 2, 26), 3)


def test_a_plan_change_mid_way_applies_from_the_next_transfusion():
    plans = [Plan(1, 21, D), Plan(2, 15, date(2026, 1, 10))]
    # Given on 1 January under 1/21; the doctor moves to 2/15 from 10 January.
    assert next_due(D, plans) == date(2026, 1, 16)
    dues = schedule(date(2026, 1, 16), plans, date(2026, 2, 15))
    assert dues == [Due(date(2026, 1, 16), 2), Due(date(2026, 1, 31), 2), Due(date(2026, 2, 15), 2)]


def test_a_new_plan_never_makes_the_next_date_earlier_than_its_start():
    plans = [Plan(1, 21, D), Plan(1, 7, date(2026, 1, 20))]
    assert next_due(D, plans) == date(2026, 1, 20)


def test_a_plan_starting_after_the_next_due_date_waits_its_turn():
    plans = [Plan(1, 21, D), Plan(2, 15, date(2026, 2, 1))]
    assert next_due(D, plans) == date(2026, 1, 22)
    assert schedule(date(2026, 1, 22), plans, date(2026, 2, 28)) == [
        Due(date(2026, 1, 22), 1),
        Due(date(2026, 2, 6), 2),  # 22 Jan + 15: the 2/15 plan started on 1 Feb
        Due(date(2026, 2, 21), 2),
    ]


def test_an_overdue_transfusion_stays_first_and_the_rest_count_from_today():
    plans = [Plan(1, 21, D)]
    today = date(2026, 2, 1)
    dues = schedule(date(2026, 1, 22), plans, date(2026, 3, 1), today=today)
    assert dues[0] == Due(date(2026, 1, 22), 1)  # still due: it never rolls on by itself
    assert dues[1].due_on == today + timedelta(days=21)


def test_before_the_first_plan_starts_the_first_plan_applies():
    plans = [Plan(1, 21, date(2026, 3, 1))]
    assert plan_on(plans, D) == plans[0]
    assert next_due(D, plans) == date(2026, 1, 22)
    assert next_due(None, plans) is None
    assert next_due(D, []) is None


def test_annual_units_for_the_presets():
    assert round(annual_units(1, 21), 1) == 17.4
    assert round(annual_units(2, 15), 1) == 48.7


def test_150_children_on_one_unit_every_21_days_need_about_2607_units_a_year():
    total = sum(annual_units(1, 21) for _ in range(150))
    assert round(total) == 2607
    assert 2500 <= total <= 3000  # Kanpur's reported need


def test_two_haemoglobins_in_a_row_outside_the_band_flag_the_plan_for_review():
    from decimal import Decimal as D

    from thalassemia.schedule import review_plan

    assert review_plan([D("8.1"), D("8.5"), D("9.5")], D("9"), D("10.5"))
    assert review_plan([D("11.2"), None, D("8.0")], D("9"), D("10.5"))
    assert not review_plan([D("8.1"), D("9.5")], D("9"), D("10.5"))
    assert not review_plan([D("8.1")], D("9"), D("10.5"))
