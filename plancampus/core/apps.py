from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "plancampus.core"
    label = "core"
    verbose_name = _("Directory and accounts")
    default_auto_field = "django.db.models.BigAutoField"
