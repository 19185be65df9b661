"""The camp table: a mobile number → the donor (or a quick registration) → the screening
result, with the totals updated in place. Every step is an htmx partial; without htmx (the
script not loaded yet, or a fast tap on a form htmx has not processed yet) the same views
answer the whole table page: a GET or a refusal with the step in place, a saved POST with a
303 back to the table and a message, never the bare partial.

A donor is found by their full mobile number whatever their home unit: the person is at the
table, and the number is unique, so registering them again is not an option."""

import hashlib
import json
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django_ratelimit.core import is_ratelimited

from accounts import audit
from accounts.choices import AuditAction
from accounts.forms import add_service_errors
from accounts.permissions import RoleRequiredMixin
from accounts.scoping import for_user, in_subtree
from donors.choices import ConsentPurpose, DeferralCategory
from donors.donations import screening_reasons
from donors.eligibility import Rules, check_eligibility
from donors.hooks import commitments_for, committed, unavailable_until
from donors.models import Donor
from donors.selectors import eligible_on, facts_for, fetch_with_eligibility_facts
from donors.thanks import with_may_be_thanked

from .. import services
from ..choices import CAMP_STATUS_BADGES, CampStatus
from ..forms import (
    CorrectionForm,
    LookupForm,
    QuickDonorForm,
    RecordAnywayForm,
    ScreeningForm,
)
from ..models import TableEntry
from ..selectors import camp_donations, camp_totals, camps_for, table_panel

LOOKUP_RATE_GROUP = "camp-table-lookup"


def _lookup_rate(group, request) -> str:
    # Read on every request, so a changed setting (or a test's override) applies at once.
    return settings.CAMP_TABLE_LOOKUP_RATE


def phone_key(camp, phone: str) -> str:
    """What the phone's copy of the camp's expected donors is keyed by: a digest of the camp
    and the number (E.164), so the copy holds no phone number. static/js/camp_offline.js
    computes the same from the number typed."""
    return hashlib.sha256(f"{camp.pk}:{phone}".encode()).hexdigest()


class CampTableMixin(RoleRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.camp = get_object_or_404(camps_for(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def bags(self) -> tuple:
        """The bag sizes the camp's unit's rules use: the screening forms offer these."""
        return Rules.for_profile(self.camp.unit.rules_in_force).bag_volumes_ml

    def context(self, **extra):
        camp = self.camp
        totals, recent = table_panel(camp, settings.CAMP_TABLE_RECENT)
        return {
            "camp": camp,
            "totals": totals,
            "recent": recent,
            "is_open": camp.status == CampStatus.OPEN,
            "badges": CAMP_STATUS_BADGES,
            **extra,
        }

    def partial(self, template, **extra):
        """A step of the table: its own fragment, plus the totals and entries swapped
        out-of-band so the panel stays right without a reload."""
        return render(self.request, template, self.context(oob=True, **extra))

    @property
    def htmx(self) -> bool:
        """The request came from htmx. A form htmx has not processed yet (a tap in the
        moment after a new card is swapped in) or a phone where the script did not load
        submits natively, without the header."""
        return self.request.headers.get("HX-Request") == "true"

    def page(self, *, status=200, **extra):
        """The whole table page; ``result_template`` (a step's fragment) fills the result
        panel, rendered without its out-of-band copies of the panel."""
        page = {
            "lookup_form": LookupForm(),
            # The forms the table shows without signal (static/js/camp_offline.js).
            "offline_screening": ScreeningForm(auto_id="off_%s", bags=self.bags),
            "offline_new_screening": ScreeningForm(auto_id="offnew_%s", bags=self.bags),
            "offline_donor": QuickDonorForm(auto_id="offnew_%s"),
        }
        context = self.context(**{**page, **extra})
        return render(self.request, "camps/table/table.html", context, status=status)

    def answer(self, template, *, status=200, **extra):
        """A step that shows something (a card, a form with its errors): the fragment to
        htmx, the whole page with the fragment in place to a native request."""
        if not self.htmx:
            response = self.page(status=status, result_template=template, **extra)
        else:
            response = self.partial(template, **extra)
            response.status_code = status
        # One URL, two answers: no cache may hand the fragment to a native request.
        patch_vary_headers(response, ["HX-Request"])
        return response

    def done(self, template, message, *, error=False, to=None, **extra):
        """A step that saved (or was refused with nothing to correct): the fragment to htmx;
        a native post goes back to the table (or ``to``) with a 303, so a reload or a back
        button never posts again, and ``message`` above the page."""
        if self.htmx:
            return self.partial(template, **extra)
        if message:
            (messages.error if error else messages.success)(self.request, message)
        response = HttpResponseRedirect(to or reverse("camps:table", args=[self.camp.pk]))
        response.status_code = 303
        return response

    def lookup_refusal(self) -> str | None:
        """Why finding donors by mobile number is refused here, or None. Only at an open camp
        of the user's units (camps_for) on the camp's day: a closed, future or cancelled camp
        is no way to read anyone's record."""
        camp = self.camp
        if camp.status != CampStatus.OPEN:
            return _("Donors can be looked up only while the camp is open.")
        if camp.held_on != timezone.localdate():
            return _("Donors can be looked up only on the day of the camp.")
        return None

    def over_lookup_limit(self) -> bool:
        """Count one lookup against the user; True once past CAMP_TABLE_LOOKUP_RATE."""
        return is_ratelimited(
            self.request, group=LOOKUP_RATE_GROUP, key="user", rate=_lookup_rate, increment=True
        )

    def refused_lookup(self):
        """The refusal as the table shows it (403, or 429 past the rate), or None."""
        refusal, status = self.lookup_refusal(), 403
        if refusal is None and self.over_lookup_limit():
            refusal, status = _("Too many lookups: wait a few minutes, then try again."), 429
        if refusal is None:
            return None
        if not self.htmx:
            response = self.page(
                status=status, result_template="camps/table/_lookup_error.html", refusal=refusal
            )
        else:
            template = "camps/table/_lookup_error.html"
            response = render(self.request, template, {"refusal": refusal}, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def own_donor(self, donor) -> bool:
        """The donor belongs to the user's units: the whole card. Another unit's donor is
        shown as name, group and may donate / not today only."""
        return for_user(Donor.objects.filter(pk=donor.pk), self.request.user).exists()

    def donors_on(self, phone) -> list:
        """Everyone registered on ``phone`` (a family may share one, up to
        DONORS_PER_PHONE_MAX), not erased, in one query: each with the facts eligibility
        reads, whether a booking may stand in the way of giving on the camp's day
        (``may_be_booked``, a superset of ``bookings``) and whether a thank-you may be
        sent (``may_be_thanked``)."""
        on = self.camp.held_on
        donors = with_may_be_thanked(Donor.objects.select_related("unit")).annotate(
            may_be_booked=ExpressionWrapper(committed(on), output_field=BooleanField())
        )
        donors = donors.filter(phone=phone, erased_at__isnull=True).order_by("name", "pk")
        return fetch_with_eligibility_facts(donors)

    def find_donor(self, phone, pk=None):
        """The donor on ``phone`` the table means: the one picked (``pk``), or the only one
        on the number. None when nobody, or several and none picked."""
        donors = self.donors_on(phone)
        if pk:
            return next((d for d in donors if d.pk == pk), None)
        return donors[0] if len(donors) == 1 else None

    def bookings(self, donor):
        """The donor's live commitments (a child's transfusion) that a donation on the
        camp's day would make impossible: the card warns, and "collected" needs the tick."""
        if getattr(donor, "may_be_booked", True) is False:  # read with the donor: none
            return []
        on = self.camp.held_on
        return commitments_for(donor, on, unavailable_until(donor, on))

    def audit_shown(self, donor, *, own: bool, **details) -> None:
        """The audit line of a donor shown at the table (a card, a row of a shared number):
        ``limited`` when another unit's donor was shown only as name, group and may donate."""
        audit.record(
            action=AuditAction.VIEW,
            request=self.request,
            obj=donor,
            camp=self.camp.pk,
            limited=not own,
            **details,
        )

    def card(self, donor, *, form=None, anyway=None, status=200, screening_reasons=()):
        """The donor card: eligibility on the camp's day with every reason, the bookings a
        donation would release, and the screening forms (weight asked once: the
        registration's value, to correct if need be); an audit line, since it shows a
        person's record (and which bookings were shown). When the screening's values refused
        a collection, the deferral for the screening is offered, preselected."""
        eligibility = check_eligibility(facts_for(donor), self.camp.held_on)
        already = list(camp_donations(self.camp).filter(donor=donor))
        bookings = self.bookings(donor)
        own = self.own_donor(donor)
        details = {"bookings": [b.ref for b in bookings]} if bookings else {}
        self.audit_shown(donor, own=own, **details)
        if form is None:
            initial = {"phone": donor.phone, "donor": donor.pk, "client_id": uuid.uuid4()}
            if own:  # another unit's donor: nothing beyond name, group and may donate
                initial["weight_kg"] = donor.weight_kg
            form = ScreeningForm(initial=initial, bags=self.bags)
        if screening_reasons:
            form.data = form.data.copy()
            form.data["deferral_category"] = DeferralCategory.SCREENING
        return self.answer(
            "camps/table/_card.html",
            status=status,
            donor=donor,
            own=own,
            eligibility=eligibility,
            already=already,
            form=form,
            screening_reasons=screening_reasons,
            bookings=bookings,
            anyway_form=anyway or RecordAnywayForm(),
        )


class CampTableView(CampTableMixin, View):
    def get(self, request, pk):
        return self.page()


class LookupView(CampTableMixin, View):
    """GET ?phone=…: the donor's card, or the quick registration form."""

    def get(self, request, pk):
        refused = self.refused_lookup()
        if refused is not None:
            return refused
        form = LookupForm(request.GET)
        if not form.is_valid():
            return self.answer("camps/table/_lookup_error.html", lookup_form=form)
        phone = form.cleaned_data["phone"]
        donors = [] if form.cleaned_data["new"] else self.donors_on(phone)
        picked = form.cleaned_data["donor"]
        if picked:
            donors = [d for d in donors if d.pk == picked]
        if len(donors) == 1:
            return self.card(donors[0])
        if donors:
            return self.choose(phone, donors)
        family = form.cleaned_data["new"] and Donor.objects.filter(phone=phone).exists()
        return self.answer(
            "camps/table/_new_donor.html",
            form=QuickDonorForm(initial={"phone": phone, "client_id": uuid.uuid4()}),
            family=family,
        )

    def choose(self, phone, donors):
        """Several donors share the number: each with name, group and may donate on the
        camp's day (another unit's: no more), to pick the one at the table; an audit line
        per donor shown."""
        rows = []
        for donor in donors:
            own = self.own_donor(donor)
            eligible = check_eligibility(facts_for(donor), self.camp.held_on).eligible
            rows.append({"donor": donor, "own": own, "eligible": eligible})
            self.audit_shown(donor, own=own, shared_phone=len(donors))
        return self.answer("camps/table/_choose.html", phone=phone, rows=rows)


def register(view, form):
    """A walk-in donor from a valid QuickDonorForm, through camps.services (donor_create in
    the organising unit, idempotent on the form's client id); field errors go on the form."""
    data = dict(form.cleaned_data)
    consents = [ConsentPurpose.REGISTRY] if data.pop("consent") else []
    if data.pop("consent_reminders"):
        consents.append(ConsentPurpose.REMINDERS)
    try:
        return services.camp_donor_register(
            camp=view.camp,
            actor=view.request.user,
            request=view.request,
            consents=consents,
            **data,
        )
    except ValidationError as error:
        add_service_errors(form, error)
    return None


def record(view, donor, data):
    """Record a screening posted for ``donor``: (donation, form, anyway form, error). The
    donation is None when the form, the booking check or the rules refused it."""
    form = ScreeningForm(data, bags=view.bags)
    anyway = RecordAnywayForm(data)
    anyway.is_valid()
    if not form.is_valid():
        return None, form, anyway, None
    fields = dict(form.cleaned_data)
    fields.pop("phone")
    fields.pop("donor")
    if (
        fields.get("outcome") == "collected"
        and not anyway.cleaned_data.get("record_anyway")
        and view.bookings(donor)
    ):
        anyway.add_error(
            "record_anyway",
            _("Booked to give for a child: tick “Record anyway” to record the donation."),
        )
        return None, form, anyway, None
    try:
        donation = services.camp_donation_record(
            camp=view.camp, donor=donor, actor=view.request.user, request=view.request, **fields
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None, form, anyway, error
    return donation, form, anyway, None


class QuickDonorView(CampTableMixin, View):
    """Register a walk-in donor in the organising unit, then show their card."""

    def post(self, request, pk):
        form = QuickDonorForm(request.POST)
        if form.is_valid():
            donor = register(self, form)
            if donor is not None and not self.htmx:
                # The card is the next step: the lookup's page shows it (a GET, so the
                # registration is not posted again on a reload).
                query = urlencode({"phone": donor.phone, "donor": donor.pk})
                lookup = reverse("camps:table-lookup", args=[pk])
                messages.success(request, _("%(name)s registered.") % {"name": donor.name})
                return HttpResponseRedirect(f"{lookup}?{query}", status=303)
            if donor is not None:
                return self.card(self.find_donor(donor.phone, donor.pk))
        return self.answer("camps/table/_new_donor.html", form=form)


class RecordView(CampTableMixin, View):
    """POST the screening: collected (bag) or deferred (reason). The form's client id makes
    a double tap save once."""

    def post(self, request, pk):
        lookup = LookupForm(request.POST)
        donor = None
        if lookup.is_valid():
            donor = self.find_donor(lookup.cleaned_data["phone"], lookup.cleaned_data["donor"])
        if donor is None:
            return self.answer("camps/table/_lookup_error.html", lookup_form=lookup)
        donation, form, anyway, error = record(self, donor, request.POST)
        if donation is None:
            reasons = screening_reasons(error) if error is not None else ()
            return self.card(donor, form=form, anyway=anyway, screening_reasons=reasons)
        return self.done(
            "camps/table/_recorded.html",
            recorded_message(donation, donor),
            donation=donation,
            donor=donor,
        )


def recorded_message(donation, donor) -> str:
    """What camps/table/_recorded.html says, as one line for the page a native post returns
    to (the same msgids, so the same translations)."""
    if donation.outcome == "collected":
        text = _("%(name)s: collected, bag %(bag)s (%(volume)s ml).") % {
            "name": donor.name,
            "bag": donation.bag_number,
            "volume": donation.bag_volume_ml,
        }
    else:
        text = _("%(name)s: deferred; the deferral is on their record.") % {"name": donor.name}
    return f"{text} {_('Next donor.')}"


def _reasons(*forms) -> list[str]:
    """Every error of ``forms`` as one line a constable can act on, the field named."""
    reasons = []
    for form in forms:
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = field.label if field is not None and name != NON_FIELD_ERRORS else None
            for message in errors:
                reasons.append(f"{label}: {message}" if label else str(message))
    return reasons


class SyncView(CampTableMixin, View):
    """The offline queue's endpoint: one entry as JSON, ``{"client_id", "kind": "donor" |
    "record", "fields": {…the table's form fields…}}``. Answers ``{"state": "saved"}`` (200,
    also for a replay of an entry already saved) or ``{"state": "refused", "reasons": […]}``
    (422): the rules decide on sync, as at the table."""

    def post(self, request, pk):
        try:
            body = json.loads(request.body or b"{}")
            client_id = uuid.UUID(str(body["client_id"]))
            kind = body["kind"]
            fields = {str(k): "" if v is None else str(v) for k, v in body["fields"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            return self.refused(None, [_("This entry could not be read.")], status=400)
        fields["client_id"] = str(client_id)
        if kind == "donor":
            return self.sync_donor(client_id, fields)
        if kind == "record":
            return self.sync_record(client_id, fields)
        return self.refused(client_id, [_("This entry could not be read.")], status=400)

    def sync_donor(self, client_id, fields):
        form = QuickDonorForm(fields)
        donor = register(self, form) if form.is_valid() else None
        if donor is None:
            return self.refused(client_id, _reasons(form))
        return self.saved(client_id, _("%(name)s registered.") % {"name": donor.name})

    def sync_record(self, client_id, fields):
        lookup = LookupForm(fields)
        donor = None
        if lookup.is_valid():
            phone, picked = lookup.cleaned_data["phone"], lookup.cleaned_data["donor"]
            picked = picked or self.registered_here(fields.get("registered"), phone)
            donor = self.find_donor(phone, picked)
            if donor is None and not picked and len(self.donors_on(phone)) > 1:
                return self.refused(
                    client_id,
                    [_("Several donors share this mobile number: choose the person.")],
                )
        if donor is None:
            return self.refused(
                client_id, [_("No donor has this mobile number: register them first.")]
            )
        donation, form, anyway, _error = record(self, donor, fields)
        if donation is None:
            return self.refused(client_id, _reasons(form, anyway))
        if donation.outcome == "collected":
            message = _("%(name)s: collected, bag %(bag)s.") % {
                "name": donor.name,
                "bag": donation.bag_number,
            }
        else:
            message = _("%(name)s: deferred.") % {"name": donor.name}
        return self.saved(client_id, message)

    def registered_here(self, client_id, phone) -> int | None:
        """The donor a registration entry of this camp's table (offline, just before the
        record) wrote, when on ``phone``."""
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError:
            return None
        entry = TableEntry.objects.filter(
            camp=self.camp, client_id=client_id, kind=TableEntry.Kind.DONOR, donor__phone=phone
        ).first()
        return entry.donor_id if entry is not None else None

    def totals(self):
        totals = camp_totals(self.camp)
        return {
            "registered": totals.registered,
            "collected": totals.collected,
            "deferred": totals.deferred,
        }

    def saved(self, client_id, message):
        return JsonResponse(
            {
                "client_id": str(client_id),
                "state": "saved",
                "message": message,
                "totals": self.totals(),
            }
        )

    def refused(self, client_id, reasons, status=422):
        return JsonResponse(
            {
                "client_id": str(client_id) if client_id else None,
                "state": "refused",
                "reasons": reasons,
            },
            status=status,
        )


class ExpectedDonorsView(CampTableMixin, View):
    """The camp's expected donors, for the table to find them without signal: the
    registered and pledged donors of the camp's unit and below, each as a digest of the
    number (phone_key), name, group and whether they may donate on the camp's day; no
    phone, no reasons. Only where a lookup is allowed (open camp of the user's units, on its
    day), as one lookup against the user's rate."""

    def get(self, request, pk):
        refusal = self.lookup_refusal()
        if refusal is None and self.over_lookup_limit():
            return JsonResponse({"error": _("Too many lookups.")}, status=429)
        if refusal is not None:
            return JsonResponse({"error": refusal}, status=403)
        camp = self.camp
        donors = in_subtree(Donor.objects.filter(erased_at__isnull=True), camp.unit, via="unit")
        donors = donors.order_by("-id")[: settings.CAMP_TABLE_OFFLINE_DONORS]
        rows = list(donors.values_list("pk", "phone", "name", "blood_group"))
        may = set(
            eligible_on(
                Donor.objects.filter(pk__in=[row[0] for row in rows]), camp.held_on
            ).values_list("pk", flat=True)
        )
        audit.record(action=AuditAction.EXPORT, request=request, obj=camp, offline_donors=len(rows))
        response = JsonResponse(
            {
                "camp": camp.pk,
                "day": camp.held_on.isoformat(),
                "donors": [
                    # Several rows may share a key: a family on one number.
                    {
                        "key": phone_key(camp, phone),
                        "id": pk,
                        "name": name,
                        "group": group,
                        "may": pk in may,
                    }
                    for pk, phone, name, group in rows
                ],
            }
        )
        response["Cache-Control"] = "no-store"
        return response


class EntryMixin(CampTableMixin):
    def entry(self, donation_pk):
        return get_object_or_404(camp_donations(self.camp), pk=donation_pk)


class CorrectView(EntryMixin, View):
    """The person who made an entry corrects its bag or screening values."""

    def get(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        form = CorrectionForm(
            initial={name: getattr(donation, name) for name in CorrectionForm.base_fields},
            bags=self.bags,
        )
        return self.answer("camps/table/_correct.html", donation=donation, form=form)

    def post(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        form = CorrectionForm(request.POST, bags=self.bags)
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
                message = _("Entry for %(name)s corrected.") % {"name": donation.donor.name}
                return self.done("camps/table/_corrected.html", message, donation=donation)
        return self.answer("camps/table/_correct.html", donation=donation, form=form)


class WithdrawView(EntryMixin, View):
    def post(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        try:
            services.camp_donation_withdraw(
                camp=self.camp, donation=donation, actor=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            errors = getattr(error, "messages", None) or [str(error)]
            return self.done(
                "camps/table/_corrected.html",
                " ".join(errors),
                error=True,
                donation=donation,
                errors=errors,
            )
        return self.done("camps/table/_corrected.html", _("Entry removed."), donation=None)


class ServiceWorkerView(View):
    """static/js/camp_sw.js, served from /camps/ so that its scope covers the camp tables
    (a worker controls only pages under its own path). No personal data: open to all, and
    never kept stale by a cache (the browser checks it for updates)."""

    def get(self, request):
        path = settings.BASE_DIR / "static" / "js" / "camp_sw.js"
        response = HttpResponse(path.read_bytes(), content_type="text/javascript; charset=utf-8")
        response["Service-Worker-Allowed"] = "/camps/"
        response["Cache-Control"] = "no-cache"
        return response
