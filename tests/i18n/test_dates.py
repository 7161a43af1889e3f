"""Dates are written in the reader's language (Django's Khmer catalogue has gaps we fill)."""

import datetime
import re

import pytest
from django.utils import dateformat, translation

LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("day", range(16, 23))  # a whole week, Monday 16 to Sunday 22
@pytest.mark.parametrize("month", range(1, 13))
def test_khmer_dates_have_no_english_day_or_month(day, month):
    moment = datetime.datetime(2026, month, min(day, 28), 8, 0, tzinfo=datetime.UTC)
    with translation.override("km"):
        for pattern in ("D j M Y, H:i", "N j, Y", "l j F Y", "j E Y"):
            written = dateformat.format(moment, pattern)
            assert not LATIN.search(written), (pattern, written)
