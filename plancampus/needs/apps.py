from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "plancampus.needs"
    label = "needs"
    verbose_name = _("Training needs and capacity development")
    default_auto_field = "django.db.models.BigAutoField"
