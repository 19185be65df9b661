"""Camp pages: list, month calendar, detail with totals and donors, plan/edit, status."""

import calendar
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from accounts.permissions import RoleRequiredMixin

from .. import services
from ..choices import CAMP_STATUS_BADGES, CampStatus
from ..filters import CampFilterSet
from ..forms import CampForm, MonthForm
from ..selectors import camp_donations, camp_totals, camps_for, camps_in_month, with_counts


class CampListView(RoleRequiredMixin, FilterView):
    """Upcoming and past camps of the user's jurisdiction, each with its counts."""

    template_name = "camps/camp_list.html"
    filterset_class = CampFilterSet
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return with_counts(camps_for(self.request.user)).order_by("-held_on", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["badges"] = CAMP_STATUS_BADGES
        return context


class CampCalendarView(RoleRequiredMixin, View):
    """A month of camps, week rows; ``?month=YYYY-MM`` (this month by default)."""

    def get(self, request):
        form = MonthForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Write the month as YYYY-MM, for example 2026-11."))
        first = form.cleaned_data["month"] or timezone.localdate().replace(day=1)
        by_day = camps_in_month(camps_for(request.user), first)
        weeks = [
            [(day, by_day.get(day, [])) for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
                first.year, first.month
            )
        ]
        previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return render(
            request,
            "camps/camp_calendar.html",
            {
                "first": first,
                "weeks": weeks,
                "previous": previous,
                "following": following,
                "today": timezone.localdate(),
                "badges": CAMP_STATUS_BADGES,
                "count": sum(len(camps) for camps in by_day.values()),
            },
        )


class CampScopedMixin(RoleRequiredMixin):
    def get_queryset(self):
        return camps_for(self.request.user)


class CampDetailView(CampScopedMixin, DetailView):
    template_name = "camps/camp_detail.html"
    context_object_name = "camp"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        camp = self.object
        page = Paginator(camp_donations(camp), settings.CAMP_DONORS_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            totals=camp_totals(camp),
            page_obj=page,
            donations=page.object_list,
            is_paginated=page.has_other_pages(),
            paginator=page.paginator,
            badges=CAMP_STATUS_BADGES,
            can_reopen=self.request.user.is_portal_admin,
        )
        return context


class CampFormMixin:
    form_class = CampForm
    template_name = "camps/camp_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def save_through(self, form, save):
        try:
            camp = save({name: form.cleaned_data[name] for name in services.CAMP_FIELDS})
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("camps:detail", args=[camp.pk]))


class CampCreateView(RoleRequiredMixin, CampFormMixin, CreateView):
    def form_valid(self, form):
        def save(data):
            camp = services.camp_create(actor=self.request.user, request=self.request, **data)
            messages.success(self.request, _("Camp planned."))
            return camp

        return self.save_through(form, save)


class CampUpdateView(CampScopedMixin, CampFormMixin, UpdateView):
    def form_valid(self, form):
        camp = self.get_queryset().get(pk=self.object.pk)

        def save(data):
            camp_ = services.camp_update(
                camp=camp, actor=self.request.user, request=self.request, **data
            )
            messages.success(self.request, _("Camp saved."))
            return camp_

        return self.save_through(form, save)


STATUS_ACTIONS = {
    "open": (services.camp_open, _("Camp opened: the table takes entries.")),
    "close": (services.camp_close, _("Camp closed: its records are now read-only.")),
    "reopen": (services.camp_reopen, _("Camp reopened.")),
    "cancel": (services.camp_cancel, _("Camp cancelled.")),
}


class CampStatusView(CampScopedMixin, View):
    """POST open / close / reopen (admin) / cancel."""

    def post(self, request, pk, action):
        camp = get_object_or_404(self.get_queryset(), pk=pk)
        if action not in STATUS_ACTIONS:
            return HttpResponseBadRequest(_("Unknown action."))
        move, done = STATUS_ACTIONS[action]
        try:
            move(camp=camp, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, str(done))
        if action == "open" and camp.status == CampStatus.OPEN:
            return redirect("camps:table", pk=camp.pk)
        return redirect("camps:detail", pk=camp.pk)
