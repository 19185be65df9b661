from rest_framework import serializers

from ..models import Message
from ..selectors import listed_address


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
