"""Pages for importing donors from a spreadsheet and exporting the registry to one.

Import is two steps: upload → dry run (every row checked, errors listed by row and
column, the file kept server-side under a token in the session) → apply (the kept file read
and checked again, all rows written in one transaction or none). The rules are in
``donors/donor_transfer.py`` and ``portal/sheets.py``; these views only call them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin
from portal import sheets

from .. import donor_transfer
from ..filters import DonorFilterSet
from ..selectors import donors_for

# Errors and rows shown on the dry-run page; the counts above them are always complete.
SHOWN_ERRORS = 200
SHOWN_ROWS = 50


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.csv or .xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class SpreadsheetImportView(RoleRequiredMixin, View):
    """Upload → dry run → apply, for any spreadsheet the portal takes in. A subclass names
    its rules module (``REQUIRED_COLUMNS``, ``OPTIONAL_COLUMNS``, ``max_rows``,
    ``max_bytes``) and says how to read, check and write a table; the steps, the stash and
    the messages are the same everywhere."""

    template_name: str
    stash_key: str
    rules = None  # the module with the columns and limits

    def read(self, data: bytes, filename: str) -> sheets.Table:
        raise NotImplementedError

    def check(self, table: sheets.Table) -> sheets.Report:
        raise NotImplementedError

    def write(self, table: sheets.Table) -> sheets.Report:
        """Apply all rows or none; may raise ValidationError for the whole sheet."""
        raise NotImplementedError

    def here(self):
        raise NotImplementedError

    def done(self):
        return self.here()

    def success_message(self, count: int, filename: str) -> str:
        raise NotImplementedError

    def extra_context(self) -> dict:
        return {}

    def get(self, request, **kwargs):
        return self.page(request, UploadForm())

    def post(self, request, **kwargs):
        if "token" in request.POST:
            return self.apply(request)
        return self.dry_run(request)

    def dry_run(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form)
        upload = form.cleaned_data["file"]
        try:
            data = sheets.read_upload(upload, max_bytes=self.rules.max_bytes())
            table = self.read(data, upload.name)
        except sheets.UploadError as error:
            form.add_error("file", str(error))
            return self.page(request, form)
        report = self.check(table)
        token = None
        if report.ok:
            token = sheets.stash_upload(request.session, self.stash_key, data, filename=upload.name)
        else:
            sheets.drop_stash(request.session, self.stash_key)
        return self.page(
            request, UploadForm(), report=report, table=table, token=token, filename=upload.name
        )

    def apply(self, request):
        stashed = sheets.take_stash(request.session, self.stash_key, request.POST.get("token", ""))
        if stashed is None:
            messages.error(
                request,
                _("That upload was already imported or has expired. Upload the file again."),
            )
            return self.here()
        data, filename = stashed
        try:
            table = self.read(data, filename)
            report = self.write(table)
        except sheets.UploadError as error:
            messages.error(request, str(error))
            return self.here()
        except ValidationError as error:  # the sheet as a whole is refused (a closed camp)
            messages.error(request, " ".join(error.messages))
            return self.here()
        if not report.applied:
            messages.error(request, _("Nothing was imported: some rows are no longer valid."))
            return self.page(request, UploadForm(), report=report, table=table, filename=filename)
        messages.success(request, self.success_message(report.applied, filename))
        return self.done()

    def page(self, request, form, *, report=None, table=None, token=None, filename=""):
        context = {
            "form": form,
            "report": report,
            "table": table,
            "token": token,
            "filename": filename,
            "required_columns": self.rules.REQUIRED_COLUMNS,
            "optional_columns": self.rules.OPTIONAL_COLUMNS,
            "max_rows": self.rules.max_rows(),
            **self.extra_context(),
        }
        if report is not None:
            context["shown_errors"] = report.errors[:SHOWN_ERRORS]
            context["hidden_errors"] = max(len(report.errors) - SHOWN_ERRORS, 0)
            context["shown_rows"] = [r for r in report.results if r.ok][:SHOWN_ROWS]
        return render(request, self.template_name, context)


class DonorImportView(SpreadsheetImportView):
    """Donors from a spreadsheet into the user's jurisdiction."""

    template_name = "donors/import.html"
    stash_key = "donors.import"
    rules = donor_transfer

    def read(self, data, filename):
        return donor_transfer.read_donor_file(data, filename=filename)

    def check(self, table):
        return donor_transfer.check_donor_rows(table=table, user=self.request.user)

    def write(self, table):
        return donor_transfer.import_donors(
            table=table, actor=self.request.user, request=self.request
        )

    def here(self):
        return redirect("donors:import")

    def success_message(self, count, filename):
        return ngettext(
            "Imported %(count)d donor from %(file)s.",
            "Imported %(count)d donors from %(file)s.",
            count,
        ) % {"count": count, "file": filename}


class DonorImportTemplateView(RoleRequiredMixin, View):
    """An empty CSV with the header row."""

    def get(self, request):
        response = HttpResponse(
            donor_transfer.template_csv(), content_type=sheets.CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = 'attachment; filename="donors-template.csv"'
        return response


class DonorExportView(RoleRequiredMixin, View):
    """The donors the user sees on the list page, with the same filters, as CSV or XLSX."""

    def get(self, request):
        fmt = request.GET.get("format") or "csv"
        filterset = DonorFilterSet(request.GET, queryset=donors_for(request.user), request=request)
        if fmt not in sheets.FORMATS or not filterset.is_valid():
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
        response = HttpResponse(content, content_type=sheets.CONTENT_TYPES[fmt])
        filename = sheets.filename_for("donors", fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
