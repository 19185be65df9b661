"""The portal's URLs plus one page that fails, to see the 500 page a visitor gets."""

from django.urls import path

from donation_portal.urls import urlpatterns as portal_urls


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), *portal_urls]
