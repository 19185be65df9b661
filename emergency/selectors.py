"""Reads of emergency requests, scoped to the user (``accounts.scoping.for_user``): the list
with its counts in one query, and one request's calls grouped by wave."""

from django.db.models import Count, Q

from accounts.scoping import for_user

from .choices import CallStatus
from .models import EmergencyCall, EmergencyRequest


def requests_for(user):
    """The requests ``user`` may see, with how many were asked, answered and are coming."""
    return (
        for_user(EmergencyRequest.objects.all(), user)
        .select_related("unit", "hospital")
        .annotate(
            asked=Count("calls"),
            coming=Count("calls", filter=Q(calls__status=CallStatus.CONFIRMED)),
            declined=Count("calls", filter=Q(calls__status=CallStatus.DECLINED)),
        )
        .order_by("-created_at", "-id")
    )


def calls_by_wave(emergency: EmergencyRequest) -> list[tuple[int, list[EmergencyCall]]]:
    """The donors asked, wave by wave, with their answers (one query)."""
    waves: dict[int, list[EmergencyCall]] = {}
    calls = emergency.calls.select_related("donor__unit").order_by("wave", "-status", "id")
    for call in calls:
        waves.setdefault(call.wave, []).append(call)
    return sorted(waves.items())
