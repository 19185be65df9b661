from rest_framework import viewsets

from ..filters import PoliceUnitFilterSet
from ..models import PoliceUnit
from ..permissions import HasRole
from ..scoping import for_user
from .serializers import PoliceUnitSerializer


class ScopedViewSetMixin:
    """Every API viewset's queryset goes through the one scoping function."""

    permission_classes = [HasRole]

    def get_queryset(self):
        return for_user(super().get_queryset(), self.request.user)


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
