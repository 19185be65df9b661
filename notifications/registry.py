"""What the outbox asks the domain rooms just before sending, filled by each room at start-up.

A domain app registers its checks from its ``AppConfig.ready`` (as thalassemia subscribes to
donors' hooks): the outbox calls them without knowing any domain app, not even by name. A
check takes the ``Message`` and answers why it must not go (a guardian opted out, the
transfusion is done), or None when it may."""

from collections.abc import Callable
from dataclasses import dataclass

from .replies import code_of, reply_code

SendCheck = Callable[[object], str | None]

# Keyed by the check's dotted name: registering again (a second ready()) changes nothing.
_send_checks: dict[str, SendCheck] = {}


def register_send_check(check: SendCheck) -> SendCheck:
    """Ask ``check`` before every send, after the checks registered before it."""
    _send_checks[f"{check.__module__}.{check.__qualname__}"] = check
    return check


def unregister_send_check(check: SendCheck) -> None:
    """Stop asking ``check`` (tests that register one of their own)."""
    _send_checks.pop(f"{check.__module__}.{check.__qualname__}", None)


def send_checks() -> list[SendCheck]:
    """The checks registered, in the order the apps started (INSTALLED_APPS)."""
    return list(_send_checks.values())


def send_refusal(message) -> str | None:
    """The first registered check's reason for not sending ``message``, or None."""
    for check in send_checks():
        reason = check(message)
        if reason:
            return reason
    return None


# --- inbound answers ----------------------------------------------------------------------
#
# A domain app registers what an inbound SMS reply or missed call means to it (donors: STOP
# and who the number is; thalassemia: a child's request; emergency: a call to the living
# blood bank). The webhook records the answer once and asks the handlers in start-up order;
# the first that answers decides.
#
# A yes or a no names no request: a room that registers ``open_requests`` with its handler
# says which of its requests the answer could be for. Across the rooms, exactly one: only
# that room's handler acts; several (a child's request and an emergency call, two
# emergency calls): nothing is guessed, the call desk rings the number back — unless the
# answer carries a request's reply code ("1 K7QM", ``replies.reply_code``): a family sharing
# a phone gets the code in each request, and the code picks that one request out of the
# number's, whichever donor on it it is for.

ANSWER_INTENTS = ("confirm", "decline")  # Intent.CONFIRM, Intent.DECLINE


@dataclass(frozen=True)
class InboundResult:
    """What an inbound answer did: an ``InboundOutcome``, what it was about ("assignment:12"),
    the police unit whose call desk sees it, and the person's name for that list."""

    outcome: str
    subject_key: str = ""
    unit: object = None
    name: str = ""


InboundHandler = Callable[[object], InboundResult | None]
# The open requests of one room a yes / no from ``row`` could answer (outcome unused).
OpenRequests = Callable[[object], list[InboundResult]]
_inbound_handlers: dict[str, tuple[InboundHandler, OpenRequests | None]] = {}


def register_inbound_handler(
    handler: InboundHandler, *, open_requests: OpenRequests | None = None
) -> InboundHandler:
    """Ask ``handler`` about every inbound answer (an ``InboundMessage``), after the ones
    registered before it; it answers an ``InboundResult``, or None to let the next one.
    ``open_requests(row)`` lists the room's requests a yes or no from that number could
    answer, so that an answer two rooms could take goes to a person."""
    _inbound_handlers[f"{handler.__module__}.{handler.__qualname__}"] = (handler, open_requests)
    return handler


def _ring_back(requests: list[InboundResult]) -> InboundResult:
    first = requests[0]
    names = ", ".join(dict.fromkeys(r.name for r in requests if r.name))
    return InboundResult(
        outcome="ring_back", subject_key=first.subject_key, unit=first.unit, name=names
    )


def coded(row, items: list, subject_key: Callable[[object], str]) -> list:
    """A room's open ``items`` narrowed to the one whose reply code the answer carries
    (``subject_key(item)`` names it as ``open_requests`` does); all of them when the answer
    carries no code, or a code none of them has."""
    code = code_of(getattr(row, "text", "") or "")
    if not code:
        return items
    match = [item for item in items if reply_code(subject_key(item)) == code]
    return match or items


def inbound_result(row) -> InboundResult | None:
    """The result of the handler that takes ``row``, or None when none took it. A "no open
    request" from one room lets the next look (an emergency request is another room's): it
    stands only when no later handler acts."""
    handlers = list(_inbound_handlers.values())
    if row.intent in ANSWER_INTENTS:
        found = [(h, probe(row)) for h, probe in handlers if probe is not None]
        code = code_of(row.text or "")
        if code:
            hits = [(h, [r for r in rs if reply_code(r.subject_key) == code]) for h, rs in found]
            if sum(len(rs) for _h, rs in hits) == 1:
                found = hits
        requests = [r for _h, rs in found for r in rs]
        if len(requests) > 1:
            return _ring_back(requests)
        if len(requests) == 1:
            owner = next(h for h, rs in found if rs)
            # Rooms before it may still speak first (the number's owner, STOP): not the
            # other rooms with answers of their own.
            handlers = [(h, p) for h, p in handlers if p is None or h is owner]
    weak = None
    for handler, _probe in handlers:
        result = handler(row)
        if result is None:
            continue
        if result.outcome != "no_request":
            return result
        weak = weak or result
    return weak
