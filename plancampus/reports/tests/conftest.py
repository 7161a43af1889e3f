"""Report tests compute the figures afresh unless a test turns the cache on itself."""

import pytest


@pytest.fixture(autouse=True)
def _no_report_cache(settings):
    settings.PLANCAMPUS_REPORTS_CACHE_SECONDS = 0
