from rest_framework.routers import DefaultRouter

from .views import PoliceUnitViewSet

router = DefaultRouter()
router.register("units", PoliceUnitViewSet, basename="unit")

urlpatterns = router.urls
