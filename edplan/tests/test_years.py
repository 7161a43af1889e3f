from __future__ import annotations

import pytest

from edplan import SchoolYear


@pytest.mark.parametrize(
    ("text", "start"),
    [("2023-24", 2023), ("2023-2024", 2023), ("2023/24", 2023), (" 1999-00 ", 1999)],
)
def test_parse(text: str, start: int) -> None:
    assert SchoolYear(text).start == start


@pytest.mark.parametrize("text", ["2023", "2023-25", "2023-2025", "23-24", "", "abcd-ef"])
def test_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="school year"):
        SchoolYear(text)


def test_not_a_string() -> None:
    with pytest.raises(ValueError, match="as text"):
        SchoolYear(2023)  # type: ignore[arg-type]


def test_ordering_and_arithmetic() -> None:
    a, b = SchoolYear("2023-24"), SchoolYear("2030-31")
    assert a < b
    assert b > a
    assert a.next() == SchoolYear("2024-25")
    assert a.previous() == SchoolYear("2022-23")
    assert a + 7 == b
    assert b - a == 7
    assert sorted([b, a]) == [a, b]
    assert len({a, SchoolYear("2023-2024")}) == 1
    assert str(SchoolYear("1999-00").next()) == "2000-01"
    assert SchoolYear.parse(a) is a
