"""The demo force `make run` loads (600 donors, 40 children with a year of transfusions, 15
past camps and one tomorrow), loaded once for this module: its counts, that a second load
changes nothing and keeps passwords, that the dashboard has a year of curves on it, and
that the PDF prints the page's charts with the page's numbers."""

import html
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import PoliceUnit, User
from camps.models import Camp
from dashboard import raw
from dashboard.figures import dashboard_for
from dashboard.selectors import DashboardQuery
from donors.compatibility import can_receive
from donors.eligibility import standing
from donors.models import Donation, Donor
from donors.selectors import facts_for, with_eligibility_facts
from thalassemia.models import Patient, Transfusion

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
DEVANAGARI = re.compile("[\u0900-\u097f]")


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once and rolled back after the module (each test is a savepoint
    inside)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", force=True, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


@pytest.fixture
def admin():
    return User.objects.get(username="admin")


def year_query(user):
    today = timezone.localdate()
    return DashboardQuery(user=user, start=today - timedelta(days=365), end=today)


def test_the_demo_is_a_force_of_600_donors_40_children_and_a_year_of_camps():
    knp = PoliceUnit.objects.get(code="knp")
    assert PoliceUnit.objects.filter(path__startswith=knp.path, kind="station").count() == 12
    donors = Donor.objects.all()
    assert donors.count() == 600
    assert donors.filter(phone__startswith="+9190000").count() == 600  # the fake block
    groups = {g: donors.filter(blood_group=g).count() for g in ("O+", "B+", "A+", "AB+")}
    assert groups["O+"] > groups["A+"] > groups["AB+"] and groups["B+"] > groups["A+"]
    assert donors.filter(blood_group__endswith="-").count() >= 10  # India: a few per cent
    hindi = [n for n in donors.values_list("name", flat=True) if DEVANAGARI.search(n)]
    assert 60 < len(hindi) < 300
    assert donors.filter(sex="F").count() > 50
    assert donors.values("unit").distinct().count() == 14

    today = timezone.localdate()
    past = Camp.objects.filter(status="closed")
    assert past.count() == 15
    assert all(c.donations.exists() for c in past)
    assert {c.held_on.month for c in past} >= set(range(1, 13)) - {today.month}
    assert min(c.held_on for c in past) >= today - timedelta(days=365)
    assert Camp.objects.filter(status="planned", held_on=today + timedelta(days=1)).exists()
    assert Donation.objects.filter(camp__in=past).count() > 500

    children = Patient.objects.all()
    assert children.count() == 40
    plans = set(children.values_list("plans__units_per_transfusion", "plans__interval_days"))
    assert plans == {(1, 21), (2, 15)}
    for child in children.prefetch_related("transfusions", "circle__donor", "guardians"):
        done = [t for t in child.transfusions.all() if t.status == "done"]
        assert len(done) >= 365 // child.plans.get().interval_days - 2, child.name
        assert min(t.done_on for t in done) <= today - timedelta(days=330)
        assert child.next_due_on and child.guardians.count() == 1
        circle = [m.donor for m in child.circle.all()]
        assert len(circle) >= 1 and all(
            can_receive(child.blood_group, d.blood_group) for d in circle
        )


def test_every_donors_stored_standing_is_what_their_history_gives():
    """The bulk path ends with the stored eligibility right (donors.standing.refresh_all)."""
    for donor in with_eligibility_facts(Donor.objects.all()):
        want = standing(facts_for(donor))
        got = (donor.next_eligible_on, donor.permanently_deferred, donor.last_donated_on)
        assert got == (want.next_eligible_on, want.permanently_deferred, want.last_donated_on)


def snapshot() -> dict:
    """Every table's row count and highest id: what a second load must leave as it is."""
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "axes"}:
            continue
        rows = model._default_manager.all()
        counts[model._meta.label] = (
            rows.count(),
            max(rows.values_list("pk", flat=True), default=0),
        )
    return counts


def test_a_second_load_changes_nothing_and_keeps_the_passwords(settings, capsys):
    settings.DEBUG = True
    coordinator = User.objects.get(username="coordinator")
    coordinator.set_password("changed by the coordinator")
    coordinator.save()
    before = snapshot()
    hashes = dict(User.objects.values_list("username", "password"))

    call_command("load_demo")

    assert snapshot() == before
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert "passwords were kept" in capsys.readouterr().out
    call_command("load_demo", reset_passwords=True)
    assert User.objects.get(username="coordinator").check_password("bloodbond-coord")


def test_the_dashboard_has_a_year_of_curves_equal_to_the_raw_rows(admin, api_client_for):
    today = timezone.localdate()
    start = today - timedelta(days=365)
    response = api_client_for(admin).get(
        f"/api/v1/dashboard/totals/?from={start}&to={today}&by=month"
    )
    body = response.json()
    months = [row for row in body["rows"] if row["key"] >= f"{start:%Y-%m}-28"]
    assert len(months) == 12 and all(row["units"] > 0 for row in months)
    assert body["totals"]["units"] > 500 and body["totals"]["repeat_donors"] > 0
    assert body["totals"]["transfusions_done"] > 600
    query = year_query(admin)
    assert body["totals"] == {**raw.collection_totals(query), **raw.children_summary(query)}


def pdf_words(content: bytes, tmp_path, page: int) -> list[tuple[str, float, float]]:
    """(text, x centre, y top) of every word on ``page`` of the PDF, by pdftotext -bbox."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        [PDFTOTEXT, "-f", str(page), "-l", str(page), "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out
    )
    return [(html.unescape(t), (float(a) + float(c)) / 2, float(b)) for a, b, c, t in found]


def numbers_over(words, x: float, half_width: float, above: float) -> list[str]:
    """The numbers printed in the column centred on ``x`` above the axis at ``above``."""
    return [
        t
        for t, cx, top in words
        if re.fullmatch(r"[\d,.]+", t) and abs(cx - x) <= half_width and top < above
    ]


def test_the_pdf_prints_the_pages_charts_with_the_pages_numbers(admin, client_for, tmp_path):
    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    today = timezone.localdate()
    start = today - timedelta(days=365)
    client = client_for(admin)
    page = client.get(f"/dashboard/?from={start}&to={today}")
    data = page.context["chart_data"]
    content = client.get(f"/dashboard/export/?format=pdf&from={start}&to={today}").content
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == 2  # figures, then charts
    words = pdf_words(content, tmp_path, 2)
    texts = [t for t, _x, _y in words]
    assert "Charts" in texts

    # Months: under each bar its month ("Nov 2025": two words), above it its units.
    months = data["months"]
    firsts = {label.split()[0] for label in months["labels"]}
    tops = [y for t, _x, y in words if t in firsts]
    axis_y = max(set(tops), key=tops.count)
    on_axis = sorted((x, t) for t, x, y in words if y == axis_y)
    labels = [
        (f"{m} {yr}", (mx + yx) / 2)
        for (mx, m), (yx, yr) in zip(on_axis[::2], on_axis[1::2], strict=True)
    ]
    assert [t for t, _x in labels] == months["labels"]
    slot = (labels[1][1] - labels[0][1]) / 2
    for (_t, x), units in zip(labels, months["units"], strict=True):
        assert str(units) in numbers_over(words, x, slot, axis_y), (x, units)
    printed = {float(t.replace(",", "")) for t in texts if re.fullmatch(r"[\d,]+(\.\d)?", t)}
    assert months["need"][-1] in printed  # the need line's value

    # Groups: units and need side by side over each group's name.
    groups = data["groups"]
    names = [(t, x, y) for t, x, y in words if t in groups["labels"]]
    group_y = max(y for _t, _x, y in names)
    row = [(t, x) for t, x, y in names if y == group_y]
    assert [t for t, _x in row] == groups["labels"]
    width = (row[1][1] - row[0][1]) / 2
    for (_t, x), units, need in zip(row, groups["units"], groups["need"], strict=True):
        column = numbers_over(words, x, width, group_y)
        assert str(units) in column and str(need) in column

    # Camps: each unit's name, and its number at the end of its bar, on one line.
    lines = {}
    for t, x, y in words:
        if y > group_y:
            lines.setdefault(round(y), []).append((x, t))
    printed = {" ".join(t for _x, t in sorted(line)) for line in lines.values()}
    camps = data["camps"]
    for label, count in zip(camps["labels"], camps["camps"], strict=True):
        assert f"{label} {count}" in printed, label


def test_the_pdf_charts_print_in_hindi(admin, client_for, tmp_path):
    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    client = client_for(admin)
    client.cookies["django_language"] = "hi"
    content = client.get("/dashboard/export/?format=pdf", HTTP_ACCEPT_LANGUAGE="hi").content
    text = " ".join(t for t, _x, _y in pdf_words(content, tmp_path, 2))
    assert DEVANAGARI.search(text)


def test_the_dashboard_object_reads_the_demo_in_bounded_queries(
    admin, django_assert_max_num_queries
):
    # 41: the children's transfusions read whole months and their ragged ends (one more).
    with django_assert_max_num_queries(41):
        board = dashboard_for(year_query(admin))
    assert sum(board.chart_data()["months"]["units"]) == board.totals["units"]
    assert Transfusion.objects.filter(status="done").count() >= board.totals["transfusions_done"]
