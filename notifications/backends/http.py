"""JSON over HTTP to a provider, with the provider's answer sorted into permanent and
temporary errors. Shared by the SMS gateway and the WhatsApp webhook."""

import json
import urllib.error
import urllib.request

from django.conf import settings

from . import AddressRefused, PermanentError, TemporaryError

# Worth another try: 408 Request Timeout, 409 Conflict (a gateway still busy with a request
# under the same Idempotency-Key), 425 Too Early and 429 Too Many Requests. No other 4xx is:
# the ones below refuse the address, the rest (401/403 our key, 413/415 our request) are ours.
RETRYABLE_4XX = {408, 409, 425, 429}
# A refused request about the recipient (a gateway's answer to an invalid number).
ADDRESS_4XX = {400, 404, 410, 422}


def post_json(url: str, payload: dict, *, headers: dict) -> dict:
    if not url.startswith(("https://", "http://")):
        raise PermanentError("the gateway URL is not configured (http:// or https://)")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        timeout = settings.NOTIFY_HTTP_TIMEOUT
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            raw = answer.read()
    except urllib.error.HTTPError as exc:
        detail = f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
        if exc.code >= 500 or exc.code in RETRYABLE_4XX:
            raise TemporaryError(detail) from exc
        if exc.code in ADDRESS_4XX:
            raise AddressRefused(detail) from exc
        raise PermanentError(detail) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TemporaryError(f"no answer from the gateway: {exc}") from exc
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}
