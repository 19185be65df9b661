"""``dashboard/totals/`` and ``dashboard/forecast/``: the page's figures for other systems.
Same form, same selectors, same scoping as the page; bad input answers 400 with a map of
field → messages, and a unit outside the caller's jurisdiction is refused the same way
(its numbers are never answered)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasRole

from ..demand import children_summary, forecasts
from ..forms import ForecastForm, TotalsForm
from ..rollups import figures_ready
from ..selectors import BY_CHOICES, collection_by, collection_totals

UNIT = OpenApiParameter(
    "unit", OpenApiTypes.INT, description="A police unit id: count only its subtree."
)
GROUP = OpenApiParameter(
    "blood_group",
    OpenApiTypes.STR,
    description="Only donors, donations and children of this blood group (A+, A-, … Oh).",
)


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "integer"}],
        "description": "Month (YYYY-MM) or blood group as text; unit, camp or blood centre "
        "id as a number.",
    }
)
class RowKeyField(serializers.ReadOnlyField):
    """A row's key: text for months and groups, an id for units, camps and centres (the
    schema says both, as the answer gives them)."""


ROW = inline_serializer(
    "DashboardTotalsRow",
    {
        "key": RowKeyField(),
        "label": serializers.CharField(),
        "units": serializers.IntegerField(help_text="Bags collected."),
        "donations": serializers.IntegerField(help_text="Visits, deferrals included."),
        "donors_deferred": serializers.IntegerField(),
    },
    many=True,
)
TOTALS = inline_serializer(
    "DashboardTotals",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "by": serializers.CharField(),
        "unit": serializers.IntegerField(allow_null=True),
        "blood_group": serializers.CharField(),
        "rows": ROW,
        "totals": serializers.DictField(child=serializers.IntegerField()),
    },
)
FORECAST = inline_serializer(
    "DashboardForecast",
    {
        "days": serializers.IntegerField(),
        "on": serializers.DateField(),
        "until": serializers.DateField(),
        "units_needed": serializers.DictField(child=serializers.IntegerField()),
        "eligible_donors": serializers.DictField(child=serializers.IntegerField()),
        "units_needed_total": serializers.IntegerField(),
        "eligible_donors_total": serializers.IntegerField(),
    },
)


def _valid(form):
    if not form.is_valid():
        raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
    return form.query()


class TotalsView(APIView):
    """Collection totals for a date range (inclusive), grouped ``by`` month, police unit,
    blood group, camp or blood centre. A camp's donations count for the unit that
    organised it, other donations for the donor's unit. Counted from the dashboard's
    roll-ups, as of their last refresh (a short queue of changes is applied first)."""

    permission_classes = [HasRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default 1 Jan)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default today)."),
            OpenApiParameter(
                "by", OpenApiTypes.STR, required=True, enum=[value for value, _ in BY_CHOICES]
            ),
            UNIT,
            GROUP,
        ],
        responses={200: TOTALS},
    )
    def get(self, request):
        form = TotalsForm(request.query_params, user=request.user)
        query = _valid(form)
        by = form.cleaned_data["by"]
        figures_ready()
        return Response(
            {
                "from": query.start,
                "to": query.end,
                "by": by,
                "unit": query.unit.pk if query.unit else None,
                "blood_group": query.blood_group,
                "rows": [row.as_dict() for row in collection_by(query, by)],
                "totals": {**collection_totals(query), **children_summary(query)},
            }
        )


class ForecastView(APIView):
    """Units the active children need over the next ``days`` days (overdue ones included),
    and donors eligible by then, each a map from blood group to a number. Donors count for
    their own (identical) group."""

    permission_classes = [HasRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("days", OpenApiTypes.INT, required=True, description="1 to 730."),
            UNIT,
            GROUP,
        ],
        responses={200: FORECAST},
    )
    def get(self, request):
        query = _valid(ForecastForm(request.query_params, user=request.user))
        (forecast,) = forecasts(query, [(query.end - query.start).days], today=query.start)
        return Response(forecast.as_dict())
