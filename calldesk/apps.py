from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalldeskConfig(AppConfig):
    name = "calldesk"
    verbose_name = _("Call desk")
