from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from .. import audit
from ..filters import PoliceUnitFilterSet
from ..models import PoliceUnit
from ..permissions import HasRole
from ..scoping import for_user
from ..services import token_issue
from .serializers import PoliceUnitSerializer

LOCKED_MESSAGE = _(
    "This account is locked for a while after repeated wrong passwords. Try again later, "
    "or ask your admin to unlock it."
)


class ScopedViewSetMixin:
    """Every API viewset's queryset goes through the one scoping function."""

    permission_classes = [HasRole]

    def get_queryset(self):
        return for_user(super().get_queryset(), self.request.user)


class AuditedListMixin:
    """An API list of personal data: each page served is one audit row (who, the query
    string, how many rows, their ids), as the list pages record theirs. Set ``audit_what``."""

    audit_what = ""

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        data = response.data
        rows = data.get("results", []) if isinstance(data, dict) else (data or [])
        audit.record_list(
            request=request,
            what=self.audit_what,
            rows=len(rows),
            filters=dict(request.query_params.items()),
            ids=[row.get("id") for row in rows if isinstance(row, dict)],
        )
        return response


class PoliceUnitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Police units in the caller's jurisdiction, in tree order."""

    queryset = PoliceUnit.objects.order_by("path")
    serializer_class = PoliceUnitSerializer
    filterset_class = PoliceUnitFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name", "path", "depth"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # Parents by path in one query for the whole page, read by the serializer.
            parent_paths = {unit.path[: -unit.steplen] for unit in page if unit.depth > 1}
            self._parent_ids = dict(
                PoliceUnit.objects.filter(path__in=parent_paths).values_list("path", "pk")
            )
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "_parent_ids"):
            context["parent_ids"] = self._parent_ids
        return context


class TokenView(ObtainAuthToken):
    """``POST auth/token/`` with username and password: the caller's API token. Throttled per
    address (the "token" rate); a username locked by repeated failures answers 429 with the
    sign-in page's message, whatever password comes with it."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": LOCKED_MESSAGE}, status=429)
            raise
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})
