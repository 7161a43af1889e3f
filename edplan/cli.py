"""The ``edplan`` command line.

Commands (each accepts ``--structure``, a built-in name such as ``cambodia`` or a
YAML file, and ``--out FILE``; output goes to standard output by default)::

    edplan check DATA [--format text|json] [--strict]
    edplan indicators DATA --year Y [--area A] [--indicator ID ...] --format csv|json
    edplan cohort DATA --level L --year Y [--area A] [--sex F|M|T] [--max-repetitions N]
    edplan project DATA SCENARIO --format csv|json|xlsx [--out FILE]
    edplan compare DATA SCENARIO SCENARIO ... --format csv|json
    edplan sensitivity DATA SCENARIO [--draws N] [--seed S] --format csv|json

Exit codes: 0 success; 1 ``check --strict`` found warnings; 2 bad arguments, unreadable
or invalid data or scenario (the message lists every problem).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from . import __version__
from .data import read_dataset, validate
from .dataset import Dataset
from .errors import EdplanError
from .export import projection_xlsx, records_xlsx, to_csv, to_json
from .flows import reconstructed_cohort
from .indicators import INDICATORS, compute_indicators
from .projection import project
from .quality import quality_checks
from .scenario import load_scenario
from .sensitivity import compare, sensitivity
from .structure import BUILTIN_STRUCTURES, load_structure

__all__ = ["build_parser", "main"]

INDICATOR_COLUMNS = ("indicator", "year", "area", "level", "grade", "sex", "value", "of")
PROJECTION_COLUMNS = ("year", "area", "level", "grade", "sex", "variable", "value")


class UsageError(Exception):
    """A command-line argument that cannot be used."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the documentation)."""
    parser = argparse.ArgumentParser(
        prog="edplan",
        description="Educational planning engine: indicators, cohort analysis, projections.",
    )
    parser.add_argument("--version", action="version", version=f"edplan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, formats: Sequence[str], default: str) -> None:
        p.add_argument("data", metavar="DATA", help="tidy data file (.csv or .xlsx)")
        p.add_argument(
            "--structure",
            default="cambodia",
            help=f"school structure: built-in ({', '.join(BUILTIN_STRUCTURES)}) or a YAML "
            "file (default: cambodia)",
        )
        p.add_argument("--format", choices=formats, default=default, help=f"default: {default}")
        p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")

    p = sub.add_parser("check", help="validate data and report data-quality warnings")
    common(p, ("text", "json"), "text")
    p.add_argument("--strict", action="store_true", help="exit with 1 when there are warnings")

    p = sub.add_parser("indicators", help="compute UIS indicators for a year")
    common(p, ("csv", "json", "xlsx"), "csv")
    p.add_argument("--year", required=True, help="school year, e.g. 2023-24")
    p.add_argument("--area", action="append", help="area code (repeatable); 'all' = sum")
    p.add_argument(
        "--groups",
        metavar="FILE",
        help="YAML file mapping higher areas to the areas they sum, e.g. {'01': ['0101', '0102']}",
    )
    p.add_argument(
        "--indicator",
        action="append",
        choices=sorted(INDICATORS),
        metavar="ID",
        help="indicator id (repeatable; default: all)",
    )

    p = sub.add_parser("cohort", help="flow rates and reconstructed cohort of a level")
    common(p, ("json", "csv"), "json")
    p.add_argument("--level", required=True, help="level id, e.g. primary")
    p.add_argument("--year", required=True, help="flows between this year and the next")
    p.add_argument("--area", help="area code (default: the only area, or 'all' = sum)")
    p.add_argument("--sex", choices=("F", "M", "T"), default="T")
    p.add_argument(
        "--max-repetitions",
        type=_non_negative,
        metavar="N",
        help="at most N repetitions per pupil in the cycle; pupils who would repeat more leave",
    )

    p = sub.add_parser("project", help="project enrolment, teachers, classrooms and costs")
    common(p, ("csv", "json", "xlsx"), "csv")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")

    p = sub.add_parser("compare", help="project several scenarios side by side")
    common(p, ("csv", "json"), "csv")
    p.add_argument("scenarios", metavar="SCENARIO", nargs="+", help="scenario YAML files")

    p = sub.add_parser("sensitivity", help="draw uncertain parameters, report percentiles")
    common(p, ("csv", "json"), "csv")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file with ranges")
    p.add_argument("--draws", type=_positive, help="number of draws (default: scenario's)")
    p.add_argument("--seed", type=int, help="random seed (default: scenario's)")
    return parser


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _emit(args: argparse.Namespace, text: str, stdout: TextIO) -> None:
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        stdout.write(text)


def _load(args: argparse.Namespace) -> Dataset:
    return read_dataset(args.data, load_structure(args.structure))


def _check(args: argparse.Namespace, stdout: TextIO) -> int:
    structure = load_structure(args.structure)
    if not Path(args.data).is_file():
        raise UsageError(f"data file {args.data!r} does not exist")
    problems = validate(args.data, structure)
    issues = [] if problems else quality_checks(read_dataset(args.data, structure))
    if args.format == "json":
        payload = {
            "errors": [{"row": p.row, "column": p.column, "message": p.message} for p in problems],
            "warnings": [i.to_dict() for i in issues],
        }
        _emit(args, to_json(payload), stdout)
    else:
        lines = [f"{args.data}: {len(problems)} error(s), {len(issues)} warning(s)"]
        lines += [f"ERROR   {p}" for p in problems]
        lines += [f"WARNING {i}" for i in issues]
        if not problems and not issues:
            lines.append("No problem found.")
        _emit(args, "\n".join(lines) + "\n", stdout)
    if problems:
        return 2
    return 1 if issues and args.strict else 0


def _indicators(args: argparse.Namespace, stdout: TextIO) -> int:
    ds = _load(args)
    if not ds.has_year(args.year):
        raise UsageError(f"year {args.year} is not in the data ({ds.years[0]} to {ds.years[-1]})")
    groups = _read_groups(args.groups, ds) if args.groups else None
    known = set(ds.areas) | set(groups or {})
    for area in args.area or ():
        if area != "all" and area not in known:
            raise UsageError(f"area {area!r} is not in the data (areas: {', '.join(ds.areas)})")
    results = compute_indicators(
        ds, year=args.year, areas=args.area, indicators=args.indicator, groups=groups
    )
    records = results.records()
    if args.format == "json":
        _emit(args, to_json(records), stdout)
    elif args.format == "xlsx":
        if not args.out:
            raise UsageError("--format xlsx needs --out FILE (a workbook is not text)")
        records_xlsx(args.out, records, INDICATOR_COLUMNS)
    else:
        _emit(args, to_csv(records, INDICATOR_COLUMNS), stdout)
    return 0


def _read_groups(path: str, ds: Dataset) -> dict[str, list[str]]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the groups file {path!r}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise UsageError(f"{path}: give a mapping of area codes to lists of area codes")
    groups = {str(k): [str(a) for a in v] for k, v in data.items()}
    unknown = sorted({a for members in groups.values() for a in members} - set(ds.areas))
    if unknown:
        raise UsageError(f"{path}: area(s) {', '.join(unknown)} are not in the data")
    return groups


def _cohort(args: argparse.Namespace, stdout: TextIO) -> int:
    ds = _load(args)
    if not ds.structure.has_level(args.level):
        raise UsageError(
            f"unknown level {args.level!r}; levels: {', '.join(ds.structure.level_ids)}"
        )
    if args.area and args.area != "all" and args.area not in ds.areas:
        raise UsageError(f"area {args.area!r} is not in the data")
    result = reconstructed_cohort(
        ds,
        level=args.level,
        year=args.year,
        area=args.area,
        sex=args.sex,
        max_repetitions=args.max_repetitions,
    )
    if args.format == "json":
        _emit(args, to_json(result.to_dict()), stdout)
    else:
        rows: list[dict[str, Any]] = []
        by_grade = {
            "promotion_rate": result.promotion_rate,
            "repetition_rate": result.repetition_rate,
            "dropout_rate": result.dropout_rate,
            "survival_rate": result.survival_rate,
            "dropouts": result.dropouts,
        }
        for key, values in by_grade.items():
            rows += [{"measure": key, "grade": g, "value": v} for g, v in values.items()]
        totals = {
            "graduates": result.graduates,
            "pupil_years": result.pupil_years,
            "coefficient_of_efficiency": result.coefficient_of_efficiency,
            "years_input_per_graduate": result.years_input_per_graduate,
        }
        rows += [{"measure": k, "grade": None, "value": v} for k, v in totals.items()]
        _emit(args, to_csv(rows, ("measure", "grade", "value")), stdout)
    return 0


def _project(args: argparse.Namespace, stdout: TextIO) -> int:
    ds = _load(args)
    scenario = load_scenario(args.scenario, ds.structure)
    proj = project(ds, scenario)
    if args.format == "xlsx":
        if not args.out:
            raise UsageError("--format xlsx needs --out FILE (a workbook is not text)")
        projection_xlsx(args.out, proj)
    elif args.format == "json":
        _emit(args, to_json(proj.records()), stdout)
    else:
        _emit(args, to_csv(proj.records(), PROJECTION_COLUMNS), stdout)
    for note in proj.notes:
        print(f"edplan: note: {note}", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace, stdout: TextIO) -> int:
    ds = _load(args)
    scenarios = [load_scenario(path, ds.structure) for path in args.scenarios]
    records = compare(ds, scenarios).records()
    if args.format == "json":
        _emit(args, to_json(records), stdout)
    else:
        cols = ("scenario", "year", "area", "level", "variable", "value")
        _emit(args, to_csv(records, cols), stdout)
    return 0


def _sensitivity(args: argparse.Namespace, stdout: TextIO) -> int:
    ds = _load(args)
    scenario = load_scenario(args.scenario, ds.structure)
    result = sensitivity(ds, scenario, draws=args.draws, seed=args.seed)
    if not result.uncertain:
        print(
            "edplan: note: the scenario has no uncertain value; all draws are equal",
            file=sys.stderr,
        )
    records = result.records()
    if args.format == "json":
        _emit(args, to_json(records), stdout)
    else:
        cols = ("year", "area", "level", "variable", "percentile", "value")
        _emit(args, to_csv(records, cols), stdout)
    return 0


_COMMANDS = {
    "check": _check,
    "indicators": _indicators,
    "cohort": _cohort,
    "project": _project,
    "compare": _compare,
    "sensitivity": _sensitivity,
}


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits with 2 on bad arguments, 0 on --help
        return int(exc.code) if isinstance(exc.code, int) else 2
    out = stdout if stdout is not None else sys.stdout
    try:
        return _COMMANDS[args.command](args, out)
    except EdplanError as exc:
        print(f"edplan {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (UsageError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"edplan {args.command}: error: {message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"edplan {args.command}: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
