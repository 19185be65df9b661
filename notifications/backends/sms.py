"""SMS through an HTTP gateway (Indian operators: DLT-registered entity and templates).

POSTs JSON ``{to, sender, text, unicode, dlt_entity_id, dlt_template_id, reference}`` to
NOTIFY_SMS_URL with ``Authorization: Bearer NOTIFY_SMS_API_KEY``. The message id is both
``reference`` and the ``Idempotency-Key`` header, so a retry after a lost answer is not
sent twice by a gateway that honours it. The answer's ``id`` (or ``message_id``) is kept
as the provider reference."""

from django.conf import settings

from ..smsparts import is_gsm
from . import BaseBackend, PermanentError
from .http import post_json


class Backend(BaseBackend):
    def send(self, message) -> str:
        if not message.phone:
            raise PermanentError("no phone number")
        payload = {
            "to": message.phone,
            "sender": settings.NOTIFY_SMS_SENDER_ID,
            "text": message.body,
            "unicode": not is_gsm(message.body),
            "dlt_entity_id": settings.NOTIFY_SMS_DLT_ENTITY_ID,
            "dlt_template_id": settings.NOTIFY_SMS_DLT_TEMPLATE_IDS.get(message.template, ""),
            "reference": str(message.pk),
        }
        headers = {
            "Authorization": f"Bearer {settings.NOTIFY_SMS_API_KEY}",
            "Idempotency-Key": f"bloodbond-{message.pk}",
        }
        answer = post_json(settings.NOTIFY_SMS_URL, payload, headers=headers)
        return str(answer.get("id") or answer.get("message_id") or "")
