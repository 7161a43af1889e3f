"""The example dataset: calibrated on real totals, reproducible, labelled synthetic."""

from __future__ import annotations

import numpy as np

import edplan
from edplan.examples import _generate, example_path

# Siem Reap (17), public schools, 2020-21: cambodia_public_schools_2020_21_by_province.csv
REAL_2020_21 = {
    "enrolment": 273052,
    "enrolment_female": 138304,
    "repeaters": 15094,
    "repeaters_female": 5183,
    "teachers": 6080,
    "teachers_female": 3828,
}


def test_totals_match_the_real_figures(example_data: edplan.Dataset) -> None:
    y = example_data.year_index("2020-21")
    enrol = example_data.level_total("enrolment")[0, y]
    assert np.nansum(enrol[:, 2]) == REAL_2020_21["enrolment"]
    assert np.nansum(enrol[:, 0]) == REAL_2020_21["enrolment_female"]
    rep = example_data.level_total("repeaters")[0, y]
    assert np.nansum(rep[:, 2]) == REAL_2020_21["repeaters"]
    assert np.nansum(rep[:, 0]) == REAL_2020_21["repeaters_female"]
    teachers = example_data.level_total("teachers")[0, y]
    assert np.nansum(teachers[:, 2]) == REAL_2020_21["teachers"]
    assert np.nansum(teachers[:, 0]) == REAL_2020_21["teachers_female"]


def test_file_is_labelled_synthetic_and_reproducible() -> None:
    text = example_path("siem_reap_synthetic.csv").read_text(encoding="utf-8")
    assert text.startswith("# SYNTHETIC")
    assert text == _generate.render()


def test_example_scenarios_load(cambodia) -> None:
    for name in ("scenario_siem_reap.yaml", "scenario_siem_reap_sensitivity.yaml"):
        scenario = edplan.load_scenario(example_path(name), cambodia)
        assert scenario.base_year == edplan.SchoolYear("2020-21")
