from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import audit
from accounts.api.views import AuditedListMixin, ScopedViewSetMixin
from accounts.choices import AuditAction
from accounts.pagination import EstimatedCountPagination

from ..choices import ConsentPurpose, DonationKind, DonationOutcome, DonorSource
from ..donations import donation_reaction_record, donation_record
from ..filters import DonorFilterSet
from ..models import Deferral, Donation, Donor
from ..privacy import record_list_view
from ..selectors import donor_eligibility, with_eligibility_facts
from ..services import deferral_create, donor_create, donor_update
from .serializers import (
    DeferralSerializer,
    DonationSerializer,
    DonorSerializer,
    EligibilityQuerySerializer,
    EligibilitySerializer,
    ReactionSerializer,
)


class DonorViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Donors in the caller's jurisdiction. Deleting is not offered: erasure on request
    anonymises a donor and keeps the counts."""

    queryset = Donor.objects.select_related("unit").order_by("name", "id")
    serializer_class = DonorSerializer
    filterset_class = DonorFilterSet
    ordering_fields = ["name", "date_of_birth", "blood_group", "id"]
    # ``count`` is exact up to LIST_EXACT_COUNT_LIMIT, then the planner's estimate.
    pagination_class = EstimatedCountPagination

    def filter_queryset(self, queryset):
        # The filters (and their "erased donors hidden" default) shape lists; a donor asked
        # for by id is found by scope alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = donor_create(
            actor=self.request.user,
            source=DonorSource.STAFF,
            consents=_consents_ticked(data),
            request=self.request,
            **data,
        )

    def perform_update(self, serializer):
        # Consent given later at the donor's word; withdrawing is the page's or the donor's
        # own stop link, so false here changes nothing. An erased donor's record is closed:
        # the service's ValidationError answers 400 (accounts.api.exceptions).
        data = dict(serializer.validated_data)
        serializer.instance = donor_update(
            donor=serializer.instance,
            actor=self.request.user,
            request=self.request,
            consents=_consents_ticked(data),
            **data,
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else []
        record_list_view(
            request=request,
            donors=[row["id"] for row in rows],
            filters=_filters_used(request.query_params, self.filterset_class),
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        audit.record(action=AuditAction.VIEW, request=request, obj=self.get_object())
        return response

    @extend_schema(parameters=[EligibilityQuerySerializer], responses=EligibilitySerializer)
    @action(detail=True)
    def eligibility(self, request, pk=None):
        """May this donor give on ``on`` (pre-screen), for a donation of ``kind`` (whole blood
        unless said): ``eligible``, ``next_eligible_on``, ``reasons``."""
        query = EligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        donor = with_eligibility_facts(self.get_queryset()).get(pk=self.get_object().pk)
        answer = donor_eligibility(
            donor,
            query.validated_data.get("on") or timezone.localdate(),
            kind=query.validated_data.get("kind") or DonationKind.WHOLE_BLOOD,
        )
        return Response(
            EligibilitySerializer(
                {
                    "eligible": answer.eligible,
                    "next_eligible_on": answer.next_eligible_on,
                    "reasons": answer.reasons,
                }
            ).data
        )


def _consents_ticked(data: dict) -> list[str]:
    """The purposes the request says the donor agrees to (popped from ``data``)."""
    ticked = {
        ConsentPurpose.REGISTRY: data.pop("consent_registry", False),
        ConsentPurpose.REMINDERS: data.pop("consent_reminders", False),
    }
    return [purpose for purpose, given in ticked.items() if given]


def _filters_used(params, filterset_class) -> dict:
    """The list's filters as the request gave them (as the export records them), plus the
    page asked for."""
    names = [*filterset_class.base_filters, "page"]
    return {name: params[name] for name in names if params.get(name)}


class DonationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Donation.objects.select_related("donor").order_by("-donated_on", "-id")
    serializer_class = DonationSerializer
    filterset_fields = {
        "donor": ["exact"],
        "camp": ["exact"],
        "blood_centre": ["exact"],
        "outcome": ["exact"],
        "donated_on": ["gte", "lte", "exact"],
    }

    def perform_create(self, serializer):
        # Every rule is donation_record's; its ValidationError is the 400 field map.
        data = {
            "blood_centre": None,
            "outcome": DonationOutcome.COLLECTED,
            **serializer.validated_data,
        }
        serializer.instance = donation_record(actor=self.request.user, request=self.request, **data)

    @extend_schema(methods=["GET"], responses=ReactionSerializer)
    # 400 (the field map), 401, 403 and 404 are added to every operation by the schema's hook.
    @extend_schema(methods=["PUT"], request=ReactionSerializer, responses=ReactionSerializer)
    @action(detail=True, methods=["get", "put"])
    def reaction(self, request, pk=None):
        """The adverse reaction noted on this donation (GET), or note / clear one (PUT), as
        the camp table does: the same rules, messages and audit event
        (``donations.donation_reaction_record``). A donation outside the caller's units is
        a 404."""
        donation = self.get_object()
        if request.method == "GET":
            return Response(ReactionSerializer(donation).data)
        body = ReactionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        donation = donation_reaction_record(
            donation=donation,
            reaction=body.validated_data["reaction"],
            note=body.validated_data["reaction_note"],
            actor=request.user,
            request=request,
        )
        return Response(ReactionSerializer(donation).data)


class DeferralViewSet(
    AuditedListMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Deferral.objects.select_related("donor").order_by("-starts_on", "-id")
    serializer_class = DeferralSerializer
    audit_what = "deferrals"
    filterset_fields = {"donor": ["exact"], "category": ["exact"]}

    def perform_create(self, serializer):
        # Default lengths, date order and the audit record are deferral_create's, as on the
        # page; its ValidationError is the 400 field map.
        serializer.instance = deferral_create(
            actor=self.request.user, request=self.request, **serializer.validated_data
        )
