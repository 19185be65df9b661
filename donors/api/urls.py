from rest_framework.routers import DefaultRouter

from .views import DeferralViewSet, DonationViewSet, DonorViewSet

router = DefaultRouter()
router.register("donors", DonorViewSet, basename="donor")
router.register("donations", DonationViewSet, basename="donation")
router.register("deferrals", DeferralViewSet, basename="deferral")

urlpatterns = router.urls
