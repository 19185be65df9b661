"""API pieces every domain app's serializers share."""

from rest_framework import serializers

from accounts.models import PoliceUnit
from accounts.scoping import units_for_user


class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit id the caller may use: outside their scope it does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return PoliceUnit.objects.none()
        return units_for_user(request.user)
