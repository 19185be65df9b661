"""Red-cell compatibility (DOMAIN.md §2): which donor groups a recipient may receive.

The matrix is data, read by matching (``thalassemia/matching.py``) and by booking, which
refuses an incompatible donor (``thalassemia/booking.py``); tests/donors/test_compatibility.py
derives it from the rule it encodes (a donor's ABO antigens are a subset of the recipient's,
an RhD-positive donor needs an RhD-positive recipient; Bombay ``Oh`` gives to and takes from
``Oh`` only). An unknown group ("") never matches. Plasma runs the other way; the portal
deals with red cells only."""

from .choices import BloodGroup

# recipient → the donor groups whose red cells it may receive, the identical group first.
RED_CELL_DONORS: dict[str, tuple[str, ...]] = {
    "O-": ("O-",),
    "O+": ("O+", "O-"),
    "A-": ("A-", "O-"),
    "A+": ("A+", "A-", "O+", "O-"),
    "B-": ("B-", "O-"),
    "B+": ("B+", "B-", "O+", "O-"),
    "AB-": ("AB-", "A-", "B-", "O-"),
    "AB+": ("AB+", "AB-", "A+", "A-", "B+", "B-", "O+", "O-"),
    "Oh": ("Oh",),
}

KNOWN_GROUPS = tuple(g.value for g in BloodGroup if g.value)


def donor_groups_for(recipient_group: str) -> tuple[str, ...]:
    """The donor groups ``recipient_group`` may receive red cells from (none when unknown)."""
    return RED_CELL_DONORS.get(recipient_group or "", ())


def can_receive(recipient_group: str, donor_group: str) -> bool:
    """Whether a recipient of ``recipient_group`` may receive red cells of ``donor_group``."""
    return bool(donor_group) and donor_group in donor_groups_for(recipient_group)


def identical(recipient_group: str, donor_group: str) -> bool:
    """The same ABO and RhD group (what a thalassaemia child should get when possible)."""
    return bool(recipient_group) and recipient_group == donor_group
