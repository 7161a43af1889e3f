"""The French, Khmer and Arabic catalogues are complete and well-formed.

Checked with translate-toolkit (the library made for PO files), not with ad-hoc parsing:
every message is translated, nothing is fuzzy, placeholders survive translation, and the
compiled catalogues are in step with the sources.
"""

import re
from pathlib import Path

import pytest
from translate.storage import po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fr", "km", "ar"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def _units(language):
    catalogue = po.pofile.parsefile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    return [unit for unit in catalogue.units if not unit.isheader() and not unit.isobsolete()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    units = _units(language)
    assert units, f"locale/{language} has no messages: run `make messages`"
    untranslated = [unit.source for unit in units if not unit.istranslated()]
    fuzzy = [unit.source for unit in units if unit.isfuzzy()]
    assert not untranslated, (
        f"{len(untranslated)} untranslated in {language}, e.g. {untranslated[:5]}"
    )
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    broken = []
    for unit in _units(language):
        sources = unit.source.strings if unit.hasplural() else [unit.source]
        targets = unit.target.strings if unit.hasplural() else [unit.target]
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            # A plural form may drop the count (e.g. "one file"), never invent a placeholder.
            found = set(PLACEHOLDER.findall(target))
            if not found <= expected | set(PLACEHOLDER.findall(sources[0])):
                broken.append((unit.source, target))
            if not unit.hasplural() and found != expected:
                broken.append((unit.source, target))
    assert not broken, f"placeholders differ in {language}: {broken[:5]}"


def test_catalogues_are_in_step_with_the_sources(tmp_path):
    """Every translatable string in the code is in the catalogues (`make messages` was run).

    Extracts the messages afresh into a scratch locale with the project's own makemessages
    (which also reads the engine's ``N_`` labels) and compares with the Khmer catalogue.
    """
    import shutil
    import subprocess
    import sys

    scratch = ROOT / "locale" / "xx"
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "xx",
                "--no-obsolete",
                "--ignore=.venv",
                "--ignore=node_modules",
                "--ignore=staticfiles",
                "--ignore=benchmarks",
                "--ignore=.tools",
                "--ignore=tests",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        fresh = po.pofile.parsefile(str(scratch / "LC_MESSAGES" / "django.po"))
        expected = {(unit.getcontext(), unit.source) for unit in fresh.units if not unit.isheader()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for language in LANGUAGES:
        have = {(unit.getcontext(), unit.source) for unit in _units(language)}
        missing = sorted(source for _context, source in expected - have)
        assert not missing, (
            f"{len(missing)} messages missing from locale/{language}: run `make messages` "
            f"and translate them, e.g. {missing[:5]}"
        )
