"""WhatsApp through a webhook speaking the Cloud API's message shape (Meta's
``POST /{phone-number-id}/messages``, or a relay that accepts the same JSON)."""

from django.conf import settings

from . import BaseBackend, PermanentError
from .http import post_json


class Backend(BaseBackend):
    def send(self, message) -> str:
        if not message.phone:
            raise PermanentError("no phone number")
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.phone.lstrip("+"),
            "type": "text",
            "text": {"preview_url": False, "body": message.body},
            "biz_opaque_callback_data": str(message.pk),
        }
        headers = {
            "Authorization": f"Bearer {settings.NOTIFY_WHATSAPP_TOKEN}",
            "Idempotency-Key": f"bloodbond-{message.pk}",
        }
        answer = post_json(settings.NOTIFY_WHATSAPP_URL, payload, headers=headers)
        messages = answer.get("messages") or [{}]
        return str(messages[0].get("id", ""))
