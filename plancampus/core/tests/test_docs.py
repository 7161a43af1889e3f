"""The documentation stays true to the code (as Datasette's test_docs does)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_environment_setting_is_documented():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    names = set(
        re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z0-9_]+)"', settings_source)
    )
    assert names, "no environment variables found: has settings.py changed shape?"
    documented = (ROOT / "docs" / "reference" / "settings.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"document these settings in docs/reference/settings.md: {missing}"


def test_relative_links_in_docs_resolve():
    broken = []
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")) or target.startswith(
                "../shared"
            ):
                continue
            if not (page.parent / target).resolve().exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)
