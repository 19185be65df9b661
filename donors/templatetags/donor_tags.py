from django import template

from accounts.masking import MASK

from ..phones import display_phone
from ..privacy import ERASED_PHONE_PREFIX, listed_phone

register = template.Library()


@register.filter
def phone(value):
    """+919876543210 → +91 98765 43210; an erased donor's placeholder shows as a dash."""
    if value and value.startswith(ERASED_PHONE_PREFIX):
        return "—"
    return display_phone(value) if value else ""


@register.filter
def phone_for(donor, user):
    """``donor``'s phone as a list shows it to ``user``: whole, or masked (98••••3210) for
    staff looking at the units below their own (privacy.phone_shown_to)."""
    shown = listed_phone(user, donor)
    return shown if MASK in shown else phone(shown)
