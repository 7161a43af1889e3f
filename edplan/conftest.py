"""pytest configuration for the engine (doctests and ``edplan/tests``).

The engine's tests must run without Django (``pytest edplan -p no:django``).  The
repository's root ``conftest.py`` has an autouse fixture ``_test_settings`` that needs
pytest-django's ``settings``; this fixture of the same name replaces it for everything
under ``edplan/`` (the engine has no settings to adjust).
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _test_settings() -> None:
    """Nothing to configure: the engine knows nothing about Django."""
