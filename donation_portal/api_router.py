"""One router for the whole API (cookiecutter-django's ``api_router``): every app's
viewsets registered here, so ``/api/v1/`` lists every resource. Paths and basenames are
DESIGN.md's contract; the dashboard's two read-only endpoints are plain paths
(``dashboard/api/urls.py``)."""

from rest_framework.routers import DefaultRouter

from accounts.api.views import PoliceUnitViewSet
from camps.api.views import BloodCentreViewSet, CampViewSet, HospitalViewSet
from donors.api.views import DeferralViewSet, DonationViewSet, DonorViewSet
from emergency.api.views import EmergencyRequestViewSet
from notifications.api.views import MessageViewSet
from thalassemia.api.views import AssignmentViewSet, PatientViewSet, TransfusionViewSet

router = DefaultRouter()
router.register("units", PoliceUnitViewSet, basename="unit")
router.register("donors", DonorViewSet, basename="donor")
router.register("donations", DonationViewSet, basename="donation")
router.register("deferrals", DeferralViewSet, basename="deferral")
router.register("camps", CampViewSet, basename="camp")
router.register("blood-centres", BloodCentreViewSet, basename="blood-centre")
router.register("hospitals", HospitalViewSet, basename="hospital")
router.register("patients", PatientViewSet, basename="patient")
router.register("transfusions", TransfusionViewSet, basename="transfusion")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("messages", MessageViewSet, basename="message")
router.register("emergency-requests", EmergencyRequestViewSet, basename="emergency-request")

urlpatterns = router.urls
