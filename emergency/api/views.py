from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import audit
from accounts.api.views import ScopedViewSetMixin
from accounts.choices import AuditAction, Role

from ..selectors import requests_for
from ..services import emergency_create, emergency_stop
from .serializers import EmergencyCallSerializer, EmergencyRequestSerializer


class EmergencyRequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Emergency requests of the caller's force (coordinators and admins): record one (its
    donors are called in waves at once), read how many were asked and are coming, list the
    donors called (``calls``), and ``stop`` the waves."""

    allowed_roles = (Role.COORDINATOR, Role.ADMIN)
    serializer_class = EmergencyRequestSerializer

    def get_queryset(self):
        # requests_for scopes with for_user itself (the mixin's scoping applies again).
        return requests_for(self.request.user)

    def perform_create(self, serializer):
        created = emergency_create(
            actor=self.request.user, request=self.request, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=created.pk)

    @extend_schema(request=None, responses=EmergencyRequestSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        emergency = self.get_object()
        emergency_stop(emergency=emergency, actor=request.user, request=request)
        return Response(self.get_serializer(self.get_queryset().get(pk=emergency.pk)).data)

    @extend_schema(responses=EmergencyCallSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def calls(self, request, pk=None):
        emergency = self.get_object()
        calls = emergency.calls.select_related("donor").order_by("wave", "id")
        audit.record(
            action=AuditAction.VIEW, request=request, obj=emergency, note="emergency calls"
        )
        return Response(EmergencyCallSerializer(calls, many=True).data)
