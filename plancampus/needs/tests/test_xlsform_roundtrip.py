"""The XLSForm round trip: export the form, convert it with pyxform, answer it as
KoboToolbox would export the answers, import them, find the expected gaps; and every kind of
bad input, rejected or flagged per row with its reason."""

from __future__ import annotations

import csv
import io
import uuid

import openpyxl
import pytest
from defusedxml import ElementTree
from django.urls import reverse
from pyxform.xls2xform import convert

from plancampus.needs.models import AnswerSource, RespondentStatus, SubmissionImport
from plancampus.needs.services.analysis import analyse, campaign_data_load
from plancampus.needs.services.submissions import submissions_import
from plancampus.needs.services.xlsform import xlsform_export

pytestmark = pytest.mark.django_db

XFORMS = "{http://www.w3.org/2002/xforms}"


def xform_columns(workbook: bytes) -> list[str]:
    """The column names KoboToolbox gives the form's fields: their paths below the root."""
    xform = convert(xlsform=io.BytesIO(workbook), file_type=".xlsx").xform
    root = ElementTree.fromstring(xform.encode())
    instance = next(root.iter(f"{XFORMS}instance"))
    data = next(iter(instance))
    columns = []

    def walk(node, prefix):
        for child in node:
            name = child.tag.replace(XFORMS, "")
            if name == "meta":
                continue
            if len(child):
                walk(child, f"{prefix}{name}/")
            else:
                columns.append(prefix + name)

    walk(data, "")
    return columns


def kobo_rows(campaign, columns, answers_by_code, *, when="2026-03-15T10:20:00.000+07:00"):
    """One Kobo-style export row per respondent code: {code: {field: value}}."""
    rows = []
    for number, (code, answers) in enumerate(answers_by_code.items(), start=1):
        instance = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{campaign.pk}-{code}-{number}"))
        row = {"start": "2026-03-15T10:00:00.000+07:00", "end": "2026-03-15T10:19:00.000+07:00"}
        for column in columns:
            bare = column.rsplit("/", 1)[-1]
            if bare == "respondent_id":
                row[column] = code
            elif bare == "form_version":
                row[column] = campaign.form_version
            elif bare not in ("start", "end"):
                row[column] = answers.get(bare, "")
        row |= {
            "meta/instanceID": f"uuid:{instance}",
            "_id": str(1000 + number),
            "_uuid": instance,
            "_submission_time": when,
            "__version__": "vKoboOwnDeploymentId",
            "_index": str(number),
        }
        rows.append(row)
    return rows


def to_csv(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Needs assessment"
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([int(v) if v.isdigit() and len(v) == 1 else v for v in row.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def complete(campaign, overrides=None, *, rates=False):
    """Answers to every individual field (importance 4, current 3), and with ``rates`` (a
    designated respondent) to the organisational ones (current 2, desired 4) — with
    overrides."""
    values = {"rates_organisation": "yes" if rates else "no"}
    for competency in campaign.framework.competencies.all():
        if competency.capacity_level == "individual":
            values[f"{competency.code}_importance"] = "4"
            values[f"{competency.code}_current"] = "3"
        elif rates:
            values[f"{competency.code}_current"] = "2"
            values[f"{competency.code}_desired"] = "4"
            values[f"{competency.code}_evidence"] = "Organigram 2025"
    return values | (overrides or {})


@pytest.fixture
def form(campaign):
    workbook = xlsform_export(campaign)
    return workbook, xform_columns(workbook)


def codes(campaign):
    return {r.person.name_latin: r.code for r in campaign.respondents.select_related("person")}


def test_exported_form_is_a_valid_bilingual_xlsform(campaign, form):
    workbook, columns = form
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    assert "label::English (en)" in header
    assert "label::Khmer (km)" in header
    settings = {
        c.value: v.value for c, v in zip(book["settings"][1], book["settings"][2], strict=True)
    }
    assert settings["form_id"] == "plancampus_poe_2026"
    assert settings["version"] == campaign.form_version
    khmer = [
        row[header.index("label::Khmer (km)")].value for row in book["survey"].iter_rows(min_row=2)
    ]
    assert any(label and "ការរៀបចំផែនការវិស័យអប់រំ" in label for label in khmer)
    choices = {(r[0].value, r[1].value) for r in book["choices"].iter_rows(min_row=2)}
    assert {("importance", "5"), ("level", "1"), ("level", "5")} <= choices
    assert "grp_strategic_planning/sector_plan_preparation_importance" in columns
    assert "grp_governance/emis_data_system_evidence" in columns
    assert "respondent_id" in columns
    assert "form_version" in columns


def test_round_trip_finds_the_expected_gaps(campaign, form):
    _workbook, columns = form
    code = codes(campaign)
    answers = {
        code["Sok Dara"]: complete(
            campaign,
            {"sector_plan_preparation_current": "1", "sector_plan_preparation_importance": "5"},
        ),
        code["Chan Thida"]: complete(
            campaign,
            {"sector_plan_preparation_current": "2", "sector_plan_preparation_importance": "5"},
        ),
        code["Keo Vannak"]: complete(
            campaign,
            {"teacher_management_current": "1", "teacher_management_importance": "5"},
            rates=True,
        ),
    }
    record = submissions_import(
        campaign=campaign,
        data=to_csv(kobo_rows(campaign, columns, answers)),
        filename="kobo.csv",
        user=None,
    )
    assert (record.kept, record.flagged, record.rejected) == (3, 0, 0), record.rows
    submitted = campaign.respondents.filter(status=RespondentStatus.SUBMITTED)
    assert submitted.count() == 3
    assert set(submitted.values_list("source", flat=True)) == {AnswerSource.IMPORT}
    assert all(r.instance_id for r in submitted)
    result = analyse(campaign_data_load(campaign))
    top = result.needs[0]
    assert top.competency.code == "sector_plan_preparation"
    # importance 5, 5, 4; current 1, 2, 3 → MWDS = 4.67 × mean(4, 3, 1) = 12.44
    assert top.mwds == pytest.approx(14 / 3 * 8 / 3)
    # Planning officers require 4: gaps 3 and 2; the director requires 3: gap 0.
    assert top.mean_gap == pytest.approx(5 / 3)
    by_role = {g.label_object.code: g for g in result.by_role}
    director = by_role["provincial_office_director"]
    teacher = [c.code for c in result.individual_competencies].index("teacher_management")
    assert director.by_competency[teacher] == pytest.approx(3.0)  # requires 4, is at 1
    emis = next(i for i in result.organisational if i.competency.code == "emis_data_system")
    assert (emis.mean_current, emis.mean_desired) == (2.0, 4.0)


def test_xlsx_export_with_bare_column_names_and_labels(campaign, form):
    _workbook, columns = form
    code = codes(campaign)
    rows = kobo_rows(
        campaign,
        columns,
        {code["Sok Dara"]: complete(campaign, {"sector_analysis_current": "3 – Practitioner"})},
    )
    bare = [
        {
            k.rsplit("/", 1)[-1] if "/" in k and not k.startswith("meta/") else k: v
            for k, v in r.items()
        }
        for r in rows
    ]
    record = submissions_import(
        campaign=campaign, data=to_xlsx(bare), filename="kobo.xlsx", user=None
    )
    assert (record.kept, record.rejected) == (1, 0), record.rows


def test_semicolon_csv(campaign, form):
    _workbook, columns = form
    code = codes(campaign)
    rows = kobo_rows(campaign, columns, {code["Sok Dara"]: complete(campaign)})
    record = submissions_import(
        campaign=campaign, data=to_csv(rows, ";"), filename="kobo.csv", user=None
    )
    assert record.kept == 1


def problem_codes(record):
    return {row["row"]: [p["code"] for p in row["problems"]] for row in record.rows}


def test_bad_rows_are_rejected_or_flagged_with_their_reason(campaign, form):
    _workbook, columns = form
    code = codes(campaign)
    rows = kobo_rows(
        campaign,
        columns,
        {
            code["Sok Dara"]: complete(
                campaign, {"sector_analysis_current": "7"}
            ),  # unknown choice
            code["Chan Thida"]: complete(
                campaign, {"teacher_management_importance": ""}
            ),  # missing
            "R99999": complete(campaign),  # not in the campaign
            code["Keo Vannak"]: complete(campaign, rates=True),  # outside the period: flagged
            code["Ly Malis"]: complete(campaign),  # another form version
        },
    )
    rows[3]["_submission_time"] = "2027-02-01T08:00:00"
    version_column = next(c for c in rows[4] if c.endswith("form_version"))
    rows[4][version_column] = "poe-2026-0"
    duplicate = dict(rows[3])  # the same submission twice
    rows.append(duplicate)
    record = submissions_import(campaign=campaign, data=to_csv(rows), filename="bad.csv", user=None)
    found = problem_codes(record)
    assert found[2] == ["unknown_choice"]
    assert found[3] == ["missing_answer"]
    assert found[4] == ["unknown_respondent"]
    assert found[5] == ["outside_period"]
    assert found[6] == ["version_mismatch"]
    assert "duplicate_in_file" in found[7]
    assert (record.kept, record.flagged, record.rejected) == (0, 1, 5)
    outcomes = {row["row"]: row["outcome"] for row in record.rows}
    assert outcomes[5] == "flagged"
    # Rejected rows keep their raw values: nothing is lost.
    rejected = next(row for row in record.rows if row["row"] == 2)
    assert rejected["values"]["grp_strategic_planning/sector_analysis_current"] == "7"
    assert campaign.respondents.filter(status=RespondentStatus.SUBMITTED).count() == 1
    # Imported again: the kept submission is recognised by its instance id.
    again = submissions_import(
        campaign=campaign, data=to_csv(rows[3:4]), filename="bad.csv", user=None
    )
    assert "already_imported" in problem_codes(again)[2]
    assert again.rejected == 1


def test_respondent_who_answered_online_is_not_overwritten(campaign, form, participant_respondent):
    from plancampus.needs.tests.factories import fill

    fill(participant_respondent, {})
    _workbook, columns = form
    rows = kobo_rows(campaign, columns, {participant_respondent.code: complete(campaign)})
    record = submissions_import(campaign=campaign, data=to_csv(rows), filename="x.csv", user=None)
    assert problem_codes(record)[2] == ["already_answered"]


def test_a_file_from_another_form_is_rejected_whole(campaign):
    data = b"respondent_id,meta/instanceID,_version\nR00001,uuid:1,v1\n"
    record = submissions_import(campaign=campaign, data=data, filename="other.csv", user=None)
    assert [p["code"] for p in record.file_problems] == ["columns_missing"]
    assert record.rejected == 1
    assert record.kept == 0


def test_unreadable_file(campaign):
    record = submissions_import(
        campaign=campaign, data=b"\xff\xfe\x00junk", filename="x.csv", user=None
    )
    assert [p["code"] for p in record.file_problems] == ["not_readable"]


def test_import_pages(client_for, coordinator, outsider, campaign, form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _workbook, columns = form
    code = codes(campaign)
    rows = kobo_rows(
        campaign, columns, {code["Sok Dara"]: complete(campaign), "R99999": complete(campaign)}
    )
    client = client_for(coordinator)
    response = client.post(
        reverse("needs-import-upload", args=[campaign.pk]),
        {"file": SimpleUploadedFile("kobo.csv", to_csv(rows), content_type="text/csv")},
    )
    assert response.status_code == 302
    job_url = response["Location"]
    assert job_url.startswith("/needs/import-jobs/")  # a background job (run at once in tests)
    record = SubmissionImport.objects.get()
    response = client.get(job_url)
    assert response["Location"] == reverse("needs-import", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="kept-count">1<' in page
    assert 'id="rejected-count">1<' in page
    assert "R99999" in page
    assert "was not invited" in page
    download = client.get(reverse("needs-xlsform", args=[campaign.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    client.logout()
    client = client_for(outsider)
    assert client.get(reverse("needs-import", args=[record.pk])).status_code == 404
    assert client.get(job_url).status_code == 404


def test_a_failed_import_job_says_so(client_for, coordinator, campaign, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plancampus.needs.services import submissions

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(submissions, "submissions_import", broken)
    client = client_for(coordinator)
    response = client.post(
        reverse("needs-import-upload", args=[campaign.pk]),
        {"file": SimpleUploadedFile("kobo.csv", b"a,b\n1,2\n", content_type="text/csv")},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "unexpected error" in page.content.decode()
    assert not SubmissionImport.objects.exists()


# --- The form version, as KoboToolbox and ODK Central really export it ---------------------

KOBO_META = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]


def kobo_export(campaign, columns, answers_by_code, *, with_form_version=True):
    """A KoboToolbox CSV export (semicolons, its metadata columns at the end, in its order):
    ``__version__`` holds Kobo's asset version uid, never the campaign's version."""
    rows = kobo_rows(campaign, columns, answers_by_code)
    ordered = []
    for row in rows:
        fields = [c for c in row if c not in KOBO_META and c != "meta/instanceID"]
        if not with_form_version:
            fields = [c for c in fields if c.rsplit("/", 1)[-1] != "form_version"]
        record = {c: row[c] for c in fields}
        record["meta/instanceID"] = row["meta/instanceID"]
        record |= {
            "_id": row["_id"],
            "_uuid": row["_uuid"],
            "_submission_time": row["_submission_time"],
            "_validation_status": "",
            "_notes": "",
            "_status": "submitted_via_web",
            "_submitted_by": "",
            "__version__": "vGvDqvwCeXzHa4LNw2vCGD",
            "_tags": "",
            "_index": row["_index"],
        }
        ordered.append(record)
    return to_csv(ordered, ";")


def central_export(campaign, columns, answers_by_code, *, form_version=None, keep_hidden=False):
    """An ODK Central CSV export: groups joined with "-", SubmissionDate first, then the
    fields, meta-instanceID, KEY … FormVersion (the XForm's version, i.e. the settings'
    ``version``). ``form_version`` gives each row's FormVersion (default: the campaign's)."""
    rows = []
    for number, (code, answers) in enumerate(answers_by_code.items()):
        instance = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'central-{campaign.pk}-{code}')}"
        row = {"SubmissionDate": "2026-03-15T03:20:00.000Z"}
        for column in columns:
            bare = column.rsplit("/", 1)[-1]
            if bare == "form_version":
                if keep_hidden:
                    row[column.replace("/", "-")] = campaign.form_version
                continue
            if bare in ("start", "end"):
                row[bare] = "2026-03-15T10:00:00.000+07:00"
            elif bare == "respondent_id":
                row[column] = code
            else:
                row[column.replace("/", "-")] = answers.get(bare, "")
        versions = form_version or [campaign.form_version] * len(answers_by_code)
        row |= {
            "meta-instanceID": instance,
            "KEY": instance,
            "SubmitterID": "5",
            "SubmitterName": "enumerator-siemreap",
            "AttachmentsPresent": "0",
            "AttachmentsExpected": "0",
            "Status": "",
            "ReviewState": "",
            "DeviceID": "collect:Xk3",
            "Edits": "0",
            "FormVersion": versions[number],
        }
        rows.append(row)
    return to_csv(rows)


def test_kobo_export_without_the_hidden_version_is_imported_with_one_warning(
    client_for, coordinator, campaign, form
):
    """Kobo's ``__version__`` is its own deployment id: never compared with ours. Without
    our ``form_version`` column the rows are kept, and the file says so once."""
    _workbook, columns = form
    code = codes(campaign)
    data = kobo_export(
        campaign,
        columns,
        {code["Sok Dara"]: complete(campaign), code["Chan Thida"]: complete(campaign)},
        with_form_version=False,
    )
    record = submissions_import(campaign=campaign, data=data, filename="kobo.csv", user=None)
    assert (record.kept, record.flagged, record.rejected) == (2, 0, 0), record.rows
    assert [p["code"] for p in record.file_problems] == ["version_not_checked_kobo"]
    assert record.file_problems[0]["params"] == {"columns": "__version__"}
    assert all(row["problems"] == [] for row in record.rows)
    assert not record.version_checked
    page = client_for(coordinator).get(reverse("needs-import", args=[record.pk]))
    text = page.content.decode()
    assert text.count("could not be checked") == 1
    assert 'id="file-warnings"' in text
    assert "KoboToolbox&#x27;s own id" in text or "KoboToolbox's own id" in text
    detail = client_for(coordinator).get(reverse("needs-campaign", args=[campaign.pk]))
    assert "form version not checked" in detail.content.decode()


def test_kobo_export_with_the_hidden_version_compares_it_not_kobo_s(campaign, form):
    _workbook, columns = form
    code = codes(campaign)
    data = kobo_export(
        campaign,
        columns,
        {code["Sok Dara"]: complete(campaign), code["Chan Thida"]: complete(campaign)},
    )
    text = data.decode().replace(f";{campaign.form_version};", ";poe-2026-0;", 1)
    record = submissions_import(
        campaign=campaign, data=text.encode(), filename="kobo.csv", user=None
    )
    assert record.file_problems == []
    assert record.version_checked
    assert problem_codes(record) == {2: ["version_mismatch"], 3: []}
    rejected = record.rows[0]["problems"][0]
    assert rejected["column"] == "form_version"
    assert rejected["params"] == {"version": "poe-2026-0", "expected": campaign.form_version}
    assert (record.kept, record.rejected) == (1, 1)


def test_empty_version_cell_is_kept_with_a_warning(campaign, form):
    _workbook, columns = form
    code = codes(campaign)
    rows = kobo_rows(campaign, columns, {code["Sok Dara"]: complete(campaign)})
    rows[0]["form_version"] = ""
    record = submissions_import(campaign=campaign, data=to_csv(rows), filename="k.csv", user=None)
    assert problem_codes(record) == {2: ["version_missing"]}
    assert (record.kept, record.flagged, record.rejected) == (0, 1, 0)


def test_central_export_compares_form_version_column(campaign, form):
    """ODK Central's FormVersion is the XForm's version (our settings ``version``)."""
    _workbook, columns = form
    code = codes(campaign)
    answers = {
        code["Sok Dara"]: complete(campaign),
        code["Chan Thida"]: complete(campaign),
        code["Keo Vannak"]: complete(campaign, rates=True),
    }
    data = central_export(
        campaign,
        columns,
        answers,
        form_version=[campaign.form_version, "poe-2026-2", campaign.form_version],
    )
    header = data.decode().split("\r\n", 1)[0].split(",")
    assert header[0] == "SubmissionDate"
    assert header[-11:] == [
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ]
    assert "grp_strategic_planning-sector_analysis_current" in header
    record = submissions_import(campaign=campaign, data=data, filename="central.csv", user=None)
    assert record.file_problems == []
    assert problem_codes(record) == {2: [], 3: ["version_mismatch_central"], 4: []}
    assert (record.kept, record.rejected) == (2, 1)
    assert campaign.respondents.filter(status=RespondentStatus.SUBMITTED).count() == 2
    kept = campaign.respondents.get(code=code["Sok Dara"])
    assert kept.instance_id == str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"central-{campaign.pk}-{code['Sok Dara']}")
    )  # "uuid:" dropped, as for Kobo's _uuid: the same submission is recognised either way


def test_central_export_prefers_the_hidden_version(campaign, form):
    """With our hidden column present, Central's FormVersion is not what is compared (Central
    may rename a version when a draft is published unchanged)."""
    _workbook, columns = form
    code = codes(campaign)
    data = central_export(
        campaign,
        columns,
        {code["Sok Dara"]: complete(campaign)},
        form_version=[f"{campaign.form_version}_2026-03-01"],
        keep_hidden=True,
    )
    record = submissions_import(campaign=campaign, data=data, filename="central.csv", user=None)
    assert (record.kept, record.flagged, record.rejected) == (1, 0, 0), record.rows
    assert record.version_checked


def test_a_lone_formversion_column_outside_central_is_not_trusted(campaign, form):
    """Only ODK Central's export (with KEY, SubmitterID…) makes FormVersion ours; a file with
    no metadata we recognise is imported with the file-level warning."""
    _workbook, columns = form
    code = codes(campaign)
    rows = kobo_rows(campaign, columns, {code["Sok Dara"]: complete(campaign)})
    for row in rows:
        del row["form_version"]
        for name in KOBO_META:
            row.pop(name, None)
        row["FormVersion"] = "anything"
    record = submissions_import(campaign=campaign, data=to_csv(rows), filename="x.csv", user=None)
    assert [p["code"] for p in record.file_problems] == ["version_not_checked"]
    assert record.kept == 1
