from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.views import TokenView
from accounts.views import (
    HomeView,
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
    set_language,
)
from dashboard.public import ImpactView

from .health import healthz

api_v1 = [
    path("", include("donation_portal.api_router")),
    path("", include("dashboard.api.urls")),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    # The public impact page: no login, counts only (dashboard/public.py).
    path("impact/", ImpactView.as_view(), name="impact"),
    path("impact/<int:unit_id>/", ImpactView.as_view(), name="impact-unit"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_change/",
        PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("", include("donors.urls")),
    path("", include("camps.urls")),
    path("", include("thalassemia.urls")),
    path("", include("notifications.urls")),
    path("", include("calldesk.urls")),
    path("", include("emergency.urls")),
    path("", include("dashboard.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Blood Bond"
admin.site.site_title = "Blood Bond"
