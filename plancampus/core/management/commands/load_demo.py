import importlib

from django.apps import apps
from django.core.management.base import BaseCommand

from plancampus.core.services.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: Cambodia's real areas and organisations, and synthetic people and "
        "accounts, then each module's demo records. Idempotent."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = demo_load()
        self.stdout.write(f"Areas: {result.areas}")
        self.stdout.write(
            f"Organisations: {result.organisations}; people: {result.people} "
            "(people and accounts are synthetic demo records)"
        )
        # Each other PlanCampus app may provide services/demo.py with demo_load() -> list[str].
        for config in apps.get_app_configs():
            if not config.name.startswith("plancampus.") or config.label == "core":
                continue
            try:
                module = importlib.import_module(f"{config.name}.services.demo")
            except ModuleNotFoundError:
                continue
            for line in module.demo_load():
                self.stdout.write(f"{config.verbose_name}: {line}")
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in result.accounts:
            self.stdout.write(f"  {account.username:<14} {account.role} — {account.institution}")
