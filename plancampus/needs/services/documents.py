"""Documents: the needs-assessment report (PDF) and the capacity development plan (PDF, DOCX).

Both are written in the language asked for (English or Khmer; French works too), whatever the
language of the page they are asked from. PDFs are HTML templates laid out by WeasyPrint with
Noto Sans Khmer (from fontpkg-noto-sans-khmer, which also covers Latin script); DOCX files are
built with python-docx, their complex-script font set to Noto Sans Khmer. The charts are the
Vega-Lite specs of the analysis pages, rendered to PNG by vl-convert.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Campaign, CapacityPlan, RespondentStatus
from . import charts
from .analysis import campaign_analysis, compare
from .plans import PlanView, plan_view
from .recommendations import recommendations_for

LANGUAGES = ("en", "km", "fr")
FONT_FAMILY = "Noto Sans Khmer"


def _font_url() -> str:
    import fontpkg_noto_sans_khmer

    font = next((fontpkg_noto_sans_khmer.ROOT / "files").glob("*.ttf"))
    return font.as_uri()


def _png_uri(spec: dict[str, Any]) -> str:
    return "data:image/png;base64," + base64.b64encode(charts.chart_png(spec)).decode()


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_url": _font_url(), "font": FONT_FAMILY})
    return HTML(string=html).write_pdf()


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str
    content_type: str


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- The needs-assessment report -----------------------------------------------------------


def report_context(campaign: Campaign) -> dict[str, Any]:
    analysis = campaign_analysis(campaign, fresh=True)
    respondents = campaign.respondents
    status_counts = dict(
        respondents.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    sources = dict(
        respondents.filter(status=RespondentStatus.SUBMITTED)
        .values("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "analysis": analysis,
        "invited": sum(status_counts.values()),
        "submitted": status_counts.get(RespondentStatus.SUBMITTED, 0),
        "sources": sources,
        "domains": campaign.framework.domains.order_by("order"),
        "roles": campaign.target_roles.all(),
        "generated": timezone.localtime(),
        "charts": {},
    }
    if analysis.respondent_count:
        context["charts"] = {
            "borich": _png_uri(charts.borich_chart(analysis)),
            "quadrant": _png_uri(charts.quadrant_chart(analysis)),
            "organisational": _png_uri(charts.organisational_chart(analysis)),
        }
        context["recommendations"] = recommendations_for(campaign)
        if campaign.baseline_id:
            comparison = compare(campaign_analysis(campaign.baseline, fresh=True), analysis)
            context["comparison"] = comparison
            context["charts"]["comparison"] = _png_uri(charts.comparison_chart(comparison))
    return context


# Told when the figures and charts are ready and the document is being laid out.
Progress = Callable[[], None] | None


def needs_report_pdf(*, campaign: Campaign, language: str, progress: Progress = None) -> Document:
    """The report for the validation workshop: method, respondents, top gaps, charts,
    recommendations."""
    with translation.override(language):
        context = report_context(campaign)
        if progress:
            progress()
        content = _pdf("needs/pdf/report.html", context)
    return Document(content, f"needs-report-{campaign.code}-{language}.pdf", PDF)


# --- The capacity development plan -----------------------------------------------------------


def _progress_chart(view: PlanView) -> dict[str, Any]:
    import altair as alt

    rows = []
    for number, objective in enumerate(view.objectives, start=1):
        for progress in objective.indicators:
            rows.append(
                {
                    "indicator": f"{number}. {progress.indicator.display_name}"[:70],
                    "progress": (progress.percent or 0) / 100,
                }
            )
    chart = (
        alt.Chart()
        .mark_bar(color=charts.COLOURS["current"])
        .encode(
            y=alt.Y("indicator:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "progress:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
                title=_("Progress from baseline to target"),
            ),
        )
        .properties(width=charts.WIDTH, title=_("Indicators: progress towards the target"))
    )
    return charts._config(chart, rows)


def plan_context(plan: CapacityPlan) -> dict[str, Any]:
    view = plan_view(plan)
    context: dict[str, Any] = {
        "plan": plan,
        "view": view,
        "generated": timezone.localtime(),
        "charts": {"progress": _png_uri(_progress_chart(view))},
    }
    if plan.campaign_id:
        analysis = campaign_analysis(plan.campaign, fresh=True)
        if analysis.respondent_count:
            context["charts"]["borich"] = _png_uri(charts.borich_chart(analysis))
    return context


def plan_pdf(*, plan: CapacityPlan, language: str, progress: Progress = None) -> Document:
    with translation.override(language):
        context = plan_context(plan)
        if progress:
            progress()
        content = _pdf("needs/pdf/plan.html", context)
    return Document(content, f"capacity-plan-{plan.pk}-{language}.pdf", PDF)


def _set_fonts(document: Any) -> None:
    """Latin text in Noto Sans, Khmer (a complex script) in Noto Sans Khmer."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for style_name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "Table Grid"):
        try:
            style = document.styles[style_name]
        except KeyError:
            continue
        style.font.name = FONT_FAMILY
        if style_name == "Normal":
            style.font.size = Pt(10)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT_FAMILY)


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text


def _number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{digits}f}"


def plan_docx(*, plan: CapacityPlan, language: str, progress: Progress = None) -> Document:
    from docx import Document as WordDocument
    from docx.shared import Cm

    with translation.override(language):
        context = plan_context(plan)
        if progress:
            progress()
        view: PlanView = context["view"]
        document = WordDocument()
        _set_fonts(document)
        document.core_properties.title = plan.display_name
        document.core_properties.language = language
        document.add_heading(plan.display_name, level=0)
        if plan.is_synthetic:
            document.add_paragraph(
                _(
                    "Synthetic demo plan: objectives, figures and costs are made up for the demonstration."
                )
            ).runs[0].italic = True
        facts = [
            (_("Institution"), plan.institution.display_name),
            (_("Period"), f"{plan.start_year}–{plan.end_year}"),
            (_("Status"), str(plan.get_status_display())),
            (_("Total cost"), f"{_number(view.total_cost)} {view.currency}"),
        ]
        if plan.campaign:
            facts.append((_("Needs assessment"), plan.campaign.display_name))
        _table(document, [_("Plan"), ""], [[label, value] for label, value in facts])
        if plan.summary:
            document.add_paragraph(plan.summary)
        for key in ("borich", "progress"):
            if key in context["charts"]:
                data = base64.b64decode(context["charts"][key].split(",", 1)[1])
                document.add_picture(io.BytesIO(data), width=Cm(16))
        for number, objective in enumerate(view.objectives, start=1):
            document.add_heading(f"{number}. {objective.objective.display_name}", level=1)
            if objective.gaps:
                document.add_paragraph(
                    _("Gaps answered")
                    + ": "
                    + "; ".join(
                        competency.display_name  # type: ignore[attr-defined]
                        + (f" ({score:.2f})" if score is not None and score == score else "")
                        for competency, score in objective.gaps
                    )
                )
            document.add_heading(_("Indicators"), level=2)
            _table(
                document,
                [_("Indicator"), _("Baseline"), _("Target"), _("Latest"), _("Progress")],
                [
                    [
                        f"{p.indicator.display_name} ({p.indicator.unit})",
                        f"{_number(p.indicator.baseline_value, 0)} ({p.indicator.baseline_year})",
                        f"{_number(p.indicator.target_value, 0)} ({p.indicator.target_year})",
                        f"{_number(p.latest.value, 0)} ({p.latest.measured_on:%Y-%m})"
                        if p.latest
                        else "—",
                        f"{p.percent} %" if p.percent is not None else "—",
                    ]
                    for p in objective.indicators
                ],
            )
            document.add_heading(_("Interventions"), level=2)
            _table(
                document,
                [
                    _("Intervention"),
                    _("Kind"),
                    _("Responsible"),
                    _("Timeline"),
                    _("Cost"),
                    _("Status"),
                ],
                [
                    [
                        i.display_name,
                        str(i.get_kind_display()),
                        (i.responsible_unit.display_name if i.responsible_unit else "")
                        + (f" — {i.responsible_note}" if i.responsible_note else ""),
                        f"{i.starts_on:%Y-%m} – {i.ends_on:%Y-%m}",
                        f"{_number(i.cost)} {i.currency}",
                        str(i.get_status_display()),
                    ]
                    for i in objective.interventions
                ],
            )
        document.add_paragraph(
            _("Generated by PlanCampus on %(date)s.") % {"date": f"{context['generated']:%Y-%m-%d}"}
        )
        buffer = io.BytesIO()
        document.save(buffer)
    return Document(buffer.getvalue(), f"capacity-plan-{plan.pk}-{language}.docx", DOCX)
