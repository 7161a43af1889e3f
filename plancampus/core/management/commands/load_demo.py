from django.core.management.base import BaseCommand

from plancampus.core.services.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: Cambodia's real areas and organisations, and synthetic people and accounts."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = demo_load()
        self.stdout.write(f"Areas: {result.areas}")
        self.stdout.write(
            f"Organisations: {result.organisations}; people: {result.people} "
            "(people and accounts are synthetic demo records)"
        )
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in result.accounts:
            self.stdout.write(f"  {account.username:<14} {account.role} — {account.institution}")
