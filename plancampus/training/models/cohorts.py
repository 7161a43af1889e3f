"""Cohorts of a course version, their sessions, enrolments, attendance and marks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation, Person
from plancampus.core.models.base import DemoFlagMixin

from .base import plain
from .courses import DEGREE_KINDS, HUNDRED, AssessmentModality, Course


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOMINATIONS_OPEN = "nominations_open", _("Nominations open")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class CohortQuerySet(models.QuerySet["Cohort"]):
    def for_institutions(self, institution_ids: list[int]) -> CohortQuerySet:
        return self.filter(institution_id__in=institution_ids)

    def taught_by(self, person_id: int | None) -> CohortQuerySet:
        if person_id is None:
            return self.none()
        return self.filter(Q(lead_trainer_id=person_id) | Q(co_trainers__id=person_id)).distinct()

    def training_of_trainers(self) -> CohortQuerySet:
        return self.filter(course__programme__kind="training_of_trainers")

    def of_degree_programmes(self) -> CohortQuerySet:
        return self.filter(course__programme__kind__in=DEGREE_KINDS)

    def outside_degree_programmes(self) -> CohortQuerySet:
        """Cohorts of short courses: the courses of a Master's or a Doctorate left out.

        A small subquery (the degree cohorts) rather than joining every row to its course
        and programme: the coverage figures read every completion."""
        return self.exclude(pk__in=Cohort.objects.of_degree_programmes().values("pk"))

    def announced_to_offices(self, today: dt.date | None = None) -> CohortQuerySet:
        """Cohorts whose nominations the offices see: status "nominations open", results not
        closed, and a window that has not closed yet (it may open later)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(nomination_closes__isnull=True) | Q(nomination_closes__gte=today),
            status=CohortStatus.NOMINATIONS_OPEN,
            closed_at__isnull=True,
        )

    def with_counts(self) -> CohortQuerySet:
        """Annotate ``accepted_count``, ``waiting_count`` and ``nominated_count``."""
        return self.annotate(
            accepted_count=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACCEPTED)
            ),
            waiting_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
            nominated_count=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.NOMINATED)
            ),
        )


class Cohort(DemoFlagMixin):
    """One run of a course version: dates, place, capacity, trainers and nominations."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="training_cohorts",
        verbose_name=_("institution"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course version")
    )
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Empty: the course title.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    is_online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(_("online meeting link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    language = models.CharField(
        _("delivery language"), max_length=8, default="km", help_text=_("A language code.")
    )
    lead_trainer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts_led",
        verbose_name=_("lead trainer"),
    )
    co_trainers = models.ManyToManyField(
        Person, blank=True, related_name="cohorts_co_trained", verbose_name=_("co-trainers")
    )
    nomination_opens = models.DateField(_("nominations open on"), null=True, blank=True)
    nomination_closes = models.DateField(_("nominations close on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CohortStatus.choices, default=CohortStatus.PLANNED
    )
    closed_at = models.DateTimeField(_("results closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The last reopening of closed results (the history keeps every one, with who and why).
    reopened_at = models.DateTimeField(_("results reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("results reopened by"),
    )
    reopen_reason = models.TextField(_("reason for reopening the results"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unique_cohort_code")
        ]
        indexes = [
            models.Index(fields=["institution", "status", "start_date"]),
            models.Index(fields=["course", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.display_title}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.course_id and self.course.institution_id != self.institution_id:
            errors["course"] = _("The course belongs to another institution.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The cohort cannot end before it starts.")
        if (
            self.nomination_opens
            and self.nomination_closes
            and self.nomination_closes < self.nomination_opens
        ):
            errors["nomination_closes"] = _("Nominations cannot close before they open.")
        if self.nomination_closes and self.end_date and self.nomination_closes > self.end_date:
            errors["nomination_closes"] = _("Nominations must close before the cohort ends.")
        if errors:
            raise ValidationError(errors)

    @property
    def display_title(self) -> str:
        return self.title or self.course.display_title

    @property
    def is_training_of_trainers(self) -> bool:
        return self.course.is_training_of_trainers

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_reopened(self) -> bool:
        """Results closed once, reopened for corrections and not closed again yet. The
        participants stay as they were; attendance and marks may change."""
        return self.closed_at is None and self.reopened_at is not None

    @property
    def participants_are_locked(self) -> bool:
        """Nominations, acceptances and withdrawals are over (results closed or reopened)."""
        return self.is_closed or self.is_reopened

    def nominations_are_open(self, today: dt.date | None = None) -> bool:
        if self.status in {CohortStatus.COMPLETED, CohortStatus.CANCELLED} or self.is_closed:
            return False
        today = today or timezone.localdate()
        if self.nomination_opens and today < self.nomination_opens:
            return False
        return not (self.nomination_closes and today > self.nomination_closes)

    def is_open_to_offices(self, today: dt.date | None = None) -> bool:
        """Whether an office may nominate its staff today: status "nominations open" and
        inside the nomination window (an empty bound is no bound)."""
        return self.status == CohortStatus.NOMINATIONS_OPEN and self.nominations_are_open(today)

    def trainer_ids(self) -> set[int]:
        ids = {p.pk for p in self.co_trainers.all()}
        if self.lead_trainer_id:
            ids.add(self.lead_trainer_id)
        return ids


class SessionQuerySet(models.QuerySet["Session"]):
    def held(self, now: dt.datetime | None = None) -> SessionQuerySet:
        """Sessions that have started and were not cancelled."""
        return self.filter(is_cancelled=False, starts_at__lte=now or timezone.now())


class Session(models.Model):
    """A dated teaching session of a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    module = models.ForeignKey(
        "training.CourseModule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["cohort", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.cohort.code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.module_id and self.cohort_id and self.module.course_id != self.cohort.course_id:
            raise ValidationError({"module": _("The module belongs to another course.")})

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    def is_held(self, now: dt.datetime | None = None) -> bool:
        return not self.is_cancelled and self.starts_at <= (now or timezone.now())

    def counts_for(self, enrolment: Enrolment) -> bool:
        """Whether the session is expected of a participant: accepted before it ended."""
        return enrolment.enrolled_at is not None and enrolment.enrolled_at < self.ends_at


class EnrolmentStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    ACCEPTED = "accepted", _("Accepted")
    WAITING = "waiting", _("Waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Not accepted")


class ResultStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def accepted(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.ACCEPTED)

    def waiting(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.WAITING).order_by("waiting_since", "id")

    def nominated(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.NOMINATED)

    def active(self) -> EnrolmentQuerySet:
        return self.filter(
            status__in=[
                EnrolmentStatus.NOMINATED,
                EnrolmentStatus.ACCEPTED,
                EnrolmentStatus.WAITING,
            ]
        )

    def completed(self) -> EnrolmentQuerySet:
        return self.filter(result_status=ResultStatus.COMPLETED)

    def outside_degree_programmes(self) -> EnrolmentQuerySet:
        """Enrolments in short courses: the courses of a Master's or a Doctorate left out."""
        return self.exclude(cohort_id__in=Cohort.objects.of_degree_programmes().values("pk"))


class Enrolment(DemoFlagMixin):
    """A person's place in a cohort, from nomination by their office to the final result."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.NOMINATED,
    )
    nominated_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_nominations",
        verbose_name=_("nominated by (office)"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by (user)"),
    )
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    enrolled_at = models.DateTimeField(
        _("accepted at"),
        null=True,
        blank=True,
        help_text=_("Sessions that ended before this moment are not expected of the person."),
    )
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Snapshot taken when the cohort's results are closed; certificates rely on it.
    result_status = models.CharField(
        _("result"), max_length=20, choices=ResultStatus.choices, default=ResultStatus.PENDING
    )
    final_mark = models.DecimalField(
        _("final mark (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    attendance_rate = models.DecimalField(
        _("attendance (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    result_computed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "person__name_latin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="unique_enrolment")
        ]
        indexes = [
            models.Index(fields=["cohort", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.cohort.code}"

    @property
    def is_accepted(self) -> bool:
        return self.status == EnrolmentStatus.ACCEPTED

    @property
    def is_completed(self) -> bool:
        return self.result_status == ResultStatus.COMPLETED


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")
    LATE = "late", _("Late")


# Statuses that count as attending a session.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(models.Model):
    """Whether a participant attended a session. One row per (session, enrolment)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="unique_attendance")
        ]
        indexes = [models.Index(fields=["enrolment", "status"])]

    def __str__(self) -> str:
        return f"{self.enrolment} @ {self.session}: {self.status}"


class Mark(models.Model):
    """A participant's mark in one assessment modality of the course."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="marks")
    modality = models.ForeignKey(AssessmentModality, on_delete=models.PROTECT, related_name="marks")
    value = models.DecimalField(
        _("mark"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "modality"], name="unique_mark"),
            models.CheckConstraint(condition=Q(value__gte=0), name="mark_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.modality} = {self.value}"

    def clean(self) -> None:
        if self.modality_id and self.enrolment_id:
            if self.modality.course_id != self.enrolment.cohort.course_id:
                raise ValidationError({"modality": _("The modality belongs to another course.")})
            if self.value is not None and not (0 <= self.value <= self.modality.max_mark):
                raise ValidationError(
                    {
                        "value": _("A mark must lie between 0 and %(max)s.")
                        % {"max": plain(self.modality.max_mark)}
                    }
                )


__all__ = [
    "ATTENDED",
    "HUNDRED",
    "Attendance",
    "AttendanceStatus",
    "Cohort",
    "CohortStatus",
    "Enrolment",
    "EnrolmentStatus",
    "Mark",
    "ResultStatus",
    "Session",
]
