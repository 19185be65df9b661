from django.urls import path

from . import hooks_views, views

app_name = "notifications"

urlpatterns = [
    path("messages/", views.OutboxView.as_view(), name="outbox"),
    path("messages/<int:pk>/resend/", views.ResendView.as_view(), name="resend"),
    path("hooks/sms/<str:provider>/", hooks_views.HookView.as_view(), name="hook-sms"),
    path(
        "hooks/missed-call/<str:provider>/",
        hooks_views.MissedCallHookView.as_view(),
        name="hook-missed-call",
    ),
]
