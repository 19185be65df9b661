"""Import of a camp's donor sheet: upload → dry run → apply, as the donor import does
(``donors/views/transfer.py``); the rules are in ``camps/camp_transfer.py``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.permissions import RoleRequiredMixin
from donors import transfer
from donors.views.transfer import SHOWN_ERRORS, SHOWN_ROWS, UploadForm

from .. import camp_transfer
from ..selectors import camps_for

STASH_KEY = "camps.import"


class CampImportView(RoleRequiredMixin, View):
    template_name = "camps/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.camp = get_object_or_404(camps_for(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.page(request, UploadForm())

    def post(self, request, pk):
        if "token" in request.POST:
            return self.apply(request)
        return self.dry_run(request)

    def dry_run(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form)
        upload = form.cleaned_data["file"]
        try:
            data = transfer.read_upload(upload, max_bytes=camp_transfer.max_bytes())
            table = camp_transfer.read_sheet(data, filename=upload.name)
        except transfer.UploadError as error:
            form.add_error("file", str(error))
            return self.page(request, form)
        report = camp_transfer.check_sheet(camp=self.camp, table=table)
        token = None
        if report.ok:
            token = transfer.stash_upload(request.session, STASH_KEY, data, filename=upload.name)
        else:
            transfer.drop_stash(request.session, STASH_KEY)
        return self.page(request, UploadForm(), report=report, token=token, filename=upload.name)

    def apply(self, request):
        here = redirect("camps:import", pk=self.camp.pk)
        stashed = transfer.take_stash(request.session, STASH_KEY, request.POST.get("token", ""))
        if stashed is None:
            messages.error(
                request,
                _("That upload was already imported or has expired. Upload the file again."),
            )
            return here
        data, filename = stashed
        try:
            table = camp_transfer.read_sheet(data, filename=filename)
            report = camp_transfer.import_sheet(
                camp=self.camp, table=table, actor=request.user, request=request
            )
        except transfer.UploadError as error:
            messages.error(request, str(error))
            return here
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return here
        if not report.applied:
            messages.error(request, _("Nothing was imported: some rows are no longer valid."))
            return self.page(request, UploadForm(), report=report, filename=filename)
        messages.success(
            request,
            ngettext(
                "Recorded %(count)d donor from %(file)s.",
                "Recorded %(count)d donors from %(file)s.",
                report.applied,
            )
            % {"count": report.applied, "file": filename},
        )
        return redirect("camps:detail", pk=self.camp.pk)

    def page(self, request, form, *, report=None, token=None, filename=""):
        context = {
            "camp": self.camp,
            "form": form,
            "report": report,
            "token": token,
            "filename": filename,
            "required_columns": camp_transfer.REQUIRED_COLUMNS,
            "optional_columns": camp_transfer.OPTIONAL_COLUMNS,
            "max_rows": camp_transfer.max_rows(),
        }
        if report is not None:
            context["shown_errors"] = report.errors[:SHOWN_ERRORS]
            context["shown_rows"] = [r for r in report.results if r.ok][:SHOWN_ROWS]
        return render(request, self.template_name, context)


class CampImportTemplateView(RoleRequiredMixin, View):
    def get(self, request, pk):
        get_object_or_404(camps_for(request.user), pk=pk)
        response = HttpResponse(
            camp_transfer.template_csv(), content_type=transfer.CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = 'attachment; filename="camp-donors-template.csv"'
        return response
