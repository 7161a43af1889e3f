"""The command line, through ``main(argv)`` and as a subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from edplan import __version__
from edplan.cli import main
from edplan.examples import example_path

DATA = str(example_path("siem_reap_synthetic.csv"))
SCENARIO = str(example_path("scenario_siem_reap.yaml"))
UNCERTAIN = str(example_path("scenario_siem_reap_sensitivity.yaml"))


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


def strict_json(text: str) -> Any:
    def no_constants(name: str) -> None:
        raise AssertionError(f"JSON contains {name}")

    return json.loads(text, parse_constant=no_constants)


def test_check_clean_data() -> None:
    code, out = run("check", DATA, "--structure", "cambodia")
    assert code == 0
    assert "No problem found" in out


def test_check_reports_errors_with_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "year,area,level,grade,age,sex,variable,value\n"
        "2022-23,A,,1,,F,enrolment,-4\n2022-23,A,,14,,F,enrolment,3\n2022-23,A,,1,,F,pupils,3\n",
        encoding="utf-8",
    )
    code, out = run("check", str(path), "--format", "json")
    assert code == 2
    errors = strict_json(out)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "value"),
        (3, "grade"),
        (4, "variable"),
    ]


def test_check_strict_on_warnings(tmp_path: Path) -> None:
    path = tmp_path / "warn.csv"
    path.write_text(
        "year,area,level,grade,age,sex,variable,value\n"
        "2022-23,A,,1,,T,enrolment,10\n2022-23,A,,1,,T,repeaters,20\n",
        encoding="utf-8",
    )
    assert run("check", str(path))[0] == 0
    code, out = run("check", str(path), "--strict")
    assert code == 1
    assert "WARNING [repeaters_above_enrolment] area A, year 2022-23" in out


def test_indicators_json() -> None:
    code, out = run("indicators", DATA, "--year", "2019-20", "--format", "json")
    assert code == 0
    records = strict_json(out)
    assert records
    keys = {"indicator", "year", "area", "level", "grade", "sex", "value"}
    plain = [r for r in records if "of" not in r]
    parity = [r for r in records if "of" in r]
    assert all(set(r) == keys for r in plain)
    assert all(set(r) == keys | {"of"} and r["sex"] is None for r in parity)
    ger = [
        r
        for r in plain
        if r["indicator"] == "gross_enrolment_ratio" and r["level"] == "primary" and r["sex"] == "T"
    ]
    assert len(ger) == 1
    assert ger[0]["grade"] is None
    assert ger[0]["value"] == pytest.approx(101.32, abs=0.01)


def test_indicators_csv_area_and_selection(tmp_path: Path) -> None:
    out_file = tmp_path / "i.csv"
    code, _ = run(
        "indicators",
        DATA,
        "--year",
        "2020-21",
        "--area",
        "17",
        "--indicator",
        "pupil_teacher_ratio",
        "--format",
        "csv",
        "--out",
        str(out_file),
    )
    assert code == 0
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "indicator,year,area,level,grade,sex,value,of"
    assert len(lines) == 5  # one per level
    assert all(line.startswith("pupil_teacher_ratio,2020-21,17,") for line in lines[1:])


def test_indicators_xlsx(tmp_path: Path) -> None:
    import openpyxl

    out_file = tmp_path / "i.xlsx"
    assert (
        run("indicators", DATA, "--year", "2019-20", "--format", "xlsx", "--out", str(out_file))[0]
        == 0
    )
    ws = openpyxl.load_workbook(out_file, read_only=True)["data"]
    assert next(ws.iter_rows(max_row=1, values_only=True))[:3] == ("indicator", "year", "area")


def test_cohort_json() -> None:
    code, out = run("cohort", DATA, "--level", "primary", "--year", "2019-20", "--format", "json")
    assert code == 0
    data = strict_json(out)
    for key in ("promotion_rate", "repetition_rate", "dropout_rate", "survival_rate", "dropouts"):
        assert list(data[key]) == ["1", "2", "3", "4", "5", "6"]
    for key in (
        "graduates",
        "pupil_years",
        "coefficient_of_efficiency",
        "years_input_per_graduate",
    ):
        assert isinstance(data[key], float)
    assert data["survival_rate"]["1"] == 100.0
    assert data["graduates"] + sum(data["dropouts"].values()) == pytest.approx(1000.0)


def test_cohort_cap_and_sex() -> None:
    _, free = run("cohort", DATA, "--level", "primary", "--year", "2019-20", "--sex", "F")
    _, capped = run(
        "cohort",
        DATA,
        "--level",
        "primary",
        "--year",
        "2019-20",
        "--sex",
        "F",
        "--max-repetitions",
        "1",
    )
    assert strict_json(capped)["graduates"] < strict_json(free)["graduates"]
    assert strict_json(capped)["max_repetitions"] == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_project_text_formats(fmt: str) -> None:
    code, out = run("project", DATA, SCENARIO, "--format", fmt)
    assert code == 0
    if fmt == "json":
        records = strict_json(out)
        assert set(records[0]) == {"year", "area", "level", "grade", "sex", "variable", "value"}
    else:
        assert out.splitlines()[0] == "year,area,level,grade,sex,variable,value"
        assert "2030-31,17,primary,,T,financing_gap," in out


def test_project_xlsx(tmp_path: Path) -> None:
    out_file = tmp_path / "p.xlsx"
    assert run("project", DATA, SCENARIO, "--format", "xlsx", "--out", str(out_file))[0] == 0
    assert out_file.stat().st_size > 5000
    assert run("project", DATA, SCENARIO, "--format", "xlsx")[0] == 2


def test_compare_and_sensitivity() -> None:
    code, out = run("compare", DATA, SCENARIO, UNCERTAIN, "--format", "json")
    assert code == 0
    assert len({r["scenario"] for r in strict_json(out)}) == 2
    code, out = run("sensitivity", DATA, UNCERTAIN, "--draws", "50", "--seed", "1")
    assert code == 0
    assert out.splitlines()[0] == "year,area,level,variable,percentile,value"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["indicators", DATA], "--year"),
        (["indicators", DATA, "--year", "1990-91"], "not in the data"),
        (["indicators", DATA, "--year", "2019-20", "--area", "99"], "area '99'"),
        (["indicators", "missing.csv", "--year", "2019-20"], "does not exist"),
        (["cohort", DATA, "--level", "tertiary", "--year", "2019-20"], "unknown level"),
        (["cohort", DATA, "--level", "primary", "--year", "2020-21"], "2021-22"),
        (
            ["cohort", DATA, "--level", "primary", "--year", "2019-20", "--max-repetitions", "-1"],
            "0 or more",
        ),
        (["project", DATA, "missing.yaml"], "does not exist"),
        (["indicators", DATA, "--year", "2019-20", "--structure", "atlantis"], "built-in"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(*argv)
    assert code == 2
    assert message in capsys.readouterr().err


def test_bad_scenario_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\nbase_year: 2020-21\nfinal_year: 2025-26\nparameters:\n"
        "  pupil_teacher_ratio: {primary: -4}\n",
        encoding="utf-8",
    )
    assert run("project", DATA, str(path))[0] == 2
    err = capsys.readouterr().err
    assert "row 5, column parameters.pupil_teacher_ratio.primary" in err


def test_subprocess_module_entry_point() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "edplan", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"edplan {__version__}"
    cohort = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "edplan",
            "cohort",
            DATA,
            "--structure",
            "cambodia",
            "--level",
            "lower_secondary",
            "--year",
            "2019-20",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cohort.returncode == 0, cohort.stderr
    assert strict_json(cohort.stdout)["level"] == "lower_secondary"
    bad = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "edplan", "indicators", DATA],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "--year" in bad.stderr


def test_indicators_with_groups(tmp_path: Path) -> None:
    groups = tmp_path / "groups.yaml"
    groups.write_text('"NW": ["17"]\n', encoding="utf-8")
    code, out = run(
        "indicators",
        DATA,
        "--year",
        "2020-21",
        "--groups",
        str(groups),
        "--area",
        "NW",
        "--indicator",
        "gross_enrolment_ratio",
        "--format",
        "json",
    )
    assert code == 0
    records = strict_json(out)
    assert {r["area"] for r in records} == {"NW"}
    _, same = run(
        "indicators",
        DATA,
        "--year",
        "2020-21",
        "--area",
        "17",
        "--indicator",
        "gross_enrolment_ratio",
        "--format",
        "json",
    )
    assert [r["value"] for r in records] == [r["value"] for r in strict_json(same)]
    groups.write_text('"NW": ["99"]\n', encoding="utf-8")
    assert run("indicators", DATA, "--year", "2020-21", "--groups", str(groups))[0] == 2
