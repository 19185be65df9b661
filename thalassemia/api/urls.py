from rest_framework.routers import DefaultRouter

from .views import AssignmentViewSet, PatientViewSet, TransfusionViewSet

router = DefaultRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("transfusions", TransfusionViewSet, basename="transfusion")
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = router.urls
