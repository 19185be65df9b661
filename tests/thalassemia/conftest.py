import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # The API throttle counts requests in the cache; with time frozen, a file cache kept
    # between runs (the embedded default) would fill the per-minute budget and answer 429.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "thalassemia-tests",
        }
    }
    cache.clear()
