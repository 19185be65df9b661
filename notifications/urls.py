from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("messages/", views.OutboxView.as_view(), name="outbox"),
    path("messages/<int:pk>/resend/", views.ResendView.as_view(), name="resend"),
]
