"""The providers that post inbound SMS replies and missed calls to our webhooks, each with
its own way of proving the post is theirs, and its own payload.

- ``generic``: JSON ``{"id", "from", "text"}`` (a missed call: ``{"id", "from"}``), signed
  with ``X-BloodBond-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` with
  INBOUND_GENERIC_SECRET. For a gateway you program yourself, or a relay.
- ``twilio``: form fields ``MessageSid``/``From``/``Body`` (SMS) or ``CallSid``/``From``
  (voice: we reject the call, so it stays a free missed call); ``X-Twilio-Signature`` is
  base64 HMAC-SHA1, keyed by INBOUND_TWILIO_AUTH_TOKEN, of the full URL Twilio called
  followed by every POST parameter name and value, sorted by name.
- ``exotel``: form fields ``SmsSid``/``From``/``Body`` (SMS) or ``CallSid``/``CallFrom``
  (missed-call "Passthru" applet); Exotel does not sign, so the URL carries a shared secret,
  ``?token=INBOUND_EXOTEL_TOKEN`` (Gupshup and Knowlarity work the same way).
- ``whatsapp``: the WhatsApp Cloud API's JSON (``entry[].changes[].value.messages[]``),
  signed ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` with the app
  secret INBOUND_WHATSAPP_APP_SECRET. SMS only (WhatsApp has no missed calls).

``verify`` and ``events`` are pure functions of the request's URL, headers and body; a
provider with no secret configured verifies nothing (every post is refused)."""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl

from django.conf import settings
from django.utils.crypto import constant_time_compare

from .choices import InboundKind
from .inbound import InboundEvent


class BadPayload(ValueError):
    """The post is signed but not a payload we understand: answered 400."""


def _hmac_hex(secret: str, body: bytes, digest=hashlib.sha256) -> str:
    return hmac.new(secret.encode(), body, digest).hexdigest()


def _form(body: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise BadPayload("not UTF-8") from exc


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload("not JSON") from exc
    if not isinstance(data, dict):
        raise BadPayload("not an object")
    return data


def _body_signed(given: str, secret: str, body: bytes) -> bool:
    """``given`` is "sha256=" and the hex HMAC-SHA256 of the raw body with ``secret``."""
    return bool(secret) and constant_time_compare(given, "sha256=" + _hmac_hex(secret, body))


def _require(data: dict, *names: str) -> list[str]:
    values = [data.get(name) for name in names]
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise BadPayload(f"missing {', '.join(names)}")
    return [v.strip() for v in values]


class Provider:
    name = ""
    kinds = (InboundKind.SMS, InboundKind.MISSED_CALL)
    content_type = "text/plain"

    def secret(self) -> str:
        return settings.INBOUND_SECRETS.get(self.name, "")

    def verify(self, *, url: str, headers, body: bytes, query: dict) -> bool:
        raise NotImplementedError

    def events(self, kind: str, body: bytes) -> list[InboundEvent]:
        raise NotImplementedError

    def answer(self, kind: str) -> str:
        return "ok"


class Generic(Provider):
    name = "generic"

    def verify(self, *, url, headers, body, query) -> bool:
        return _body_signed(headers.get("X-BloodBond-Signature", ""), self.secret(), body)

    def events(self, kind, body):
        data = _json_object(body)
        message_id, phone = _require(data, "id", "from")
        text = data.get("text", "") if kind == InboundKind.SMS else ""
        if not isinstance(text, str):
            raise BadPayload("text is not a string")
        return [InboundEvent(self.name, message_id, kind, phone, text)]


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature for a POST of ``params`` to ``url``."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Twilio(Provider):
    name = "twilio"
    content_type = "text/xml"

    def verify(self, *, url, headers, body, query) -> bool:
        if not self.secret():
            return False
        try:
            params = _form(body)
        except BadPayload:
            return False
        expected = twilio_signature(self.secret(), url, params)
        return constant_time_compare(headers.get("X-Twilio-Signature", ""), expected)

    def events(self, kind, body):
        data = _form(body)
        if kind == InboundKind.SMS:
            message_id, phone = _require(data, "MessageSid", "From")
            return [InboundEvent(self.name, message_id, kind, phone, data.get("Body", ""))]
        call_id, phone = _require(data, "CallSid", "From")
        return [InboundEvent(self.name, call_id, kind, phone)]

    def answer(self, kind: str) -> str:
        # A voice webhook's answer: reject the call, so the donor's missed call costs nothing.
        if kind == InboundKind.MISSED_CALL:
            return '<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>'
        return '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class Exotel(Provider):
    name = "exotel"

    def verify(self, *, url, headers, body, query) -> bool:
        return bool(self.secret()) and constant_time_compare(query.get("token", ""), self.secret())

    def events(self, kind, body):
        data = _form(body)
        if kind == InboundKind.SMS:
            message_id, phone = _require(data, "SmsSid", "From")
            return [InboundEvent(self.name, message_id, kind, phone, data.get("Body", ""))]
        call_id = _require(data, "CallSid")[0]
        phone = (data.get("CallFrom") or data.get("From") or "").strip()
        if not phone:
            raise BadPayload("missing CallFrom")
        return [InboundEvent(self.name, call_id, kind, phone)]


class WhatsApp(Provider):
    name = "whatsapp"
    kinds = (InboundKind.SMS,)

    def verify(self, *, url, headers, body, query) -> bool:
        return _body_signed(headers.get("X-Hub-Signature-256", ""), self.secret(), body)

    def events(self, kind, body):
        data = _json_object(body)
        found = []
        for entry in _list(data.get("entry")):
            for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
                value = change.get("value") if isinstance(change, dict) else None
                messages = value.get("messages") if isinstance(value, dict) else None
                for message in _list(messages):  # status updates carry no messages
                    if isinstance(message, dict):
                        found.append(self._event(message))
        return found

    def _event(self, message: dict) -> InboundEvent:
        message_id, phone = _require(message, "id", "from")
        kind = message.get("type")
        if kind == "text":
            text = (message.get("text") or {}).get("body", "")
        elif kind == "button":  # a quick-reply button of a template message
            text = (message.get("button") or {}).get("text", "")
        elif kind == "interactive":
            text = ((message.get("interactive") or {}).get("button_reply") or {}).get("title", "")
        else:
            text = f"[{kind}]"  # a photo or a voice note: a person listens to it
        text = text if isinstance(text, str) else ""
        return InboundEvent(self.name, message_id, InboundKind.SMS, "+" + phone.lstrip("+"), text)


def _list(value) -> list:
    return value if isinstance(value, list) else []


PROVIDERS = {p.name: p for p in (Generic(), Twilio(), Exotel(), WhatsApp())}
