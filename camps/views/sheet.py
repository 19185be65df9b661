"""Import of a camp's donor sheet: upload → dry run → apply, as the donor import does
(``portal/views.py``); the rules are in ``camps/spreadsheets.py``."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import ngettext
from django.views import View

from accounts.permissions import RoleRequiredMixin
from portal import exports
from portal.views import SpreadsheetImportView

from .. import spreadsheets as camp_sheets
from ..selectors import camps_for


class CampImportView(SpreadsheetImportView):
    """A camp's donor sheet from its blood centre, recorded as the camp table would."""

    template_name = "camps/import.html"
    stash_key = "camps.import"
    rules = camp_sheets

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.camp = get_object_or_404(camps_for(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def read(self, data, filename):
        return camp_sheets.read_sheet(data, filename=filename)

    def check(self, table):
        return camp_sheets.check_sheet(camp=self.camp, table=table)

    def write(self, table):
        return camp_sheets.import_sheet(
            camp=self.camp, table=table, actor=self.request.user, request=self.request
        )

    def here(self):
        return redirect("camps:import", pk=self.camp.pk)

    def done(self):
        return redirect("camps:detail", pk=self.camp.pk)

    def success_message(self, count, filename):
        return ngettext(
            "Recorded %(count)d donor from %(file)s.",
            "Recorded %(count)d donors from %(file)s.",
            count,
        ) % {"count": count, "file": filename}

    def extra_context(self):
        return {"camp": self.camp}


class CampImportTemplateView(RoleRequiredMixin, View):
    def get(self, request, pk):
        get_object_or_404(camps_for(request.user), pk=pk)
        response = HttpResponse(
            camp_sheets.template_csv(), content_type=exports.CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = 'attachment; filename="camp-donors-template.csv"'
        return response
