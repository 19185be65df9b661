"""The camp table: a mobile number → the donor (or a quick registration) → the screening
result, with the totals updated in place. Every step is an htmx partial; without htmx the
same views answer the whole page.

A donor is found by their full mobile number whatever their home unit: the person is at the
table, and the number is unique, so registering them again is not an option."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from accounts import audit
from accounts.choices import AuditAction
from accounts.forms import add_service_errors
from accounts.permissions import RoleRequiredMixin
from donors.choices import ConsentPurpose, DeferralCategory, DonorSource
from donors.donations import screening_reasons
from donors.eligibility import check_eligibility
from donors.hooks import commitments_for, unavailable_until
from donors.models import Donor
from donors.selectors import facts_for, with_eligibility_facts
from donors.services import donor_create

from .. import services
from ..choices import CAMP_STATUS_BADGES, CampStatus
from ..forms import (
    CorrectionForm,
    LookupForm,
    QuickDonorForm,
    RecordAnywayForm,
    ScreeningForm,
)
from ..selectors import camp_donations, camp_totals, camps_for


class CampTableMixin(RoleRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.camp = get_object_or_404(camps_for(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra):
        camp = self.camp
        recent = camp_donations(camp)[: settings.CAMP_TABLE_RECENT]
        return {
            "camp": camp,
            "totals": camp_totals(camp),
            "recent": recent,
            "is_open": camp.status == CampStatus.OPEN,
            "badges": CAMP_STATUS_BADGES,
            **extra,
        }

    def partial(self, template, **extra):
        """A step of the table: its own fragment, plus the totals and entries swapped
        out-of-band so the panel stays right without a reload."""
        return render(self.request, template, self.context(oob=True, **extra))

    def find_donor(self, phone):
        return (
            with_eligibility_facts(Donor.objects.select_related("unit")).filter(phone=phone).first()
        )

    def bookings(self, donor):
        """The donor's live commitments (a child's transfusion) that a donation on the
        camp's day would make impossible: the card warns, and "collected" needs the tick."""
        on = self.camp.held_on
        return commitments_for(donor, on, unavailable_until(donor, on))

    def card(self, donor, *, form=None, anyway=None, status=200, screening_reasons=()):
        """The donor card: eligibility on the camp's day with every reason, the bookings a
        donation would release, and the screening forms (weight asked once: the
        registration's value, to correct if need be); an audit line, since it shows a
        person's record (and which bookings were shown). When the screening's values refused
        a collection, the deferral for the screening is offered, preselected."""
        eligibility = check_eligibility(facts_for(donor), self.camp.held_on)
        already = list(camp_donations(self.camp).filter(donor=donor))
        bookings = self.bookings(donor)
        details = {"bookings": [b.ref for b in bookings]} if bookings else {}
        audit.record(
            action=AuditAction.VIEW, request=self.request, obj=donor, camp=self.camp.pk, **details
        )
        if form is None:
            form = ScreeningForm(initial={"phone": donor.phone, "weight_kg": donor.weight_kg})
        if screening_reasons:
            form.data = form.data.copy()
            form.data["deferral_category"] = DeferralCategory.SCREENING
        response = self.partial(
            "camps/table/_card.html",
            donor=donor,
            eligibility=eligibility,
            already=already,
            form=form,
            screening_reasons=screening_reasons,
            bookings=bookings,
            anyway_form=anyway or RecordAnywayForm(),
        )
        response.status_code = status
        return response


class CampTableView(CampTableMixin, View):
    def get(self, request, pk):
        return render(request, "camps/table/table.html", self.context(lookup_form=LookupForm()))


class LookupView(CampTableMixin, View):
    """GET ?phone=…: the donor's card, or the quick registration form."""

    def get(self, request, pk):
        form = LookupForm(request.GET)
        if not form.is_valid():
            return self.partial("camps/table/_lookup_error.html", lookup_form=form)
        phone = form.cleaned_data["phone"]
        donor = self.find_donor(phone)
        if donor is not None:
            return self.card(donor)
        return self.partial(
            "camps/table/_new_donor.html", form=QuickDonorForm(initial={"phone": phone})
        )


class QuickDonorView(CampTableMixin, View):
    """Register a walk-in donor in the organising unit, then show their card."""

    def post(self, request, pk):
        form = QuickDonorForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            consents = [ConsentPurpose.REGISTRY] if data.pop("consent") else []
            if data.pop("consent_reminders"):
                consents.append(ConsentPurpose.REMINDERS)
            try:
                donor = donor_create(
                    actor=request.user,
                    source=DonorSource.CAMP,
                    consents=consents,
                    request=request,
                    unit=self.camp.unit,
                    **data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.card(self.find_donor(donor.phone))
        return self.partial("camps/table/_new_donor.html", form=form)


class RecordView(CampTableMixin, View):
    """POST the screening: collected (bag) or deferred (reason)."""

    def post(self, request, pk):
        lookup = LookupForm(request.POST)
        donor = self.find_donor(lookup.cleaned_data["phone"]) if lookup.is_valid() else None
        if donor is None:
            return self.partial("camps/table/_lookup_error.html", lookup_form=lookup)
        form = ScreeningForm(request.POST)
        if not form.is_valid():
            return self.card(donor, form=form)
        data = dict(form.cleaned_data)
        data.pop("phone")
        anyway = RecordAnywayForm(request.POST)
        anyway.is_valid()
        if (
            data.get("outcome") == "collected"
            and not anyway.cleaned_data.get("record_anyway")
            and self.bookings(donor)
        ):
            anyway.add_error(
                "record_anyway",
                _("Booked to give for a child: tick “Record anyway” to record the donation."),
            )
            return self.card(donor, form=form, anyway=anyway)
        try:
            donation = services.camp_donation_record(
                camp=self.camp, donor=donor, actor=request.user, request=request, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.card(donor, form=form, screening_reasons=screening_reasons(error))
        return self.partial("camps/table/_recorded.html", donation=donation, donor=donor)


class EntryMixin(CampTableMixin):
    def entry(self, donation_pk):
        return get_object_or_404(camp_donations(self.camp), pk=donation_pk)


class CorrectView(EntryMixin, View):
    """The person who made an entry corrects its bag or screening values."""

    def get(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        form = CorrectionForm(
            initial={name: getattr(donation, name) for name in CorrectionForm.base_fields}
        )
        return self.partial("camps/table/_correct.html", donation=donation, form=form)

    def post(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                services.camp_donation_correct(
                    camp=self.camp,
                    donation=donation,
                    actor=request.user,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                return self.partial("camps/table/_corrected.html", donation=donation)
        return self.partial("camps/table/_correct.html", donation=donation, form=form)


class WithdrawView(EntryMixin, View):
    def post(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        try:
            services.camp_donation_withdraw(
                camp=self.camp, donation=donation, actor=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            return self.partial("camps/table/_corrected.html", donation=donation, errors=messages)
        return self.partial("camps/table/_corrected.html", donation=None)
