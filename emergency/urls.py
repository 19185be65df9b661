from django.urls import path

from . import views

app_name = "emergency"

urlpatterns = [
    path("emergencies/", views.EmergencyListView.as_view(), name="list"),
    path("emergencies/new/", views.EmergencyCreateView.as_view(), name="create"),
    path("emergencies/<int:pk>/", views.EmergencyDetailView.as_view(), name="detail"),
    path("emergencies/<int:pk>/stop/", views.EmergencyStopView.as_view(), name="stop"),
    # The link in an emergency call: public, short (it goes in an SMS).
    path("e/<str:code>/", views.AnswerView.as_view(), name="answer"),
]
