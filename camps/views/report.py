"""The camp report as PDF, CSV or XLSX; every download is in the audit log."""

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin
from donors.certificate import certificate_pdf
from donors.choices import DonationOutcome
from donors.models import Donation
from portal import exports, sheets

from .. import eraktkosh, report
from ..selectors import camps_for

FORMATS = ("pdf", *sheets.FORMATS)


class CampReportView(RoleRequiredMixin, View):
    def get(self, request, pk):
        camp = get_object_or_404(camps_for(request.user), pk=pk)
        fmt = request.GET.get("format") or "pdf"
        if fmt not in FORMATS:
            return HttpResponseBadRequest(_("Choose the format: pdf, csv or xlsx."))
        if fmt == "pdf":
            content, content_type = report.report_pdf(camp), "application/pdf"
            rows = None
        else:
            content, rows = report.report_file(camp, fmt)
            content_type = exports.CONTENT_TYPES[fmt]
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            obj=camp,
            what="camp report",
            format=fmt,
            rows=rows,
        )
        response = HttpResponse(content, content_type=content_type)
        filename = exports.filename_for(f"camp-{camp.pk}-report", fmt)
        disposition = "inline" if fmt == "pdf" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        return response


class CampEraktkoshView(RoleRequiredMixin, View):
    """The camp and its donors as the CSV a blood centre uploads to e-RaktKosh (columns in
    docs/eraktkosh.md): the same roles and scope as the camp report, audited like it before
    the first byte leaves; phones as the donor lists show them to the user."""

    def get(self, request, pk):
        camp = get_object_or_404(camps_for(request.user), pk=pk)
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            obj=camp,
            what="camp e-RaktKosh export",
            format="csv",
            rows=Donation.objects.filter(camp=camp).count(),
        )
        response = StreamingHttpResponse(
            eraktkosh.export_csv(camp, request.user), content_type=exports.CONTENT_TYPES["csv"]
        )
        filename = exports.filename_for(f"camp-{camp.pk}-eraktkosh", "csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        patch_cache_control(response, private=True, no_store=True)
        return response


class CampCertificateView(RoleRequiredMixin, View):
    """A collected donation's certificate from the camp's donor list. Scoped by the camp, not
    the donor's home unit: the organisers hand certificates to every donor of their camp,
    visitors from other units included (``donors:certificate`` scopes by the donor)."""

    def get(self, request, pk, donation_pk):
        camp = get_object_or_404(camps_for(request.user), pk=pk)
        donation = get_object_or_404(
            Donation.objects.select_related("donor__unit", "blood_centre", "camp"),
            pk=donation_pk,
            camp=camp,
            outcome=DonationOutcome.COLLECTED,
        )
        pdf = certificate_pdf(donation)
        audit.record(
            action=AuditAction.EXPORT,
            request=request,
            obj=donation,
            unit=camp.unit,
            kind="certificate",
            camp=camp.pk,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="certificate-{donation.pk}.pdf"'
        patch_cache_control(response, private=True, no_store=True)
        return response
