"""The public pledge page (no sign-in), its code step (the number is verified by a code sent
to it), its thank-you page and its rate limit."""

import ipaddress

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView
from django_ratelimit.core import is_ratelimited

from accounts.audit import client_ip
from accounts.forms import add_service_errors
from notifications.rendering import offered_language

from .. import verification
from ..pledge import HONEYPOT, PledgeForm, pledge_submit

RATE_LIMIT_GROUP = "donors:pledge"
# The number just pledged, for the code step; set once the code is right.
CODE_SESSION_KEY = "pledge_phone"
VERIFIED_SESSION_KEY = "pledge_verified"


def _client_key(group, request) -> str:
    """The client's address, as the audit log reads it (X-Forwarded-For only behind a trusted
    proxy). An IPv6 client counts by its /64, which one home or phone holds whole."""
    ip = client_ip(request) or ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _rate(group, request) -> str:
    # Read on every request, so a changed setting (or a test's override) applies at once.
    return settings.PLEDGE_RATE_LIMIT


def _over_the_limit(request) -> bool:
    """Count this pledge against its address; True once the address is past the limit.
    Only pledges about to be stored count: a person correcting a typo is not penalised."""
    return is_ratelimited(
        request,
        group=RATE_LIMIT_GROUP,
        key=_client_key,
        rate=_rate,
        method="POST",
        increment=True,
    )


@method_decorator(
    sensitive_post_parameters("name", "phone", "date_of_birth", "email", "locality"),
    name="dispatch",
)
class PledgeView(FormView):
    """A citizen pledges to donate; the pledge waits in the chosen station's registry for
    staff to verify it."""

    template_name = "donors/pledge_form.html"
    form_class = PledgeForm
    success_url = reverse_lazy("donors:pledge-thanks")

    def get_initial(self):
        return {"preferred_language": offered_language(get_language())}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consent_version"] = settings.DONOR_CONSENT_VERSION
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get(HONEYPOT):
            # A bot: the same thanks a person gets, and nothing stored.
            return redirect(self.success_url)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if _over_the_limit(self.request):
            return render(self.request, "donors/pledge_limited.html", status=429)
        try:
            donor = pledge_submit(data=form.cleaned_data, request=self.request)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        # A new donor and an already-registered number get the same page: the code step.
        # Only an unverified number is sent a code (verification.code_send).
        phone = form.cleaned_data["phone"]
        if not verification.over_the_limit(self.request, phone):
            verification.code_send(phone=phone, donor=donor)
        self.request.session[CODE_SESSION_KEY] = phone
        return redirect("donors:pledge-code")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


CODE_ANSWERS = {
    verification.WRONG: _("That code is not right. Check the SMS and type the 6 digits again."),
    verification.EXPIRED: _("That code has expired. Ask for a new code below."),
    verification.LOCKED: _("Too many wrong tries for this code. Ask for a new code below."),
}


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
class PledgeCodeView(View):
    """After a pledge: the code sent to the number by SMS, typed back, verifies it. Every
    number gets the same page and the same answers, registered before or not."""

    template_name = "donors/pledge_code.html"

    def dispatch(self, request, *args, **kwargs):
        self.phone = request.session.get(CODE_SESSION_KEY)
        if not self.phone:
            return redirect("donors:pledge")
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, *, notice="", status=200):
        context = {"form": form, "number_end": self.phone[-4:], "notice": notice}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(CodeForm())

    def post(self, request):
        if "resend" in request.POST:
            return self.resend()
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        answer = verification.code_check(
            phone=self.phone, code=form.cleaned_data["code"], request=request
        )
        if answer != verification.VERIFIED:
            form.add_error("code", CODE_ANSWERS[answer])
            return self.render_page(form)
        del request.session[CODE_SESSION_KEY]
        request.session[VERIFIED_SESSION_KEY] = True
        return redirect("donors:pledge-thanks")

    def resend(self):
        if verification.over_the_limit(self.request, self.phone):
            notice = _("You have asked for several codes. Please try again in an hour.")
            return self.render_page(CodeForm(), notice=notice, status=429)
        verification.code_send(phone=self.phone)
        return self.render_page(CodeForm(), notice=_("We have sent a new code."))


class PledgeThanksView(TemplateView):
    template_name = "donors/pledge_thanks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verified"] = self.request.session.pop(VERIFIED_SESSION_KEY, False)
        return context
