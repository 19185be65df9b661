from django.urls import path

from .views import join, pages, partners, queue, reaction, report, share, sheet, table

app_name = "camps"

urlpatterns = [
    path("camps/", pages.CampListView.as_view(), name="list"),
    path("camps/calendar/", pages.CampCalendarView.as_view(), name="calendar"),
    path("camps/new/", pages.CampCreateView.as_view(), name="create"),
    path("camps/<int:pk>/", pages.CampDetailView.as_view(), name="detail"),
    path("camps/<int:pk>/edit/", pages.CampUpdateView.as_view(), name="edit"),
    path("camps/<int:pk>/status/<slug:action>/", pages.CampStatusView.as_view(), name="status"),
    path("camps/<int:pk>/report/", report.CampReportView.as_view(), name="report"),
    path(
        "camps/<int:pk>/eraktkosh.csv",
        report.CampEraktkoshView.as_view(),
        name="eraktkosh",
    ),
    path(
        "camps/<int:pk>/donations/<int:donation_pk>/certificate.pdf",
        report.CampCertificateView.as_view(),
        name="certificate",
    ),
    path("camps/<int:pk>/import/", sheet.CampImportView.as_view(), name="import"),
    path(
        "camps/<int:pk>/import/template.csv",
        sheet.CampImportTemplateView.as_view(),
        name="import-template",
    ),
    # the camp table
    path("camps/table-sw.js", table.ServiceWorkerView.as_view(), name="table-sw"),
    path("camps/<int:pk>/table/", table.CampTableView.as_view(), name="table"),
    path("camps/<int:pk>/table/lookup/", table.LookupView.as_view(), name="table-lookup"),
    path("camps/<int:pk>/table/donor/", table.QuickDonorView.as_view(), name="table-donor"),
    path("camps/<int:pk>/table/record/", table.RecordView.as_view(), name="table-record"),
    path("camps/<int:pk>/table/sync/", table.SyncView.as_view(), name="table-sync"),
    path("camps/<int:pk>/table/donors/", table.ExpectedDonorsView.as_view(), name="table-donors"),
    path(
        "camps/<int:pk>/table/entries/<int:donation_pk>/correct/",
        table.CorrectView.as_view(),
        name="table-correct",
    ),
    path(
        "camps/<int:pk>/table/entries/<int:donation_pk>/remove/",
        table.WithdrawView.as_view(),
        name="table-withdraw",
    ),
    path(
        "camps/<int:pk>/table/entries/<int:donation_pk>/reaction/",
        reaction.ReactionView.as_view(),
        name="table-reaction",
    ),
    path("camps/<int:pk>/table/share/", share.ShareView.as_view(), name="table-share"),
    # the queue: the public join page (a signed code, no sign-in) and the table's panel
    path("camps/<str:code>/join/", join.JoinView.as_view(), name="join"),
    path("camps/<str:code>/join/number/", join.JoinDoneView.as_view(), name="join-done"),
    path("camps/<int:pk>/table/queue/", queue.QueueView.as_view(), name="table-queue"),
    path("camps/<int:pk>/table/queue/next/", queue.CallNextView.as_view(), name="table-queue-next"),
    # partners
    path("blood-centres/", partners.BloodCentreListView.as_view(), name="centre-list"),
    path("blood-centres/new/", partners.BloodCentreCreateView.as_view(), name="centre-create"),
    path("blood-centres/<int:pk>/", partners.BloodCentreDetailView.as_view(), name="centre-detail"),
    path(
        "blood-centres/<int:pk>/edit/",
        partners.BloodCentreUpdateView.as_view(),
        name="centre-edit",
    ),
    path("hospitals/", partners.HospitalListView.as_view(), name="hospital-list"),
    path("hospitals/new/", partners.HospitalCreateView.as_view(), name="hospital-create"),
    path("hospitals/<int:pk>/", partners.HospitalDetailView.as_view(), name="hospital-detail"),
    path("hospitals/<int:pk>/edit/", partners.HospitalUpdateView.as_view(), name="hospital-edit"),
]
