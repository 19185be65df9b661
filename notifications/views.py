"""The outbox page: every message in scope with its state; a failed one can be resent."""

from django.conf import settings
from django.contrib import messages as flash
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_filters.views import FilterView

from accounts import audit
from accounts.permissions import RoleRequiredMixin

from .choices import MessageState
from .filters import MessageFilterSet
from .selectors import listed_address, messages_for, outbox_summary
from .services import RESEND_WAITING, message_resend, resend_note


class OutboxView(RoleRequiredMixin, FilterView):
    template_name = "notifications/outbox.html"
    filterset_class = MessageFilterSet
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return messages_for(self.request.user).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = outbox_summary(self.request.user)
        context["summary"] = [(s.value, s.label, counts[s.value]) for s in MessageState]
        for message in context["object_list"]:  # phones masked above the recipient's unit
            message.listed_address = listed_address(self.request.user, message)
        # The list shows phone numbers: who looked, and how many rows, is in the audit log.
        audit.record_list(
            request=self.request,
            what="messages",
            rows=len(context["object_list"]),
            ids=[m.pk for m in context["object_list"]],
        )
        return context


class ResendView(RoleRequiredMixin, View):
    def post(self, request, pk):
        message = get_object_or_404(messages_for(request.user), pk=pk)
        done = message_resend(message=message, request=request)
        if done == RESEND_WAITING:  # the broker is down: the row waits for dispatch
            flash.warning(request, resend_note(done))
        elif done:
            flash.success(request, resend_note(done))
        else:
            flash.info(request, resend_note(done))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = "notifications:outbox"
        return redirect(back or "notifications:outbox")
