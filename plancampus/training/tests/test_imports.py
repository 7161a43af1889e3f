"""Bulk enrolment and results from CSV/XLSX: located problems, all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import Mark
from plancampus.training.services.imports import (
    enrolment_template_csv,
    enrolments_import,
    marks_import,
    marks_template_csv,
)

from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def _csv(*rows):
    return ("\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


def _xlsx(*rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staff(office):
    return [
        PersonFactory(organisation=office, external_id=f"MOEYS-{n:04d}", name_latin=f"Staff {n}")
        for n in range(4)
    ]


def test_bulk_enrolment_from_csv(cohort, staff, office, coordinator):
    data = _csv(
        ["staff_id", "name", "organisation_code"],
        *[[p.external_id, p.name_latin, office.code] for p in staff[:3]],
    )
    report = enrolments_import(cohort=cohort, data=data, filename="list.csv", user=coordinator)
    assert report.ok, report.problems
    assert report.saved == 3
    assert cohort.enrolments.accepted().count() == 3
    assert set(cohort.enrolments.values_list("nominated_by_organisation", flat=True)) == {office.pk}


def test_bulk_enrolment_from_xlsx_by_person_id(cohort, staff, coordinator):
    data = _xlsx(["person_id", "name"], *[[p.pk, p.name_latin] for p in staff])
    report = enrolments_import(cohort=cohort, data=data, filename="list.xlsx", user=coordinator)
    assert report.ok, report.problems
    assert cohort.enrolments.count() == 4


def test_unknown_people_and_duplicates_are_located_and_nothing_is_saved(cohort, staff, coordinator):
    EnrolmentFactory(cohort=cohort, person=staff[3])
    data = _csv(
        ["staff_id", "person_id", "organisation_code"],
        [staff[0].external_id, "", ""],
        ["MOEYS-9999", "", ""],
        [staff[0].external_id, "", ""],
        ["", "", "POE-99"],
        [staff[3].external_id, "", ""],
    )
    report = enrolments_import(cohort=cohort, data=data, filename="list.csv", user=coordinator)
    located = {(p.row, p.column) for p in report.problems}
    assert (3, "staff_id") in located  # unknown
    assert (4, "staff_id") in located  # twice in the file
    assert (5, "organisation_code") in located
    assert (5, "person_id") in located  # no identifier
    assert (6, "staff_id") in located  # already enrolled
    assert "row 2" in next(p.message for p in report.problems if p.row == 4)
    assert cohort.enrolments.count() == 1


def test_bulk_enrolment_over_capacity_is_refused(cohort, staff, coordinator):
    cohort.capacity = 2
    cohort.save()
    data = _csv(["person_id"], *[[p.pk] for p in staff])
    report = enrolments_import(cohort=cohort, data=data, filename="list.csv", user=coordinator)
    assert not report.ok
    assert "free seat" in report.problems[0].message
    assert cohort.enrolments.count() == 0


def test_people_of_another_country_are_unknown(cohort, coordinator, outsider):
    stranger = PersonFactory(
        organisation=outsider.memberships.get().institution, external_id="LAO-1"
    )
    report = enrolments_import(
        cohort=cohort, data=_csv(["person_id"], [stranger.pk]), filename="x.csv", user=coordinator
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "person_id")]


def test_file_level_problems(cohort, coordinator):
    pdf = enrolments_import(
        cohort=cohort, data=b"%PDF-1.4 ...", filename="x.xlsx", user=coordinator
    )
    assert "PDF" in pdf.problems[0].message
    columns = enrolments_import(
        cohort=cohort,
        data=_csv(["name", "colour"], ["A", "blue"]),
        filename="x.csv",
        user=coordinator,
    )
    messages = " ".join(p.message for p in columns.problems)
    assert "colour" in messages
    assert "person_id" in messages


def test_results_import_from_the_template(cohort, staff, coordinator):
    enrolments = [EnrolmentFactory(cohort=cohort, person=p) for p in staff[:2]]
    template = marks_template_csv(cohort=cohort).decode("utf-8-sig")
    assert template.splitlines()[0] == "person_id,staff_id,name,Exercises,Written test"
    # Excel in French writes ";" between cells and a decimal comma.
    data = (
        "person_id;staff_id;name;Exercises;Written test\n"
        f"{staff[0].pk};;;15;70,5\n"
        f";{staff[1].external_id};;12;\n"
    ).encode()
    report = marks_import(cohort=cohort, data=data, filename="results.csv", user=coordinator)
    assert report.ok, report.problems
    assert report.saved == 3
    assert Mark.objects.get(
        enrolment=enrolments[0], modality__name_en="Written test"
    ).value == Decimal("70.5")
    exported = marks_template_csv(cohort=cohort).decode("utf-8-sig")
    assert "70.5" in exported


def test_results_import_locates_bad_marks_and_saves_nothing(cohort, staff, coordinator):
    EnrolmentFactory(cohort=cohort, person=staff[0])
    data = _xlsx(
        ["staff_id", "Exercises", "Written test"],
        [staff[0].external_id, 25, "abc"],
        [staff[1].external_id, 10, 10],  # not a participant
        ["NOBODY", 10, 10],
    )
    report = marks_import(cohort=cohort, data=data, filename="results.xlsx", user=coordinator)
    located = {(p.row, p.column) for p in report.problems}
    assert located == {(2, "Exercises"), (2, "Written test"), (3, "staff_id"), (4, "staff_id")}
    assert not Mark.objects.exists()


def test_import_pages(client_for, coordinator, cohort, staff):
    client = client_for(coordinator)
    url = reverse("training:enrolment-import", args=[cohort.pk])
    bad = client.post(url, {"file": _named(_csv(["staff_id"], ["NOBODY"]), "x.csv")})
    assert bad.status_code == 400
    assert "Row 2" in bad.content.decode() or ">2<" in bad.content.decode()
    good = client.post(url, {"file": _named(_csv(["staff_id"], [staff[0].external_id]), "x.csv")})
    assert good.status_code == 302
    assert (
        client.get(reverse("training:enrolment-template", args=[cohort.pk])).content
        == enrolment_template_csv()
    )


def _named(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_bulk_enrolment_queries_do_not_grow_with_rows(
    cohort, office, coordinator, django_assert_max_num_queries
):
    cohort.capacity = 40
    cohort.save()
    people = [PersonFactory(organisation=office) for _ in range(40)]
    data = _csv(["person_id", "organisation_code"], *[[p.pk, office.code] for p in people])
    with django_assert_max_num_queries(20):
        report = enrolments_import(cohort=cohort, data=data, filename="x.csv", user=coordinator)
    assert report.saved == 40
    assert cohort.enrolments.accepted().count() == 40
    assert all(e.pk for e in cohort.enrolments.all())
