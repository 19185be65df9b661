"""Two small guards every response and request passes through."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"


class NoStoreMiddleware:
    """Pages and API answers may hold personal data (a donor's phone, a child's record): no
    browser or proxy cache keeps them. A view that chose its own Cache-Control (a public,
    cacheable page) keeps it. Static files never reach here (whitenoise answers first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response


class AnonymousBodyCapMiddleware:
    """Anyone may post to the pledge form, the sign-in page and the token endpoint: a body
    larger than ANON_MAX_BODY_BYTES from someone not signed in is refused with 413 by its
    declared length, before a byte of it is read.

    The rest of the API is left to DRF: an API client authenticates there (a token header),
    after this middleware has run, and DRF refuses an unauthenticated write before it reads
    the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith(API_PREFIX) and request.path != API_PREFIX + "auth/token/"
        if api:
            return self.get_response(request)
        if request.method in ("POST", "PUT", "PATCH") and not request.user.is_authenticated:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.ANON_MAX_BODY_BYTES:
                return HttpResponse(
                    _("This form is larger than the portal accepts."),
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
