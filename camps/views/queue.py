"""The queue on the camp table: who waits, and "call next" (camps.queue.queue_call_next)."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views import View

from ..join import join_url
from ..queue import join_code, queue_call_next, queue_called, queue_waiting
from .table import CampTableMixin

WAITING_SHOWN = 12


class QueueMixin(CampTableMixin):
    def queue_partial(self, *, called=None, errors=()):
        waiting = queue_waiting(self.camp)
        context = {
            "camp": self.camp,
            "waiting": list(waiting[:WAITING_SHOWN]),
            "waiting_count": waiting.count(),
            "now_calling": called or queue_called(self.camp).first(),
            "join_code": join_code(self.camp),
            "join_url": join_url(self.camp),
            "errors": errors,
        }
        return render(self.request, "camps/table/_queue.html", context)


class QueueView(QueueMixin, View):
    """GET: the queue panel (the table polls it)."""

    def get(self, request, pk):
        return self.queue_partial()


class CallNextView(QueueMixin, View):
    """POST: call the next number. A native post (htmx not ready) goes back to the table,
    whose queue panel shows the number called."""

    def post(self, request, pk):
        try:
            called = queue_call_next(camp=self.camp, actor=request.user, request=request)
        except ValidationError as error:
            if not self.htmx:
                return self.done(None, " ".join(error.messages), error=True)
            return self.queue_partial(errors=error.messages)
        if not self.htmx:
            return self.done(None, None)
        return self.queue_partial(called=called)
