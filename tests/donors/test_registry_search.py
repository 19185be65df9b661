"""The registry search at a state's scale: a whole number by equality on the unique index, the
last digits through the reversed-number index, a name through the trigram index (those two on
PostgreSQL; SQLite scans with LIKE and finds the same donors), and list counts that stop
counting above a limit."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.pagination import EstimatedCountPaginator
from donors.filters import DonorFilterSet
from donors.models import Donor
from tests.factories import DonorFactory

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")


@pytest.fixture
def donors(units):
    return {
        "asha": DonorFactory(name="Asha Verma", phone="+919876512345", unit=units.station_a),
        # Holds 12345 in the middle of the number, not at its end.
        "bilal": DonorFactory(name="Bilal Khan", phone="+919812345670", unit=units.station_a),
        "chitra": DonorFactory(name="Chitra Sharma", phone="+919811100099", unit=units.station_b),
        "dev": DonorFactory(name="Dev Sharmaji", phone="+919822200012", unit=units.station_b),
    }


def found(q):
    return {d.name for d in DonorFilterSet({"q": q}, queryset=Donor.objects.all()).qs}


@pytest.mark.parametrize("q", ["98765 12345", "+91 98765-12345", "09876512345"])
def test_a_whole_number_finds_its_one_donor(donors, q):
    assert found(q) == {"Asha Verma"}


def test_a_whole_number_is_compared_for_equality(donors):
    sql = str(DonorFilterSet({"q": "9876512345"}, queryset=Donor.objects.all()).qs.query)
    assert '"phone" = ' in sql and "LIKE" not in sql.upper()


@pytest.mark.parametrize("q, names", [("12345", {"Asha Verma"}), ("0012", {"Dev Sharmaji"})])
def test_the_last_digits_find_numbers_ending_with_them_only(donors, q, names):
    assert found(q) == names


def test_three_digits_or_letters_search_the_name(donors):
    assert found("sharma") == {"Chitra Sharma", "Dev Sharmaji"}
    assert found("ARMA") == {"Chitra Sharma", "Dev Sharmaji"}
    assert found("123") == set()  # too few digits for a number, and no name has them


def plan(queryset, index: str) -> str:
    """The plan of ``queryset`` with ``index`` the donors table's only index besides its
    primary key, and no sequential scan: on four rows any index is as good as another, and
    which one the planner picks then depends on the table's statistics of the moment (the
    whole suite's earlier tests change them). What this shows is that the condition *can* be
    answered by ``index``. The dropped indexes come back as the savepoint rolls back."""
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            """SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
               WHERE x.indrelid = 'donors_donor'::regclass AND NOT x.indisprimary
                 AND c.relname <> %s""",
            [index],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return text


def searched_by(queryset, index: str) -> bool:
    """The plan looks ``index`` up by the query's condition (not a walk of all of it)."""
    text = plan(queryset, index).lower()
    # "Index Scan using <index> on …" or "Bitmap Index Scan on <index>", with its condition.
    used = f"using {index} on" in text or f"index scan on {index}" in text
    return used and "cond:" in text


@pg_only
def test_each_search_can_use_its_index(donors):
    def qs(q):
        return DonorFilterSet({"q": q}, queryset=Donor.objects.all()).qs

    assert searched_by(qs("512345"), "donor_phone_reversed")
    assert searched_by(qs("sharm"), "donor_name_trgm")
    assert searched_by(qs("9876512345"), "donor_phone")  # shared numbers: not unique


@pg_only
def test_eligible_for_a_group_reads_its_partial_index(donors):
    from django.utils import timezone

    from donors.selectors import eligible_on

    queryset = eligible_on(Donor.objects.filter(blood_group="O+"), timezone.localdate())
    assert "using donor_eligible_o_pos on" in plan(queryset, "donor_eligible_o_pos").lower()


def test_the_list_counts_exactly_below_the_limit(client_for, coordinator, donors, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 100
    page = client_for(coordinator).get(reverse("donors:list")).content.decode()
    assert "4 rows" in page and "about" not in page


@pg_only
def test_above_the_limit_the_list_and_the_api_say_about(
    client_for, api_client_for, coordinator, donors, settings
):
    settings.LIST_EXACT_COUNT_LIMIT = 2
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donors_donor")

    page = client_for(coordinator).get(reverse("donors:list"), {"page": 1}).content.decode()
    assert "about" in page.lower()

    api = api_client_for(coordinator)
    body = api.get("/api/v1/donors/").json()
    assert body["count_estimated"] is True
    assert body["count"] >= 3
    # An estimate short of the truth never cuts a page: all four fit the API's page of 50.
    assert len(body["results"]) == 4 and body["next"] is None


@pg_only
def test_far_above_the_limit_the_planner_is_asked_and_nothing_counted(
    api_client_for, admin_user, units, settings
):
    """A state's whole list: the planner's estimate, without reading limit + 1 rows."""
    for n in range(40):
        DonorFactory(name=f"Donor {n}", phone=f"+9198765{n:05d}", unit=units.station_a)
    settings.LIST_EXACT_COUNT_LIMIT = 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donors_donor")
    with CaptureQueriesContext(connection) as queries:
        body = api_client_for(admin_user).get("/api/v1/donors/").json()
    assert body["count_estimated"] is True and body["count"] >= 10
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(body["results"]) == 40


@pg_only
def test_pages_of_an_estimated_list_follow_the_rows_not_the_estimate(donors, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 2
    paginator = EstimatedCountPaginator(Donor.objects.order_by("name", "id"), per_page=3)

    first, second = paginator.page(1), paginator.page(2)

    assert paginator.estimated
    assert [d.name for d in first] == ["Asha Verma", "Bilal Khan", "Chitra Sharma"]
    assert first.has_next() and not second.has_next()
    assert [d.name for d in second] == ["Dev Sharmaji"]
    with pytest.raises(EmptyPage):
        paginator.page(3)


def test_the_api_count_is_exact_and_says_so_below_the_limit(api_client_for, coordinator, donors):
    body = api_client_for(coordinator).get("/api/v1/donors/").json()
    assert body["count"] == 4 and body["count_estimated"] is False
