"""The printable thank-you certificate of a collected donation."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views import View

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin
from accounts.scoping import for_user
from notifications import shortlinks

from ..certificate import certificate_pdf
from ..choices import DonationOutcome
from ..models import Donation
from ..thanks import donation_for_link


def certificate_response(request, donation, **details) -> HttpResponse:
    """The certificate PDF of ``donation``, inline, not cached, its printing audited."""
    pdf = certificate_pdf(donation)
    audit.record(
        action=AuditAction.EXPORT,
        request=request,
        obj=donation,
        unit=donation.donor.unit,
        kind="certificate",
        **details,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{donation.pk}.pdf"'
    # A person's name: keep it out of shared caches and the browser's disk cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


class CertificateView(RoleRequiredMixin, View):
    """GET /donations/<pk>/certificate.pdf: the PDF, opened in the browser to print. A
    donation outside the user's units, or not collected, is a 404 like a missing one."""

    def get(self, request, pk):
        donations = for_user(
            Donation.objects.select_related("donor__unit", "blood_centre"), request.user
        )
        donation = get_object_or_404(donations, pk=pk, outcome=DonationOutcome.COLLECTED)
        return certificate_response(request, donation)


class CertificateLinkView(View):
    """GET /c/<code>: the donor's own certificate, by the link in the thank-you SMS, without
    signing in. An unknown, expired or mangled code is a 404."""

    def get(self, request, code):
        if shortlinks.too_many_misses(request):
            return HttpResponse(status=429)
        donation = donation_for_link(code)
        if donation is None:
            shortlinks.count_miss(request)
            raise Http404
        return certificate_response(request, donation, through="link")
