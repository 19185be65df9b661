"""An adverse reaction noted on a camp entry at the table (services.camp_donation_reaction)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views import View

from accounts.forms import add_service_errors

from .. import services
from ..forms import ReactionForm
from .table import EntryMixin


class ReactionView(EntryMixin, View):
    template_name = "camps/table/_reaction.html"

    def get(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        form = ReactionForm(
            initial={"reaction": donation.reaction, "reaction_note": donation.reaction_note}
        )
        return self.answer(self.template_name, donation=donation, form=form)

    def post(self, request, pk, donation_pk):
        donation = self.entry(donation_pk)
        form = ReactionForm(request.POST)
        if form.is_valid():
            try:
                donation = services.camp_donation_reaction(
                    camp=self.camp,
                    donation=donation,
                    reaction=form.cleaned_data["reaction"],
                    note=form.cleaned_data["reaction_note"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(
                    self.template_name, saved_message(donation), donation=donation, saved=True
                )
        return self.answer(self.template_name, status=400, donation=donation, form=form)


def saved_message(donation) -> str:
    """What the panel says once saved, for the page a native post returns to."""
    if not donation.reaction:
        return _("No reaction noted.")
    return _("Noted: %(kind)s.") % {"kind": donation.get_reaction_display()}
