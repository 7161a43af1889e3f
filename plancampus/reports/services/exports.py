"""The coverage dashboard as an Excel workbook and as a PDF.

Both carry the same figures as the page (from :func:`coverage_compute`), the filters they were
made with, and, when the figures come from synthetic demo records, a note saying so. The PDF
draws the page's charts from the same Vega-Lite specs (rendered to SVG by vl-convert) and sets
Khmer text with Noto Sans Khmer from the ``fontpkg-noto-sans-khmer`` package.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from plancampus.core.models import Organisation

from .charts import chart_png, coverage_charts
from .coverage import (
    OFFICE_KINDS,
    PROVINCE_OF_PERSON,
    Coverage,
    CoverageFilters,
    office_counts,
    offices,
    people_trained,
    scope_countries,
)

# The people sheet stops here; the page's list has them all.
MAX_PEOPLE_ROWS = 100_000


def filter_lines(
    filters: CoverageFilters, *, institution: Organisation | None, labels: dict[str, str]
) -> list[tuple[str, str]]:
    """The filters in words, for the head of an export."""
    lines = [(_("Institution"), institution.display_name if institution else _("All institutions"))]
    for key, label in (
        ("year", _("Year")),
        ("sex", _("Sex")),
        ("province", _("Province")),
        ("kind", _("Kind of organisation")),
        ("organisation", _("Organisation")),
        ("course", _("Course")),
    ):
        value = getattr(filters, key)
        if value:
            lines.append((label, labels.get(key) or str(value)))
    lines.append((_("Offices covered from (staff trained)"), str(filters.threshold)))
    return lines


def synthetic_note(coverage: Coverage) -> str:
    if not coverage.synthetic_people:
        return ""
    if coverage.all_synthetic:
        return _(
            "All these figures come from synthetic demo records: the people and their training "
            "are made up for the demonstration."
        )
    return _("%(synthetic)s of the %(total)s people counted are synthetic demo records.") % {
        "synthetic": coverage.synthetic_people,
        "total": coverage.people,
    }


def coverage_xlsx(
    coverage: Coverage,
    *,
    institution_ids: frozenset[int] | None,
    institution: Organisation | None,
    labels: dict[str, str],
) -> bytes:
    """The dashboard as a workbook: a summary sheet, one sheet per breakdown, the offices and
    the list of people trained."""
    import xlsxwriter

    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "constant_memory": True})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    note = book.add_format({"italic": True, "font_color": "#7A3E00", "text_wrap": True})

    summary = book.add_worksheet(_("Summary")[:31])
    summary.set_column(0, 0, 42)
    summary.set_column(1, 1, 40)
    row = 0
    summary.write(row, 0, _("Coverage of training"), bold)
    row += 1
    summary.write(row, 0, _("Made on"))
    summary.write(row, 1, timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    row += 1
    for label, value in filter_lines(coverage.filters, institution=institution, labels=labels):
        summary.write(row, 0, label)
        summary.write(row, 1, value)
        row += 1
    text = synthetic_note(coverage)
    if text:
        summary.write(row, 0, text, note)
        row += 1
    row += 1
    figures = [
        (_("People trained"), coverage.people),
        (_("of whom synthetic demo records"), coverage.synthetic_people),
        (_("Trainers who delivered a cohort"), coverage.trainers),
        (_("Active trainer profiles"), coverage.trainer_profiles),
    ]
    for office in coverage.offices:
        figures.append(
            (
                _("%(kind)s: offices covered / all") % {"kind": office.label},
                f"{office.covered} / {office.total}",
            )
        )
    for label, value in figures:
        summary.write(row, 0, label)
        summary.write(row, 1, value)
        row += 1

    def breakdown(title: str, first: str, bars: list[Any], extra: tuple[str, ...] = ()) -> None:
        sheet = book.add_worksheet(title[:31])
        sheet.set_column(0, 0, 36)
        header = [first, _("People trained"), *extra]
        for col, text in enumerate(header):
            sheet.write(0, col, text, head)
        for r, bar in enumerate(bars, start=1):
            sheet.write(r, 0, bar.label)
            sheet.write_number(r, 1, bar.count)
            for col, key in enumerate(("F", "M")[: len(extra)], start=2):
                sheet.write_number(r, col, bar.extra.get(key, 0))

    breakdown(_("By year"), _("Year"), coverage.by_year, (_("Female"), _("Male")))
    breakdown(_("By sex"), _("Sex"), coverage.by_sex)
    breakdown(_("By kind"), _("Kind of organisation"), coverage.by_kind)
    breakdown(_("By province"), _("Province"), coverage.by_province)

    sheet = book.add_worksheet(_("Offices")[:31])
    sheet.set_column(0, 0, 60)
    header = [
        _("Office"),
        _("Code"),
        _("Kind"),
        _("Staff trained"),
        _("Covered"),
    ]
    for col, text in enumerate(header):
        sheet.write(0, col, text, head)
    country_ids = scope_countries(institution_ids)
    r = 1
    for kind in OFFICE_KINDS:
        counts = office_counts(institution_ids, coverage.filters, kind)
        for office in offices(country_ids, coverage.filters, kind).order_by("code"):
            n = counts.get(office.pk, 0)
            sheet.write(r, 0, office.display_name)
            sheet.write(r, 1, office.code)
            sheet.write(r, 2, office.get_kind_display())
            sheet.write_number(r, 3, n)
            sheet.write(r, 4, _("yes") if n >= coverage.filters.threshold else _("no"))
            r += 1

    sheet = book.add_worksheet(_("Trainers and alumni")[:31])
    sheet.set_column(0, 0, 60)
    for col, text in enumerate(
        [_("External programme"), _("Participants"), _("Alumni"), _("Alumni among trainers")]
    ):
        sheet.write(0, col, text, head)
    for r, item in enumerate(coverage.programmes, start=1):
        sheet.write(r, 0, item.programme.display_name)
        sheet.write_number(r, 1, item.participants)
        sheet.write_number(r, 2, item.alumni)
        sheet.write_number(r, 3, item.alumni_trainers)

    sheet = book.add_worksheet(_("People trained")[:31])
    sheet.set_column(0, 1, 28)
    sheet.set_column(2, 2, 60)
    header = [
        _("Name (Latin script)"),
        _("Name (Khmer script)"),
        _("Organisation"),
        _("Kind"),
        _("Sex"),
        _("Demo record"),
    ]
    for col, text in enumerate(header):
        sheet.write(0, col, text, head)
    people = (
        people_trained(institution_ids, coverage.filters)
        .annotate(province_id=PROVINCE_OF_PERSON)
        .order_by("name_latin", "pk")
        .values_list(
            "name_latin",
            "name_km",
            "organisation__name_en",
            "organisation__kind",
            "sex",
            "is_synthetic",
        )[:MAX_PEOPLE_ROWS]
    )
    for r, (latin, km, organisation, kind, sex, synthetic) in enumerate(people.iterator(), 1):
        sheet.write(r, 0, latin)
        sheet.write(r, 1, km)
        sheet.write(r, 2, organisation or "")
        sheet.write(r, 3, kind or "")
        sheet.write(r, 4, sex)
        sheet.write(r, 5, _("yes") if synthetic else "")
    book.close()
    return output.getvalue()


@cache
def _khmer_faces() -> list[tuple[int, str]]:
    """(weight, file URL) of Noto Sans Khmer (its variable font file, as packaged).

    Not the static instances the certificates use: in a PDF made from them, text extraction
    (search, copy, screen readers) returns garbage, and a report must stay readable that way.
    """
    import fontpkg_noto_sans_khmer

    files = sorted((Path(fontpkg_noto_sans_khmer.ROOT) / "files").glob("*.ttf"))
    if not files:
        raise RuntimeError(f"Noto Sans Khmer: no font file in {fontpkg_noto_sans_khmer.ROOT}")
    return [(400, files[0].as_uri()), (700, files[0].as_uri())]


def coverage_pdf(
    coverage: Coverage,
    *,
    institution: Organisation | None,
    labels: dict[str, str],
    people_url: str,
) -> bytes:
    """The dashboard as a PDF: filters, figures, the charts (SVG) and their tables."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    faces = _khmer_faces()
    fonts = {url for _weight, url in faces}

    class FontOnly(URLFetcher):
        """WeasyPrint may read the fonts and the charts' images, nothing else (no network,
        no other file)."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"})

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in fonts and not url.startswith("data:image/png;base64,"):
                raise ValueError(
                    f"the coverage PDF loads no resource but its fonts and charts: {url}"
                )
            return super().fetch(url, headers)

    charts = {
        name: "data:image/png;base64," + base64.b64encode(chart_png(spec)).decode()
        for name, spec in coverage_charts(coverage, people_url).items()
    }
    html = render_to_string(
        "reports/coverage_pdf.html",
        {
            "coverage": coverage,
            "charts": charts,
            "font_faces": faces,
            "filter_lines": filter_lines(coverage.filters, institution=institution, labels=labels),
            "synthetic_note": synthetic_note(coverage),
            "made_on": timezone.localtime(),
        },
    )
    fetcher = FontOnly()
    return HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=FontConfiguration())
