from django import template

from ..phones import display_phone
from ..privacy import ERASED_PHONE_PREFIX

register = template.Library()


@register.filter
def phone(value):
    """+919876543210 → +91 98765 43210; an erased donor's placeholder shows as a dash."""
    if value and value.startswith(ERASED_PHONE_PREFIX):
        return "—"
    return display_phone(value) if value else ""
