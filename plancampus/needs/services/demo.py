"""Demo records of the needs module."""

from plancampus.core.models import Organisation

from .framework import framework_seed_epm


def demo_load() -> list[str]:
    nie = Organisation.objects.get(code="NIE")
    framework = framework_seed_epm(institution=nie)
    return [
        f"competency framework '{framework.name_en}' with {framework.competencies.count()} "
        f"competencies in {framework.domains.count()} domains (example content)"
    ]
