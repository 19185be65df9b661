from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.api.views import ScopedViewSetMixin
from accounts.choices import Role
from accounts.permissions import has_role, is_portal_admin

from .. import partners, services
from ..filters import BloodCentreFilterSet, CampFilterSet, HospitalFilterSet
from ..models import Camp
from ..selectors import blood_centres, hospitals, totals_for
from .serializers import BloodCentreSerializer, CampSerializer, HospitalSerializer


class CampViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Camps organised by units in the caller's jurisdiction, with totals counted from their
    donations. Status moves through the ``open``, ``close``, ``reopen`` (admins) and
    ``cancel`` actions."""

    queryset = Camp.objects.select_related("unit", "blood_centre").order_by("-held_on", "-id")
    serializer_class = CampSerializer
    filterset_class = CampFilterSet
    ordering_fields = ["held_on", "name", "id"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._totals = totals_for(camp.pk for camp in page)
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "_totals"):
            context["totals"] = self._totals
        return context

    def perform_create(self, serializer):
        # A service's ValidationError or PermissionDenied is the API's 400 or 403 wherever
        # it is raised (accounts.api.exceptions).
        serializer.instance = services.camp_create(
            actor=self.request.user, request=self.request, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.camp_update(
            camp=serializer.instance,
            actor=self.request.user,
            request=self.request,
            **serializer.validated_data,
        )

    def _move(self, request, move):
        camp = self.get_object()
        move(camp=camp, actor=request.user, request=request)
        return Response(self.get_serializer(camp).data)

    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._move(request, services.camp_open)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, services.camp_close)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move(request, services.camp_reopen)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, services.camp_cancel)


class PartnerPermission(BasePermission):
    """Every signed-in role reads partners; only admins write them."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return has_role(request.user, Role.STAFF, Role.COORDINATOR, Role.ADMIN)
        return is_portal_admin(request.user)  # partners belong to no unit


class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reads partners; writes through the ``create`` / ``update`` service a subclass names.
    A service's ValidationError answers 400 through the API's exception handler."""

    permission_classes = [PartnerPermission]
    create_service = update_service = None
    instance_argument = ""

    def perform_create(self, serializer):
        serializer.instance = self.create_service(
            actor=self.request.user, request=self.request, **serializer.validated_data
        )

    def perform_update(self, serializer):
        # A fresh row: the serializer's instance is the one to answer with, not to diff.
        instance = self.get_queryset().get(pk=serializer.instance.pk)
        serializer.instance = self.update_service(
            **{self.instance_argument: instance},
            actor=self.request.user,
            request=self.request,
            **serializer.validated_data,
        )


class BloodCentreViewSet(PartnerViewSet):
    """Licensed blood centres: partners every signed-in user may read."""

    queryset = blood_centres()
    serializer_class = BloodCentreSerializer
    filterset_class = BloodCentreFilterSet
    create_service = staticmethod(partners.blood_centre_create)
    update_service = staticmethod(partners.blood_centre_update)
    instance_argument = "blood_centre"


class HospitalViewSet(PartnerViewSet):
    """Hospitals and day-care centres with their emergency contacts; writing ``contacts``
    replaces them."""

    queryset = hospitals()
    serializer_class = HospitalSerializer
    filterset_class = HospitalFilterSet
    create_service = staticmethod(partners.hospital_create)
    update_service = staticmethod(partners.hospital_update)
    instance_argument = "hospital"
