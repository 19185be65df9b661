"""The "due soon" board: every child overdue or due within 7, 14 or 30 days, with how far
their donors have got. A fixed number of queries whatever the number of children."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts import audit
from accounts.permissions import RoleRequiredMixin

from ..selectors import due_soon


class DueSoonView(RoleRequiredMixin, TemplateView):
    template_name = "thalassemia/due_soon.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = due_soon(self.request.user)
        windows = sorted(settings.THAL_DUE_WINDOWS)
        titles = {"overdue": _("Overdue")} | {
            str(w): _("Due within %(days)s days") % {"days": w} for w in windows
        }
        context["sections"] = [(key, titles[key], board[key]) for key in board]
        context["today"] = timezone.localdate()
        # Children's names and their guardians' contacts: a list of personal data, audited.
        rows = sum(len(rows) for rows in board.values())
        audit.record_list(request=self.request, what="children due", rows=rows)
        return context
