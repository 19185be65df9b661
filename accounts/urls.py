from django.urls import path

from . import people_views, views

app_name = "accounts"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit-list"),
    path("units/suggest/", views.UnitSuggestView.as_view(), name="unit-suggest"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("units/<int:pk>/add/", views.UnitCreateView.as_view(), name="unit-add"),
    path("units/<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit-edit"),
    path("audit/", views.AuditEventListView.as_view(), name="audit-list"),
    path("people/", people_views.PeopleListView.as_view(), name="people"),
    path("people/new/", people_views.UserCreateView.as_view(), name="person-create"),
    path("people/<int:pk>/", people_views.UserUpdateView.as_view(), name="person-edit"),
    path(
        "people/<int:pk>/deactivate/",
        people_views.UserActiveView.as_view(),
        name="person-deactivate",
    ),
    path(
        "people/<int:pk>/reactivate/",
        people_views.UserActiveView.as_view(activate=True),
        name="person-reactivate",
    ),
    path(
        "people/<int:pk>/password-link/",
        people_views.UserPasswordLinkView.as_view(),
        name="person-password-link",
    ),
]
