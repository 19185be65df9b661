"""The dashboard page and its exports. Thin: validate the filter, call ``dashboard_for``,
answer. Every role may open it; what it counts is the caller's jurisdiction (an admin's
everything, a coordinator's force, a staff member's own unit and the units below it), and
the unit filter only offers units inside it."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin
from donors.pool import stale_profiles
from notifications.selectors import failed_messages_count
from portal import exports, sheets

from . import report
from .figures import chart_text, dashboard_for
from .forms import DashboardFilterForm
from .reactions import reactions_in

EXPORT_FORMATS = ("pdf", *sheets.FORMATS)
# The page lists this many children at risk, the first due; the card counts them all and
# links to the children's list (a state has thousands due within the week).
AT_RISK_SHOWN = 20
# The page's two tables by police unit list at most this many units: when a scope holds
# more (a state's 1,000 stations), those with the most units collected (camps held), the
# exports every one.
UNITS_SHOWN = 30


def _top(rows: list, key) -> tuple[list, int]:
    """``rows`` as they are when there are at most ``UNITS_SHOWN``; else the first
    ``UNITS_SHOWN`` by ``key``; and how many were left out."""
    if len(rows) <= UNITS_SHOWN:
        return rows, 0
    return sorted(rows, key=key)[:UNITS_SHOWN], len(rows) - UNITS_SHOWN


def _link(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def list_links(query) -> dict[str, str]:
    """Each card's filtered list, with the filters those lists understand."""
    unit = query.unit.pk if query.unit else ""
    group = query.blood_group
    windows = settings.THAL_DUE_WINDOWS
    at_risk_due = str(settings.DASHBOARD_AT_RISK_DAYS)
    return {
        "camps": _link(
            "camps:list",
            held_from=query.start.isoformat(),
            held_to=query.end.isoformat(),
            unit=unit,
        ),
        "donors": _link("donors:list", unit=unit, blood_group=group),
        "children": _link("thalassemia:list", status="active", unit=unit, blood_group=group),
        "overdue": _link("thalassemia:list", due="overdue", unit=unit, blood_group=group),
        "at_risk": _link(
            "thalassemia:list",
            due=at_risk_due if int(at_risk_due) in windows else "",
            unit=unit,
            blood_group=group,
        ),
    }


class DashboardView(RoleRequiredMixin, View):
    template_name = "dashboard/dashboard.html"

    def get(self, request):
        form = DashboardFilterForm(request.GET, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        query = form.query()
        # The page shows donors deferred by unit only (the exports show every breakdown's).
        # A state holds 20,000 camps in five years: the page lists the camps that gave the
        # most units, the exports every one; and the children at risk due first.
        board = dashboard_for(
            query,
            deferred_for=("unit",),
            camps_shown=settings.DASHBOARD_CAMPS_SHOWN,
            at_risk_shown=AT_RISK_SHOWN,
            units_shown=UNITS_SHOWN,
        )
        camp_units, camp_units_more = _top(
            board.camps_by_unit, key=lambda row: (-row.extra["camps"], row.label)
        )
        chart_data = board.chart_data() | {"text": chart_text()}
        chart_data["camps"] = {
            "labels": [row.label for row in camp_units],
            "camps": [row.extra["camps"] for row in camp_units],
        }
        context = {
            "form": form,
            "board": board,
            "query": query,
            "totals": board.totals,
            "links": list_links(query),
            "chart_data": chart_data,
            "export_query": urlencode(query.as_params()),
            "risk_weeks": settings.DASHBOARD_RISK_WEEKS,
            "at_risk_days": settings.DASHBOARD_AT_RISK_DAYS,
            # Failures stay visible here until someone sends them again (DESIGN.md).
            "failed_messages": failed_messages_count(request.user),
            "headline": report.headline(board),
            "reactions": reactions_in(query),
            "camps_shown": board.by["camp"],
            "camps_more": board.camps_total - len(board.by["camp"]),
            "at_risk_more": board.at_risk_total - len(board.at_risk),
            "units_shown": board.by["unit"],
            "units_more": board.units_total - len(board.by["unit"]),
            "camp_units": camp_units,
            "camp_units_more": camp_units_more,
            # The settings' rules changed and the stored eligibility is not yet recomputed
            # (donors.standing.refresh_if_stale runs it): admins are told.
            "rules_stale": request.user.manages_people and bool(stale_profiles()),
        }
        return render(request, self.template_name, context)


class DashboardExportView(RoleRequiredMixin, View):
    """The page's figures as CSV, XLSX or a one-page PDF report; every download is in the
    audit log with its filter."""

    def get(self, request):
        fmt = request.GET.get("format") or "pdf"
        form = DashboardFilterForm(request.GET, user=request.user)
        if fmt not in EXPORT_FORMATS:
            form.is_valid()
            form.add_error(None, _("Choose the format: pdf, csv or xlsx."))
        if not form.is_valid():
            return render(request, DashboardView.template_name, {"form": form}, status=400)
        query = form.query()
        board = dashboard_for(query)
        if fmt == "pdf":
            content, content_type = report.report_pdf(board), "application/pdf"
        else:
            content, content_type = report.report_file(board, fmt), exports.CONTENT_TYPES[fmt]
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            unit=query.unit,
            what="dashboard",
            format=fmt,
            filters=query.as_params(),
        )
        response = HttpResponse(content, content_type=content_type)
        filename = exports.filename_for("dashboard", fmt)
        disposition = "inline" if fmt == "pdf" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        patch_cache_control(response, private=True, no_store=True)
        return response
