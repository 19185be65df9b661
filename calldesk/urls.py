from django.urls import path

from .views import desk

app_name = "calldesk"

urlpatterns = [
    path("calls/", desk.CallListView.as_view(), name="list"),
    path("calls/log/", desk.CallLogView.as_view(), name="log"),
]
