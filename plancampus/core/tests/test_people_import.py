"""Import of people from CSV/XLSX: every bad input is located and nothing is half-imported."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plancampus.core.models import BackgroundJob, Person, Position
from plancampus.core.services import people_import
from plancampus.core.tests.factories import (
    CountryFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
HEADER = "name_latin,name_km,sex,organisation_code,position,email,phone,birth_year,staff_id"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def upload(client, content: bytes, name: str = "people.csv", **options):
    data = {"file": SimpleUploadedFile(name, content), **options}
    return client.post(reverse("person-import"), data)


def last_job() -> BackgroundJob:
    return BackgroundJob.objects.latest("pk")


def problems(job: BackgroundJob) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.code) for p in people_import.problems_of(job)]


def xlsx_bytes(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def nie(institution):
    return institution


# --- Good files -----------------------------------------------------------------------------


def test_good_csv_imports_everyone_with_history_and_positions(client_for, coordinator, office, nie):
    client = client_for(coordinator)
    response = upload(client, (FILES / "people_good.csv").read_bytes(), "people_good.csv")
    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.result
    assert job.result["created"] == 3
    assert job.percent == 100

    chea = Person.objects.get(external_id="MOEYS-0001")
    assert (chea.name_latin, chea.name_km, chea.sex, chea.birth_year) == (
        "Chea Sokha",
        "ជា សុខា",
        "F",
        1985,
    )
    assert chea.organisation == office
    assert chea.phone == "012 345 678"
    heng = Person.objects.get(name_latin="Heng Piseth")
    assert heng.sex == "M"
    assert heng.organisation == office
    keo = Person.objects.get(external_id="MOEYS-0003")
    # Zero-width spaces are removed and text is NFC: what a search will find.
    assert keo.name_latin == "Keo Sreymom"
    assert keo.name_km == "កែវស្រីមុំ"
    assert keo.sex == "F"
    assert keo.organisation == nie
    assert keo.position == "Lecturer, planning"
    assert "sreymom" in keo.search_text
    assert keo.sort_km

    assert Position.objects.filter(person__in=[chea, heng, keo]).count() == 3
    assert Position.objects.get(person=chea).title == "Planning officer"
    for person in (chea, heng, keo):
        record = person.history.get()
        assert record.history_user == coordinator
        assert "people_good.csv" in record.history_change_reason
    assert Position.history.filter(history_user=coordinator).count() == 3
    # The upload is not kept once the job has run.
    assert not default_storage_files()

    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "People added" in page
    assert "hx-trigger" not in page


def default_storage_files() -> list[str]:
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_good_xlsx_imports_everyone(client_for, coordinator, office):
    content = xlsx_bytes(
        [
            [
                "name_latin",
                "name_km",
                "sex",
                "organisation_code",
                "position",
                "birth_year",
                "staff_id",
                "phone",
            ],
            ["Sam Thida", "សំ ធីតា", "F", "POE-17", "Deputy director", 1980, 12345, "012 000 111"],
            [None, None, None, None, None, None, None, None],  # a blank row is skipped
            ["Tep Visal", "ទេព វិសាល", "m", "POE-17", "Planner", 1990.0, "MOEYS-9", None],
        ],
        sheet="people",
    )
    upload(client_for(coordinator), content, "people.xlsx")
    job = last_job()
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.result
    assert job.result["created"] == 2
    thida = Person.objects.get(name_latin="Sam Thida")
    assert thida.external_id == "12345"
    assert thida.birth_year == 1980
    assert Person.objects.get(name_latin="Tep Visal").sex == "M"


def test_semicolon_csv_from_a_french_excel_is_read(client_for, coordinator, office):
    content = (
        "name_latin;sex;organisation_code;position\r\nDupont Marie;Femme;POE-17;Conseillère\r\n"
    )
    upload(client_for(coordinator), content.encode())
    assert last_job().status == BackgroundJob.Status.SUCCEEDED
    assert Person.objects.get(name_latin="Dupont Marie").position == "Conseillère"


def test_templates_download_and_read_back(client_for, coordinator):
    client = client_for(coordinator)
    csv_response = client.get(reverse("person-import-template", args=["csv"]))
    assert csv_response.status_code == 200
    assert csv_response.content.decode("utf-8-sig").strip() == HEADER
    xlsx_response = client.get(reverse("person-import-template", args=["xlsx"]))
    assert xlsx_response.status_code == 200
    with pytest.raises(people_import.SpreadsheetError) as error:
        people_import.read_spreadsheet(data=xlsx_response.content, filename="t.xlsx")
    assert error.value.problem.code == "no_rows"  # the header was read from the "people" sheet
    assert client.get(reverse("person-import-template", args=["pdf"])).status_code == 404


def test_import_page_shows_the_template_and_rules(client_for, coordinator):
    page = client_for(coordinator).get(reverse("person-import")).content.decode()
    for column in people_import.COLUMN_NAMES:
        assert column in page
    assert reverse("person-import-template", args=["xlsx"]) in page
    assert 'enctype="multipart/form-data"' in page


# --- File-level problems: reported on the upload page at once, nothing saved ----------------


def assert_rejected_on_form(response, *fragments: str) -> str:
    assert response.status_code == 400
    page = response.content.decode()
    for fragment in fragments:
        assert fragment in page, fragment
    assert Person.objects.count() == 0
    assert BackgroundJob.objects.count() == 0
    return page


def test_missing_columns_are_named(client_for, coordinator, office):
    content = csv_bytes("Chea Sokha,POE-17", header="name_latin,organisation_code")
    response = upload(client_for(coordinator), content)
    page = assert_rejected_on_form(response, "Row 1, column sex", "Row 1, column position")
    assert "The required column “sex” is missing" in page


def test_unknown_columns_are_named_with_the_expected_ones(client_for, coordinator, office):
    content = csv_bytes(
        "Chea Sokha,F,POE-17,Officer,x",
        header="name_latin,sex,organisation_code,position,nickname",
    )
    response = upload(client_for(coordinator), content)
    page = assert_rejected_on_form(response, "Row 1, column E", "“nickname”")
    assert "Expected columns: name_latin, name_km, sex" in page


def test_header_names_are_forgiving_about_case_and_spaces(client_for, coordinator, office):
    content = csv_bytes(
        "Chea Sokha,F,POE-17,Officer", header="Name Latin,SEX,Organisation-Code,position"
    )
    assert upload(client_for(coordinator), content).status_code == 302
    assert Person.objects.filter(name_latin="Chea Sokha").exists()


def test_windows_encoding_is_a_clear_error(client_for, coordinator, office):
    response = upload(client_for(coordinator), (FILES / "people_cp1252.csv").read_bytes())
    assert_rejected_on_form(response, "not in UTF-8", "line 2", "CSV UTF-8 (Comma delimited)")


def test_utf16_is_a_clear_error(client_for, coordinator, office):
    content = csv_bytes("Chea Sokha,,F,POE-17,Officer,,,,").decode().encode("utf-16")
    response = upload(client_for(coordinator), content)
    assert_rejected_on_form(response, "UTF-16", "UTF-8")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    ],
)
def test_renamed_non_spreadsheet_is_refused(client_for, coordinator, content, kind):
    response = upload(client_for(coordinator), content, "people.xlsx")
    assert_rejected_on_form(response, f"This file is {kind}, not a spreadsheet")


def test_random_zip_renamed_xlsx_is_refused(client_for, coordinator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    response = upload(client_for(coordinator), buffer.getvalue(), "people.xlsx")
    assert_rejected_on_form(response, "This file is a ZIP archive, not a spreadsheet")


def test_corrupt_workbook_is_refused(client_for, coordinator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really>")
    response = upload(client_for(coordinator), buffer.getvalue(), "people.xlsx")
    assert_rejected_on_form(response, "This workbook could not be read")


def test_text_renamed_xlsx_is_refused(client_for, coordinator):
    response = upload(client_for(coordinator), csv_bytes("a,b,c,d,e,f,g,h,i"), "people.xlsx")
    assert_rejected_on_form(response, "not an Excel workbook")


def test_empty_file_and_header_only(client_for, coordinator):
    client = client_for(coordinator)
    assert_rejected_on_form(upload(client, b""), "file is empty")
    assert_rejected_on_form(upload(client, b"  \r\n"), "The file is empty")
    assert_rejected_on_form(upload(client, csv_bytes()), "no people below them")


def test_oversized_file_is_refused_by_the_form(client_for, coordinator, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    # Under the request limit (which allows for the form around the file), over the file limit.
    content = csv_bytes(*["Chea Sokha,,F,POE-17,Officer,,,,"] * 60)
    response = upload(client_for(coordinator), content)
    assert_rejected_on_form(response, "the limit is 1000")


def test_oversized_request_is_refused_before_reading_it(client_for, coordinator, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    content = csv_bytes(*["Chea Sokha,,F,POE-17,Officer,,,,"] * 3000)  # > 64 KB of overhead
    response = upload(client_for(coordinator), content)
    assert_rejected_on_form(response, "larger than the limit of 1000")


def test_request_data_too_big_is_a_friendly_400(client_for, coordinator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(coordinator).post(
        reverse("person-import"), {"update_existing": "x" * 5000}
    )
    assert_rejected_on_form(response, "larger than the limit", "Import people")


def test_request_data_too_big_elsewhere_is_the_friendly_400_page(client_for, coordinator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(coordinator).post(
        reverse("switch-language"), {"language": "fr", "next": "x" * 5000}
    )
    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()


def test_too_many_rows(client_for, coordinator, office, monkeypatch):
    monkeypatch.setattr(people_import, "MAX_ROWS", 3)
    content = csv_bytes(*[f"Person {n},,F,POE-17,Officer,,,," for n in range(4)])
    assert_rejected_on_form(upload(client_for(coordinator), content), "at most 3 can be imported")


# --- Row-level problems: a per-row report, nothing saved ------------------------------------


def test_each_bad_cell_is_located_and_nothing_is_saved(client_for, coordinator, office):
    other_country = CountryFactory(iso_code="LAO", name_en="Elsewhere")
    OrganisationFactory(country=other_country, code="LAO-1")
    content = csv_bytes(
        "Good Person,,F,POE-17,Officer,,,,",  # row 2 is fine, yet not saved either
        ",,F,POE-17,Officer,,,,",  # 3: no name
        "Bad Sex,,X,POE-17,Officer,,,,",  # 4
        "Bad Mail,,M,POE-17,Officer,not-an-email,,,",  # 5
        "Old Person,,M,POE-17,Officer,,,1850,",  # 6
        "Text Year,,M,POE-17,Officer,,,nineteen,",  # 7
        "Lost Person,,M,NOPE-1,Officer,,,,",  # 8
        "Foreign Person,,M,LAO-1,Officer,,,,",  # 9: another country's office is "unknown"
        "No Position,,M,POE-17,,,,,",  # 10
    )
    client = client_for(coordinator)
    response = upload(client, content)
    job = last_job()
    assert response.status_code == 302
    assert job.status == BackgroundJob.Status.FAILED
    assert job.result["outcome"] == "rejected"
    assert problems(job) == [
        (3, "name_latin", "required"),
        (4, "sex", "invalid_sex"),
        (5, "email", "invalid_email"),
        (6, "birth_year", "year_out_of_range"),
        (7, "birth_year", "invalid_year"),
        (8, "organisation_code", "unknown_organisation"),
        (9, "organisation_code", "unknown_organisation"),
        (10, "position", "required"),
    ]
    assert Person.objects.count() == 0
    assert Position.objects.count() == 0

    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "Nothing was imported" in page
    assert "LAO-1" in page
    assert "Elsewhere" not in page
    assert "No organisation in your country&#x27;s directory has this code" in page
    report = client.get(reverse("job-report", args=[job.pk]))
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Row,Column,Value,Problem"
    assert lines[2].startswith("4,sex,X,Write F (female) or M (male)")
    assert len(lines) == 9


def test_duplicates_within_the_file(client_for, coordinator, office):
    content = csv_bytes(
        "Chea Sokha,,F,POE-17,Officer,,,,S-1",
        "Heng Piseth,,M,POE-17,Officer,,,,S-1",  # 3: same staff id as row 2
        "Keo Sreymom,,F,POE-17,Officer,,,,",
        "KEO  sreymom,,F,poe-17,Planner,,,,",  # 5: same person as row 4
        "Sok Dara,,M,POE-17,Officer,,,,S-7",
        "Sok Dara,,M,POE-17,Officer,,,,S-8",  # namesakes with their own staff ids: fine
    )
    upload(client_for(coordinator), content)
    job = last_job()
    assert problems(job) == [
        (3, "staff_id", "duplicate_staff_id_in_file"),
        (5, "name_latin", "duplicate_person_in_file"),
    ]
    messages = [p.message for p in people_import.problems_of(job)]
    assert messages[0] == "Row 2 of this file has the same staff identifier."
    assert messages[1].startswith("Row 4 of this file has the same name")
    assert Person.objects.count() == 0


def test_staff_id_already_in_the_directory_is_an_error_by_default(client_for, coordinator, office):
    PersonFactory(name_latin="Chea Sokha", external_id="S-1", organisation=office)
    upload(client_for(coordinator), csv_bytes("Chea Sokha,,F,POE-17,Director,,,,S-1"))
    job = last_job()
    assert problems(job) == [(2, "staff_id", "staff_id_exists")]
    assert "Update people already in the directory" in people_import.problems_of(job)[0].message
    assert Person.objects.get().position == ""


def test_update_existing_updates_and_moves_the_position(client_for, coordinator, office, nie):
    person = PersonFactory(
        name_latin="Chea Sokha",
        external_id="S-1",
        organisation=office,
        phone="011",
        position="Officer",
    )
    old_position = Position.objects.create(person=person, organisation=office, title="Officer")
    content = csv_bytes(
        "Chea Sokha,ជា សុខា,F,NIE,Lecturer,,,1984,S-1",
        "New Person,,M,POE-17,Officer,,,,S-2",
    )
    upload(client_for(coordinator), content, update_existing="on")
    job = last_job()
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.result
    assert (job.result["created"], job.result["updated"]) == (1, 1)
    person.refresh_from_db()
    assert (person.organisation, person.position, person.name_km, person.birth_year) == (
        nie,
        "Lecturer",
        "ជា សុខា",
        1984,
    )
    assert person.phone == "011"  # an empty optional cell keeps what was there
    old_position.refresh_from_db()
    assert old_position.end_date is not None
    current = person.positions.get(end_date__isnull=True)
    assert (current.organisation, current.title) == (nie, "Lecturer")
    latest = person.history.latest("history_date")
    assert latest.history_type == "~"
    assert latest.history_user == coordinator


def test_probable_duplicate_of_someone_in_the_directory(client_for, coordinator, office):
    PersonFactory(name_latin="Chea Sokha", external_id="", organisation=office)
    client = client_for(coordinator)
    upload(client, csv_bytes("chea  SOKHA,,F,POE-17,Officer,,,,"))
    job = last_job()
    assert problems(job) == [(2, "name_latin", "probable_duplicate")]
    assert Person.objects.count() == 1
    upload(client, csv_bytes("chea  SOKHA,,F,POE-17,Officer,,,,"), allow_probable_duplicates="on")
    assert last_job().status == BackgroundJob.Status.SUCCEEDED
    assert Person.objects.count() == 2


def test_staff_id_of_another_countrys_person_is_not_revealed(client_for, coordinator, office):
    elsewhere = OrganisationFactory(country=CountryFactory(iso_code="LAO"), code="LAO-1")
    PersonFactory(name_latin="Secret Name", external_id="S-1", organisation=elsewhere)
    client = client_for(coordinator)
    upload(client, csv_bytes("Chea Sokha,,F,POE-17,Officer,,,,S-1"), update_existing="on")
    job = last_job()
    assert problems(job) == [(2, "staff_id", "staff_id_unavailable")]
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "Secret Name" not in page
    assert Person.objects.count() == 1


def test_unexpected_error_while_saving_leaves_nothing_behind(
    client_for, coordinator, office, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    real = people_import.bulk_create_with_history
    calls = []

    def second_call_explodes(objs, model, **kwargs):
        calls.append(model)
        if model is Position:
            explode()
        return real(objs, model, **kwargs)

    monkeypatch.setattr(people_import, "bulk_create_with_history", second_call_explodes)
    upload(client_for(coordinator), (FILES / "people_good.csv").read_bytes())
    job = last_job()
    assert calls == [Person, Position]
    assert job.status == BackgroundJob.Status.FAILED
    assert job.result["outcome"] == "error"
    assert Person.objects.count() == 0
    assert Position.objects.count() == 0


def test_report_neutralises_formulas(db):
    problem = people_import.Problem("invalid_sex", row=2, column="sex", value="=HYPERLINK(1)")
    content = people_import.report_csv([problem]).decode("utf-8-sig")
    assert ",'=HYPERLINK(1)," in content


def test_check_needs_a_fixed_number_of_queries(office, django_assert_max_num_queries):
    def sheet(n: int) -> people_import.Sheet:
        rows = [
            (i + 2, [f"Person {i}", "", "F", "POE-17", "Officer", "", "", "1980", f"S-{i}"])
            for i in range(n)
        ]
        return people_import.Sheet(header=HEADER.split(","), rows=rows)

    for n in (5, 200):
        with django_assert_max_num_queries(3):
            plan = people_import.people_import_check(sheet=sheet(n), country=office.country)
        assert plan.ok
        assert len(plan.creates) == n


# --- Who may import -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["trainer", "participant", "specialist"])
def test_roles_without_people_import_get_403(client_for, persona, request, office):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("person-import")).status_code == 403
    assert upload(client, (FILES / "people_good.csv").read_bytes()).status_code == 403
    assert client.get(reverse("person-import-template", args=["csv"])).status_code == 403
    assert Person.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("person-import"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_outsider_cannot_import_into_our_organisations(client_for, outsider, office):
    upload(client_for(outsider), csv_bytes("Chea Sokha,,F,POE-17,Officer,,,,"))
    assert problems(last_job()) == [(2, "organisation_code", "unknown_organisation")]
    assert Person.objects.count() == 0


def test_institution_admin_may_import(client_for, admin_user, office):
    upload(client_for(admin_user), csv_bytes("Chea Sokha,,F,POE-17,Officer,,,,"))
    assert last_job().status == BackgroundJob.Status.SUCCEEDED


def test_the_example_in_the_docs_gives_the_report_it_shows(office, country):
    """docs/how-to/import-people.md shows a file and its report: keep them true."""
    OrganisationFactory(country=country, code="POE-12")
    docs = (Path(__file__).parents[3] / "docs" / "how-to" / "import-people.md").read_text()
    example = docs.split("```csv\n", 1)[1].split("```", 1)[0]
    table = docs.split("| Row | Column | Value | Problem |", 1)[1].split("\n\n", 1)[0]
    documented = [
        (int(cells[1]), cells[2], cells[3], cells[4])
        for line in table.strip().splitlines()[1:]
        for cells in [[c.strip() for c in line.split("|")]]
    ]
    sheet = people_import.read_spreadsheet(data=example.encode(), filename="example.csv")
    plan = people_import.people_import_check(sheet=sheet, country=country)
    found = [(p.row, p.column, p.value, p.message) for p in plan.problems]
    assert [d[:3] for d in documented] == [f[:3] for f in found]
    for (_row, _column, _value, text), (*_, message) in zip(documented, found, strict=True):
        assert text.split(" (in 20")[0].split(" 1930 and")[0] in message


def test_coordinator_of_a_partner_without_country_imports_nowhere(client_for, office):
    from plancampus.core.tests.factories import MembershipFactory, UserFactory

    partner = OrganisationFactory(country=None, kind="partner", code="PARTNER")
    user = UserFactory(username="partnercoordinator")
    MembershipFactory(user=user, institution=partner, role="coordinator")
    upload(client_for(user), csv_bytes("Chea Sokha,,F,POE-17,Officer,,,,"))
    assert problems(last_job()) == [(2, "organisation_code", "unknown_organisation")]
    assert Person.objects.count() == 0
