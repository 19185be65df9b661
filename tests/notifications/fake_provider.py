"""A fake provider for the inbound webhooks: builds the posts Twilio, Exotel, the WhatsApp
Cloud API and a generic gateway make, signed as each provider signs them (written here from
the providers' documentation, not from our code), and posts them with the test client."""

import base64
import hashlib
import hmac
import json
import uuid
from urllib.parse import urlencode

SECRETS = {
    "generic": "generic-secret",
    "twilio": "twilio-auth-token",
    "exotel": "exotel-token",
    "whatsapp": "whatsapp-app-secret",
}
BASE = "https://bloodbond.example"


def configure(settings):
    settings.INBOUND_SECRETS = dict(SECRETS)
    # Twilio signs the full address it posted to: the portal's (SITE_URL, once named
    # PORTAL_BASE_URL, which settings read only at start-up).
    settings.SITE_URL = BASE


class FakeProvider:
    def __init__(self, client, name="generic"):
        self.client = client
        self.name = name
        self.sent = []

    def _path(self, kind):
        hook = "sms" if kind == "sms" else "missed-call"
        path = f"/hooks/{hook}/{self.name}/"
        return path + (f"?token={SECRETS['exotel']}" if self.name == "exotel" else "")

    def request(self, kind, phone, text="", message_id=None):
        """(path, body bytes, content type, headers) for one answer, signed."""
        message_id = message_id or uuid.uuid4().hex
        path = self._path(kind)
        if self.name == "generic":
            payload = {"id": message_id, "from": phone}
            if kind == "sms":
                payload["text"] = text
            body = json.dumps(payload).encode()
            mac = hmac.new(SECRETS["generic"].encode(), body, hashlib.sha256).hexdigest()
            return path, body, "application/json", {"X-BloodBond-Signature": f"sha256={mac}"}
        if self.name == "twilio":
            if kind == "sms":
                params = {"MessageSid": message_id, "From": phone, "Body": text, "To": "+1555"}
            else:
                params = {"CallSid": message_id, "From": phone, "CallStatus": "ringing"}
            signed = BASE + path + "".join(k + params[k] for k in sorted(params))
            mac = hmac.new(SECRETS["twilio"].encode(), signed.encode(), hashlib.sha1).digest()
            headers = {"X-Twilio-Signature": base64.b64encode(mac).decode()}
            return path, urlencode(params).encode(), "application/x-www-form-urlencoded", headers
        if self.name == "exotel":
            if kind == "sms":
                params = {"SmsSid": message_id, "From": "0" + phone[-10:], "Body": text}
            else:
                params = {"CallSid": message_id, "CallFrom": "0" + phone[-10:]}
            return path, urlencode(params).encode(), "application/x-www-form-urlencoded", {}
        if self.name == "whatsapp":
            message = {
                "from": phone.lstrip("+"),
                "id": message_id,
                "type": "text",
                "text": {"body": text},
            }
            value = {"messaging_product": "whatsapp", "messages": [message]}
            body = json.dumps(
                {
                    "object": "whatsapp_business_account",
                    "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
                }
            ).encode()
            mac = hmac.new(SECRETS["whatsapp"].encode(), body, hashlib.sha256).hexdigest()
            return path, body, "application/json", {"X-Hub-Signature-256": f"sha256={mac}"}
        raise ValueError(self.name)

    def post(self, path, body, content_type, headers):
        response = self.client.generic(
            "POST", path, body, content_type=content_type, headers=headers
        )
        self.sent.append((path, body, content_type, headers))
        return response

    def reply(self, phone, text, *, message_id=None):
        return self.post(*self.request("sms", phone, text, message_id))

    def missed_call(self, phone, *, message_id=None):
        return self.post(*self.request("missed_call", phone, message_id=message_id))

    def replay(self):
        """Post the last request again, exactly (a provider retrying)."""
        return self.post(*self.sent[-1])
