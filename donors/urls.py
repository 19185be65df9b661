from django.urls import path

from .views import registry

app_name = "donors"

urlpatterns = [
    path("donors/", registry.DonorListView.as_view(), name="list"),
    path("donors/new/", registry.DonorCreateView.as_view(), name="create"),
    path("donors/<int:pk>/", registry.DonorDetailView.as_view(), name="detail"),
    path("donors/<int:pk>/edit/", registry.DonorUpdateView.as_view(), name="edit"),
    path("donors/<int:pk>/defer/", registry.DeferralCreateView.as_view(), name="defer"),
    path("donors/<int:pk>/verify/", registry.verify, name="verify"),
    path("donors/merge/", registry.DonorMergeView.as_view(), name="merge"),
    # import/export routes
    # pledge and certificate routes
]
