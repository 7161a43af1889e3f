"""The campaign's questionnaire as an XLSForm, for KoboToolbox or ODK Collect.

The workbook has the three XLSForm sheets (survey, choices, settings), labels in English and
Khmer (``label::English (en)``, ``label::Khmer (km)``), the form id and version in settings, a
respondent code question, one group per domain, and select_one lists for importance and for
the proficiency scale. A hidden ``form_version`` field carries the version into every
submission, whatever the server (KoboToolbox's ``__version__`` is its own deployment id).

In a campaign that uses designated respondents, a yes/no question asks whether the respondent
was designated to rate their organisation; the organisational and institutional questions
are shown (and required) only after a "yes". The import checks the answer against PlanCampus's
own list of designated respondents, not against this self-declaration.

Before it is offered, the workbook is converted to an XForm with pyxform and the XForm is
checked to hold every expected field: an invalid form is never offered.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from defusedxml import ElementTree
from django.utils.translation import gettext_lazy as _

from ..models import Campaign, CapacityLevel, Competency
from .questionnaire import IMPORTANCE_LABELS, questionnaire_competencies

LANGUAGES = (("en", "English (en)"), ("km", "Khmer (km)"))
RESPONDENT_FIELD = "respondent_id"
VERSION_FIELD = "form_version"
RATES_FIELD = "rates_organisation"

# Question stems, per language of the form (data, not interface text: the form is bilingual
# whatever the language of whoever downloads it).
STEMS = {
    "importance": {
        "en": "{name}: how important is it for your work?",
        "km": "{name}៖ តើវាសំខាន់ប៉ុណ្ណាសម្រាប់ការងាររបស់អ្នក?",
    },
    "current": {
        "en": "{name}: your current level",
        "km": "{name}៖ កម្រិតបច្ចុប្បន្នរបស់អ្នក",
    },
    "org_current": {
        "en": "{name}: current capacity of your organisation",
        "km": "{name}៖ សមត្ថភាពបច្ចុប្បន្នរបស់អង្គភាពអ្នក",
    },
    "org_desired": {
        "en": "{name}: capacity your organisation needs",
        "km": "{name}៖ សមត្ថភាពដែលអង្គភាពអ្នកត្រូវការ",
    },
    "evidence": {
        "en": "{name}: evidence for your rating (documents, examples)",
        "km": "{name}៖ ភស្តុតាងសម្រាប់ការវាយតម្លៃរបស់អ្នក (ឯកសារ ឧទាហរណ៍)",
    },
    "respondent": {
        "en": "Your respondent code (on your invitation, e.g. R00012)",
        "km": "លេខកូដអ្នកឆ្លើយរបស់អ្នក (នៅលើលិខិតអញ្ជើញ ឧ. R00012)",
    },
    "rates": {
        "en": "Were you designated to rate your organisation's capacity (e.g. as its director)?",
        "km": "តើអ្នកត្រូវបានចាត់តាំងឱ្យវាយតម្លៃសមត្ថភាពអង្គភាពរបស់អ្នកដែរឬទេ (ឧ. ជាប្រធានអង្គភាព)?",
    },
    "rates_hint": {
        "en": "Your invitation says so. Only the designated respondent of each office rates it.",
        "km": "លិខិតអញ្ជើញរបស់អ្នកបញ្ជាក់ពីការនេះ។ មានតែអ្នកឆ្លើយដែលត្រូវបានចាត់តាំងនៃអង្គភាពនីមួយៗប៉ុណ្ណោះដែលវាយតម្លៃអង្គភាព។",
    },
}
YES_NO = {"yes": {"en": "Yes", "km": "បាទ/ចាស"}, "no": {"en": "No", "km": "ទេ"}}


class XLSFormInvalid(Exception):
    """pyxform refused the generated form; the message says why."""


@dataclass(frozen=True)
class Field:
    """One question of the form, as the import reads it back."""

    name: str
    group: str
    competency: Competency
    part: str  # importance, current, desired, evidence
    required: bool

    @property
    def is_organisational(self) -> bool:
        """An organisational or enabling-environment question (rated for the organisation)."""
        return self.competency.capacity_level != CapacityLevel.INDIVIDUAL


def form_fields(campaign: Campaign) -> list[Field]:
    fields: list[Field] = []
    for competency in questionnaire_competencies(campaign.framework):
        group = f"grp_{competency.domain.code}"
        if competency.capacity_level == CapacityLevel.INDIVIDUAL:
            parts = [("importance", True), ("current", True)]
        else:
            parts = [("current", True), ("desired", True), ("evidence", False)]
        for part, required in parts:
            fields.append(Field(f"{competency.code}_{part}", group, competency, part, required))
    return fields


def _name(obj: object, language: str) -> str:
    return getattr(obj, f"name_{language}", "") or obj.name_en  # type: ignore[attr-defined]


def xlsform_rows(campaign: Campaign) -> dict[str, list[list[str]]]:
    """The three sheets as rows of text (header first)."""
    framework = campaign.framework
    label_columns = [f"label::{title}" for _code, title in LANGUAGES]
    hint_columns = [f"hint::{title}" for _code, title in LANGUAGES]
    survey: list[list[str]] = [
        [
            "type",
            "name",
            *label_columns,
            *hint_columns,
            "required",
            "constraint",
            "calculation",
            "relevant",
        ]
    ]
    designated = campaign.uses_designated_respondents
    only_designated = f"${{{RATES_FIELD}}} = 'yes'" if designated else ""
    blank_labels = [""] * len(LANGUAGES)

    def row(
        kind: str,
        name: str,
        labels: list[str],
        *,
        hints: list[str] | None = None,
        required: bool = False,
        constraint: str = "",
        calculation: str = "",
        relevant: str = "",
    ) -> None:
        survey.append(
            [
                kind,
                name,
                *labels,
                *(hints or blank_labels),
                "yes" if required else "",
                constraint,
                calculation,
                relevant,
            ]
        )

    def end_group() -> None:
        survey.append(["end_group", "", *blank_labels, *blank_labels, "", "", "", ""])

    row("start", "start", blank_labels)
    row("end", "end", blank_labels)
    row("calculate", VERSION_FIELD, blank_labels, calculation=f"'{campaign.form_version}'")
    row(
        "text",
        RESPONDENT_FIELD,
        [STEMS["respondent"][code] for code, _title in LANGUAGES],
        required=True,
        constraint="regex(., '^[A-Za-z][0-9]{3,10}$')",
    )
    if designated:
        row(
            "select_one yes_no",
            RATES_FIELD,
            [STEMS["rates"][code] for code, _title in LANGUAGES],
            hints=[STEMS["rates_hint"][code] for code, _title in LANGUAGES],
            required=True,
        )
    current_group = None
    for field in form_fields(campaign):
        if field.group != current_group:
            if current_group is not None:
                end_group()
            domain = field.competency.domain
            row("begin_group", field.group, [_name(domain, code) for code, _t in LANGUAGES])
            current_group = field.group
        competency = field.competency
        individual = competency.capacity_level == CapacityLevel.INDIVIDUAL
        stem = {
            "importance": "importance",
            "current": "current" if individual else "org_current",
            "desired": "org_desired",
            "evidence": "evidence",
        }[field.part]
        labels = [STEMS[stem][code].format(name=_name(competency, code)) for code, _t in LANGUAGES]
        kind = (
            "text"
            if field.part == "evidence"
            else "select_one importance"
            if field.part == "importance"
            else "select_one level"
        )
        row(
            kind,
            field.name,
            labels,
            required=field.required,
            relevant=only_designated if field.is_organisational else "",
        )
    if current_group is not None:
        end_group()

    choices: list[list[str]] = [["list_name", "name", *label_columns]]
    for level in range(1, 6):
        choices.append(
            [
                "importance",
                str(level),
                *[f"{level} – {IMPORTANCE_LABELS[code][str(level)]}" for code, _title in LANGUAGES],
            ]
        )
    for level in framework.levels:
        choices.append(
            [
                "level",
                str(level),
                *[f"{level} – {framework.level_label(level, code)}" for code, _title in LANGUAGES],
            ]
        )
    if designated:
        for value, labels in YES_NO.items():
            choices.append(["yes_no", value, *[labels[code] for code, _title in LANGUAGES]])
    settings = [
        ["form_title", "form_id", "version", "default_language", "style"],
        [
            campaign.name_en,
            campaign.xlsform_id,
            campaign.form_version,
            LANGUAGES[0][1],
            "pages",
        ],
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def xlsform_workbook(campaign: Campaign) -> bytes:
    """The XLSForm as an .xlsx workbook (not yet validated: see ``xlsform_export``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in xlsform_rows(campaign).items():
        sheet = workbook.create_sheet(title)
        for values in rows:
            sheet.append(values)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHI", (22, 30, 60, 60, 30, 30, 10, 30, 30), strict=False):
            sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xform_from_xlsform(data: bytes) -> str:
    """Convert an XLSForm workbook with pyxform; XLSFormInvalid if pyxform refuses it."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        return convert(xlsform=io.BytesIO(data), file_type=".xlsx").xform
    except (PyXFormError, ValueError, KeyError) as error:
        raise XLSFormInvalid(str(error)) from error


def xform_field_names(xform: str) -> set[str]:
    """The names of the data fields an XForm binds (last segment of each nodeset)."""
    root = ElementTree.fromstring(xform.encode("utf-8"))
    names = set()
    for element in root.iter():
        if element.tag.endswith("}bind") or element.tag == "bind":
            nodeset = element.get("nodeset", "")
            names.add(nodeset.rsplit("/", 1)[-1])
    return names


def xlsform_export(campaign: Campaign) -> bytes:
    """The validated XLSForm of a campaign; XLSFormInvalid if it does not convert cleanly."""
    data = xlsform_workbook(campaign)
    xform = xform_from_xlsform(data)
    expected = {f.name for f in form_fields(campaign)} | {RESPONDENT_FIELD, VERSION_FIELD}
    if campaign.uses_designated_respondents:
        expected.add(RATES_FIELD)
    missing = expected - xform_field_names(xform)
    if missing:
        raise XLSFormInvalid(
            str(_("The converted form lacks these fields: %(fields)s."))
            % {"fields": ", ".join(sorted(missing))}
        )
    if f'version="{campaign.form_version}"' not in xform:
        raise XLSFormInvalid(str(_("The converted form does not carry the campaign's version.")))
    return data
