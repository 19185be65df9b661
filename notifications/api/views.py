from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.views import AuditedListMixin, ScopedViewSetMixin

from ..filters import MessageFilterSet
from ..models import Message
from ..services import message_resend, resend_note
from .serializers import MessageResendSerializer, MessageSerializer


class MessageViewSet(AuditedListMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The outbox in the caller's jurisdiction: every message with its state. Read-only;
    ``POST messages/{id}/resend/`` puts a failed or cancelled message back in line."""

    queryset = Message.objects.select_related("unit").order_by("-created_at", "-id")
    serializer_class = MessageSerializer
    audit_what = "messages"
    filterset_class = MessageFilterSet
    search_fields = ["recipient_name", "subject_key"]
    ordering_fields = ["created_at", "due_on", "state", "id"]

    @extend_schema(request=None, responses={200: MessageResendSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        message = self.get_object()
        done = message_resend(message=message, request=request)
        if not done:
            return Response({"state": [resend_note(done)]}, status=status.HTTP_400_BAD_REQUEST)
        message.refresh_from_db()
        context = {**self.get_serializer_context(), "resend": done}
        return Response(MessageResendSerializer(message, context=context).data)
