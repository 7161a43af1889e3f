"""Docs do not drift from the code (in the spirit of Datasette's test_docs.py)."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

import edplan
from edplan.cli import build_parser
from edplan.docs import indicators_markdown, main, parameters_markdown, variables_markdown

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "docs" / "reference"
TUTORIAL = ROOT / "docs" / "tutorials" / "project-a-province.md"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_indicator_catalogue_is_generated() -> None:
    assert read(REFERENCE / "indicators.md") == indicators_markdown(), (
        "regenerate with: python -m edplan.docs indicators > docs/reference/indicators.md"
    )


@pytest.mark.parametrize("indicator", list(edplan.INDICATORS))
def test_every_indicator_is_documented_with_source(indicator: str) -> None:
    decl = edplan.INDICATORS[indicator]
    text = read(REFERENCE / "indicators.md")
    assert f"## {indicator}\n" in text
    assert decl.source in text
    assert decl.source.startswith("UIS")
    assert decl.label
    assert decl.unit
    assert decl.formula


def test_scenario_format_embeds_the_parameter_table() -> None:
    assert parameters_markdown() in read(REFERENCE / "scenario-format.md")


def test_data_template_embeds_the_variable_table() -> None:
    assert variables_markdown() in read(REFERENCE / "data-template.md")


def test_data_template_example_rows_come_from_the_example_file() -> None:
    text = read(REFERENCE / "data-template.md")
    block = text.split("```csv\n", 1)[1].split("```", 1)[0].splitlines()
    example = read(ROOT / "edplan" / "examples" / "siem_reap_synthetic.csv").splitlines()
    assert block[0] == example[6]  # the header follows six comment lines
    assert set(block[1:]) <= set(example)


def test_every_cli_command_and_option_is_documented() -> None:
    text = read(REFERENCE / "edplan-cli.md")
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[union-attr]
        assert f"## edplan {name}" in text
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, (name, option)


def test_tutorial_commands_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    for name in edplan.examples.EXAMPLES:
        shutil.copy(edplan.examples.example_path(name), tmp_path / name)
    monkeypatch.chdir(tmp_path)
    commands = re.findall(r"^edplan (.+)$", read(TUTORIAL), flags=re.MULTILINE)
    assert len(commands) >= 8
    for command in commands:
        argv = shlex.split(command)
        assert edplan.cli.main(argv, stdout=io.StringIO()) == 0, command


def test_tutorial_figures_match_the_engine(example_data: edplan.Dataset) -> None:
    text = read(TUTORIAL)
    results = edplan.compute_indicators(example_data, year=["2019-20", "2020-21"])
    ger = results.get("gross_enrolment_ratio", area="17", year="2020-21", level="primary")
    survival = results.get("survival_rate", area="17", year="2019-20", grade=6)
    assert f"primary,,T,{ger:.9f}" in text
    assert survival is not None
    assert round(survival, 1) == 81.5
    assert "81.5 %" in text
    cohort = edplan.reconstructed_cohort(example_data, level="primary", year="2019-20")
    assert f"graduates,,{cohort.graduates:.10f}" in text
    projection = edplan.project(
        example_data, edplan.examples.example_path("scenario_siem_reap.yaml")
    )
    gap = projection.value("financing_gap", year="2030-31", area="17", level="primary")
    assert gap is not None
    assert f"financing_gap,{gap!r}" in text


def test_docs_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parameters"]) == 0
    assert "| `teacher_salary` |" in capsys.readouterr().out
    assert main(["nonsense"]) == 2
