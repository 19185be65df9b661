from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampsConfig(AppConfig):
    name = "camps"
    verbose_name = _("Camps and partners")
