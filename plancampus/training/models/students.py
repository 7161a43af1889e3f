"""The students of a degree programme (Master's, Doctorate), by intake.

A degree student is enrolled in the programme for several years; the courses of the
programme are taught in cohorts like any other course (one cohort per course and intake),
where the student's attendance, marks and results are kept (``Enrolment``). This record
holds what belongs to the degree: intake, status and its dates, completion, the thesis or
dissertation and its supervisor, and the employer the student came from.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation, Person
from plancampus.core.models.base import DemoFlagMixin

from .courses import Programme, ProgrammeKind

FIRST_INTAKE = 1950
LAST_INTAKE = 2200


class StudentStatus(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    ENROLLED = "enrolled", _("Enrolled")
    ON_LEAVE = "on_leave", _("On leave")
    GRADUATED = "graduated", _("Graduated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Students still in the programme: they take its courses.
CURRENT_STUDENT_STATUSES = (StudentStatus.ADMITTED, StudentStatus.ENROLLED, StudentStatus.ON_LEAVE)


class ProgrammeStudentQuerySet(models.QuerySet["ProgrammeStudent"]):
    def for_institutions(self, institution_ids: list[int]) -> ProgrammeStudentQuerySet:
        return self.filter(programme__institution_id__in=institution_ids)

    def current(self) -> ProgrammeStudentQuerySet:
        return self.filter(status__in=CURRENT_STUDENT_STATUSES)

    def counts_by_intake(self) -> dict[int, dict[str, int]]:
        """``{intake: {status: count}}`` in one query, newest intake first."""
        counts: dict[int, dict[str, int]] = {}
        rows = (
            self.order_by()
            .values_list("intake", "status")
            .annotate(n=Count("pk"))
            .order_by("-intake", "status")
        )
        for intake, status, n in rows:
            counts.setdefault(intake, {})[status] = n
        return counts


class ProgrammeStudent(DemoFlagMixin):
    """A person's enrolment in a degree programme, from admission to graduation or
    withdrawal. One record per programme, person and intake (a student who leaves and comes
    back in a later intake has two)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("programme"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="programme_studies",
        verbose_name=_("student"),
    )
    intake = models.PositiveSmallIntegerField(
        _("intake"),
        validators=[MinValueValidator(FIRST_INTAKE), MaxValueValidator(LAST_INTAKE)],
        help_text=_("The year the student's group started the programme, e.g. 2023."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StudentStatus.choices, default=StudentStatus.ENROLLED
    )
    enrolled_on = models.DateField(_("studies started on"), null=True, blank=True)
    status_since = models.DateField(
        _("status since"),
        null=True,
        blank=True,
        help_text=_("The day the current status took effect (leave, withdrawal…)."),
    )
    expected_completion = models.DateField(_("expected completion"), null=True, blank=True)
    completed_on = models.DateField(
        _("completed on"),
        null=True,
        blank=True,
        help_text=_("Actual completion: the day the degree was awarded (graduates only)."),
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="degree_students",
        verbose_name=_("employer at intake"),
        help_text=_("Where the student worked when admitted (a ministry department, an office…)."),
    )
    thesis_title = models.CharField(_("thesis or dissertation title"), max_length=500, blank=True)
    supervisor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_students",
        verbose_name=_("supervisor"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ProgrammeStudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme student")
        verbose_name_plural = _("programme students")
        ordering = ["programme", "-intake", "person__name_latin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "intake"],
                name="unique_programme_student",
                violation_error_message=_(
                    "This person is already a student of the programme in this intake."
                ),
            )
        ]
        indexes = [models.Index(fields=["programme", "intake", "status"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.programme} ({self.intake})"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STUDENT_STATUSES

    @property
    def thesis_label(self) -> str:
        if self.programme_id and self.programme.kind == ProgrammeKind.DOCTORATE:
            return str(_("Dissertation"))
        return str(_("Thesis"))

    def clean(self) -> None:
        errors: dict[str, object] = {}
        programme = self.programme if self.programme_id else None
        if programme is not None and not programme.is_degree:
            errors["programme"] = _(
                "Only a degree programme (Master's, Doctorate) has students; the participants "
                "of a short course are enrolled in its cohorts."
            )
        if programme is not None and self.person_id:
            errors.update(self._person_errors(programme))
        if programme is not None and self.employer_id:
            country = self.employer.country_id
            if country is not None and country != programme.institution.country_id:
                errors["employer"] = _(
                    "%(organisation)s is in another country than the programme's institution."
                ) % {"organisation": self.employer.display_name}
        if self.supervisor_id and self.supervisor_id == self.person_id:
            errors["supervisor"] = _("A student cannot supervise their own thesis.")
        errors.update(self._date_errors())
        if errors:
            raise ValidationError(errors)

    def _person_errors(self, programme: Programme) -> dict[str, object]:
        person = self.person
        organisation = person.organisation
        if organisation is None:
            return {
                "person": _(
                    "%(name)s has no organisation in the directory: record where they work "
                    "first (their office or department)."
                )
                % {"name": person.name_latin}
            }
        if organisation.country_id != programme.institution.country_id:
            return {
                "person": _(
                    "%(name)s works in another country (%(organisation)s): a programme "
                    "enrols people of its institution's country."
                )
                % {"name": person.name_latin, "organisation": organisation.display_name}
            }
        if (
            self.intake
            and ProgrammeStudent.objects.filter(
                programme=programme, person=person, intake=self.intake
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            return {
                "intake": _(
                    "%(name)s is already a student of this programme in the %(intake)s intake."
                )
                % {"name": person.name_latin, "intake": self.intake}
            }
        return {}

    def _date_errors(self) -> dict[str, object]:
        errors: dict[str, object] = {}
        today = timezone.localdate()
        if not self.intake:
            return errors
        if self.intake > today.year + 1:
            errors["intake"] = _("An intake is at most next year's (%(year)s).") % {
                "year": today.year + 1
            }
        start = self.enrolled_on or dt.date(self.intake, 1, 1)
        if self.enrolled_on and self.enrolled_on.year != self.intake:
            errors["enrolled_on"] = _(
                "The students of the %(intake)s intake start in %(intake)s, not on %(date)s."
            ) % {"intake": self.intake, "date": self.enrolled_on.isoformat()}
        for name in ("expected_completion", "completed_on"):
            value = getattr(self, name)
            if value is not None and value < start:
                errors[name] = _(
                    "Completion cannot come before the intake: studies start on %(date)s."
                ) % {"date": start.isoformat()}
        if (
            self.status == StudentStatus.ON_LEAVE
            and self.status_since
            and self.status_since < start
        ):
            errors["status_since"] = _(
                "A student cannot go on leave before studies start (%(date)s)."
            ) % {"date": start.isoformat()}
        if self.completed_on and self.completed_on > today:
            errors.setdefault(
                "completed_on", _("The degree cannot have been awarded on a future day.")
            )
        if self.status == StudentStatus.GRADUATED and not self.completed_on:
            errors.setdefault("completed_on", _("A graduate needs the day the degree was awarded."))
        if self.completed_on and self.status != StudentStatus.GRADUATED:
            errors.setdefault(
                "completed_on",
                _(
                    "Only a graduate has a completion day: empty it, or set the status to graduated."
                ),
            )
        return errors


__all__ = [
    "CURRENT_STUDENT_STATUSES",
    "ProgrammeStudent",
    "StudentStatus",
]
