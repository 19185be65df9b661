from django.urls import path

from .views import certificate, pledge, privacy, registry, spreadsheets

app_name = "donors"

urlpatterns = [
    path("donors/", registry.DonorListView.as_view(), name="list"),
    path("donors/new/", registry.DonorCreateView.as_view(), name="create"),
    path("donors/<int:pk>/", registry.DonorDetailView.as_view(), name="detail"),
    path("donors/<int:pk>/edit/", registry.DonorUpdateView.as_view(), name="edit"),
    path("donors/<int:pk>/defer/", registry.DeferralCreateView.as_view(), name="defer"),
    path("donors/<int:pk>/verify/", registry.verify, name="verify"),
    path("donors/merge/", registry.DonorMergeView.as_view(), name="merge"),
    # consent, opt-out, erasure and access (DPDP-23)
    path("donors/<int:pk>/consent/", privacy.ConsentChangeView.as_view(), name="consent"),
    path("donors/<int:pk>/erase/", privacy.DonorEraseView.as_view(), name="erase"),
    path("donors/<int:pk>/data.json", privacy.DonorDataExportView.as_view(), name="data-export"),
    path("stop/<str:token>/", privacy.OptOutView.as_view(), name="opt-out"),
    # import/export routes
    path("donors/import/", spreadsheets.DonorImportView.as_view(), name="import"),
    path(
        "donors/import/template.csv",
        spreadsheets.DonorImportTemplateView.as_view(),
        name="import-template",
    ),
    path("donors/export/", spreadsheets.DonorExportView.as_view(), name="export"),
    path("donors/export/job/", spreadsheets.DonorExportJobView.as_view(), name="export-job"),
    # pledge and certificate routes
    path("pledge/", pledge.PledgeView.as_view(), name="pledge"),
    path("pledge/code/", pledge.PledgeCodeView.as_view(), name="pledge-code"),
    path("pledge/thanks/", pledge.PledgeThanksView.as_view(), name="pledge-thanks"),
    path(
        "donations/<int:pk>/certificate.pdf",
        certificate.CertificateView.as_view(),
        name="certificate",
    ),
    # The certificate link of the thank-you SMS (donors.thanks): short, no sign-in.
    path("c/<str:code>", certificate.CertificateLinkView.as_view(), name="certificate-link"),
]
