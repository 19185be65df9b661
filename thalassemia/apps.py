from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThalassemiaConfig(AppConfig):
    name = "thalassemia"
    verbose_name = _("Thalassaemia children")
