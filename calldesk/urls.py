from django.urls import path

from .views import respond

app_name = "calldesk"

urlpatterns = [
    path("r/<str:token>/", respond.RespondView.as_view(), name="respond"),
]
