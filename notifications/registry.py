"""What the outbox asks the domain rooms just before sending, filled by each room at start-up.

A domain app registers its checks from its ``AppConfig.ready`` (as thalassemia subscribes to
donors' hooks): the outbox calls them without knowing any domain app, not even by name. A
check takes the ``Message`` and answers why it must not go (a guardian opted out, the
transfusion is done), or None when it may."""

from collections.abc import Callable
from dataclasses import dataclass

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
# and who the number is; thalassemia: the request it answers). The webhook records the
# answer once and asks the handlers in start-up order; the first that answers decides.


@dataclass(frozen=True)
class InboundResult:
    """What an inbound answer did: an ``InboundOutcome``, what it was about ("assignment:12"),
    the police unit whose call desk sees it, and the person's name for that list."""

    outcome: str
    subject_key: str = ""
    unit: object = None
    name: str = ""


InboundHandler = Callable[[object], InboundResult | None]
_inbound_handlers: dict[str, InboundHandler] = {}


def register_inbound_handler(handler: InboundHandler) -> InboundHandler:
    """Ask ``handler`` about every inbound answer (an ``InboundMessage``), after the ones
    registered before it; it answers an ``InboundResult``, or None to let the next one."""
    _inbound_handlers[f"{handler.__module__}.{handler.__qualname__}"] = handler
    return handler


def inbound_result(row) -> InboundResult | None:
    """The first registered handler's result for ``row``, or None when none took it. A
    "no open request" from one room lets the next look (an emergency request is another
    room's): it stands only when no later handler acts."""
    weak = None
    for handler in list(_inbound_handlers.values()):
        result = handler(row)
        if result is None:
            continue
        if result.outcome != "no_request":
            return result
        weak = weak or result
    return weak
