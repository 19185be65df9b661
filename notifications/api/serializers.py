from rest_framework import serializers

from ..models import Message


class MessageSerializer(serializers.ModelSerializer):
    address = serializers.CharField(read_only=True)

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
