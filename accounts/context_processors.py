from django.conf import settings


def portal(request):
    """Names every template shows: the portal's and the force's."""
    return {"PORTAL_NAME": settings.PORTAL_NAME, "FORCE_NAME": settings.FORCE_NAME}
