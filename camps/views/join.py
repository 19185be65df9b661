"""The camp's public join page (no sign-in): a donor scans the camp's QR code, pre-registers
and gets a number in the camp's queue. Rate-limited per address like the pledge; the body
cap of anonymous posts applies (accounts.middleware.AnonymousBodyCapMiddleware)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import is_ratelimited

from accounts.forms import add_service_errors
from donors.pledge import HONEYPOT
from donors.views.pledge import _client_key
from notifications.rendering import offered_language

from ..join import JoinForm, join_url, qr_svg
from ..models import QueueEntry
from ..queue import accepts_joining, camp_for_code, queue_join

RATE_LIMIT_GROUP = "camps:join"


def _session_key(camp) -> str:
    return f"camp-queue-{camp.pk}"


def _rate(group, request) -> str:
    return settings.CAMP_JOIN_RATE_LIMIT


class CampCodeMixin:
    """The camp named by the signed code in the address; any other code is a 404."""

    def dispatch(self, request, *args, code, **kwargs):
        self.camp = camp_for_code(code)
        if self.camp is None:
            raise Http404
        self.code = code
        return super().dispatch(request, *args, **kwargs)


@method_decorator(sensitive_post_parameters("name", "phone", "date_of_birth"), name="dispatch")
class JoinView(CampCodeMixin, View):
    template_name = "camps/join/join.html"

    def page(self, form, *, status=200):
        url = join_url(self.camp)
        context = {
            "camp": self.camp,
            "form": form,
            "accepting": accepts_joining(self.camp),
            "join_url": url,
            "qr": qr_svg(url),
            "consent_version": settings.DONOR_CONSENT_VERSION,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.page(JoinForm(rules_profile=self.camp.unit.rules_in_force))

    def post(self, request):
        if request.POST.get(HONEYPOT):
            return redirect("camps:join", code=self.code)  # a bot: nothing stored
        form = JoinForm(request.POST, rules_profile=self.camp.unit.rules_in_force)
        if not accepts_joining(self.camp) or not form.is_valid():
            return self.page(form)
        if is_ratelimited(
            request,
            group=RATE_LIMIT_GROUP,
            key=_client_key,
            rate=_rate,
            method="POST",
            increment=True,
        ):
            return render(request, "camps/join/limited.html", {"camp": self.camp}, status=429)
        data = form.cleaned_data
        try:
            entry = queue_join(
                camp=self.camp,
                phone=data["phone"],
                name=data["name"],
                sex=data["sex"],
                date_of_birth=data["date_of_birth"],
                blood_group=data.get("blood_group") or "",
                consent_reminders=bool(data.get("consent_reminders")),
                language=offered_language(get_language()),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.page(form)
        request.session[_session_key(self.camp)] = entry.pk
        return redirect("camps:join-done", code=self.code)


class JoinDoneView(CampCodeMixin, View):
    """The donor's number, from their own session only (no address to guess)."""

    def get(self, request):
        pk = request.session.get(_session_key(self.camp))
        entry = QueueEntry.objects.filter(pk=pk, camp=self.camp).first() if pk else None
        if entry is None:
            return redirect("camps:join", code=self.code)
        ahead = self.camp.queue.filter(called_at__isnull=True, number__lt=entry.number).count()
        context = {"camp": self.camp, "entry": entry, "ahead": ahead}
        return render(request, "camps/join/done.html", context)
