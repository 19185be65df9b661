from django.urls import path

from .views import board, children, respond, transfusions

app_name = "thalassemia"

urlpatterns = [
    path("children/", children.PatientListView.as_view(), name="list"),
    path("children/due/", board.DueSoonView.as_view(), name="due-soon"),
    path("children/new/", children.PatientCreateView.as_view(), name="create"),
    path("children/<int:pk>/", children.PatientDetailView.as_view(), name="detail"),
    path("children/<int:pk>/edit/", children.PatientUpdateView.as_view(), name="edit"),
    path("children/<int:pk>/consent/", children.PatientConsentView.as_view(), name="consent"),
    path("children/<int:pk>/erase/", children.PatientEraseView.as_view(), name="erase"),
    path("children/<int:pk>/plan/", children.PlanChangeView.as_view(), name="plan"),
    path(
        "children/<int:pk>/guardians/new/",
        children.GuardianCreateView.as_view(),
        name="guardian-create",
    ),
    path("guardians/<int:pk>/edit/", children.GuardianUpdateView.as_view(), name="guardian-edit"),
    path(
        "guardians/<int:pk>/remove/", children.GuardianRemoveView.as_view(), name="guardian-remove"
    ),
    path("guardians/<int:pk>/erase/", children.GuardianEraseView.as_view(), name="guardian-erase"),
    path("children/circle/<int:pk>/", children.CircleMemberView.as_view(), name="circle-member"),
    path("guardians/<int:pk>/opt-out/", children.guardian_opt_out, name="guardian-opt-out"),
    path("transfusions/<int:pk>/match/", transfusions.MatchView.as_view(), name="match"),
    path("transfusions/<int:pk>/schedule/", transfusions.ScheduleView.as_view(), name="schedule"),
    path("transfusions/<int:pk>/record/", transfusions.RecordView.as_view(), name="record"),
    path(
        "assignments/<int:pk>/status/",
        transfusions.AssignmentStatusView.as_view(),
        name="assignment-status",
    ),
    # The link in a donor's request: public, short (it goes in an SMS).
    path("r/<str:token>/", respond.RespondView.as_view(), name="respond"),
    # The short link of an SMS: no trailing slash, one character less in every message.
    path("r/<str:token>", respond.RespondView.as_view(), name="respond-short"),
]
