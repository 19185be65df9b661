"""The inbound webhooks: ``POST /hooks/sms/<provider>/`` and
``/hooks/missed-call/<provider>/``. Thin: cap the body, rate-limit the address, verify the
provider's signature or secret (403, nothing stored, when it fails), parse (400 when the
payload is not the provider's), and hand each answer to ``inbound.inbound_receive``."""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from accounts.audit import client_ip

from .choices import InboundKind
from .inbound import inbound_receive
from .providers import PROVIDERS, BadPayload
from .rendering import portal_url

log = logging.getLogger(__name__)


def _over_the_limit(request) -> bool:
    return is_ratelimited(
        request,
        group="notifications:hooks",
        key=lambda group, request: client_ip(request) or "",
        rate=lambda group, request: settings.INBOUND_RATE_LIMIT,
        method=ALL,
        increment=True,
    )


def _too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.INBOUND_MAX_BODY_BYTES


@method_decorator(csrf_exempt, name="dispatch")
class HookView(View):
    """Providers post without our CSRF cookie: their signature is the proof instead."""

    kind = InboundKind.SMS
    http_method_names = ["get", "post"]

    def provider(self, name):
        provider = PROVIDERS.get(name)
        if provider is None or self.kind not in provider.kinds:
            raise Http404
        return provider

    def get(self, request, provider):
        """Meta's one-time webhook check for WhatsApp: echo the challenge to our token."""
        self.provider(provider)
        token = settings.INBOUND_WHATSAPP_VERIFY_TOKEN
        query = request.GET
        if provider == "whatsapp" and token and query.get("hub.verify_token") == token:
            return HttpResponse(query.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse(status=403)

    def post(self, request, provider):
        provider = self.provider(provider)
        if _too_big(request):
            return HttpResponse(status=413)
        if _over_the_limit(request):
            return HttpResponse(status=429)
        body = request.body
        verified = provider.verify(
            url=portal_url(request.get_full_path()),
            headers=request.headers,
            body=body,
            query=request.GET,
        )
        if not verified:
            log.warning("inbound %s post from %s: bad signature", provider.name, client_ip(request))
            return HttpResponse(status=403)
        try:
            events = provider.events(self.kind, body)
        except BadPayload as exc:
            return HttpResponse(f"bad payload: {exc}", status=400, content_type="text/plain")
        for event in events:
            inbound_receive(event=event, request=request)
        return HttpResponse(provider.answer(self.kind), content_type=provider.content_type)


class MissedCallHookView(HookView):
    kind = InboundKind.MISSED_CALL
