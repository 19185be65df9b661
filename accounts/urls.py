from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("audit/", views.AuditEventListView.as_view(), name="audit-list"),
]
