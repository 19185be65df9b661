"""Email through Django's mail (EMAIL_BACKEND decides SMTP or console). The first line of
the rendered text is the subject."""

import smtplib

from django.conf import settings
from django.core.mail import send_mail

from . import AddressRefused, BaseBackend, PermanentError, TemporaryError


class Backend(BaseBackend):
    def send(self, message) -> str:
        if not message.email:
            raise PermanentError("no email address")
        subject, _, text = message.body.partition("\n")
        try:
            send_mail(subject.strip(), text.strip(), settings.DEFAULT_FROM_EMAIL, [message.email])
        except smtplib.SMTPRecipientsRefused as exc:
            raise AddressRefused(f"address refused: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryError(str(exc)) from exc
        return f"email-{message.pk}"
