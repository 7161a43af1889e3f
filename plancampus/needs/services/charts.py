"""Charts of an analysis as Vega-Lite specs (built with altair).

The same spec is drawn in the browser by vega-embed (static/needs/charts.js, with the
CSP-safe expression interpreter) and rendered to PNG by vl-convert for the PDF and DOCX
exports (``chart_png``), so the page and the document show the same picture. Labels are in the
active language; the font is Noto Sans Khmer, which also covers Latin script.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from .analysis import Analysis, Comparison, cached

FONT = "Noto Sans Khmer, system-ui, sans-serif"
WIDTH = 520
COLOURS = {"current": "#1f5f99", "desired": "#e08a1e", "baseline": "#9aa5b1"}


def _config(chart: alt.TopLevelMixin, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The chart as a Vega-Lite spec; ``rows`` become its inline data.

    The rows are added after altair has built the spec: altair checks inline data against
    the schema row by row, which costs more than the rest of the page for large charts.
    """
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict(validate=False)
    _inherit_top_level_data(spec)
    if rows is not None:
        spec["data"] = {"values": rows}
    spec.pop("$schema", None)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json"
    # In the browser the chart takes its container's width; images get WIDTH (chart_png).
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _inherit_top_level_data(spec: dict[str, Any]) -> None:
    """Let the layers built without data read the chart's own data.

    altair gives every data-less layer of a layered chart a placeholder dataset named
    "empty" (one empty row); left in place, those layers would draw that row ("undefined")
    instead of the rows put into the spec's top-level ``data`` by ``_with_data``.
    """
    datasets = spec.get("datasets", {})
    placeholders = {name for name, rows in datasets.items() if rows in ([], [{}])}
    for layer in spec.get("layer", []):
        if layer.get("data", {}).get("name") in placeholders:
            del layer["data"]
        _inherit_top_level_data(layer)
    for name in placeholders:
        del datasets[name]
    if "datasets" in spec and not datasets:
        del spec["datasets"]


_skeletons: dict[tuple[object, ...], dict[str, Any]] = {}


def _skeleton(build: Callable[..., alt.TopLevelMixin]) -> Callable[..., dict[str, Any]]:
    """Memoise a chart's spec without its data, per language and arguments (scale bounds).

    Building a chart with altair costs tens of milliseconds (it parses and checks every
    encoding); the structure of a chart does not depend on the data, so each is built once
    per process and language, and the data is put into a copy (``_with_data``).
    """

    @functools.wraps(build)
    def skeleton(*args: object) -> dict[str, Any]:
        from django.utils import translation

        key = (build.__name__, translation.get_language(), *args)
        if key not in _skeletons:
            _skeletons[key] = _config(build(*args))
        return copy.deepcopy(_skeletons[key])

    return skeleton


def _with_data(
    spec: dict[str, Any], rows: list[dict[str, Any]], **datasets: list[dict[str, Any]]
) -> dict[str, Any]:
    spec["data"] = {"values": rows}
    if datasets:
        spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def _num(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 2)


def borich_chart(analysis: Analysis, count: int = 15) -> dict[str, Any]:
    rows = [
        {"competency": n.competency.display_name, "mwds": _num(n.mwds), "rank": n.rank}
        for n in analysis.needs[:count]
        if n.n
    ]
    return _with_data(_borich(), rows)


@_skeleton
def _borich() -> alt.TopLevelMixin:
    return (
        alt.Chart()
        .mark_bar(color=COLOURS["current"])
        .encode(
            y=alt.Y(
                "competency:N",
                sort=alt.SortField("rank"),
                title=None,
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X("mwds:Q", title=_("Mean weighted discrepancy score (Borich)")),
            tooltip=[
                alt.Tooltip("competency:N", title=_("Competency")),
                alt.Tooltip("mwds:Q", title="MWDS", format=".2f"),
            ],
        )
        .properties(width=WIDTH, title=_("Training needs ranked by Borich score"))
    )


def quadrant_chart(analysis: Analysis) -> dict[str, Any]:
    data = analysis.data
    rows = [
        {
            "competency": n.competency.display_name,
            "importance": _num(n.mean_importance),
            "performance": _num(n.mean_current),
            # Points are labelled with their Borich rank (names in the tooltip and the table):
            # the largest needs sit close together and their names would pile up.
            "label": str(n.rank),
        }
        for n in analysis.needs
        if n.n
    ]
    _merge_close_labels(rows)
    cuts = [{"x": _num(analysis.performance_cut), "y": _num(analysis.importance_cut)}]
    return _with_data(_quadrant(data.scale_min, data.scale_max), rows, cuts=cuts)


# Points nearer than this on both axes (scale points) would print their labels on each other.
LABEL_CLOSENESS = 0.08


def _merge_close_labels(rows: list[dict[str, Any]]) -> None:
    """Give points that sit (almost) on one another a single label, "1, 2", on the first."""
    labelled: list[dict[str, Any]] = []
    for row in rows:
        if row["performance"] is None or row["importance"] is None:
            continue
        for first in labelled:
            if (
                abs(first["performance"] - row["performance"]) < LABEL_CLOSENESS
                and abs(first["importance"] - row["importance"]) < LABEL_CLOSENESS
            ):
                first["label"] += f", {row['label']}"
                row["label"] = ""
                break
        else:
            labelled.append(row)


@_skeleton
def _quadrant(scale_min: int, scale_max: int) -> alt.TopLevelMixin:
    scale = alt.Scale(domain=[scale_min, scale_max])
    points = (
        alt.Chart()
        .mark_circle(size=90, color=COLOURS["current"])
        .encode(
            x=alt.X("performance:Q", scale=scale, title=_("Current level (mean)")),
            y=alt.Y("importance:Q", scale=scale, title=_("Importance (mean)")),
            tooltip=[
                alt.Tooltip("competency:N", title=_("Competency")),
                alt.Tooltip("importance:Q", title=_("Importance"), format=".2f"),
                alt.Tooltip("performance:Q", title=_("Current level"), format=".2f"),
            ],
        )
    )
    labels = points.mark_text(align="left", dx=7, fontSize=10).encode(text="label:N")
    cuts = alt.NamedData(name="cuts")
    vertical = (
        alt.Chart(cuts)
        .mark_rule(strokeDash=[4, 4], color="#888")
        .encode(x=alt.X("x:Q", scale=scale))
    )
    horizontal = (
        alt.Chart(cuts)
        .mark_rule(strokeDash=[4, 4], color="#888")
        .encode(y=alt.Y("y:Q", scale=scale))
    )
    low, high = scale_min + 0.05, scale_max - 0.05
    left = alt.Data(
        values=[
            {"x": low, "y": high, "text": _("Concentrate here")},
            {"x": low, "y": scale_min + 0.3, "text": _("Low priority")},
        ]
    )
    right = alt.Data(
        values=[
            {"x": high, "y": high, "text": _("Keep up")},
            {"x": high, "y": scale_min + 0.3, "text": _("Possible overkill")},
        ]
    )
    corner_mark = {"fontWeight": "bold", "color": "#7a3e00", "baseline": "top"}
    corners_left = (
        alt.Chart(left)
        .mark_text(align="left", **corner_mark)
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="text:N")
    )
    corners_right = (
        alt.Chart(right)
        .mark_text(align="right", **corner_mark)
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="text:N")
    )
    return alt.layer(vertical, horizontal, points, labels, corners_left, corners_right).properties(
        width=WIDTH, height=380, title=_("Importance–performance quadrants")
    )


def organisational_chart(analysis: Analysis) -> dict[str, Any]:
    rows = []
    current, desired = _("Current"), _("Desired")
    for item in analysis.organisational:
        if not item.n:
            continue
        name = item.competency.display_name
        domain = item.competency.domain.display_name
        rows.append(
            {"item": name, "domain": domain, "which": current, "level": _num(item.mean_current)}
        )
        rows.append(
            {"item": name, "domain": domain, "which": desired, "level": _num(item.mean_desired)}
        )
    data = analysis.data
    return _with_data(_organisational(data.scale_min, data.scale_max), rows)


@_skeleton
def _organisational(scale_min: int, scale_max: int) -> alt.TopLevelMixin:
    current, desired = _("Current"), _("Desired")
    chart = (
        alt.Chart()
        .mark_point(filled=True, size=110)
        .encode(
            y=alt.Y("item:N", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(
                "level:Q",
                scale=alt.Scale(domain=[scale_min, scale_max]),
                title=_("Capacity (mean rating)"),
            ),
            color=alt.Color(
                "which:N",
                scale=alt.Scale(
                    domain=[current, desired], range=[COLOURS["current"], COLOURS["desired"]]
                ),
                title=None,
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["item:N", "domain:N", "which:N", alt.Tooltip("level:Q", format=".2f")],
        )
    )
    lines = (
        alt.Chart()
        .mark_line(color="#bbb")
        .encode(
            y="item:N",
            x=alt.X("level:Q", scale=alt.Scale(domain=[scale_min, scale_max])),
            detail="item:N",
        )
    )
    return alt.layer(lines, chart).properties(
        width=WIDTH, title=_("Organisational and institutional capacity: current and desired")
    )


def distribution_chart(analysis: Analysis) -> dict[str, Any]:
    data = analysis.data
    rows = []
    for column, competency in enumerate(data.competencies):
        if not data.individual[column]:
            continue
        total = int(analysis.level_counts[:, column].sum())
        for offset, count in enumerate(analysis.level_counts[:, column]):
            level = data.scale_min + offset
            rows.append(
                {
                    "competency": competency.display_name,
                    "order": column,
                    "level": level,
                    "label": f"{level} {data_level_label(analysis, level)}",
                    "share": round(int(count) / total, 4) if total else 0,
                    "count": int(count),
                }
            )
    return _with_data(_distribution(), rows)


@_skeleton
def _distribution() -> alt.TopLevelMixin:
    return (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y(
                "competency:N",
                sort=alt.SortField("order"),
                title=None,
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X(
                "share:Q",
                stack="normalize",
                axis=alt.Axis(format="%"),
                title=_("Share of respondents"),
            ),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(scheme="blues"),
                sort=alt.SortField("level"),
                title=_("Current level"),
                legend=alt.Legend(orient="bottom", columns=3),
            ),
            order=alt.Order("level:Q"),
            tooltip=["competency:N", "label:N", "count:Q", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(width=WIDTH, title=_("Distribution of current levels"))
    )


def data_level_label(analysis: Analysis, level: int) -> str:
    from django.utils import translation

    labels = analysis.data.scale_labels
    language = (translation.get_language() or "en").split("-")[0]
    return (labels.get(language) or labels.get("en") or {}).get(str(level), "")


def province_chart(analysis: Analysis) -> dict[str, Any]:
    competencies = analysis.individual_competencies
    rows = []
    for group in analysis.by_province:
        for column, value in enumerate(group.by_competency):
            if value != value:  # NaN: nobody there is required to have it
                continue
            rows.append(
                {
                    "province": group.label_object.display_name,  # type: ignore[attr-defined]
                    "competency": competencies[column].display_name,
                    "gap": round(value, 2),
                }
            )
    return _with_data(_provinces(), rows)


@_skeleton
def _provinces() -> alt.TopLevelMixin:
    return (
        alt.Chart()
        .mark_rect()
        .encode(
            x=alt.X("competency:N", title=None, axis=alt.Axis(labelAngle=-45, labelLimit=160)),
            y=alt.Y("province:N", title=None),
            color=alt.Color("gap:Q", scale=alt.Scale(scheme="orangered"), title=_("Mean gap")),
            tooltip=["province:N", "competency:N", alt.Tooltip("gap:Q", format=".2f")],
        )
        .properties(width=WIDTH, title=_("Mean gap by province and competency"))
    )


def comparison_chart(comparison: Comparison) -> dict[str, Any]:
    rows = []
    before, after = _("Baseline"), _("Re-assessment")
    for order, movement in enumerate(comparison.movements):
        name = movement.competency.display_name
        rows.append(
            {
                "competency": name,
                "order": order,
                "when": before,
                "level": _num(movement.baseline_current),
            }
        )
        rows.append(
            {"competency": name, "order": order, "when": after, "level": _num(movement.current)}
        )
    return _with_data(_comparison(), rows)


@_skeleton
def _comparison() -> alt.TopLevelMixin:
    before, after = _("Baseline"), _("Re-assessment")
    lines = (
        alt.Chart()
        .mark_line(color="#bbb")
        .encode(
            y=alt.Y("competency:N", sort=alt.SortField("order")), x="level:Q", detail="competency:N"
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=100)
        .encode(
            y=alt.Y(
                "competency:N",
                sort=alt.SortField("order"),
                title=None,
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X("level:Q", title=_("Current level (mean)"), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "when:N",
                scale=alt.Scale(
                    domain=[before, after], range=[COLOURS["baseline"], COLOURS["current"]]
                ),
                title=None,
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["competency:N", "when:N", alt.Tooltip("level:Q", format=".2f")],
        )
    )
    return alt.layer(lines, points).properties(
        width=WIDTH, title=_("What moved since the baseline")
    )


def _chart_key(what: str, analyses: tuple[Analysis | None, ...]) -> str:
    """Charts are cached with the analyses they draw (which may be slightly stale)."""
    from django.utils import translation

    parts = [a.key for a in analyses if a is not None]
    return f"needs:charts:{what}:{translation.get_language()}:" + "|".join(parts)


def analysis_charts(analysis: Analysis, comparison: Comparison | None) -> dict[str, dict[str, Any]]:
    """The charts of the analysis page, cached with the analysis (and per language)."""

    def build() -> dict[str, dict[str, Any]]:
        specs = {
            "borich": borich_chart(analysis),
            "quadrant": quadrant_chart(analysis),
            "organisational": organisational_chart(analysis),
            "distribution": distribution_chart(analysis),
            "provinces": province_chart(analysis),
        }
        if comparison is not None:
            specs["comparison"] = comparison_chart(comparison)
        return specs

    baseline = comparison.baseline if comparison is not None else None
    return cached(_chart_key("analysis", (analysis, baseline)), build)


def cached_chart(what: str, analyses: tuple[Analysis, ...], build: Any) -> dict[str, Any]:
    return cached(_chart_key(what, analyses), build)


def chart_png(spec: dict[str, Any], *, scale: float = 2) -> bytes:
    """The chart as a PNG image, rendered by vl-convert with the Khmer font registered."""
    import vl_convert

    _register_fonts()
    fixed = {**spec, "width": WIDTH}
    return vl_convert.vegalite_to_png(fixed, scale=scale)


_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if _fonts_registered:
        return
    import fontpkg_noto_sans_khmer
    import vl_convert

    vl_convert.register_font_directory(str(fontpkg_noto_sans_khmer.ROOT / "files"))
    _fonts_registered = True
