from django.urls import path

from .views import ForecastView, TotalsView

urlpatterns = [
    path("dashboard/totals/", TotalsView.as_view(), name="dashboard-totals"),
    path("dashboard/forecast/", ForecastView.as_view(), name="dashboard-forecast"),
]
