"""Pages of a long list without counting a whole state on every request.

``EstimatedCountPaginator`` counts exactly up to LIST_EXACT_COUNT_LIMIT rows (a count over
``LIMIT n + 1``: it stops reading there) and above that shows the PostgreSQL planner's
estimate of the filtered query, said as "about 1,000,000". It asks the planner first: an
estimate of ten times the limit or more is shown without the bounded count. The donor list page and
``GET /api/v1/donors/`` use it; the API's ``count`` is then that estimate and
``count_estimated`` says so.
"""

import json
from functools import cached_property

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from rest_framework.pagination import PageNumberPagination

# An estimate this many times the exact-count limit is trusted without the bounded count: the
# planner would have to overestimate tenfold for a list under the limit to be called "about".
TRUSTED_ESTIMATE_FACTOR = 10


def planner_estimate(queryset) -> int | None:
    """The planner's row estimate for ``queryset`` (PostgreSQL), or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.order_by().values("pk").query
    try:
        sql, params = query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # .none(): a list whose filters were refused
        return 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class _PageOfUnknownTotal(Page):
    """A page whose "next" is known by reading one row past it, not from the total."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class EstimatedCountPaginator(Paginator):
    """A Paginator whose ``count`` is exact up to a limit and estimated above it
    (``estimated`` then True). An estimate may be short of the truth, so then a page is
    never cut to it: each page reads one row more to know whether another follows, and a
    page past the end is empty (404), as any page past the end."""

    estimated = False

    def validate_number(self, number):
        if not (self.count and self.estimated):
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        more = len(rows) > self.per_page
        return _PageOfUnknownTotal(rows[: self.per_page], number, self, more=more)

    @cached_property
    def count(self):
        limit = settings.LIST_EXACT_COUNT_LIMIT
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        estimate = planner_estimate(queryset)
        if estimate is not None and estimate >= TRUSTED_ESTIMATE_FACTOR * limit:
            # Far above the limit (a state's whole list): reading limit + 1 rows to learn
            # what the planner already says costs more than the page's own rows.
            self.estimated = True
            return estimate
        bounded = queryset.order_by()[: limit + 1].count()
        if bounded <= limit:
            return bounded
        if estimate is None:  # SQLite: small registries, counted
            return queryset.count()
        self.estimated = True
        return max(estimate, limit + 1)


class EstimatedCountPagination(PageNumberPagination):
    """Page-number pagination whose ``count`` is exact up to LIST_EXACT_COUNT_LIMIT and the
    planner's estimate above it; ``count_estimated`` tells which."""

    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self.page.paginator.estimated
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            "Rows matching, exact up to LIST_EXACT_COUNT_LIMIT (10,000 by default); above "
            "it the database planner's estimate, and count_estimated is true."
        )
        schema["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "True when count is the planner's estimate, not an exact count.",
        }
        return schema
