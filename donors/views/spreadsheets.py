"""Pages for importing donors from a spreadsheet and exporting the registry to one.

Import is the portal's upload → dry run → apply page (``portal/views.py``) with the
donor rules of ``donors/spreadsheets.py``; these views only call them."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View
from kombu.exceptions import OperationalError

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin
from portal import exports, jobs, sheets, uploads
from portal.views import SpreadsheetImportView

from .. import spreadsheets as donor_sheets
from ..filters import DonorFilterSet
from ..selectors import donors_for
from ..tasks import export_donor_sheet, import_donor_sheet


class DonorImportView(SpreadsheetImportView):
    """Donors from a spreadsheet into the user's jurisdiction."""

    template_name = "donors/import.html"
    stash_key = "donors.import"
    rules = donor_sheets
    task = import_donor_sheet  # 20,000 rows are checked and written by a worker

    def read(self, data, filename):
        return donor_sheets.read_donor_file(data, filename=filename)

    def check(self, table):
        return donor_sheets.check_donor_rows(table=table, user=self.request.user)

    def write(self, table):
        return donor_sheets.import_donors(
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
            donor_sheets.template_csv(), content_type=exports.CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = 'attachment; filename="donors-template.csv"'
        return response


class DonorExportView(RoleRequiredMixin, View):
    """The donors the user sees on the list page, with the same filters, as CSV or XLSX.
    The CSV streams (a state's registry is a million rows); the XLSX is written row by row
    in openpyxl's write-only mode."""

    def get(self, request):
        fmt = request.GET.get("format") or "csv"
        filterset = DonorFilterSet(request.GET, queryset=donors_for(request.user), request=request)
        if fmt not in sheets.FORMATS or not filterset.is_valid():
            messages.error(request, _("The export could not be made: check the filters."))
            query = request.GET.copy()
            query.pop("format", None)
            return redirect(f"{reverse('donors:list')}?{query.urlencode()}")
        donors = filterset.qs
        filters = {name: request.GET[name] for name in filterset.filters if request.GET.get(name)}
        rows = donors.count()
        in_worker = rows > settings.DONOR_EXPORT_IN_WORKER_ABOVE
        # Recorded before the first byte leaves: a streamed file has no row count at the end.
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            what="donors",
            format=fmt,
            rows=rows,
            filters=filters,
            **({"in_worker": True} if in_worker else {}),
        )
        if in_worker:
            return self.start(request, fmt=fmt, rows=rows)
        if fmt == "csv":
            response = StreamingHttpResponse(
                donor_sheets.export_donors_csv(donors, request.user),
                content_type=exports.CONTENT_TYPES[fmt],
            )
        else:
            response = HttpResponse(
                donor_sheets.export_donors_xlsx(donors, request.user),
                content_type=exports.CONTENT_TYPES[fmt],
            )
        filename = exports.filename_for("donors", fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def start(self, request, *, fmt, rows):
        """Too big to write while the browser waits: a worker writes it, the page polls."""
        query = request.GET.copy()
        query.pop("format", None)
        job_id = jobs.job_start(
            user=request.user,
            kind=EXPORT_JOB,
            mode="export",
            format=fmt,
            query=query.urlencode(),
            total=rows,
            filename=exports.filename_for("donors", fmt),
            language=get_language(),
        )
        try:
            export_donor_sheet.delay(job_id)
        except OperationalError:
            messages.error(request, _("The export could not be started. Try again in a minute."))
            return redirect(f"{reverse('donors:list')}?{query.urlencode()}")
        return redirect(f"{reverse('donors:export-job')}?job={job_id}")


EXPORT_JOB = "donors.export"


class DonorExportJobView(RoleRequiredMixin, View):
    """A big export's progress (htmx polls it), then its download link: the requester's
    alone, for EXPORT_LINK_HOURS; each download is audited."""

    def get(self, request):
        job_id = request.GET.get("job", "")
        record = jobs.job_for(job_id, request.user, kind=EXPORT_JOB)
        if record is None:
            raise Http404(_("No such export."))
        url = f"{reverse('donors:export-job')}?job={job_id}"
        polling = request.headers.get("HX-Request") == "true"
        done = record["state"] in (jobs.DONE, jobs.FAILED)
        if polling and done:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        progress = {"job": record, "percent": jobs.progress_of(record), "poll_url": url}
        if polling:
            return render(request, "portal/import_progress.html", progress)
        if record["state"] == jobs.DONE and request.GET.get("download"):
            return self.download(request, record)
        context = {
            "progress": None if done else progress,
            "job": record,
            "url": url,
            "export_hours": settings.EXPORT_LINK_HOURS,
        }
        return render(request, "donors/export_job.html", context)

    def download(self, request, record):
        kept = uploads.open_export(record["path"])
        if kept is None:
            raise Http404(_("This export has expired. Export again from the list."))
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            what="donors",
            format=record["format"],
            rows=record["total"],
            downloaded=True,
        )
        return FileResponse(
            kept,
            as_attachment=True,
            filename=record["filename"],
            content_type=exports.CONTENT_TYPES[record["format"]],
        )
