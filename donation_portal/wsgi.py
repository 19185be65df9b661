import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "donation_portal.settings")
application = get_wsgi_application()


def _warm_urlconf() -> None:
    """Import every view now, as the worker boots, not on its first request: the URLconf
    pulls in the PDF, spreadsheet and API schema libraries (3–8 s on a busy machine, paid
    by whoever asked first, e.g. the first dashboard of the day). A failure is logged and
    left for the first request to report again, as it would have without this."""
    from django.urls import get_resolver

    try:
        get_resolver().url_patterns  # noqa: B018 (importing the views is the point)
    except Exception:
        logging.getLogger(__name__).exception("wsgi: the URLconf did not import at boot")


_warm_urlconf()
