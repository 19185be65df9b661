"""The upload → dry run → apply page every spreadsheet import of the portal uses.

Import is two steps: upload → dry run (every row checked, errors listed by row and
column, the file kept server-side under a token in the session) → apply (the kept file read
and checked again, all rows written in one transaction or none). The reading, checking and
stashing are ``portal/sheets.py``; a subclass names its rules module and how to read, check
and write a table (``donors/views/spreadsheets.py``, ``camps/views/sheet.py``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.permissions import RoleRequiredMixin

from . import sheets, uploads

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
            token = uploads.stash_upload(
                request.session, self.stash_key, data, filename=upload.name
            )
        else:
            uploads.drop_stash(request.session, self.stash_key)
        return self.page(
            request, UploadForm(), report=report, table=table, token=token, filename=upload.name
        )

    def apply(self, request):
        stashed = uploads.take_stash(request.session, self.stash_key, request.POST.get("token", ""))
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
