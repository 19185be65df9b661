from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Shared plumbing that knows no domain: spreadsheets and their upload page, PDF
    pages, the scoped-unit API field, form helpers. Imports ``accounts`` only."""

    name = "portal"
