from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Shared plumbing that knows no domain: spreadsheets, PDF pages, the unit-subtree
    filter, the scoped-unit API field, form helpers. Imports ``accounts`` only."""

    name = "portal"
