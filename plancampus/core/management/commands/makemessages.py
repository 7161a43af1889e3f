"""Django's makemessages, also extracting the engine's labels marked with ``edplan.i18n.N_``."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
