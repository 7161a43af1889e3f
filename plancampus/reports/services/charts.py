"""Charts of the coverage dashboard as Vega-Lite specs (built with altair).

One spec serves twice: the browser draws it with vega-embed (the CSP-safe set-up of
``needs/charts.js``), and the PDF export renders it to SVG with vl-convert. Each bar carries
the address of the list behind it (Vega-Lite's ``href`` channel), so a click on a bar opens
that list, as a click on the figure in the table beside it does.

Building a chart with altair costs tens of milliseconds, far more than the figures, so each
chart's spec is built once per language without its data, and each request only copies it and
adds its rows.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import altair as alt
from django.utils import translation
from django.utils.translation import gettext as _

from .coverage import Coverage

# Khmer glyphs from Noto Sans Khmer (the site's web font covers only Khmer, the PDF's font file
# covers Latin too); Latin letters in the browser from the system's sans-serif.
FONT = "Noto Sans Khmer, system-ui, sans-serif"
WIDTH = 520
COLOURS = {"F": "#b45309", "M": "#0b5394", "bar": "#0b5394"}


def _finish(chart: alt.TopLevelMixin) -> str:
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict(validate=False)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec.pop("data", None)
    spec.pop("datasets", None)
    return json.dumps(spec)


def _with_rows(skeleton: str, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    spec = json.loads(skeleton)
    spec["data"] = {"values": rows}
    spec.update(extra)
    return spec


def _link(base: str, query: str) -> str:
    return f"{base}?{query}" if query else base


@lru_cache(maxsize=32)
def _year_skeleton(language: str) -> str:
    female, male = _("Female"), _("Male")
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=_("Year the cohort ended"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("people:Q", title=_("People trained"), stack="zero"),
            color=alt.Color(
                "sex:N",
                title=None,
                scale=alt.Scale(domain=[female, male], range=[COLOURS["F"], COLOURS["M"]]),
                legend=alt.Legend(orient="bottom"),
            ),
            href="url:N",
            tooltip=[
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("sex:N", title=_("Sex")),
                alt.Tooltip("people:Q", title=_("People trained")),
            ],
        )
        .properties(width=WIDTH, height=260, title=_("People trained by year and sex"))
    )
    return _finish(chart)


@lru_cache(maxsize=64)
def _horizontal_skeleton(language: str, which: str) -> str:
    title = {
        "province": _("People trained by province"),
        "kind": _("People trained by kind of organisation"),
    }[which]
    axis_title = _("People trained")
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar(color=COLOURS["bar"])
        .encode(
            y=alt.Y(
                "label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=240)
            ),
            x=alt.X("people:Q", title=axis_title),
            href="url:N",
            tooltip=[
                alt.Tooltip("label:N", title=axis_title),
                alt.Tooltip("people:Q", title=_("People trained")),
            ],
        )
        .properties(width=WIDTH, title=title)
    )
    return _finish(chart)


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def year_chart(coverage: Coverage, people_url: str) -> dict[str, Any]:
    female, male = _("Female"), _("Male")
    rows = []
    for bar in coverage.by_year:
        for code, label in (("F", female), ("M", male)):
            rows.append(
                {
                    "year": bar.label,
                    "sex": label,
                    "people": bar.extra.get(code, 0),
                    "url": _link(people_url, str(bar.extra.get(f"{code}_query", ""))),
                }
            )
    return _with_rows(_year_skeleton(_language()), rows)


def _horizontal(which: str, bars: list[Any], people_url: str) -> dict[str, Any]:
    rows = [
        {
            "label": bar.label,
            "order": order,
            "people": bar.count,
            "url": _link(people_url, bar.query),
        }
        for order, bar in enumerate(bars)
    ]
    return _with_rows(
        _horizontal_skeleton(_language(), which), rows, height=max(60, 18 * len(rows))
    )


def province_chart(coverage: Coverage, people_url: str) -> dict[str, Any]:
    return _horizontal("province", coverage.by_province, people_url)


def kind_chart(coverage: Coverage, people_url: str) -> dict[str, Any]:
    return _horizontal("kind", coverage.by_kind, people_url)


def coverage_charts(coverage: Coverage, people_url: str) -> dict[str, dict[str, Any]]:
    """The dashboard's charts by name."""
    return {
        "year": year_chart(coverage, people_url),
        "province": province_chart(coverage, people_url),
        "kind": kind_chart(coverage, people_url),
    }


_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        import fontpkg_noto_sans_khmer
        import vl_convert

        vl_convert.register_font_directory(str(fontpkg_noto_sans_khmer.ROOT / "files"))
        _fonts_registered = True


def chart_png(spec: dict[str, Any], *, scale: float = 2) -> bytes:
    """The chart as a PNG image, rendered by vl-convert with the Khmer font registered.

    PNG rather than SVG for print: vl-convert shapes Khmer text itself, whereas SVG text
    would be laid out again by the PDF renderer, which does not shape Khmer in SVG.
    """
    import vl_convert

    _register_fonts()
    # Links make no sense on paper.
    return vl_convert.vegalite_to_png(_without_links(spec), scale=scale)


def _without_links(spec: dict[str, Any]) -> dict[str, Any]:
    spec = dict(spec)
    encoding = dict(spec.get("encoding", {}))
    encoding.pop("href", None)
    spec["encoding"] = encoding
    return spec
