"""One FilterSet for the outbox, shared by the page and the API (and dashboard links)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.fields import BoundedDateFilter

from .choices import Channel, MessageState
from .models import Message


class MessageFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=MessageState.choices, label=pgettext_lazy("message", "State"), empty_label=_("Any")
    )
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, label=_("Channel"), empty_label=_("Any")
    )
    topic = django_filters.CharFilter(label=_("About"))
    created_from = BoundedDateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_to = BoundedDateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )

    class Meta:
        model = Message
        fields = []
