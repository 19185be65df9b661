"""Pages for importing donors from a spreadsheet and exporting the registry to one.

Import is two steps: upload → dry run (every row checked, errors listed by row and
column, the file kept server-side under a token in the session) → apply (the kept file read
and checked again, all rows written in one transaction or none). The rules are in
``donors/donor_transfer.py`` and ``donors/transfer.py``; these views only call them."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin

from .. import donor_transfer, transfer
from ..filters import DonorFilterSet
from ..selectors import donors_for

STASH_KEY = "donors.import"
# Errors and rows shown on the dry-run page; the counts above them are always complete.
SHOWN_ERRORS = 200
SHOWN_ROWS = 50


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.csv or .xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class DonorImportView(RoleRequiredMixin, View):
    """Upload → dry run → apply."""

    template_name = "donors/import.html"

    def get(self, request):
        return self.page(request, UploadForm())

    def post(self, request):
        if "token" in request.POST:
            return self.apply(request)
        return self.dry_run(request)

    def dry_run(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form)
        upload = form.cleaned_data["file"]
        try:
            data = transfer.read_upload(upload, max_bytes=donor_transfer.max_bytes())
            table = donor_transfer.read_donor_file(data, filename=upload.name)
        except transfer.UploadError as error:
            form.add_error("file", str(error))
            return self.page(request, form)
        report = donor_transfer.check_donor_rows(table=table, user=request.user)
        token = None
        if report.ok:
            token = transfer.stash_upload(request.session, STASH_KEY, data, filename=upload.name)
        else:
            transfer.drop_stash(request.session, STASH_KEY)
        return self.page(
            request, UploadForm(), report=report, table=table, token=token, filename=upload.name
        )

    def apply(self, request):
        stashed = transfer.take_stash(request.session, STASH_KEY, request.POST.get("token", ""))
        if stashed is None:
            messages.error(
                request,
                _("That upload was already imported or has expired. Upload the file again."),
            )
            return redirect("donors:import")
        data, filename = stashed
        try:
            table = donor_transfer.read_donor_file(data, filename=filename)
        except transfer.UploadError as error:
            messages.error(request, str(error))
            return redirect("donors:import")
        report = donor_transfer.import_donors(table=table, actor=request.user, request=request)
        if not report.applied:
            messages.error(request, _("Nothing was imported: some rows are no longer valid."))
            return self.page(request, UploadForm(), report=report, table=table, filename=filename)
        messages.success(
            request,
            ngettext(
                "Imported %(count)d donor from %(file)s.",
                "Imported %(count)d donors from %(file)s.",
                report.applied,
            )
            % {"count": report.applied, "file": filename},
        )
        return redirect("donors:import")

    def page(self, request, form, *, report=None, table=None, token=None, filename=""):
        context = {
            "form": form,
            "report": report,
            "table": table,
            "token": token,
            "filename": filename,
            "required_columns": donor_transfer.REQUIRED_COLUMNS,
            "optional_columns": donor_transfer.OPTIONAL_COLUMNS,
            "max_rows": donor_transfer.max_rows(),
        }
        if report is not None:
            context["shown_errors"] = report.errors[:SHOWN_ERRORS]
            context["hidden_errors"] = max(len(report.errors) - SHOWN_ERRORS, 0)
            context["shown_rows"] = [r for r in report.results if r.ok][:SHOWN_ROWS]
        return render(request, self.template_name, context)


class DonorImportTemplateView(RoleRequiredMixin, View):
    """An empty CSV with the header row."""

    def get(self, request):
        response = HttpResponse(
            donor_transfer.template_csv(), content_type=transfer.CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = 'attachment; filename="donors-template.csv"'
        return response


class DonorExportView(RoleRequiredMixin, View):
    """The donors the user sees on the list page, with the same filters, as CSV or XLSX."""

    def get(self, request):
        fmt = request.GET.get("format") or "csv"
        filterset = DonorFilterSet(request.GET, queryset=donors_for(request.user), request=request)
        if fmt not in transfer.FORMATS or not filterset.is_valid():
            messages.error(request, _("The export could not be made: check the filters."))
            query = request.GET.copy()
            query.pop("format", None)
            return redirect(f"{reverse('donors:list')}?{query.urlencode()}")
        content, rows = donor_transfer.export_donors(filterset.qs, fmt)
        filters = {name: request.GET[name] for name in filterset.filters if request.GET.get(name)}
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            what="donors",
            format=fmt,
            rows=rows,
            filters=filters,
        )
        response = HttpResponse(content, content_type=transfer.CONTENT_TYPES[fmt])
        filename = transfer.filename_for("donors", fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
