"""Reading and validating scenarios, with problems located by line and key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..errors import Problem, ScenarioError
from ..structure import Structure
from ..years import SchoolYear
from .model import (
    _DISTRIBUTIONS,
    Leaf,
    ParamValues,
    Scenario,
    SensitivitySettings,
    Series,
    Uncertain,
)
from .parameters import PARAMETERS, ParameterSpec

__all__ = ["check_scenario", "load_scenario"]


def _line_index(text: str) -> dict[tuple[str, ...], int]:
    """Line number (1-based) of every key path of a YAML document."""
    index: dict[tuple[str, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return index

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                index[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                sub = (*path, str(i))
                index[sub] = item.start_mark.line + 1
                walk(item, sub)

    if root is not None:
        walk(root, ())
    return index


class _Problems:
    def __init__(self, lines: dict[tuple[str, ...], int]) -> None:
        self.lines = lines
        self.items: list[Problem] = []

    def add(self, path: tuple[str, ...], message: str) -> None:
        line = None
        for n in range(len(path), 0, -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        self.items.append(Problem(line, ".".join(path) or None, message))


def load_scenario(
    source: str | Path | Mapping[str, Any], structure: Structure | None = None
) -> Scenario:
    """Read and validate a scenario from a YAML file or a mapping.

    With *structure*, level ids, grades and the applicability of each parameter are
    checked too (:func:`~edplan.projection.project` always checks them).  Raises
    :class:`~edplan.errors.ScenarioError` listing every problem with its line (for
    files) and the dotted path of the key.
    """
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(source, Mapping):
        data: Any = source
        origin = "scenario"
    else:
        path = Path(source)
        if not path.is_file():
            raise ScenarioError(f"scenario file {str(path)!r} does not exist")
        text = path.read_text(encoding="utf-8")
        origin = path.name
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{origin}: not valid YAML ({exc})") from exc
        lines = _line_index(text)
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{origin}: a scenario is a mapping with name, base_year, ...")
    problems = _Problems(lines)
    scenario = _parse(data, origin, structure, problems)
    if problems.items or scenario is None:
        raise ScenarioError(
            f"{origin}: the scenario has {len(problems.items)} problem(s)", problems.items
        )
    return scenario


_TOP_KEYS = {
    "name",
    "description",
    "base_year",
    "final_year",
    "areas",
    "parameters",
    "area_parameters",
    "sensitivity",
}


def _parse(
    data: Mapping[str, Any], origin: str, structure: Structure | None, problems: _Problems
) -> Scenario | None:
    for key in data:
        if key not in _TOP_KEYS:
            problems.add((str(key),), f"unknown key; a scenario has {', '.join(sorted(_TOP_KEYS))}")
    name = str(data.get("name") or origin)
    years: dict[str, SchoolYear] = {}
    for key in ("base_year", "final_year"):
        raw = data.get(key)
        if raw is None:
            problems.add((key,), f"{key} is required (a school year such as 2023-24)")
            continue
        try:
            years[key] = SchoolYear(str(raw))
        except ValueError as exc:
            problems.add((key,), str(exc))
    base, final = years.get("base_year"), years.get("final_year")
    if base is not None and final is not None:
        if final <= base:
            problems.add(("final_year",), "final_year must come after base_year")
        elif final - base > 50:
            problems.add(("final_year",), "projections are limited to 50 years")
    areas_raw = data.get("areas", ["all"])
    if isinstance(areas_raw, str):
        areas_raw = [areas_raw]
    if not isinstance(areas_raw, list) or not areas_raw:
        problems.add(("areas",), "areas is a list: [all], [each] or area codes")
        areas: tuple[str, ...] = ("all",)
    else:
        areas = tuple(str(a) for a in areas_raw)
        if len(areas) > 1 and ("each" in areas or "all" in areas):
            problems.add(("areas",), "'all' and 'each' cannot be combined with other areas")
    parameters = _parse_parameters(
        data.get("parameters") or {}, ("parameters",), base, final, structure, problems
    )
    area_parameters: dict[str, dict[str, ParamValues]] = {}
    raw_area = data.get("area_parameters") or {}
    if not isinstance(raw_area, Mapping):
        problems.add(("area_parameters",), "area_parameters maps area codes to parameters")
    else:
        for code, params in raw_area.items():
            area_parameters[str(code)] = _parse_parameters(
                params or {},
                ("area_parameters", str(code)),
                base,
                final,
                structure,
                problems,
            )
    sensitivity = _parse_sensitivity(data.get("sensitivity"), problems)
    if base is None or final is None:
        return None
    return Scenario(
        name=name,
        base_year=base,
        final_year=final,
        areas=areas,
        parameters=parameters,
        area_parameters=area_parameters,
        sensitivity=sensitivity,
        description=str(data.get("description") or ""),
        origin=origin,
    )


def _parse_sensitivity(raw: Any, problems: _Problems) -> SensitivitySettings:
    if raw is None:
        return SensitivitySettings()
    if not isinstance(raw, Mapping):
        problems.add(("sensitivity",), "sensitivity is a mapping with draws and seed")
        return SensitivitySettings()
    draws = raw.get("draws", 1000)
    seed = raw.get("seed", SensitivitySettings.seed)
    pcts = raw.get("percentiles", [5, 50, 95])
    ok = True
    if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= 100_000:
        problems.add(("sensitivity", "draws"), "draws is a whole number from 1 to 100000")
        ok = False
    if not isinstance(seed, int) or isinstance(seed, bool):
        problems.add(("sensitivity", "seed"), "seed is a whole number")
        ok = False
    if not isinstance(pcts, list) or not all(
        isinstance(p, int | float) and 0 <= p <= 100 for p in pcts
    ):
        problems.add(("sensitivity", "percentiles"), "percentiles is a list of numbers 0-100")
        ok = False
    if not ok:
        return SensitivitySettings()
    return SensitivitySettings(draws=draws, seed=seed, percentiles=tuple(float(p) for p in pcts))


def _parse_parameters(
    raw: Any,
    path: tuple[str, ...],
    base: SchoolYear | None,
    final: SchoolYear | None,
    structure: Structure | None,
    problems: _Problems,
) -> dict[str, ParamValues]:
    out: dict[str, ParamValues] = {}
    if not isinstance(raw, Mapping):
        problems.add(path, "parameters is a mapping of parameter ids to values")
        return out
    for pid, value in raw.items():
        spec = PARAMETERS.get(str(pid))
        ppath = (*path, str(pid))
        if spec is None:
            problems.add(ppath, f"unknown parameter; known: {', '.join(PARAMETERS)}")
            continue
        out[spec.id] = _parse_values(spec, value, ppath, base, final, structure, problems)
    # a grade may not have both a dropout and a promotion rate
    both = set(out.get("dropout_rate", {})) & set(out.get("promotion_rate", {}))
    for level, grade in sorted(both, key=str):
        where = level if grade is None else f"{level}.{grade}"
        problems.add(
            (*path, "promotion_rate"),
            f"{where}: give either promotion_rate or dropout_rate, not both (the other "
            "follows as 100 − repetition − the one given)",
        )
    return out


def _parse_values(
    spec: ParameterSpec,
    value: Any,
    path: tuple[str, ...],
    base: SchoolYear | None,
    final: SchoolYear | None,
    structure: Structure | None,
    problems: _Problems,
) -> ParamValues:
    out: ParamValues = {}
    if spec.scope == "area":
        series = _parse_series(spec, value, path, base, final, problems)
        if series is not None:
            out[(None, None)] = series
        return out
    if not isinstance(value, Mapping) or _is_uncertain(value) or _looks_like_years(value):
        # one value for every level
        series = _parse_series(spec, value, path, base, final, problems)
        if series is not None:
            out[(None, None)] = series
        return out
    for level_key, level_value in value.items():
        level = str(level_key)
        lpath = (*path, level)
        if structure is not None and not structure.has_level(level):
            problems.add(
                lpath, f"unknown level; the structure has {', '.join(structure.level_ids)}"
            )
            continue
        if structure is not None:
            _check_applicable(spec, level, structure, lpath, problems)
        grade_keys = (
            isinstance(level_value, Mapping)
            and not _is_uncertain(level_value)
            and level_value
            and all(_as_grade(k) is not None for k in level_value)
        )
        if grade_keys:
            if spec.scope != "grade":
                problems.add(lpath, f"{spec.id} is given for a whole level, not by grade")
                continue
            for grade_key, grade_value in level_value.items():
                grade = _as_grade(grade_key)
                gpath = (*lpath, str(grade_key))
                assert grade is not None  # noqa: S101 - checked by grade_keys above
                if structure is not None and grade not in structure.level(level).grades:
                    grades = structure.level(level).grades
                    problems.add(gpath, f"grade {grade} is not a grade of {level} {grades}")
                    continue
                series = _parse_series(spec, grade_value, gpath, base, final, problems)
                if series is not None:
                    out[(level, grade)] = series
        else:
            series = _parse_series(spec, level_value, lpath, base, final, problems)
            if series is not None:
                out[(level, None)] = series
    return out


def _check_applicable(
    spec: ParameterSpec,
    level: str,
    structure: Structure,
    path: tuple[str, ...],
    problems: _Problems,
) -> None:
    lv = structure.level(level)
    if spec.id in ("repetition_rate", "dropout_rate", "promotion_rate") and not lv.graded:
        problems.add(path, f"{level} has no grades; project it with gross_enrolment_ratio")
    elif spec.id == "gross_enrolment_ratio" and lv.graded:
        problems.add(
            path,
            f"{level} has grades and is projected grade by grade; set its intake "
            "(gross_intake_ratio or transition_rate) and flow rates instead",
        )
    elif spec.id == "gross_intake_ratio" and (not lv.graded or lv.intake != "population"):
        problems.add(
            path,
            f"{level} does not take its entrants from the population; use "
            + ("transition_rate" if lv.graded else "gross_enrolment_ratio"),
        )
    elif spec.id == "transition_rate" and (not lv.graded or lv.intake != "transition"):
        problems.add(
            path,
            f"{level} does not take its entrants by transition; use "
            + ("gross_intake_ratio" if lv.graded else "gross_enrolment_ratio"),
        )


def _as_grade(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    return None


def _is_uncertain(value: Mapping[Any, Any]) -> bool:
    return len(value) == 1 and next(iter(value)) in _DISTRIBUTIONS


def _looks_like_years(value: Mapping[Any, Any]) -> bool:
    return bool(value) and all(isinstance(k, str) and _year_or_none(k) is not None for k in value)


def _year_or_none(text: str) -> SchoolYear | None:
    try:
        return SchoolYear(text)
    except ValueError:
        return None


def _parse_leaf(
    spec: ParameterSpec, value: Any, path: tuple[str, ...], problems: _Problems
) -> Leaf | None:
    if isinstance(value, Mapping) and _is_uncertain(value):
        dist = next(iter(value))
        args = value[dist]
        n = _DISTRIBUTIONS[dist]
        if (
            not isinstance(args, list)
            or len(args) != n
            or not all(isinstance(a, int | float) and not isinstance(a, bool) for a in args)
        ):
            shape = "[low, high]" if n == 2 else "[low, mode, high]"
            problems.add((*path, dist), f"{dist} takes {shape}")
            return None
        nums = tuple(float(a) for a in args)
        if list(nums) != sorted(nums):
            problems.add((*path, dist), "the bounds must be in increasing order")
            return None
        for a in (nums[0], nums[-1]):
            if not _in_range(spec, a, path, problems):
                return None
        return Uncertain(dist, nums, ".".join(path))
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(
            path,
            f"expected a number, a {{year: value}} map or an uncertain value, got {value!r}",
        )
        return None
    number = float(value)
    if not _in_range(spec, number, path, problems):
        return None
    return number


def _in_range(
    spec: ParameterSpec, value: float, path: tuple[str, ...], problems: _Problems
) -> bool:
    if not np.isfinite(value):
        problems.add(path, "the value must be a finite number")
        return False
    if spec.kind == "percent" and not 0.0 <= value <= 100.0:
        problems.add(path, f"{spec.id} is a percentage: give a value from 0 to 100")
        return False
    if spec.kind == "ratio" and not 0.0 <= value <= 300.0:
        problems.add(path, f"{spec.id} is a percentage that may exceed 100: give 0 to 300")
        return False
    if spec.kind == "positive" and value <= 0.0:
        problems.add(path, f"{spec.id} must be greater than 0")
        return False
    if spec.kind == "amount" and value < 0.0 and not spec.id.endswith("growth_rate"):
        problems.add(path, f"{spec.id} cannot be negative")
        return False
    return True


def _parse_series(
    spec: ParameterSpec,
    value: Any,
    path: tuple[str, ...],
    base: SchoolYear | None,
    final: SchoolYear | None,
    problems: _Problems,
) -> Series | None:
    if isinstance(value, Mapping) and not _is_uncertain(value):
        if not spec.targets:
            problems.add(path, f"{spec.id} is a single value, not a {{year: value}} map")
            return None
        points: list[tuple[SchoolYear | None, Leaf]] = []
        for key, item in value.items():
            ypath = (*path, str(key))
            year = _year_or_none(str(key)) if isinstance(key, str) else None
            if year is None:
                problems.add(ypath, f"{key!r} is not a school year such as 2030-31")
                continue
            if base is not None and year < base:
                problems.add(ypath, f"target year {year} is before the base year {base}")
                continue
            if final is not None and year > final:
                problems.add(ypath, f"target year {year} is after the final year {final}")
                continue
            leaf = _parse_leaf(spec, item, ypath, problems)
            if leaf is not None:
                points.append((year, leaf))
        if not points:
            if not value:
                problems.add(path, "empty {year: value} map")
            return None
        points.sort(key=lambda p: p[0] or SchoolYear.from_start(0))
        return tuple(points)
    leaf = _parse_leaf(spec, value, path, problems)
    return None if leaf is None else ((None, leaf),)


def check_scenario(scenario: Scenario, structure: Structure) -> list[Problem]:
    """Problems of a parsed scenario against a school structure (empty if none)."""
    problems = _Problems({})
    groups: list[tuple[tuple[str, ...], Mapping[str, ParamValues]]] = [
        (("parameters",), scenario.parameters),
        *((("area_parameters", code), params) for code, params in scenario.area_parameters.items()),
    ]
    for path, params in groups:
        for pid, values in params.items():
            spec = PARAMETERS[pid]
            for level, grade in values:
                if level is None:
                    continue
                lpath = (*path, pid, level)
                if not structure.has_level(level):
                    problems.add(
                        lpath,
                        f"unknown level; the structure has {', '.join(structure.level_ids)}",
                    )
                    continue
                _check_applicable(spec, level, structure, lpath, problems)
                if grade is not None and grade not in structure.level(level).grades:
                    problems.add((*lpath, str(grade)), f"grade {grade} is not a grade of {level}")
    return problems.items
