from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import audit
from accounts.api.views import AuditedListMixin, ScopedViewSetMixin
from accounts.choices import AuditAction

from ..booking import assignment_create, assignment_set_status
from ..calendar import plan_change
from ..children import patient_create, patient_record_consent, patient_update, registration_consent
from ..filters import PatientFilterSet
from ..guardians import guardian_add, guardian_edit, guardian_remove
from ..matching import match_donors
from ..models import Assignment, Patient, Transfusion
from ..selectors import current_plan, patient_schedule, with_last_transfused, with_plans
from ..transfusions import (
    patient_record_last_transfusion,
    transfusion_cancel,
    transfusion_record_done,
    transfusion_record_missed,
    transfusion_schedule,
)
from .serializers import (
    AssignmentSerializer,
    DueSerializer,
    GuardianSerializer,
    MatchQuerySerializer,
    MatchSerializer,
    PatientSerializer,
    ScheduleQuerySerializer,
    TransfusionDateSerializer,
    TransfusionDoneSerializer,
    TransfusionNoteSerializer,
    TransfusionSerializer,
)

PLAN_FIELDS = ("units_per_transfusion", "interval_days")


class PatientViewSet(
    AuditedListMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Thalassaemia children in the caller's jurisdiction, with their plan and next due date.
    Viewing one is in the audit log."""

    queryset = Patient.objects.select_related("unit").order_by("name", "id")
    serializer_class = PatientSerializer
    audit_what = "children"
    filterset_class = PatientFilterSet
    ordering_fields = ["name", "next_due_on", "blood_group", "id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "matches":  # matching reads the child alone (and its unit)
            return queryset
        return with_last_transfused(with_plans(queryset)).prefetch_related("guardians")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data |= registration_consent(
            given=data.pop("guardian_consent", False),
            consent_by=data.pop("consent_by", ""),
            guardians=data.get("guardians", ()),
        )
        patient = patient_create(actor=self.request.user, request=self.request, **data)
        serializer.instance = self.get_queryset().get(pk=patient.pk)

    @transaction.atomic
    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("guardians", None)  # guardians change through patients/{id}/guardians/
        consent = data.pop("guardian_consent", False)
        consent_by = data.pop("consent_by", "")
        # The stored name sent back unchanged (a GET-then-PUT client) is not a new consent.
        if consent_by and not consent and consent_by != serializer.instance.consent_by:
            raise DjangoValidationError(
                {"consent_by": _("Send guardian_consent: true with the name of who gave it.")}
            )
        patient = serializer.instance
        plan = current_plan(patient)
        wanted = {k: data.pop(k) for k in PLAN_FIELDS if k in data}
        last = data.pop("last_transfused_on", None)
        patient = patient_update(
            patient=patient, actor=self.request.user, request=self.request, **data
        )
        now = {
            "units_per_transfusion": plan.units_per_transfusion,
            "interval_days": plan.interval_days,
        }
        if {**now, **wanted} != now:
            plan_change(
                patient=patient, actor=self.request.user, request=self.request, **{**now, **wanted}
            )
        if last:
            patient_record_last_transfusion(
                patient=patient, on=last, actor=self.request.user, request=self.request
            )
        if consent:
            patient_record_consent(
                patient=patient,
                consent_by=consent_by,
                actor=self.request.user,
                request=self.request,
            )
        serializer.instance = self.get_queryset().get(pk=patient.pk)

    def retrieve(self, request, *args, **kwargs):
        patient = self.get_object()
        audit.record(action=AuditAction.VIEW, request=request, obj=patient)
        return Response(self.get_serializer(patient).data)

    @extend_schema(methods=["GET"], request=None, responses=GuardianSerializer(many=True))
    @extend_schema(methods=["POST"], request=GuardianSerializer, responses=GuardianSerializer)
    @action(detail=True, methods=["get", "post"])
    def guardians(self, request, pk=None):
        """GET: the child's guardians (a view of the child's record, audit-logged). POST: add
        a guardian (phone in any accepted form, stored as E.164)."""
        patient = self.get_object()
        if request.method == "GET":
            audit.record(action=AuditAction.VIEW, request=request, obj=patient)
            rows = patient.guardians.order_by("id")
            return Response(GuardianSerializer(rows, many=True).data)
        body = GuardianSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        guardian = guardian_add(
            patient=patient, actor=request.user, request=request, **body.validated_data
        )
        return Response(GuardianSerializer(guardian).data, status=http.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], request=GuardianSerializer, responses=GuardianSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"guardians/(?P<guardian_pk>[0-9]+)",
    )
    def guardian(self, request, pk=None, guardian_pk=None):
        """PATCH: correct a guardian (changed fields are audit-logged). DELETE: remove one;
        the last guardian of a child cannot be removed (400)."""
        patient = self.get_object()
        guardian = get_object_or_404(patient.guardians.all(), pk=guardian_pk)
        if request.method == "DELETE":
            guardian_remove(guardian=guardian, actor=request.user, request=request)
            return Response(status=http.HTTP_204_NO_CONTENT)
        body = GuardianSerializer(guardian, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        guardian = guardian_edit(
            guardian=guardian, actor=request.user, request=request, **body.validated_data
        )
        return Response(GuardianSerializer(guardian).data)

    @extend_schema(parameters=[ScheduleQuerySerializer], responses=DueSerializer(many=True))
    @action(detail=True)
    def schedule(self, request, pk=None):
        """The coming transfusions up to ``until``: a list of ``{"due_on", "units"}``."""
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = self.get_object()
        dues = patient_schedule(patient, query.validated_data["until"])
        return Response(DueSerializer(dues, many=True).data)

    @extend_schema(parameters=[MatchQuerySerializer], responses=MatchSerializer(many=True))
    @action(detail=True)
    def matches(self, request, pk=None):
        """Donors to ask for a transfusion on ``on``, best first, each with its reasons.
        Never an incompatible or ineligible donor."""
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = self.get_object()
        suggestions = match_donors(patient, query.validated_data["on"], user=request.user)
        return Response(MatchSerializer(suggestions, many=True).data)


class TransfusionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Transfusions of the children in scope. The calendar makes them; record them done,
    missed or cancelled with the actions."""

    queryset = Transfusion.objects.order_by("due_on", "id")
    serializer_class = TransfusionSerializer
    filterset_fields = {
        "patient": ["exact"],
        "status": ["exact", "in"],
        "due_on": ["gte", "lte", "exact"],
    }

    def _answer(self, fn, serializer_class, **extra):
        transfusion = self.get_object()
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        transfusion = fn(
            transfusion=transfusion,
            actor=self.request.user,
            request=self.request,
            **body.validated_data,
        )
        return Response(TransfusionSerializer(transfusion).data)

    @extend_schema(request=TransfusionDoneSerializer, responses=TransfusionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._answer(transfusion_record_done, TransfusionDoneSerializer)

    @extend_schema(request=TransfusionNoteSerializer, responses=TransfusionSerializer)
    @action(detail=True, methods=["post"])
    def missed(self, request, pk=None):
        return self._answer(transfusion_record_missed, TransfusionNoteSerializer)

    @extend_schema(request=TransfusionDateSerializer, responses=TransfusionSerializer)
    @action(detail=True, methods=["post"], url_path="schedule")
    def set_date(self, request, pk=None):
        """The date agreed with the hospital; it then stays put through plan changes."""
        return self._answer(transfusion_schedule, TransfusionDateSerializer)

    @extend_schema(request=TransfusionNoteSerializer, responses=TransfusionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(transfusion_cancel, TransfusionNoteSerializer)


class AssignmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Donors assigned to transfusions. Create one (never an incompatible, ineligible or
    double-booked donor); PATCH ``status`` to record asked, confirmed, declined, donated or
    no-show (with the ``donation`` when donated)."""

    queryset = Assignment.objects.select_related("donor", "transfusion").order_by("on", "id")
    serializer_class = AssignmentSerializer
    filterset_fields = {"transfusion": ["exact"], "donor": ["exact"], "status": ["exact"]}

    def perform_create(self, serializer):
        serializer.instance = assignment_create(
            actor=self.request.user,
            request=self.request,
            **{
                k: v
                for k, v in serializer.validated_data.items()
                if k in ("transfusion", "donor", "on")
            },
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = assignment_set_status(
            assignment=serializer.instance,
            status=data.get("status", serializer.instance.status),
            donation=data.get("donation"),
            actor=self.request.user,
            request=self.request,
        )
