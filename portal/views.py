"""The upload → dry run → apply page every spreadsheet import of the portal uses.

Import is two steps: upload → dry run (every row checked, errors listed by row and
column, the file kept server-side under a token in the session) → apply (the kept file read
and checked again, all rows written in one transaction or none). The reading, checking and
stashing are ``portal/sheets.py``; a subclass names its rules module and how to read, check
and write a table (``donors/views/spreadsheets.py``, ``camps/views/sheet.py``).

A subclass that names a Celery ``task`` (the donor import: 20,000 rows) runs the check and
the apply in a worker instead (``portal.jobs.run_sheet_job``): the upload is kept in
storage, the page redirects to ``?job=<id>`` and polls it with htmx while a progress bar
fills, and shows the same result when the worker is done. No web worker waits on a
spreadsheet. The job is the uploader's: anyone else's ``?job=`` is a 404."""

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from kombu.exceptions import OperationalError

from accounts.permissions import RoleRequiredMixin

from . import jobs, sheets, uploads

logger = logging.getLogger(__name__)

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
    task = None  # a Celery task taking a job id: the check and the apply run in a worker
    progress_template = "portal/import_progress.html"

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
        if self.task is not None and "job" in request.GET:
            return self.job_page(request, request.GET["job"])
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
            # In a worker the whole file is read there; here only its kind is checked.
            table = self.read(data, upload.name) if self.task is None else None
            sheets.file_format(upload.name)
        except sheets.UploadError as error:
            form.add_error("file", str(error))
            return self.page(request, form)
        if self.task is not None:
            path = uploads.keep_upload(data)
            return self.start(request, mode=jobs.CHECK, path=path, filename=upload.name)
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
        if self.task is not None:
            return self.apply_in_worker(request)
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

    # --- In a worker ----------------------------------------------------------------

    def start(self, request, *, checked: str = "", **data):
        """Hand the kept file to the worker and send the browser to the job's page.
        ``checked`` is the clean check an apply comes from."""
        job_id = jobs.job_start(
            user=request.user, kind=self.stash_key, language=get_language(), **data
        )
        try:
            self.task.delay(job_id)
        except OperationalError:  # the broker is down: say so, as if nothing was clicked
            logger.warning("could not queue the import", exc_info=True)
            jobs.job_drop(job_id)
            if data["mode"] == jobs.CHECK:
                uploads.drop_kept(data["path"])
                messages.error(
                    request, _("The file could not be checked just now. Try again in a minute.")
                )
                return self.here()
            # The checked file is kept and its Import button works again.
            jobs.job_unclaim(checked, "apply")
            messages.error(
                request, _("The file could not be imported just now. Try again in a minute.")
            )
            return redirect(f"{request.path}?job={checked}")
        return redirect(f"{request.path}?job={job_id}")

    def apply_in_worker(self, request):
        """The token is a finished, clean check of this user's: its file is applied once."""
        token = request.POST.get("token", "")
        record = jobs.job_for(token, request.user, kind=self.stash_key)
        ready = (
            record is not None
            and record.get("mode") == jobs.CHECK
            and record.get("state") == jobs.DONE
            and record["report"].ok
        )
        if not ready or not jobs.job_claim(token, "apply"):
            messages.error(
                request,
                _("That upload was already imported or has expired. Upload the file again."),
            )
            return self.here()
        return self.start(
            request,
            checked=token,
            mode=jobs.APPLY,
            path=record["path"],
            filename=record["filename"],
        )

    def job_page(self, request, job_id):
        """The job's progress (polled by htmx every second) or, once done, its result."""
        record = jobs.job_for(job_id, request.user, kind=self.stash_key)
        if record is None:
            raise Http404(_("No such import."))
        polling = request.headers.get("HX-Request") == "true"
        if record["state"] in (jobs.QUEUED, jobs.RUNNING):
            context = {
                "job": record,
                "job_id": job_id,
                "percent": jobs.progress_of(record),
                "poll_url": f"{request.path}?job={job_id}",
            }
            if polling:
                return render(request, self.progress_template, context)
            return self.page(request, UploadForm(), filename=record["filename"], progress=context)
        if polling:  # done: the whole page shows the result
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{request.path}?job={job_id}"
            return response
        return self.job_result(request, job_id, record)

    def job_result(self, request, job_id, record):
        filename = record["filename"]
        if record["state"] == jobs.FAILED:
            form = UploadForm()
            if record["mode"] == jobs.CHECK:  # the file could not be read: say so on its field
                form.cleaned_data, form._errors = {}, ErrorDict()
                form.add_error("file", record["message"])
                return self.page(request, form, filename=filename)
            messages.error(request, record["message"])
            return self.page(request, form, filename=filename)
        report, table = record["report"], record["table"]
        if record["mode"] == jobs.CHECK:
            token = job_id if report.ok and not jobs.job_claimed(job_id, "apply") else None
            return self.page(
                request, UploadForm(), report=report, table=table, token=token, filename=filename
            )
        if not report.applied:
            return self.page(
                request,
                UploadForm(),
                report=report,
                table=table,
                filename=filename,
                outcome=("danger", _("Nothing was imported: some rows are no longer valid.")),
            )
        return self.page(
            request,
            UploadForm(),
            filename=filename,
            outcome=("success", self.success_message(report.applied, filename)),
        )

    def page(
        self,
        request,
        form,
        *,
        report=None,
        table=None,
        token=None,
        filename="",
        progress=None,
        outcome=None,
    ):
        context = {
            "form": form,
            "report": report,
            "table": table,
            "token": token,
            "filename": filename,
            "required_columns": self.rules.REQUIRED_COLUMNS,
            "optional_columns": self.rules.OPTIONAL_COLUMNS,
            "max_rows": self.rules.max_rows(),
            "progress": progress,
            "outcome": outcome,
            **self.extra_context(),
        }
        if report is not None:
            context["shown_errors"] = report.errors[:SHOWN_ERRORS]
            context["hidden_errors"] = max(len(report.errors) - SHOWN_ERRORS, 0)
            context["shown_rows"] = [r for r in report.results if r.ok][:SHOWN_ROWS]
        return render(request, self.template_name, context)
