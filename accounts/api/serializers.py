from django.conf import settings
from rest_framework import serializers

from ..models import PoliceUnit


class PoliceUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(help_text="Id of the parent unit, or null.")
    rules_in_force = serializers.SerializerMethodField(
        help_text="The donor rules the unit holds (its own, else the nearest unit above's, "
        "else the deployment's RULES_PROFILE)."
    )

    class Meta:
        model = PoliceUnit
        fields = [
            "id",
            "name",
            "kind",
            "code",
            "parent",
            "depth",
            "phone",
            "address",
            "rules_profile",
            "rules_in_force",
        ]

    def get_rules_in_force(self, unit) -> str:
        return unit.rules_in_force or settings.RULES_PROFILE

    def get_parent(self, unit) -> int | None:
        # Resolved from a map the view builds once per page, so a list costs no extra queries.
        parents = self.context.get("parent_ids")
        if parents is not None:
            return parents.get(unit.path[: -unit.steplen])
        parent = PoliceUnit.objects.get_parent(unit)
        return parent.pk if parent else None
