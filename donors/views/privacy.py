"""A donor's rights over their data (DPDP-23): consent per purpose given and withdrawn by
staff at the donor's word, the public opt-out page a message links to, erasure on request and
a copy of everything held about one donor. The rules are in donors/consent.py and
donors/privacy.py; these views only call them."""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts import audit
from accounts.choices import AuditAction, Role
from accounts.permissions import AdminOnlyMixin, RoleRequiredMixin
from notifications.rendering import offered_language, render_in_language

from ..choices import ConsentPurpose, ConsentSource
from ..consent import consent_give, consent_withdraw, donor_for_opt_out_token, opt_out
from ..forms import ConsentChangeForm
from ..privacy import donor_data, donor_erase, others_on_phone
from ..selectors import donors_for


class ConsentChangeView(RoleRequiredMixin, View):
    """Staff record a consent given or withdrawn at the donor's word (on the donor page)."""

    def post(self, request, pk):
        donor = get_object_or_404(donors_for(request.user), pk=pk)
        form = ConsentChangeForm(request.POST)
        if not form.is_valid() or donor.erased_at is not None:
            messages.error(request, _("That consent change could not be recorded."))
            return redirect(donor)
        purpose, action = form.cleaned_data["purpose"], form.cleaned_data["action"]
        label = ConsentPurpose(purpose).label
        if action == "withdraw":
            consent_withdraw(
                donor=donor,
                purpose=purpose,
                source=ConsentSource.STAFF,
                actor=request.user,
                request=request,
            )
            messages.success(request, _("Consent withdrawn: %(purpose)s.") % {"purpose": label})
        else:
            consent_give(
                donor=donor, purpose=purpose, source=ConsentSource.STAFF, actor=request.user
            )
            messages.success(request, _("Consent recorded: %(purpose)s.") % {"purpose": label})
        return redirect(donor)


class OptOutView(View):
    """The page a message's stop link opens, without signing in. It says nothing about the
    donor (no name, no number): one button, then a confirmation in the donor's language.
    Opening the link changes nothing (phones and SMS apps open links to preview them); the
    tap on the button does."""

    template_name = "donors/opt_out.html"

    def get(self, request, token):
        return self.page(request, token, done=False)

    def post(self, request, token):
        return self.page(request, token, done=True)

    def page(self, request, token, *, done):
        donor = donor_for_opt_out_token(token)
        if donor is None:
            return render(request, self.template_name, {"invalid": True}, status=404)
        if done:
            opt_out(donor=donor, request=request)
        language = offered_language(donor.preferred_language)
        return render_in_language(
            request,
            self.template_name,
            {"done": done or donor.opted_out_at is not None, "language": language},
            language=language,
        )


class DonorEraseView(AdminOnlyMixin, View):
    """Erase a donor's personal data on their request: a confirmation page, then the erasure
    (admins only)."""

    template_name = "donors/donor_erase.html"

    def get(self, request, pk):
        donor = get_object_or_404(donors_for(request.user).select_related("unit"), pk=pk)
        if donor.erased_at is not None:
            return redirect(donor)
        counts = {
            "donations": donor.donations.count(),
            "deferrals": donor.deferrals.count(),
            "others_on_phone": others_on_phone(donor),
        }
        audit.record(action=AuditAction.VIEW, request=request, obj=donor)  # it shows the person
        return render(request, self.template_name, {"donor": donor, **counts})

    def post(self, request, pk):
        donor = get_object_or_404(donors_for(request.user), pk=pk)
        if request.POST.get("confirm") != "erase":
            return redirect("donors:erase", pk=donor.pk)
        donor_erase(donor=donor, actor=request.user, request=request)
        messages.success(request, _("Personal data erased. The donation counts remain."))
        return redirect(donor)


class DonorDataExportView(RoleRequiredMixin, View):
    """One donor's record and history as JSON: the answer to an access request (admins and
    coordinators), audit-logged as an export."""

    allowed_roles = (Role.COORDINATOR, Role.ADMIN)

    def get(self, request, pk):
        donor = get_object_or_404(donors_for(request.user).select_related("unit"), pk=pk)
        data = donor_data(donor)
        audit.record(
            action=AuditAction.EXPORT, request=request, obj=donor, what="donor data", format="json"
        )
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="donor-{donor.pk}-{stamp}.json"'
        return response
