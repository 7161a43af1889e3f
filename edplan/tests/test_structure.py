from __future__ import annotations

from pathlib import Path

import pytest

from edplan import StructureError, load_structure


def test_cambodia(cambodia) -> None:
    assert cambodia.grades == tuple(range(1, 13))
    assert cambodia.level("pre_primary").official_ages == (3, 4, 5)
    assert not cambodia.level("pre_primary").graded
    assert cambodia.level("upper_secondary").official_ages == (15, 16, 17)
    assert cambodia.level("primary").intake == "population"
    assert cambodia.level("lower_secondary").intake == "transition"
    assert cambodia.grade_entry_age(12) == 17
    assert cambodia.previous_graded_level("lower_secondary").id == "primary"


def test_any_number_of_grades(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\nlevels:\n"
        "  - {id: primary, entry_age: 5, grades: [1, 2, 3, 4, 5, 6, 7, 8]}\n"
        "  - {id: secondary, entry_age: 13, grades: [9, 10, 11, 12]}\n",
        encoding="utf-8",
    )
    s = load_structure(path)
    assert s.level("secondary").official_ages == (13, 14, 15, 16)
    assert load_structure(s) is s
    assert load_structure(s.to_mapping()).grades == s.grades


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([{"id": "Primary", "entry_age": 6, "grades": [1]}], "snake_case"),
        ([{"id": "p", "entry_age": -1, "grades": [1]}], "entry age"),
        ([{"id": "p", "entry_age": 6, "grades": [2, 1]}], "increasing"),
        (
            [
                {"id": "p", "entry_age": 6, "grades": [1]},
                {"id": "q", "entry_age": 7, "grades": [1]},
            ],
            "already belongs",
        ),
        ([{"id": "p", "entry_age": 3, "grades": []}], "duration"),
        ([{"id": "p", "entry_age": 6, "grades": [1], "intake": "transition"}], "first graded"),
        (
            [
                {"id": "p", "entry_age": 6, "grades": [1]},
                {"id": "p", "entry_age": 7, "grades": [2]},
            ],
            "twice",
        ),
    ],
)
def test_invalid_structures(levels: list[dict[str, object]], message: str) -> None:
    with pytest.raises(StructureError) as info:
        load_structure({"name": "x", "levels": levels})
    assert message in str(info.value)


def test_unknown_name() -> None:
    with pytest.raises(StructureError, match="built-in"):
        load_structure("atlantis")


def test_unknown_level_lists_known(cambodia) -> None:
    with pytest.raises(KeyError, match="primary"):
        cambodia.level("tertiary")
