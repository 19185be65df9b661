from rest_framework.routers import DefaultRouter

from .views import BloodCentreViewSet, CampViewSet, HospitalViewSet

router = DefaultRouter()
router.register("camps", CampViewSet, basename="camp")
router.register("blood-centres", BloodCentreViewSet, basename="blood-centre")
router.register("hospitals", HospitalViewSet, basename="hospital")

urlpatterns = router.urls
