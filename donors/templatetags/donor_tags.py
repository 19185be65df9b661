from django import template

from ..phones import display_phone

register = template.Library()


@register.filter
def phone(value):
    """+919876543210 → +91 98765 43210."""
    return display_phone(value) if value else ""
