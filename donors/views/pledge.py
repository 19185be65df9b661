"""The public pledge page (no sign-in), its thank-you page and its rate limit."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView
from django_ratelimit.core import is_ratelimited

from accounts.audit import client_ip

from ..pledge import HONEYPOT, PledgeForm, pledge_submit

RATE_LIMIT_GROUP = "donors:pledge"


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
        language = get_language()
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        return {"preferred_language": language}

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
            pledge_submit(data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        # A new donor and an already-registered number get the same page.
        return redirect(self.success_url)


def _add_errors(form, error: ValidationError) -> None:
    """Put the model's objections on the fields the person can change, the rest on top."""
    for field, errors in getattr(error, "error_dict", {None: error.error_list}).items():
        form.add_error(field if field in form.fields else None, errors)


class PledgeThanksView(TemplateView):
    template_name = "donors/pledge_thanks.html"
