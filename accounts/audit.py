"""Recording to the audit log: one function, called by every app that must account for
what staff saw or changed (exports, views of a child's record, corrections)."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from .choices import AuditAction
from .models import AuditEvent

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For only when a trusted proxy sets it."""
    if request is None:
        return None
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _storable(value):
    """``value`` as JSON PostgreSQL stores: no NUL character (a query string may carry
    one, and jsonb refuses it)."""
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def record(
    *, action: str, request=None, actor=None, obj=None, unit=None, username: str = "", **details
):
    """Write one audit event and return it.

    ``actor`` defaults to the request's user; ``username`` names an actor who has no account
    (a failed sign-in). ``obj`` is the model instance concerned (or
    None); ``unit`` its police unit when it has one. ``details`` are stored as JSON: a filter,
    a row count, the fields corrected — never the personal data itself.
    """
    event = build(
        action=action,
        request=request,
        actor=actor,
        obj=obj,
        unit=unit,
        username=username,
        **details,
    )
    event.save()
    return event


def record_many(events: list) -> list:
    """Write the events ``build`` made, in batched INSERTs: what a bulk write (an import of
    10,000 donors) records, one event per object, as ``record`` would each."""
    return AuditEvent.objects.bulk_create(events, batch_size=1000)


def build(
    *, action: str, request=None, actor=None, obj=None, unit=None, username: str = "", **details
):
    """The event ``record`` writes, unsaved (for ``record_many``)."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if unit is None and obj is not None:
        unit = getattr(obj, "unit", None) if hasattr(obj, "unit_id") else None
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_username=getattr(actor, "username", "") or username,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:200] if request else ""),
        unit=unit,
        details=_storable(details),
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    return event


def record_list(*, request, what: str, rows: int, filters=None, ids=None):
    """A list of personal data shown (a page, an API page): one audit row per request, with
    who (the request's user), ``what`` list, the filters or query string used (the request's
    query string by default), how many rows the page held, and their ids when given.
    Nothing is recorded when the page shows nobody: no personal data was seen."""
    if not rows:
        return None
    if filters is None:
        filters = dict(request.GET.items()) if request is not None else {}
    details = {"what": what, "count": rows, "filters": filters}
    if ids is not None:
        details["ids"] = list(ids)
    return record(action=AuditAction.VIEW, request=request, **details)
