"""Month names spelt right in Hindi.

Django's own Hindi catalogue writes three month names without the nasal mark ("नवमबर" for
नवंबर, also सितंबर and दिसंबर). Dates are formatted with Django's month names, which are
looked up in every catalogue, ours (LOCALE_PATHS) first: listing the names here puts them in
our catalogue (``make messages``), where they are spelt right."""

from django.utils.translation import gettext_noop

MONTHS_SPELT_RIGHT = (gettext_noop("September"), gettext_noop("November"), gettext_noop("December"))
