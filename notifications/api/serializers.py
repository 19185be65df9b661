from rest_framework import serializers

from ..models import Message
from ..selectors import listed_address
from ..services import RESEND_QUEUED, resend_note


class MessageSerializer(serializers.ModelSerializer):
    # A phone is masked (98••••3210) for staff of the units above the recipient's.
    address = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "topic",
            "subject_key",
            "recipient_key",
            "recipient_name",
            "address",
            "channel",
            "language",
            "template",
            "body",
            "due_on",
            "valid_until",
            "unit",
            "state",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "provider_ref",
            "last_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_address(self, message: Message) -> str:
        request = self.context.get("request")
        return listed_address(request.user if request else None, message)


class MessageResendSerializer(MessageSerializer):
    """The message after ``resend``, with what became of it: ``queued`` is false when the
    broker could not be reached (the message is pending all the same, and beat's next
    dispatch sends it); ``detail`` says so in words."""

    queued = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "queued", "detail"]
        read_only_fields = fields

    def get_queued(self, message: Message) -> bool:
        return self.context["resend"] == RESEND_QUEUED

    def get_detail(self, message: Message) -> str:
        return resend_note(self.context["resend"])
