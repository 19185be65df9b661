"""Phones on lists by role (issue 13), one rule for every room: donors' lists and exports,
the outbox's addresses. The roles that call people (admins, force admins, coordinators)
see every number in their scope whole; staff see whole the numbers of their own unit's
people, masked (``98••••3210``) for the units below them."""

from .choices import Role
from .permissions import has_role

MASK = "\u2022" * 4


def mask_phone(e164: str) -> str:
    """+919876543210 → 98••••3210: enough to tell two people apart on a list, not enough to
    call one. Anything shorter than a number is hidden whole."""
    digits = "".join(ch for ch in e164 or "" if ch.isdigit())
    if len(digits) < 10:
        return MASK
    national = digits[-10:]
    return f"{national[:2]}{MASK}{national[-4:]}"


def phone_shown_for_unit(user, unit_id) -> bool:
    """Whether ``user`` sees whole, on a list, the phone of a person of unit ``unit_id``."""
    if has_role(user, Role.COORDINATOR, Role.ADMIN):
        return True
    return (
        user is not None
        and getattr(user, "unit_id", None) is not None
        and (unit_id == user.unit_id)
    )
